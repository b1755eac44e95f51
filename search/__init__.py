"""Parley's search core: the one entry point the web app and the CLI both call.

    results = search(index_dir, SearchRequest(text="ceasefire", filters={"actor": ("Hamas",)}))

Whoosh stays inside engine.py, query.py and highlight.py; what comes out are the plain
dataclasses of results.py.
"""

from __future__ import annotations

import re
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
from search import highlight
from search.engine import article_hits, article_row, engine_for, iter_hits, quotes_of
from search.query import positive_terms
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
    "search", "iter_search_hits", "search_quotes", "list_speakers", "list_articles", "get_article", "index_stats",
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
    facets = session.facet_counts(docs, req)
    start = (req.page - 1) * req.size
    stop = None if req.size == 0 else start + req.size
    hits: tuple[Hit, ...] = ()
    if docs and (stop is None or start < len(docs)):
        results = session.ranked(q, docs, req, limit=stop)
        hits = tuple(iter_hits(results, start, stop))
    month_counts = session._count("month", docs)
    timeline = tuple(FacetValue(m, c) for m, c in sorted(month_counts.items()))
    return SearchResults(request=req, total=len(docs), hits=hits, facets=facets, timeline=timeline)


def iter_search_hits(index_dir: str | Path, req: SearchRequest) -> Iterator[Hit]:
    """Every matching paragraph in order, produced one at a time (exports, --limit 0)."""
    session = engine_for(index_dir).session()
    q = session.parse(req.text)
    docs = session.matched(q, req)
    if docs:
        yield from iter_hits(session.ranked(q, docs, req, limit=None), 0, None)


def _norm_quote(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def search_quotes(index_dir: str | Path, req: SearchRequest) -> QuoteResults:
    """Quotations whose words match the query, by speaker; the same quotation carried by
    several outlets is one entry led by its earliest publication."""
    session = engine_for(index_dir).session()
    q = session.parse(req.text, default_field="quote")
    docs = session.matched(q, replace(req, quotes_only=True))
    facets = session.facet_counts(docs, req)
    wanted = {v for s in req.filters.get("speaker", ()) for v in session.resolve("speakers", s)}
    terms = positive_terms(q, ("quote", "text"))
    records: list[QuoteRecord] = []
    if docs:
        for hit in session.ranked(q, docs, req, limit=None):
            records.extend(_quote_records(hit.fields(), wanted, terms, req.filters.get("speaker")))
    grouped = _group_quotes(records)
    start = (req.page - 1) * req.size
    page = grouped[start:] if req.size == 0 else grouped[start:start + req.size]
    return QuoteResults(request=req, total=len(grouped), quotes=tuple(page), facets=facets)


def _quote_records(fields: dict, wanted: set[str], terms: set[str], asked) -> list[QuoteRecord]:
    out = []
    for qh in quotes_of(fields):
        if asked and qh.speaker not in wanted:
            continue
        if terms and not highlight.term_spans(qh.text, terms):
            continue
        out.append(QuoteRecord(
            text=qh.text, speaker=qh.speaker, verb=qh.verb, via=qh.via,
            article_id=fields["article_id"], paragraph_id=fields["pid"],
            title=fields.get("title") or None, outlet=fields.get("outlet") or None,
            url=fields.get("url"), published=fields.get("date") or None,
            speaker_type=qh.speaker_type, kind=qh.kind))
    return out


def _group_quotes(records: list[QuoteRecord]) -> list[QuoteRecord]:
    """Merge identical quotations (same words, any punctuation or case) across outlets."""
    groups: dict[str, list[QuoteRecord]] = {}
    for rec in records:
        groups.setdefault(_norm_quote(rec.text), []).append(rec)
    merged = []
    for recs in groups.values():
        ordered = sorted(recs, key=lambda r: (r.published or "9999", r.outlet or ""))
        lead, others = ordered[0], ordered[1:]
        also = tuple({"outlet": r.outlet, "published": r.published, "url": r.url,
                      "article_id": r.article_id, "paragraph_id": r.paragraph_id}
                     for r in others if r.paragraph_id != lead.paragraph_id)
        merged.append((recs[0], replace(lead, also_reported_by=also)))
    # Keep the order in which the first copy of each quotation was found (relevance or date).
    first_seen = {id(r): i for i, r in enumerate(records)}
    return [m for _, m in sorted(merged, key=lambda pair: first_seen[id(pair[0])])]


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
    from whoosh import query as wq

    session = engine_for(index_dir).session()
    stats: dict[str, dict] = {}
    for docnum in session.searcher.docs_for_query(wq.Term("has_quotes", "1")):
        fields = session.searcher.stored_fields(docnum)
        for q in quotes_of(fields):
            if not q.speaker:
                continue
            row = stats.setdefault(q.speaker, {"speaker": q.speaker, "type": q.speaker_type,
                                               "quotes": 0, "first": None, "last": None})
            row["quotes"] += 1
            date = fields.get("date") or None
            if date:
                row["first"] = min(filter(None, [row["first"], date]))
                row["last"] = max(filter(None, [row["last"], date]))
    return sorted(stats.values(), key=lambda r: (-r["quotes"], r["speaker"]))
