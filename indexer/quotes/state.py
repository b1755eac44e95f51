"""The records the extractor passes between its stages: spans, speakers, attribution
clauses, and what carries from paragraph to paragraph within one article."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.lexicon import Lexicon
from indexer.models import Quote

# A capitalised word; only initials and short titles keep a full stop ("Admiral. You" is two
# sentences, "James P. Kennedy" is one name).
_NAME_WORD = r"(?:(?:[A-Z]|Mr|Mrs|Ms|Dr|St|Jr|Sr|Lt|Col|Gen|Sen|Rep|Gov)\.|[A-Z][\w'’-]*)"


@dataclass(frozen=True)
class _Span:
    """A top-level quoted span: inner text [start, end); `closed` is False for run-ons."""

    start: int
    end: int
    closed: bool


@dataclass(frozen=True)
class _Speaker:
    name: str | None
    type: str
    roles: frozenset[str] = frozenset()
    plural: bool = False


@dataclass(frozen=True)
class _Event:
    """An attribution clause: where its words sit in the paragraph, and who it names."""

    left: int  # first character of the clause (subject or verb)
    right: int  # last character of the clause
    verb: str
    speaker: _Speaker
    via: str | None
    verb_span: tuple[int, int] = (-1, -1)  # the verb's own characters, where there is one


@dataclass
class _State:
    """What carries from paragraph to paragraph within one article."""

    lexicon: Lexicon
    date: str | None
    issuer: str | None
    transcript: bool
    title: str | None = None
    speakers: list[_Speaker] = field(default_factory=list)
    spoke_at: list[tuple[int, int]] = field(default_factory=list)  # (paragraph, offset) per speaker
    doc_speaker: _Speaker | None = None  # who "I" is in remarks and statements (from the title)
    genders: dict[str, str] = field(default_factory=dict)  # name -> "m" | "f", as the text shows
    masked: list[str] = field(default_factory=list)  # earlier paragraphs with quotes blanked
    cursor: int = 0  # offset of the attribution being read in the current paragraph
    now: str = ""  # the current paragraph, masked
    introduced: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    verb: str = ""  # the verb of the attribution being read
    addressee: _Speaker | None = None  # who was last "asked", the likely next to reply
    reporter: _Speaker | None = None  # who recounts the words being attributed, not their speaker
    stated_by: _Speaker | None = None  # who "said in a statement"
    last: Quote | None = None  # last direct quote of the previous paragraph
    said: _Event | None = None  # last named attribution of the previous paragraph
    turn: _Speaker | None = None  # the current transcript turn (None: no turn / reporter)
    turn_labels: set[str] = field(default_factory=set)  # transcript labels seen so far
    run_on: bool = False  # the previous paragraph ended inside an open quote
    first_attributed: bool = False  # this paragraph's first quote has its own attribution
    next_opens: bool = False  # the next paragraph opens with a quote mark
    read: list[str] = field(default_factory=list)  # paragraphs so far, this one included
    standfirst: str = ""  # the first paragraph, masked, if it is set as a headline
    accounts: list[str] = field(default_factory=list)  # names under embedded posts, whole article
