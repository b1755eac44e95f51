"""What a search returns: plain dataclasses with `to_dict()`, the JSON contract of CLI and API.

The web page, the JSON API, CSV export and the CLI all render these same objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from heapq import nsmallest

from search.request import SearchRequest

FACET_NAMES = ("outlet", "actor", "topic", "speaker", "month")
FACET_LIMIT = 30  # values shown per facet


def top_values(facet: str, counts: Mapping[str, int], selected: tuple[str, ...],
               resolve: Callable[[str], list[str]] | None = None) -> tuple[FacetValue, ...]:
    """The values a facet shows, the same for every engine: the FACET_LIMIT most counted, ties
    by value (so a request lists them the same way every time), every selected value even when
    nothing matches it any more, and months newest first.

    A selected value is shown as the index value it was resolved to ("Kirby" as John Kirby,
    with John Kirby's count), remembering what was typed so that its link removes it."""
    typed_of: dict[str, str] = {}
    for typed in selected:
        for value in (resolve(typed) if resolve else None) or [typed]:
            typed_of.setdefault(value, typed)
    best = nsmallest(FACET_LIMIT, counts.items(), key=lambda vc: (-vc[1], vc[0]))
    top = [FacetValue(v, c, v in typed_of, typed=typed_of.get(v, v)) for v, c in best]
    shown = {fv.value for fv in top}
    top += [FacetValue(v, counts.get(v, 0), True, typed=t) for v, t in typed_of.items()
            if v not in shown]
    if facet == "month":
        top.sort(key=lambda fv: fv.value, reverse=True)
    return tuple(top)


@dataclass(frozen=True)
class QuoteHit:
    text: str
    speaker: str | None
    verb: str | None
    via: str | None
    speaker_type: str = "unknown"
    kind: str = "direct"
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict:
        return {"text": self.text, "speaker": self.speaker, "verb": self.verb, "via": self.via,
                "speaker_type": self.speaker_type, "kind": self.kind}


@dataclass(frozen=True)
class Hit:
    """One matching paragraph. `snippet` is HTML: escaped text with <mark>ed terms."""

    paragraph_id: str
    article_id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    position: int
    text: str
    snippet: str
    actors: tuple[str, ...]
    topics: tuple[str, ...]
    credits: tuple[str, ...]
    quotes: tuple[QuoteHit, ...]
    score: float | None
    heading: str | None = None
    links: tuple[tuple[int, int, str], ...] = ()  # (start, end, url) spans of `text`

    def to_dict(self) -> dict:
        d = asdict(self)
        d["actors"], d["topics"] = list(self.actors), list(self.topics)
        d["credits"] = list(self.credits)
        d["links"] = [{"start": s, "end": e, "url": u} for s, e, u in self.links]
        d["quotes"] = [q.to_dict() for q in self.quotes]
        return d


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False
    type: str | None = None  # actor facet: person, organisation, state, group or unknown
    typed: str = ""  # the request's filter value this stands for (what a toggle removes)

    def to_dict(self) -> dict:
        out: dict = {"value": self.value, "count": self.count, "selected": self.selected}
        if self.type is not None:
            out["type"] = self.type
        return out


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    timeline: tuple[FacetValue, ...] = ()  # matches per month, in date order (for the chart)
    reading: str = ""  # how the query was read, in words
    suggestions: tuple[str, ...] = ()  # "did you mean" queries, when it found little
    # {"typed", "actor", "names"}: a name the actor data widened to the actor's other names
    expansions: tuple[dict, ...] = ()

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def pages(self) -> int:
        size = self.request.size
        return 1 if size == 0 else max(1, -(-self.total // size))

    def to_dict(self) -> dict:
        return {
            "query": self.request.text,
            "request": self.request.to_dict(),
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: [v.to_dict() for v in vals] for name, vals in self.facets.items()},
            "timeline": [{"month": v.value, "count": v.count} for v in self.timeline],
            "reading": self.reading,
            "suggestions": list(self.suggestions),
            "expansions": [dict(e) for e in self.expansions],
        }


@dataclass(frozen=True)
class QuoteRecord:
    """A quotation with where it was published (the unit of `parley quotes`)."""

    text: str
    speaker: str | None
    verb: str | None
    via: str | None
    article_id: str
    paragraph_id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    speaker_type: str = "unknown"
    kind: str = "direct"
    # The same quotation in other outlets: {outlet, published, url, article_id, paragraph_id}.
    also_reported_by: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["also_reported_by"] = list(self.also_reported_by)
        return d


@dataclass(frozen=True)
class QuoteResults:
    request: SearchRequest
    total: int
    quotes: tuple[QuoteRecord, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "query": self.request.text,
            "total": self.total,
            "page": self.request.page,
            "quotes": [q.to_dict() for q in self.quotes],
            "facets": {name: [v.to_dict() for v in vals] for name, vals in self.facets.items()},
        }


@dataclass(frozen=True)
class ArticleSummary:
    article_id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    path: str
    paragraphs: int
    quotes: int
    credits: tuple[str, ...] = ()
    date_precision: str = "unknown"
    dateline: str | None = None
    byline: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["credits"] = list(self.credits)
        return d


@dataclass(frozen=True)
class ArticleView:
    """An article with all its indexed paragraphs (as Hits with the whole text as snippet)."""

    summary: ArticleSummary
    paragraphs: tuple[Hit, ...]

    def to_dict(self) -> dict:
        return {**self.summary.to_dict(), "paragraph_list": [p.to_dict() for p in self.paragraphs]}


REBUILD_HINT = "rebuild it with `parley index --rebuild PATH...` (the same paths you indexed)"
MAX_LISTED = 20  # ids shown per kind of problem in a CheckReport; the counts are always complete


@dataclass
class CheckReport:
    """What `check_index` found; `healthy` is True when nothing is wrong."""

    index_dir: str
    segments: int = 0
    documents: int = 0
    articles_index: int = 0
    articles_registry: int = 0
    paragraphs_index: int = 0
    paragraphs_registry: int = 0
    problems: list[str] = field(default_factory=list)
    orphan_articles: list[str] = field(default_factory=list)  # in the index, not the registry
    missing_articles: list[str] = field(default_factory=list)  # in the registry, not the index
    miscounted_articles: list[str] = field(default_factory=list)
    duplicate_paragraphs: int = 0

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {**{k: v for k, v in self.__dict__.items() if not k.endswith("_articles")},
                "orphan_articles": self.orphan_articles[:MAX_LISTED],
                "missing_articles": self.missing_articles[:MAX_LISTED],
                "miscounted_articles": self.miscounted_articles[:MAX_LISTED],
                "healthy": self.healthy}
