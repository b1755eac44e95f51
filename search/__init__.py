"""Parley's search core: the one entry point the web app and the CLI both call.

    results = search(index_dir, SearchRequest(text="ceasefire", filters={"actor": ("Hamas",)}))

Whoosh stays inside engine.py, query.py and highlight.py; what comes out are the plain
dataclasses of results.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from indexer import registry
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
from search import highlight, quotetable
from search.engine import article_hits, article_row, engine_for, iter_hits
from search.query import parse_query, positive_terms
from search.request import SearchRequest
from search.results import (
    ArticleSummary,
    ArticleView,
    FacetValue,
    Hit,
    QuoteRecord,
    QuoteResults,
    SearchResults,
)

__all__ = [
    "search", "iter_search_hits", "search_quotes", "iter_quotes", "list_speakers", "list_articles",
    "query_terms", "get_article", "index_stats",
    "SearchRequest", "SearchResults", "QuoteResults", "QuoteRecord", "Hit", "FacetValue",
    "ArticleSummary", "ArticleView", "ParleyError", "SearchError", "QuerySyntaxError",
    "QueryTooExpensive", "BadFilter", "IndexNotFound", "IndexBusy", "IndexCorrupt",
    "NotParleyIndex", "NotFound", "highlight",
]


def search(index_dir: str | Path, req: SearchRequest) -> SearchResults:
    """Matching paragraphs (one page, or all when req.size == 0) with facet counts."""
    session = engine_for(index_dir).session()
    q = session.parse(req.text)
    docs = session.matched(q, req)
    month_counts = session.count("month", docs)  # the timeline needs every month, facets the top
    facets = session.facet_counts(docs, req, counted={"month": month_counts})
    start = (req.page - 1) * req.size
    stop = None if req.size == 0 else start + req.size
    hits: tuple[Hit, ...] = ()
    if docs and (stop is None or start < len(docs)):
        results = session.ranked(q, docs, req, limit=stop)
        hits = tuple(iter_hits(results, start, stop))
    timeline = tuple(FacetValue(m, c) for m, c in sorted(month_counts.items()))
    return SearchResults(request=req, total=len(docs), hits=hits, facets=facets, timeline=timeline)


def iter_search_hits(index_dir: str | Path, req: SearchRequest) -> Iterator[Hit]:
    """Every matching paragraph in order, produced one at a time (exports, --limit 0)."""
    session = engine_for(index_dir).session()
    q = session.parse(req.text)
    docs = session.matched(q, req)
    if docs:
        yield from iter_hits(session.ranked(q, docs, req, limit=None), 0, None)


def _ordered_quote_docs(session, req: SearchRequest):
    """The query, the docnums of paragraphs with matching quotations in result order, facets."""
    q = session.parse(req.text, default_field="quote")
    docs = session.matched(q, replace(req, quotes_only=True))
    order = [docnum for _, docnum in session.ranked(q, docs, req, limit=None).top_n] if docs else []
    return q, docs, order


def _quote_groups(session, req: SearchRequest):
    q, docs, order = _ordered_quote_docs(session, req)
    asked = req.filters.get("speaker")
    speakers = {v for s in asked for v in session.resolve("speakers", s)} if asked else None
    terms = positive_terms(q, ("quote", "text"))
    only_quote_words = not positive_terms(q, ("text", "title"))
    return docs, quotetable.group_quotes(session, order, speakers, terms,
                                         words_only_in_quotes=only_quote_words,
                                         kinds=set(req.kinds) or None)


def search_quotes(index_dir: str | Path, req: SearchRequest) -> QuoteResults:
    """Quotations whose words match the query, by speaker; the same quotation carried by
    several outlets is one entry led by its earliest publication."""
    session = engine_for(index_dir).session()
    docs, groups = _quote_groups(session, req)
    keys = list(groups)
    start = (req.page - 1) * req.size
    page = keys[start:] if req.size == 0 else keys[start:start + req.size]
    quotes = tuple(quotetable.records(session, (groups[k] for k in page)))
    return QuoteResults(request=req, total=len(keys), quotes=quotes,
                        facets=session.facet_counts(docs, req))


def iter_quotes(index_dir: str | Path, req: SearchRequest) -> Iterator[QuoteRecord]:
    """Every matching quotation group in order, one at a time (exports)."""
    session = engine_for(index_dir).session()
    _docs, groups = _quote_groups(session, req)
    yield from quotetable.records(session, groups.values())


def query_terms(text: str) -> set[str]:
    """The indexed forms of the words a query asks for, to mark them in any text."""
    return positive_terms(parse_query(text), ("text", "quote", "title"))


def _summary(row: registry.ArticleRow) -> ArticleSummary:
    return ArticleSummary(
        article_id=row.article_id, title=row.title, outlet=row.outlet, url=row.url,
        published=row.published, path=row.path, paragraphs=row.paragraphs, quotes=row.quotes,
        credits=row.credits, date_precision=row.date_precision, dateline=row.dateline,
        byline=row.byline)


def list_articles(index_dir: str | Path) -> list[ArticleSummary]:
    engine_for(index_dir).session()  # raises IndexNotFound / NotParleyIndex consistently
    return [_summary(r) for r in registry.list_articles(Path(index_dir))]


def get_article(index_dir: str | Path, article_id: str) -> ArticleView:
    session = engine_for(index_dir).session()
    row = article_row(Path(index_dir), article_id)
    return ArticleView(summary=_summary(row), paragraphs=tuple(article_hits(session, article_id)))


def index_stats(index_dir: str | Path) -> dict:
    """Counts, date range, top facet values and size on disk."""
    session = engine_for(index_dir).session()
    everything = session.matched(session.parse(""), SearchRequest())
    facets = session.facet_counts(everything, SearchRequest())
    dates = sorted(d for d in session.table.dates if d)
    iso = lambda n: f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"  # noqa: E731
    size = sum(f.stat().st_size for f in Path(index_dir).iterdir() if f.is_file())
    return {
        "index_dir": str(index_dir),
        **registry.counts(Path(index_dir)),
        "indexed_paragraphs": len(everything),
        "first_date": iso(dates[0]) if dates else None,
        "last_date": iso(dates[-1]) if dates else None,
        "size_bytes": size,
        "top": {name: [v.to_dict() for v in vals[:10]] for name, vals in facets.items()},
    }


def list_speakers(index_dir: str | Path) -> list[dict]:
    """Every speaker with the number of quotations and first/last dates, most quoted first."""
    session = engine_for(index_dir).session()
    docs = session.matched(session.parse(""), SearchRequest(quotes_only=True))
    return quotetable.speaker_rows(session, docs)
