"""Parley's search core: the one entry point the web app and the CLI both call.

    results = search(index_dir, SearchRequest(text="ceasefire", filters={"actor": ("Hamas",)}))

Every function takes an index location (a folder today) and goes through the engine
interface (search/engine_api.py, engines in search/engines/); what comes out are the plain
dataclasses of results.py. Highlighting happens here, above the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from indexer.errors import (
    BadFilter,
    IndexBusy,
    IndexCorrupt,
    IndexNotFound,
    NotFound,
    NotParleyIndex,
    ParleyError,
    QuerySyntaxError,
    QueryTooExpensive,
    SearchError,
)
from search import highlight
from search.engine_api import Engine
from search.engines import open_engine
from search.query import did_you_mean, parse_query, positive_forms, reading
from search.request import SearchRequest
from search.results import (
    REBUILD_HINT,
    ArticleSummary,
    ArticleView,
    CheckReport,
    FacetValue,
    Hit,
    QuoteRecord,
    QuoteResults,
    SearchResults,
)

__all__ = [
    "search", "iter_search_hits", "search_quotes", "iter_quotes", "list_speakers", "list_articles",
    "list_actors", "actor_type",
    "query_terms", "get_article", "index_stats", "index_exists", "check_index", "open_engine",
    "Engine", "REBUILD_HINT", "CheckReport",
    "SearchRequest", "SearchResults", "QuoteResults", "QuoteRecord", "Hit", "FacetValue",
    "ArticleSummary", "ArticleView", "ParleyError", "SearchError", "QuerySyntaxError",
    "QueryTooExpensive", "BadFilter", "IndexNotFound", "IndexBusy", "IndexCorrupt",
    "NotParleyIndex", "NotFound", "highlight",
]


FEW_RESULTS = 3  # fewer matches than this and the results suggest other spellings


def search(index_dir: str | Path, req: SearchRequest) -> SearchResults:
    """Matching paragraphs (one page, or all when req.size == 0) with facet counts."""
    engine = open_engine(index_dir)
    page = engine.search(req)
    hits = tuple(_snippets(page.hits, page.words))
    parsed = page.parsed
    # Few or no results: offer the query with misspelt words replaced by what the index holds.
    suggestions = did_you_mean(parsed, engine.spelled_like) if page.total < FEW_RESULTS else []
    return SearchResults(request=req, total=page.total, hits=hits,
                         facets=_typed(page.facets, engine), timeline=page.timeline,
                         reading=reading(parsed),
                         suggestions=tuple(suggestions),
                         expansions=tuple({"typed": e.typed, "actor": e.actor,
                                           "names": list(e.names)} for e in parsed.expansions))


def iter_search_hits(index_dir: str | Path, req: SearchRequest) -> Iterator[Hit]:
    """Every matching paragraph in order, produced one at a time (exports, --limit 0)."""
    page = open_engine(index_dir).search(replace(req, page=1, size=0), facets=False)
    yield from _snippets(page.hits, page.words)


def _snippets(hits: Iterable[Hit], words: frozenset[str]) -> Iterator[Hit]:
    for hit in hits:
        yield replace(hit, snippet=highlight.snippet(hit.text, words, links=hit.links))


def search_quotes(index_dir: str | Path, req: SearchRequest) -> QuoteResults:
    """Quotations whose words match the query, by speaker; the same quotation carried by
    several outlets is one entry led by its earliest publication."""
    engine = open_engine(index_dir)
    page = engine.quotes(req)
    return QuoteResults(request=req, total=page.total, quotes=tuple(page.quotes),
                        facets=_typed(page.facets, engine))


def _typed(facets: dict[str, tuple[FacetValue, ...]], engine: Engine
           ) -> dict[str, tuple[FacetValue, ...]]:
    """The actor facet's values with their types, from the index's actor -> type table."""
    if not facets.get("actor"):
        return facets
    types = engine.actor_types()
    return {**facets, "actor": tuple(replace(fv, type=types.get(fv.value, "unknown"))
                                     for fv in facets["actor"])}


def list_actors(index_dir: str | Path, req: SearchRequest | None = None) -> list[dict]:
    """The most named actors (the actor facet of req, every paragraph by default): {actor,
    type, paragraphs}, most named first."""
    facets = search(index_dir, replace(req or SearchRequest(), size=1)).facets
    return [{"actor": fv.value, "type": fv.type or "unknown", "paragraphs": fv.count}
            for fv in facets.get("actor", ()) if fv.count]


def actor_type(index_dir: str | Path, name: str) -> str:
    """An actor's type as the index recorded it ("unknown" when it recorded none)."""
    return open_engine(index_dir).actor_types().get(name, "unknown")


def iter_quotes(index_dir: str | Path, req: SearchRequest) -> Iterator[QuoteRecord]:
    """Every matching quotation group in order, one at a time (exports)."""
    yield from open_engine(index_dir).quotes(replace(req, page=1, size=0), facets=False).quotes


def query_terms(text: str) -> set[str]:
    """The indexed forms of the words a query asks for, to mark them in any text."""
    return positive_forms(parse_query(text).tree, ("text", "quote", "title"))


def list_articles(index_dir: str | Path) -> list[ArticleSummary]:
    return open_engine(index_dir).articles()


def get_article(index_dir: str | Path, article_id: str) -> ArticleView:
    summary, paragraphs = open_engine(index_dir).article(article_id)
    return ArticleView(summary=summary, paragraphs=tuple(
        replace(p, snippet=highlight.lead(p.text, links=p.links)) for p in paragraphs))


def index_stats(index_dir: str | Path) -> dict:
    """Counts, date range, top facet values and size on disk."""
    return open_engine(index_dir).stats()


def list_speakers(index_dir: str | Path, *, roles: bool = False) -> list[dict]:
    """Every speaker with the number of quotations and first/last dates, most quoted first.

    A transcript's roles (the moderator, the operator) are no sources: left out unless asked."""
    rows = open_engine(index_dir).speakers()
    return rows if roles else [r for r in rows if r["type"] != "role"]


def index_exists(index_dir: str | Path) -> bool:
    """Whether there is an index to search at that location (False: nothing written yet)."""
    return open_engine(index_dir).exists()


def check_index(index_dir: str | Path) -> CheckReport:
    """Read the whole index and verify it (`parley check`); problems are in the report."""
    return open_engine(index_dir).check()
