"""HTML pages: search, article, quotations, speakers, help.

Views build a SearchRequest, call the core, and hand plain values to the templates. The
small view models (facet links, timeline bars, citations) are built here so templates stay
logic-light; all HTML comes from templates (autoescaped) or from search.highlight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

import search as core
from indexer.errors import ParleyError
from search.request import KINDS, SearchRequest
from search.results import FACET_NAMES

bp = Blueprint("pages", __name__)

ARTICLE_ID = re.compile(r"[A-Za-z0-9]{1,64}")
FACET_LABELS = {"outlet": "Outlet", "actor": "Actor", "topic": "Topic", "speaker": "Speaker",
                "month": "Month"}
SPEAKERS_PER_PAGE = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"])")


def index_dir() -> str:
    return current_app.config["INDEX_DIR"]


# -- links ---------------------------------------------------------------------------------


def href(endpoint: str, pairs: list[tuple[str, str]] | None = None, **values) -> str:
    """A URL for endpoint with flat, repeatable query parameters in canonical order."""
    base = url_for(endpoint, **values)
    return f"{base}?{urlencode(pairs)}" if pairs else base


def cleared(req: SearchRequest) -> SearchRequest:
    """The same query and order with no filters, dates or quotations switch."""
    return replace(req, filters={}, since=None, until=None, quotes_only=False, page=1)


# -- view models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetLink:
    value: str
    count: int
    selected: bool
    href: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    values: tuple[FacetLink, ...]


def facet_groups(facets, req: SearchRequest, endpoint: str) -> list[FacetGroup]:
    """Facet values with links that add or remove that value (selected ones first)."""
    groups = []
    for name in FACET_NAMES:
        values = sorted(facets.get(name, ()), key=lambda fv: not fv.selected)
        links = tuple(FacetLink(fv.value, fv.count, fv.selected,
                                href(endpoint, req.toggled(name, fv.value).to_args()))
                      for fv in values)
        groups.append(FacetGroup(name, FACET_LABELS[name], links))
    return groups


@dataclass(frozen=True)
class Bar:
    month: str
    count: int
    x: float
    y: float
    width: float
    height: float
    href: str | None
    selected: bool
    label: str  # month name under the bar, when bars are wide enough
    year: str  # year under January and under the first bar


CHART_W, CHART_H, MAX_SLOT = 720, 96, 40
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def timeline_bars(timeline, link, selected=()) -> list[Bar]:
    """Bars for every month from the first to the last with matches (empty months included).

    A short range keeps narrow bars (at most MAX_SLOT wide) and names every month.
    """
    counts = {fv.value: fv.count for fv in timeline}
    if not counts:
        return []
    months = month_range(min(counts), max(counts))
    peak = max(counts.values())
    slot = min(CHART_W / len(months), MAX_SLOT)
    bars = []
    for i, month in enumerate(months):
        count = counts.get(month, 0)
        height = 0 if not count else max(2.0, (CHART_H - 14) * count / peak)
        bars.append(Bar(month, count, round(i * slot + slot * 0.1, 2), round(CHART_H - height, 2),
                        round(max(slot * 0.8, 1), 2), round(height, 2),
                        link(month) if count else None, month in selected,
                        _MONTH_NAMES[int(month[5:7]) - 1] if slot >= MAX_SLOT else "",
                        month[:4] if i == 0 or month.endswith("-01") else ""))
    return bars


def month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last and len(out) < 1200:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def human_date(iso: str | None) -> str:
    if not iso:
        return "undated"
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B')} {d.year}"


def quote_citation(quote, outlet: str | None, published: str | None, url: str | None) -> str:
    """“quote” — Speaker, verb, Outlet, Date, URL"""
    text = quote.text.strip().strip("\"“”").strip()
    verb = quote.verb or "said"
    if quote.via:
        verb = f"{verb} (via {quote.via})"
    parts = [quote.speaker or "unidentified speaker", verb, outlet or "unknown outlet",
             human_date(published), url]
    return f"“{text}” — " + ", ".join(p for p in parts if p)


def paragraph_citation(hit) -> str:
    """First sentence — Outlet, "Headline", Date, URL (for a paragraph without quotations)."""
    sentence = first_sentence(hit.text)
    parts = [hit.outlet or "unknown outlet", f"“{hit.title}”" if hit.title else None,
             human_date(hit.published), hit.url]
    return f"{sentence} — " + ", ".join(p for p in parts if p)


def first_sentence(text: str, limit: int = 300) -> str:
    sentence = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    if len(sentence) > limit:
        cut = sentence.rfind(" ", 0, limit)
        sentence = sentence[: cut if cut > 0 else limit] + " …"
    return sentence


def hit_citations(hit) -> list[str]:
    if hit.quotes:
        return [quote_citation(q, hit.outlet, hit.published, hit.url) for q in hit.quotes]
    return [paragraph_citation(hit)]


def query_terms(text: str) -> set[str]:
    """Indexed word forms a query asks for (for marking an article); a bad query marks nothing."""
    if not text.strip():
        return set()
    try:
        return core.query_terms(text)
    except ParleyError:
        return set()


def pagination(page: int, pages: int, link) -> list[tuple[int | None, str | None]]:
    """(page, href) for 1, a window around the current page, and the last; None is a gap."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[tuple[int | None, str | None]] = []
    for prev, n in zip([0, *shown], shown):
        if n - prev > 1:
            out.append((None, None))
        out.append((n, link(n)))
    return out


def drop_suggestions(req: SearchRequest, endpoint: str) -> list[tuple[str, str, int]]:
    """For an empty result: each filter the user could drop, its link and the count without it."""
    options: list[tuple[str, SearchRequest]] = []
    for name, values in req.filters.items():
        for value in values:
            options.append((f"{FACET_LABELS.get(name, name)}: {value}", req.toggled(name, value)))
    if req.since:
        options.append((f"from {req.since}", replace(req, since=None, page=1)))
    if req.until:
        options.append((f"until {req.until}", replace(req, until=None, page=1)))
    if req.quotes_only:
        options.append(("quotations only", replace(req, quotes_only=False, page=1)))
    out = []
    for label, smaller in options[:8]:
        total = core.search(index_dir(), replace(smaller, size=1)).total
        out.append((label, href(endpoint, smaller.to_args()), total))
    return out


# -- views ----------------------------------------------------------------------------------


@bp.app_template_filter("human_date")
def _human_date_filter(value):
    return human_date(value)


@bp.app_template_global("highlighted")
def highlighted(html_from_highlight: str) -> Markup:
    """Mark highlight output safe: it is escaped text with <mark> and <q> (search.highlight)."""
    return Markup(html_from_highlight)


@bp.get("/")
def search_page():
    req = SearchRequest.from_args(request.args)
    results = core.search(index_dir(), req)
    return render_template(
        "search.html", req=req, results=results,
        facets=facet_groups(results.facets, req, "pages.search_page"),
        bars=timeline_bars(results.timeline,
                           lambda m: href("pages.search_page", req.toggled("month", m).to_args()),
                           req.filters.get("month", ())),
        citations={h.paragraph_id: hit_citations(h) for h in results.hits},
        pages=pagination(results.page, results.pages,
                         lambda n: href("pages.search_page", req.to_args(page=n))),
        suggestions=drop_suggestions(req, "pages.search_page") if not results.total else [],
        clear_href=href("pages.search_page", cleared(req).to_args()),
        has_filters=req != cleared(req),
        start=(req.page - 1) * req.size,
        csv_href=href("export.search_csv", req.to_args(page=1)),
        json_href=href("api.search", req.to_args()),
        url_with=lambda r: href("pages.search_page", r.to_args()),
        tag_href=lambda facet, value: href("pages.search_page", added(req, facet, value).to_args()),
    )


def added(req: SearchRequest, facet: str, value: str) -> SearchRequest:
    """The request with a facet value selected (unchanged if it already is)."""
    return req if value in req.filters.get(facet, ()) else req.toggled(facet, value)


@bp.get("/help")
def help_page():
    return render_template("help.html")


@bp.get("/articles")
def articles_page():
    return render_template("articles.html", articles=core.list_articles(index_dir()))


@bp.get("/articles/<article_id>")
def article_page(article_id: str):
    if not ARTICLE_ID.fullmatch(article_id):
        abort(404)
    view = core.get_article(index_dir(), article_id)
    q = request.args.get("q", "")[:500]
    terms = query_terms(q)
    paragraphs = [(p, core.highlight.mark_text(
        p.text, terms, quotes=[(qh.start, qh.end) for qh in p.quotes if qh.end > qh.start]))
        for p in view.paragraphs]
    return render_template("article.html", article=view.summary, paragraphs=paragraphs, q=q,
                           back_href=href("pages.search_page", [("q", q)] if q else None))


@bp.get("/quotes")
def quotes_page():
    req = SearchRequest.from_args(request.args)
    asked = req != cleared(req) or bool(req.text)
    results = core.search_quotes(index_dir(), req) if asked else None
    terms = query_terms(req.text)
    rows = [(rec, core.highlight.mark_text(rec.text, terms),
             quote_citation(rec, rec.outlet, rec.published, rec.url))
            for rec in (results.quotes if results else ())]
    pages = max(1, -(-results.total // req.size)) if results else 1
    return render_template(
        "quotes.html", req=req, results=results, rows=rows,
        facets=facet_groups(results.facets, req, "pages.quotes_page") if results else [],
        pages=pagination(req.page, pages, lambda n: href("pages.quotes_page", req.to_args(page=n))),
        clear_href=href("pages.quotes_page", cleared(req).to_args()),
        has_filters=req != cleared(req),
        csv_href=href("export.quotes_csv", req.to_args(page=1)),
        kind_links=[(href("pages.quotes_page", replace(req, kinds=k).to_args(page=1)), label)
                    for k, label in (((), "all"), *(((k,), k) for k in KINDS))],
        current_kind=req.kinds[0] if len(req.kinds) == 1 else "all" if not req.kinds else "",
        top_speakers=[] if asked else core.list_speakers(index_dir())[:24],
    )


@bp.get("/speakers")
def speakers_page():
    rows = core.list_speakers(index_dir())
    page = max(1, min(_int(request.args.get("page"), 1), -(-len(rows) // SPEAKERS_PER_PAGE) or 1))
    start = (page - 1) * SPEAKERS_PER_PAGE
    pages = max(1, -(-len(rows) // SPEAKERS_PER_PAGE))
    return render_template(
        "speakers.html", rows=rows[start:start + SPEAKERS_PER_PAGE], total=len(rows),
        pages=pagination(page, pages, lambda n: href("pages.speakers_page", [("page", str(n))])),
        page=page)


@bp.get("/speakers/<path:name>")
def speaker_page(name: str):
    if len(name) > 200:
        abort(404)
    page = max(1, _int(request.args.get("page"), 1))
    req = SearchRequest(filters={"speaker": (name,)}, sort="newest", page=page)
    results = core.search_quotes(index_dir(), req)
    if not results.total:
        abort(404)
    timeline = core.search(index_dir(), replace(req, quotes_only=True, sort="relevance", page=1,
                                                size=1)).timeline
    link = lambda m: href("pages.search_page", [("speaker", name), ("month", m), ("quotes", "1")])  # noqa: E731
    rows = [(rec, quote_citation(rec, rec.outlet, rec.published, rec.url)) for rec in results.quotes]
    pages = max(1, -(-results.total // req.size))
    return render_template(
        "speaker.html", name=name, results=results, rows=rows, bars=timeline_bars(timeline, link),
        pages=pagination(page, pages,
                         lambda n: href("pages.speaker_page", [("page", str(n))], name=name)),
        search_href=href("pages.search_page", [("speaker", name), ("quotes", "1")]))


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
