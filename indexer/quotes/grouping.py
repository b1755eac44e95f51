"""Quotations with their attributions: which clause each quoted span belongs to, which spans
are fragments, titles or headlines, and which carry on the speaker of an earlier quote."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from urllib.parse import urlsplit

from indexer.models import Quote
from indexer.quotes.marks import _LINK_RE, _MARK_CHARS, _word_count
from indexer.quotes.speakers import _mentions, _parse_speaker
from indexer.quotes.state import _NAME_WORD, _Event, _Span, _Speaker, _State
from indexer.quotes.vocab import LEAD_STOP, NAMING_VERBS, VERBS

MIN_WORDS = 3  # shorter quoted items are scare quotes, titles or crossheads


def _attribute(text, spans, bounds, events, state) -> list[Quote]:
    """Kept quotations of one paragraph, each with the attribution that fits it."""
    quotes: list[Quote] = []
    state.first_attributed = False
    for k, span in enumerate(spans):
        event = _event_for(text, span, bounds, events) or _colon_event(text, span, bounds, state)
        following = spans[k + 1] if k + 1 < len(spans) else None
        if _is_fragment(text, span, event, following) or _is_headline(text, span):
            continue
        if state.standfirst and text[span.start - 1] in "‘'":
            continue  # headline style: 'Governor says ... he called on her ‘because ...’'
        if _NAMED_AS_RE.search(text, max(0, span.start - 12), span.start):
            continue  # 'a Facebook group called "We support ..."': a name, not speech

        if event is None:  # 'Witkoff said X. "Quote."': the paragraph's last attribution
            event = next((e for e in reversed(events)
                          if e.right < span.start and e.speaker.name), None)
        if event is None and _QUOTE_CUE_RE.search(text, max(0, span.start - 40), span.start):
            event = _cued_event(text, span, bounds, state)  # "Continuing to quote, “...”"
        words_of = None if event else _WORDS_OF_RE.search(text, max(0, span.start - 90), span.start)
        if words_of:  # "in the words of the Israeli proposal, “...”"
            event = _words_of_event(words_of, state)
        quote = _quote(text, span, event, quotes, state)
        if quote is None:
            continue
        if not quotes:
            state.first_attributed = event is not None
        quotes.append(quote)
    return quotes


def _is_fragment(text: str, span: _Span, event: _Event | None, following: _Span | None) -> bool:
    # Under 3 words is a scare quote or a title, unless it is a whole utterance attributed as
    # speech: '"No," he said' / 'He replied: "No."' / the first half of a split quote. Terms
    # someone "called" something ('called it a, quote, "large-scale provocation."') and words
    # that run on into the sentence ('Reagan replied, "No," smiled') stay fragments.
    words = text[span.start : span.end]
    if _word_count(words) >= MIN_WORDS:
        return False
    if event is None or event.verb in NAMING_VERBS or words.rstrip()[-1:] not in _UTTERANCE_END:
        return True
    if _NAMING_RE.search(text, max(0, span.start - 60), span.start - 1):
        return True  # 'called Velázquez's about-face “heartbreaking,” according to ...'
    if span.end < event.left:  # '"No," he said' and '"We will," he said, "never accept it."'
        return False
    rest = text[span.end + 1 : span.end + 3]
    return not (rest.strip() == "" or rest[:1] in ")" or rest.lstrip()[:1] in _MARK_CHARS)


_NAMING_RE = re.compile(r"\b(?:called|calls|call|calling|described|describes)\b[^.;:!?\"“”]*$")


_UTTERANCE_END = {",", ".", "?", "!"}


def _is_headline(text: str, span: _Span) -> bool:
    # "'Meth. We're On It.': South Dakota spends ...": a quoted headline before a colon.
    return span.start <= 1 and text[span.end + 1 : span.end + 2] == ":"


_NAMED_AS_RE = re.compile(r"\b(?:called|named|titled|entitled|dubbed|nicknamed)\s*[\"“‘']$")


_QUOTE_CUE_RE = re.compile(r"\b(?:[Qq]uote|[Qq]uoting)(?: from [\w ’']{1,30})?[,:]?\s*[\"“‘']?$")


_WORDS_OF_RE = re.compile(r"\bin the words of (?P<who>[^,;:“”\"]{2,80}),?\s*[\"“‘']$")


def _words_of_event(m: re.Match[str], state: _State) -> _Event | None:
    who = m.group("who").strip()
    speaker = _parse_speaker(who, state)
    if speaker is None:
        found = state.lexicon.find_actors(who, state.date)
        speaker = _Speaker(found[0], state.lexicon.actor_type(found[0])) if found else None
    if speaker is None:
        return None
    return _Event(m.start(), m.end() - 1, "said", speaker, None)


def _cued_event(text: str, span: _Span, bounds: list[int], state: _State) -> _Event | None:
    """ "by Mr. Smotrich — ... impose, quote, “a surrender agreement”": the first person named
    in the sentence, else the speaker of the quote before (a speech goes on quoting a report)."""
    sent_start = bounds[bisect_right(bounds, span.start - 1) - 1]
    mentioned = _mentions(text[sent_start : span.start], state)
    named = [replace(sp, type="person") for _, sp, _ in mentioned
             if sp.type in ("person", "unknown")]
    speaker = named[0] if named else None
    if speaker is None and state.last is not None and state.last.speaker:
        last = state.last
        speaker = _Speaker(last.speaker, last.speaker_type)
    if speaker is None:
        return None
    return _Event(sent_start, span.start - 1, "quoted", speaker, None)


def _quote(text, span, event, earlier, state) -> Quote | None:
    quote = _attributed(text, span, event, earlier, state)
    return replace(quote, kind="partial") if quote and _is_partial(text, span) else quote


def _is_partial(text: str, span: _Span) -> bool:
    """Words quoted inside the writer's own sentence ('called the plan "a grave risk"', '“abrasive
    and demeaning” managers'), not a whole utterance set off by a comma, colon or verb."""
    before = text[: span.start - 1].rstrip()
    words = text[span.start : span.end]
    prev = before.split()[-1] if before.split() else ""
    after = text[span.end + 1 : span.end + 3].strip()
    if words[:1].islower() and after[:1].isalnum():
        return True
    if not prev or not prev[-1].isalnum():
        return False
    introduced = prev in VERBS or prev in ("that", "as", "saying", "adding", "writing")
    return not (introduced and words[:1].isupper())


def _attributed(text, span, event, earlier, state) -> Quote | None:
    words = text[span.start : span.end]
    if event is not None:
        sp = event.speaker
        return Quote(words, sp.name, span.start, span.end, event.verb, event.via,
                     sp.type if sp.name else "unknown")  # fmt: skip
    at_start = not text[: span.start - 1].strip()
    source = earlier[-1] if earlier else (state.last if at_start else None)
    if source is None and not span.closed and state.next_opens:
        # Runs on into the next paragraph; extract_quotes gives it that part's speaker.
        return Quote(words, None, span.start, span.end)
    said = state.said
    if source is None and at_start and said is not None and _whole_sentence(words):
        # 'Doe said the state would sue.' then '“We will see them in court.”': her words.
        sp = said.speaker
        return Quote(words, sp.name, span.start, span.end, said.verb, said.via, sp.type)
    if source is None:
        return None  # an unattributed quoted title or slogan
    return Quote(words, source.speaker, span.start, span.end, source.verb, source.via,
                 source.speaker_type)  # fmt: skip


def _whole_sentence(words: str) -> bool:
    ends = words.rstrip()[-1:] in ".!?,…"
    return words[:1].isupper() and ends and _word_count(words) >= MIN_WORDS


def _event_for(text: str, span: _Span, bounds: list[int], events: list[_Event]) -> _Event | None:
    """The attribution right after the closing mark, else the last one before the opening."""
    close = span.end + 1
    sent_start = bounds[bisect_right(bounds, span.start - 1) - 1]
    before = [e for e in events if sent_start <= e.left and e.right < span.start]
    if before and not text[before[-1].right : span.start - 1].strip(" ,:"):
        return before[-1]  # 'he said, "...," the office said': the office relays his words
    if span.closed and text[span.end - 1 : span.end] != ".":
        for event in events:
            gap = text[close : event.left]
            if event.left >= close and not gap.strip(" ,\"”’'"):
                if event.verb == "reported" and before:
                    break  # 'X said ..., "...," the radio reported': the radio relays X
                return event
    if before:
        return before[-1]
    # 'Gaza's crisis is "growing at an alarming rate" and ..., Noem said': later in the sentence.
    sent_end = next((b for b in bounds if b > span.end), len(text))
    return next((e for e in events if e.left > span.end and e.right < sent_end), None)


def _colon_event(text, span, bounds, state) -> _Event | None:
    """ "[Canadian Prime Minister Mark Carney](https://x.com/...): “...”": a label, no verb.

    The label may be restated as the subject before the mark: "[Palestinian Authority](...):
    The Palestinian Authority “welcomes ...”".
    """
    if state.transcript:
        return None
    sent_start = bounds[bisect_right(bounds, span.start - 1) - 1]
    lead = _LINK_RE.sub(lambda m: m.group("label"), text[sent_start : span.start - 1])
    label, colon, rest = lead.rpartition(":")
    label = label.strip()
    if not colon or not label or _word_count(label) > 12 or _word_count(rest) > 8:
        return None
    speaker = _parse_speaker(label, state)
    if speaker is None and not rest.strip() and text[span.start : span.start + 1].isupper():
        speaker = _colon_subject(label, state)  # 'Doe was blunt: “We will not ...”'
    if speaker is None or speaker.name is None:
        return None
    if rest.strip() and getattr(_parse_speaker(rest.strip(), state), "name", None) != speaker.name:
        return None
    link = _LINK_RE.search(text, sent_start, span.start)
    words = text[span.start : span.end]
    if link and (_names_in_third_person(words, speaker) or _REPORTED_RE.search(words)):
        url = link.group("url")
        speaker = _link_publisher(url, state) or _link_account(url, state) or speaker
    return _Event(sent_start, span.start - 1, "stated", speaker, None)


# The subject of a short clause that introduces a whole quoted sentence with a colon.
_COLON_SUBJECT_RE = re.compile(
    rf"(?P<np>[Hh]e|[Ss]he|[Tt]hey|(?:[Tt]he\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})"
    r"\s+[a-z][\w’'-]*(?:\s+[\w’'-]+){0,5}")


def _colon_subject(label: str, state: _State) -> _Speaker | None:
    m = _COLON_SUBJECT_RE.fullmatch(label)
    if m is None or m.group("np").split()[0] in LEAD_STOP - {"The"}:
        return None
    return _parse_speaker(m.group("np"), state)


# "[China](https://english.news.cn/...): “China welcomes ..., foreign ministry spokesperson Guo
# Jiakun said on Tuesday.”": words that carry their own attribution are a report's prose.
_REPORTED_RE = re.compile(r",\s+(?:[\w’'.-]+\s+){1,6}?(?:said|says|told|added|stated)\b[^,]{0,40}$")


def _names_in_third_person(words: str, speaker: _Speaker) -> bool:
    # "[Kazakh President Kassym-Jomart Tokayev](aljazeera.com/...): “President Kassym-Jomart
    # Tokayev’s press secretary ... cited him”": a person named in the words is not their author.
    surname = (speaker.name or "").split()[-1:]
    return speaker.type == "person" and bool(surname) and re.search(
        rf"\b{re.escape(surname[0])}\b", words) is not None


def _link_publisher(url: str, state: _State) -> _Speaker | None:
    """The outlet whose site a link points to ("https://english.news.cn/..." is Xinhua)."""
    name = state.lexicon.outlet_at(urlsplit(url).hostname or "")
    return _Speaker(name, "organisation") if name else None


_SOCIAL_HOSTS = {"x.com", "twitter.com", "www.x.com", "www.twitter.com", "mobile.twitter.com"}


def _link_account(url: str, state: _State) -> _Speaker | None:
    """The known owner of the account a post link comes from ("https://x.com/LBpresidency/...")."""
    parts = urlsplit(url)
    handle = parts.path.strip("/").split("/")[0]
    owner = state.lexicon.account_owner(handle) if parts.hostname in _SOCIAL_HOSTS else None
    return _Speaker(owner, state.lexicon.actor_type(owner)) if owner else None
