"""Tag an article's paragraphs: date, outlet, credits, actors, topics and quotations.

Names and triggers come from the lexicon (data files); this module never hard-codes one.
Article-level facts (date completed from the dateline, outlet from a syndication note) are
worked out once per article and shared by its paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from urllib.parse import urlparse

from indexer.discovery import ArticleActors, discover
from indexer.lexicon import Lexicon
from indexer.markup import with_links_marked
from indexer.models import Article, Paragraph, TaggedParagraph
from indexer.paragraphs import DATELINE_ALONE, SYNDICATION, split_blocks
from indexer.quotes import extract_quotes

MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# "Washington DC [US], June 1 :" / "New Delhi:" / "GAZA CITY, Oct 9 (Reuters) -"
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w .'’()\[\]-]{1,50}?)"
    r"(?:,\s*(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?)?"
    r"\s*(?:\((?P<wire>[A-Za-z .-]{2,30})\))?\s*[:—–-]\s+\S"
)


def parse_dateline(text: str) -> tuple[str | None, tuple[int | None, int, int] | None]:
    """The place and (year or None, month, day) of a dateline opening the text, if any."""
    m = _DATELINE.match(text)
    if not m or len(m.group("place").split()) > 6:
        return None, None
    place = m.group("place").strip()
    month = MONTHS.get((m.group("month") or "")[:3].lower())
    if not month:
        return place, None
    year = int(m.group("year")) if m.group("year") else None
    return place, (year, month, int(m.group("day")))


def complete_date(parts: tuple[int | None, int, int], known: str | None) -> str | None:
    """A dateline date as ISO; a year-less one takes its year from the article's known date."""
    year, month, day = parts
    if year is None:
        if not known:
            return None
        ref = date.fromisoformat(known[:10]) if len(known) >= 10 else date(int(known[:4]), 12, 31)
        year = ref.year
        # "Dec 31" datelined in an article published Jan 1 belongs to the year before.
        if (month, day) > (ref.month, ref.day) and len(known) >= 10:
            year -= 1
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def resolve_article(article: Article, paragraphs: list[Paragraph], lexicon: Lexicon) -> Article:
    """Fill in what the text itself says: dateline, date, outlet, credits."""
    first = paragraphs[0].text if paragraphs else ""
    place, parts = parse_dateline(first)
    if place and _is_speaker_label(place, paragraphs):
        place, parts = None, None
    dateline = article.dateline or place or _standalone_dateline(article.text)
    published, precision = article.published, article.date_precision
    if parts:
        dated = complete_date(parts, published)
        if dated and (not published or precision != "day"):
            published, precision = dated, "day"
    outlet = article.outlet or _syndicated_outlet(article.text) or _domain(article.url)
    credits = dict.fromkeys(article.credits)
    # In a transcript the outlets named are the reporters' ("next to Ben from Haaretz"):
    # no source of what is said, so not credits of every paragraph.
    for p in paragraphs if article.kind != "transcript" else ():
        credits.update(dict.fromkeys(lexicon.find_media(p.text)))
    if outlet:
        credits.pop(outlet, None)
    return replace(article, dateline=dateline, published=published, date_precision=precision,
                   outlet=outlet, credits=tuple(credits))


_HONORIFIC = re.compile(r"^(?:MR|MRS|MS|DR)\.?\s|^Q$")


def _is_speaker_label(place: str, paragraphs: list[Paragraph]) -> bool:
    """ "MS. JEAN-PIERRE: Oh, it's cold" opens a transcript, not a story from a place: a
    dateline is said once, a speaker's label again and again, and places have no "Ms."."""
    if _HONORIFIC.match(place):
        return True
    label = place + ":"
    return sum(p.text.startswith(label) for p in paragraphs[:200]) >= 2


def _standalone_dateline(text: str) -> str | None:
    for block in split_blocks(text)[:6]:
        if DATELINE_ALONE.match(block) and not _HONORIFIC.match(block):
            return block.strip().rstrip(":").strip()
    return None


def _syndicated_outlet(text: str) -> str | None:
    m = SYNDICATION.search(text)
    return m.group("outlet").strip() if m else None


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.") or None


def tag_article(article: Article, paragraphs: list[Paragraph],
                lexicon: Lexicon) -> list[TaggedParagraph]:
    """Every paragraph with its tags; quotations are extracted over the whole article."""
    article = resolve_article(article, paragraphs, lexicon)
    issuer = article.outlet if article.kind == "statement" else None
    marked = [with_links_marked(p.text, p.links) if p.links else (p.text, None)
              for p in paragraphs]
    quotes = extract_quotes([text for text, _ in marked], lexicon=lexicon,
                            date=article.published, issuer=issuer, title=article.title)
    # Links were written back for the extractor (it reads a linked label's site): offsets and
    # words go back to the clean text.
    quotes = [found if back is None else tuple(
        replace(q, start=back[q.start], end=back[q.end],
                text=q.text if back[q.end] - back[q.start] == q.end - q.start
                else p.text[back[q.start]:back[q.end]]) for q in found)
        for p, (_, back), found in zip(paragraphs, marked, quotes, strict=True)]
    speakers = {q.speaker for found in quotes for q in found
                if q.kind == "direct" and q.speaker and q.speaker_type in ("person", "unknown")}
    texts = [p.text for p in paragraphs]
    discovered = discover(texts, lexicon, speakers=speakers)
    tagged = []
    for paragraph, found, own in zip(paragraphs, quotes, discovered.paragraphs, strict=True):
        text = f"{paragraph.heading}\n{paragraph.text}" if paragraph.heading else paragraph.text
        # A transcript's turn label ("MS. JEAN-PIERRE:") names who speaks, not who is discussed.
        spoken = min((q.start for q in found if q.kind == "turn"), default=0)
        seeded = lexicon.find_actors(paragraph.text[spoken:] if spoken else text, article.published)
        actors = dict.fromkeys(a for a in seeded if a not in discovered.blocked)
        actors.update(dict.fromkeys(own))
        # A quoted speaker is an actor of the paragraph; a transcript's turn label is not
        # (the press secretary would otherwise tag every paragraph she speaks).
        actors.update(dict.fromkeys(name for q in found if q.kind in ("direct", "partial")
                                    and q.speaker
                                    and (name := _speaker_actor(q.speaker, lexicon, discovered))))
        # The article's credits already hold every outlet its paragraphs name (resolve_article).
        credits = dict.fromkeys(article.credits)
        credits.update(dict.fromkeys(q.via for q in found
                                     if q.via and q.via in lexicon.media_types))
        if article.outlet:
            credits.pop(article.outlet, None)
        tagged.append(TaggedParagraph(
            paragraph=paragraph, article=article, date=article.published, outlet=article.outlet,
            credits=tuple(credits), actors=tuple(actors), topics=lexicon.find_topics(text),
            quotes=found, actor_types=tuple(_actor_type(a, lexicon, discovered) for a in actors),
        ))
    return tagged


def _actor_type(name: str, lexicon: Lexicon, discovered: ArticleActors) -> str:
    """A seed's type wins (it was written by hand); else what discovery read in the text."""
    if name in lexicon.actors:
        return lexicon.actor_type(name)
    return discovered.types.get(name, "unknown")


def _speaker_actor(speaker: str, lexicon: Lexicon, discovered: ArticleActors) -> str | None:
    """The actor a quotation's speaker is: a seed name, or a name the article gave in full."""
    if speaker in lexicon.actors:
        return speaker
    return discovered.alias(speaker)
