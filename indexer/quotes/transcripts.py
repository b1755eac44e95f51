"""Transcripts and the document's own voice: turn labels ("MR. KIRBY:", "Q") and the
"I" of remarks and statements named in their title."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.models import Quote
from indexer.quotes.speakers import _full_name
from indexer.quotes.state import _Speaker, _State
from indexer.quotes.vocab import ANON_LABEL_HEADS, NON_SPEECH_LABELS, SECTION_LABELS, TITLES

_LABEL_RE = re.compile(r"(?P<label>[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,4}):\s+(?=\S)")


_Q_RE = re.compile(r"Q(?::\s*|\s+)(?=\S)")


_TURN_END_RE = re.compile(r"(?:END\b.*|#(?:\s*#)*|\d{1,2}:\d{2}\s*[AP]\.?M\.?.*)$")


_DATELINE_RE = re.compile(r"^[A-Z][^:\"“”]{0,60}?\s?:\s+")


_FIRST_PERSON_TITLE = re.compile(
    r"^(?:Remarks|Statement|Speech|Address|Op-Ed|Letter|Message|Readout|Interview)\b[^|:]*?"
    r"\b(?:by|from|of)\s+(?P<who>[^|:]+)")


def _title_speaker(title: str | None, state: _State) -> _Speaker | None:
    """ "Remarks by President Biden on ..." -> Joe Biden, who is the "I" of the text."""
    m = _FIRST_PERSON_TITLE.match(title or "")
    if m is None:
        return None
    people = [n for n in state.lexicon.find_actors(m.group("who")[:80], state.date)
              if state.lexicon.actor_type(n) == "person"]
    return _Speaker(people[0], "person") if people else None


def _is_transcript(paragraphs: Sequence[str]) -> bool:
    """Two labelled paragraphs make a transcript (one "WASHINGTON:" is a dateline), when the
    labels are speakers: a "Q", a label that comes back (people take turns), or a titled name.
    Section labels of market wraps and live blogs ("KEEPING SCORE:", "ENERGY:") each come
    once and name no one."""
    labels: list[str] = []
    for text in paragraphs:
        if _Q_RE.match(text):
            labels.append("Q")
        elif (m := _LABEL_RE.match(text)) and m.group("label") not in SECTION_LABELS:
            labels.append(m.group("label"))
    if len(labels) < 2:
        return False
    return ("Q" in labels or len(set(labels)) < len(labels)
            or any(_speaker_label(label) for label in labels))


def _speaker_label(label: str) -> bool:
    # "MR. KIRBY", "SECRETARY BLINKEN", "SENIOR ADMINISTRATION OFFICIAL", "MODERATOR"
    words = label.split()
    return (words[0].rstrip(".").lower() in TITLES or label.endswith(ANON_LABEL_HEADS)
            or label in ("MODERATOR", "OPERATOR"))


def _turn_quote(text: str, state: _State) -> Quote | None:
    """The spoken text of a transcript paragraph as a "turn" Quote, if it is an answer."""
    label = _Q_RE.match(text) or _LABEL_RE.match(text)
    if _TURN_END_RE.match(text.strip()):
        state.turn = None
        return None
    if label is not None:
        name = "Q" if label.re is _Q_RE else label.group("label")
        state.turn = None if name in NON_SPEECH_LABELS else _label_speaker(name, state)
    start = label.end() if label else len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if state.turn is None or end <= start:
        return None
    sp = state.turn
    return Quote(text[start:end], sp.name, start, end, "said", None, sp.type, "turn")


def _label_speaker(label: str, state: _State) -> _Speaker:
    known = state.lexicon.resolve(label, state.date)
    if known:
        return _Speaker(known, state.lexicon.actor_type(known))
    if label in ("MODERATOR", "OPERATOR"):
        return _Speaker(label.capitalize(), "anonymous")  # a role of the call, not a source
    if label.endswith(ANON_LABEL_HEADS):
        return _Speaker(f"{label.capitalize()} (unnamed)", "anonymous")
    words = label.title().split()
    bare = " ".join(words[1:])
    if len(words) > 1 and words[0].lower() in TITLES and _full_name(bare, state) != bare:
        return _Speaker(_full_name(bare, state), "person")  # "MR. BATES": Andrew Bates, if named
    return _Speaker(label.title(), "person")
