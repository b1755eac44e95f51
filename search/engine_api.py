"""Everything Parley needs from a search engine, and nothing more.

An engine stores tagged paragraphs and answers requests about them. The embedded engine
(search/engines/embedded/, a Whoosh-format index in a local folder) is the only one today;
a cluster engine (OpenSearch) implements the same two protocols. `search.engines.open_engine`
picks one by location, and tests/test_engine_contract.py runs the same tests on each.

What crosses this line is Parley's own: `SearchRequest` in, the dataclasses of
search/results.py out, the indexer's plain records (indexer.models, indexer.registry) for
writing. No engine type (Whoosh query, document number, reader) leaves an engine.

Writing::

    with engine.begin_write(rebuild=False) as writer:  # one writer per index at a time
        known = writer.known()  # what is already indexed, to skip unchanged input
        writer.add(row, paragraphs)  # adds the article, replacing any paragraphs it had
        writer.delete(["a1b2"])  # articles gone from their source
        writer.record_file(path, sha1, size, article_ids)
        writer.save_lexicon({"actors": [...]})  # the user's own vocabulary travels with it
        writer.commit()  # everything since the last commit becomes searchable at once

Leaving the block without commit() drops what was added since the last commit (abort());
earlier commits stay.

Reading: queries are written in Parley's query language (`SearchRequest.text`, see
search/query.py); each engine translates it. Hits come back without snippets: the query layer
highlights them (search/highlight.py) with the words the engine says it matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from indexer.models import TaggedParagraph
from indexer.registry import ArticleRow
from search.querytree import Every, ParsedQuery
from search.request import SearchRequest
from search.results import ArticleSummary, CheckReport, FacetValue, Hit, QuoteRecord

Facets = dict[str, tuple[FacetValue, ...]]


@dataclass(frozen=True)
class Known:
    """What an index already holds, so an ingest run can skip unchanged files and articles."""

    file_hashes: dict[str, str] = field(default_factory=dict)  # resolved path -> sha1
    article_hashes: dict[str, str] = field(default_factory=dict)  # article id -> content hash
    file_articles: dict[str, list[str]] = field(default_factory=dict)  # path -> its article ids
    # The user's own actors, media and topics saved with the index (indexer.lexicon_with).
    lexicon: dict | None = None


def add_types(table: dict[str, str], pairs: Iterable[tuple[str, str]]) -> bool:
    """Fold (actor, type) pairs into an index's actor -> type table; whether it changed.

    The first known type of an actor stays (a seed's type, or what discovery read first);
    "unknown" only fills a gap."""
    changed = False
    for actor, kind in pairs:
        if table.get(actor, "unknown") == "unknown" and table.get(actor) != kind:
            table[actor] = kind
            changed = True
    return changed


@dataclass
class HitPage:
    """An engine's answer to a search: hits in order (lazy when every hit was asked for)."""

    total: int
    hits: Iterator[Hit]  # snippet "" : search/__init__.py highlights them
    words: frozenset[str]  # indexed forms of the text words to mark in snippets
    facets: Facets = field(default_factory=dict)
    timeline: tuple[FacetValue, ...] = ()  # matches per month, in date order
    # How the engine read the query (search/query.py): the results say it in words.
    parsed: ParsedQuery = field(default_factory=lambda: ParsedQuery("", Every()))


@dataclass
class QuotePage:
    """Matching quotations, one record per group of the same quotation across outlets."""

    total: int
    quotes: Iterator[QuoteRecord]
    facets: Facets = field(default_factory=dict)


class EngineWriter(Protocol):
    """One write session on one index; the engine holds its write lock meanwhile."""

    def known(self) -> Known: ...

    def add(self, article: ArticleRow, paragraphs: Sequence[TaggedParagraph]) -> None:
        """Add an article's paragraphs, replacing whatever the index had for it."""

    def delete(self, article_ids: Sequence[str]) -> None: ...

    def record_file(self, path: str, sha1: str, size: int, article_ids: list[str]) -> None: ...

    def save_lexicon(self, extra: dict) -> None:
        """Keep the user's own actors, media and topics with the index: later runs tag with
        them and searches resolve names with them (`parley index --actors-file`)."""

    def pending(self) -> int:
        """Paragraphs added since the last commit."""

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class Engine(Protocol):
    """One index, opened by location (a folder path, or a URL for a cluster engine)."""

    location: str

    # -- writing and upkeep -------------------------------------------------------------

    def begin_write(self, *, rebuild: bool = False,
                    lock_timeout: float = 10.0) -> AbstractContextManager[EngineWriter]:
        """Raises IndexBusy when another writer holds the index past lock_timeout seconds."""

    def exists(self) -> bool:
        """Whether an index is there to search (False: nothing written yet)."""

    def check(self) -> CheckReport:
        """Read everything, verify checksums, compare with the record of ingested articles."""

    def stats(self) -> dict:
        """Counts, date range, top facet values and size (the `parley stats` contract)."""

    # -- reading ------------------------------------------------------------------------

    def search(self, req: SearchRequest, *, facets: bool = True) -> HitPage:
        """Paragraphs matching req (query, filters), ranked or sorted as req.sort says;
        one page of them, or all of them lazily when req.size == 0."""

    def quotes(self, req: SearchRequest, *, facets: bool = True) -> QuotePage:
        """Quotations whose words match req.text, in result order, paged as req says."""

    def speakers(self) -> list[dict]:
        """{speaker, type, quotes, first, last} for every speaker, most quoted first."""

    def actor_types(self) -> dict[str, str]:
        """Actor -> type (person, organisation, state, group, unknown) as tagged when written;
        empty for an index written before types were kept."""

    def articles(self) -> list[ArticleSummary]:
        """Every article, newest first."""

    def article(self, article_id: str) -> tuple[ArticleSummary, list[Hit]]:
        """An article and its paragraphs in order; NotFound when there is none."""

    def spelled_like(self, word: str) -> list[tuple[str, int]]:
        """Indexed words spelled close to `word`, with their paragraph counts ("did you
        mean"); just the word itself when the index has it."""

    def vocabulary(self, facet: str) -> list[str]:
        """Every value a facet (outlet, actor, topic, speaker, month) has in the index."""

    def close(self) -> None: ...
