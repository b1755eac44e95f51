"""The values passed between indexing stages: small, frozen, typed.

Nothing here does work; reading, splitting, tagging and writing live in their own modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One story as read from disk, before it is split into paragraphs."""

    article_id: str
    text: str
    path: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD (or YYYY-MM / YYYY when less precise)
    date_precision: str = "unknown"  # day | month | year | unknown
    dateline: str | None = None
    credits: tuple[str, ...] = ()  # wires and outlets the article as a whole credits
    byline: str | None = None
    kind: str = "article"  # article | transcript | statement
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Paragraph:
    """A story paragraph; `heading` is the crosshead printed just above it, if any."""

    article_id: str
    position: int
    text: str
    heading: str | None = None
    links: tuple[tuple[int, int, str], ...] = ()  # (start, end, url) spans of `text`


@dataclass(frozen=True)
class Quote:
    """A direct quotation: the words inside the marks, who said them, and how.

    `start`/`end` are character offsets of `text` inside the paragraph text.
    `speaker` is the canonical actor name when the lexicon knows it, else the name as
    written, or a typed anonymous source such as "Hamas official (unnamed)".
    """

    text: str
    speaker: str | None
    start: int
    end: int
    verb: str | None = None
    via: str | None = None
    # person | organisation | state | group | anonymous | role (a call's moderator) | unknown
    speaker_type: str = "unknown"
    kind: str = "direct"  # direct | turn (a labelled answer in a transcript)


@dataclass(frozen=True)
class TaggedParagraph:
    """A paragraph with everything the index stores about it."""

    paragraph: Paragraph
    article: Article
    date: str | None
    outlet: str | None
    credits: tuple[str, ...]
    actors: tuple[str, ...]
    topics: tuple[str, ...]
    quotes: tuple[Quote, ...]
    # Each actor's type, in the order of `actors` (person, organisation, state, group, unknown):
    # the writers keep a per-index table of them for facets, actor pages and `parley actors`.
    actor_types: tuple[str, ...] = ()

    @property
    def paragraph_id(self) -> str:
        return f"{self.paragraph.article_id}-{self.paragraph.position:04d}"


@dataclass(frozen=True)
class Skipped:
    """A file (or record) that was not indexed, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Notice:
    """A field left out of (or mended in) a record that was still indexed, and why."""

    path: str
    reason: str


@dataclass
class IngestReport:
    """What one `ingest` run did. Mutable: the writer fills it in as it goes."""

    articles: int = 0
    unchanged: int = 0
    replaced: int = 0
    duplicates: int = 0
    paragraphs: int = 0
    quotes: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # other file types found in folders
    notices: list[Notice] = field(default_factory=list)  # records indexed without a bad field

    @property
    def failed(self) -> bool:
        return bool(self.skipped)

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "duplicates": self.duplicates,
            "paragraphs": self.paragraphs,
            "quotes": self.quotes,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "ignored": list(self.ignored),
            "notices": [{"path": n.path, "reason": n.reason} for n in self.notices],
        }
