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

from indexer.lexicon import Lexicon
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
    dateline = article.dateline or place or _standalone_dateline(article.text)
    published, precision = article.published, article.date_precision
    if parts:
        dated = complete_date(parts, published)
        if dated and (not published or precision != "day"):
            published, precision = dated, "day"
    outlet = article.outlet or _syndicated_outlet(article.text) or _domain(article.url)
    credits = dict.fromkeys(article.credits)
    for p in paragraphs:
        credits.update(dict.fromkeys(lexicon.find_media(p.text)))
    credits.pop(outlet, None)
    return replace(article, dateline=dateline, published=published, date_precision=precision,
                   outlet=outlet, credits=tuple(credits))


def _standalone_dateline(text: str) -> str | None:
    for block in split_blocks(text)[:6]:
        if DATELINE_ALONE.match(block):
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


def tag_article(article: Article, paragraphs: list[Paragraph], lexicon: Lexicon) -> list[TaggedParagraph]:
    """Every paragraph with its tags; quotations are extracted over the whole article."""
    article = resolve_article(article, paragraphs, lexicon)
    issuer = article.outlet if article.kind == "statement" else None
    quotes = extract_quotes([p.text for p in paragraphs], lexicon=lexicon,
                            date=article.published, issuer=issuer, title=article.title)
    tagged = []
    for paragraph, found in zip(paragraphs, quotes, strict=True):
        text = f"{paragraph.heading}\n{paragraph.text}" if paragraph.heading else paragraph.text
        # A transcript's turn label ("MS. JEAN-PIERRE:") names who speaks, not who is discussed.
        spoken = min((q.start for q in found if q.kind == "turn"), default=0)
        actors = dict.fromkeys(lexicon.find_actors(paragraph.text[spoken:] if spoken else text,
                                                   article.published))
        # A quoted speaker is an actor of the paragraph; a transcript's turn label is not
        # (the press secretary would otherwise tag every paragraph she speaks).
        actors.update(dict.fromkeys(q.speaker for q in found
                                    if q.kind in ("direct", "partial") and q.speaker in lexicon.actors))
        # The article's credits already hold every outlet its paragraphs name (resolve_article).
        credits = dict.fromkeys(article.credits)
        credits.update(dict.fromkeys(q.via for q in found if q.via and q.via in lexicon.media_types))
        credits.pop(article.outlet, None)
        tagged.append(TaggedParagraph(
            paragraph=paragraph, article=article, date=article.published, outlet=article.outlet,
            credits=tuple(credits), actors=tuple(actors), topics=lexicon.find_topics(text),
            quotes=found,
        ))
    return tagged
