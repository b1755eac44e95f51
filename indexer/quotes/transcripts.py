"""Transcripts and the document's own voice: turn labels ("MR. KIRBY:", "Q") and the
"I" of remarks and statements named in their title."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.models import Quote
from indexer.quotes.speakers import _full_name
from indexer.quotes.state import _Speaker, _State
from indexer.quotes.vocab import (
    ANON_LABEL_HEADS,
    NON_SPEECH_LABELS,
    ROLE_LABELS,
    SECTION_LABELS,
    TITLES,
)

_LABEL_RE = re.compile(r"(?P<label>[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,4}):\s+(?=\S)")


_Q_RE = re.compile(r"Q(?::\s*|\s+)(?=\S)")

# A second turn inside one paragraph ("MR. KIRBY: You all right there? MR. KIRBY: Yep."): a
# label right after a sentence end. Only labels that name speakers count (see _inner_label).
_INNER_LABEL_RE = re.compile(
    r"(?<=[.?!…\"”'’])\s+(?P<label>[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,4}):\s+(?=\S)")


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
            or label in ROLE_LABELS)


def _turn_quotes(text: str, state: _State) -> tuple[Quote, ...]:
    """The spoken text of a transcript paragraph as "turn" Quotes, one per turn label."""
    cuts = [0, *(m.start("label") for m in _INNER_LABEL_RE.finditer(text)
                 if _inner_label(m.group("label"), state)), len(text)]
    found = (_turn_quote(text, state, a, b) for a, b in zip(cuts, cuts[1:], strict=False))
    return tuple(q for q in found if q is not None)


def _inner_label(label: str, state: _State) -> bool:
    # Inside a paragraph a capitalised word and a colon is a turn only when it names a speaker
    # the way labels do here: seen before as a label, a "Q", a titled name or a role.
    return label not in SECTION_LABELS and (
        label == "Q" or label in state.turn_labels or _speaker_label(label))


def _turn_quote(text: str, state: _State, begin: int = 0, stop: int | None = None
                ) -> Quote | None:
    """The spoken words of text[begin:stop], one turn, as a "turn" Quote, if an answer."""
    piece = text[begin:stop]
    label = _Q_RE.match(piece) or _LABEL_RE.match(piece)
    if _TURN_END_RE.match(piece.strip()):
        state.turn = None
        return None
    if label is not None:
        name = "Q" if label.re is _Q_RE else label.group("label")
        state.turn_labels.add(name)
        state.turn = None if name in NON_SPEECH_LABELS else _label_speaker(name, state)
    start = begin + (label.end() if label else len(piece) - len(piece.lstrip()))
    end = begin + len(piece.rstrip())
    if state.turn is None or end <= start:
        return None
    sp = state.turn
    return Quote(text[start:end], sp.name, start, end, "said", None, sp.type, "turn")


def _label_speaker(label: str, state: _State) -> _Speaker:
    known = state.lexicon.resolve(label, state.date)
    if known:
        return _Speaker(known, state.lexicon.actor_type(known))
    if label in ROLE_LABELS:  # who chairs or connects the call: a role, not a source
        return _Speaker(label.removeprefix("THE ").capitalize(), "role")
    if label.endswith(ANON_LABEL_HEADS):
        return _Speaker(f"{label.capitalize()} (unnamed)", "anonymous")
    words = label.title().split()
    bare = " ".join(words[1:])
    if len(words) > 1 and words[0].lower() in TITLES and _full_name(bare, state) != bare:
        return _Speaker(_full_name(bare, state), "person")  # "MR. BATES": Andrew Bates, if named
    titled = [i for i, w in enumerate(words[:-1]) if w.lower().rstrip(".") in TITLES]
    if titled and words[titled[-1]].lower().rstrip(".") not in HONORIFICS:
        # "ADMINISTRATOR CRISWELL", "INTERNATIONAL CORRESPONDENT KEIR SIMMONS": the job title
        # is kept apart as a role; the name is the speaker, in full if the text gave it.
        name = " ".join(words[titled[-1] + 1 :])
        roles = frozenset(w.lower() for w in words[: titled[-1] + 1])
        return _Speaker(_full_name(name, state), "person", roles)
    return _Speaker(label.title(), "person")  # "MS. REPOSA": as the transcript names her


HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame"})
