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
from indexer.errors import BadFilter, ParleyError, UnknownFilterValue
from search.request import KINDS, MAX_FILTER_CHARS, MAX_PAGE, SearchRequest
from search.results import FACET_NAMES, SearchResults

bp = Blueprint("pages", __name__)

ARTICLE_ID = re.compile(r"[A-Za-z0-9]{1,64}")
FACET_LABELS = {"outlet": "Outlet", "actor": "Actor", "topic": "Topic", "speaker": "Speaker",
                "month": "Month"}
SPEAKERS_PER_PAGE = 100
ARTICLES_PER_PAGE = 200
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
    return replace(req, filters={}, since=None, until=None, quotes_only=False, kinds=(), page=1)


# -- view models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetLink:
    value: str
    count: int
    selected: bool
    href: str
    type: str | None = None  # actors: person, organisation, state, group, unknown


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    values: tuple[FacetLink, ...]


def facet_groups(facets, req: SearchRequest, endpoint: str) -> list[FacetGroup]:
    """Facet values with links that add or remove that value (selected ones first)."""
    groups = []
    for name in FACET_NAMES:
        # A value too long to be a filter (a mis-tagged speaker) would make its own link a
        # 400, and with it the whole page: it is left out of the list.
        values = sorted((fv for fv in facets.get(name, ()) if len(fv.value) <= MAX_FILTER_CHARS),
                        key=lambda fv: not fv.selected)
        links = tuple(FacetLink(fv.value, fv.count, fv.selected,
                               href(endpoint, req.toggled(name, fv.typed or fv.value).to_args()),
                               fv.type)
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
    out: list[str] = []
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


def linked_text(text: str, terms, quotes, links) -> str:
    """The paragraph as search.highlight marks it, its links' words inside <a> elements."""
    return core.highlight.mark_text(text, terms, quotes=quotes, links=links)


def query_terms(text: str) -> set[str]:
    """Indexed word forms a query asks for (for marking an article); a bad query marks nothing."""
    if not text.strip():
        return set()
    try:
        return core.query_terms(text)
    except ParleyError:
        return set()


def pagination(page: int, pages: int, link) -> list[tuple[int | None, str | None]]:
    """(page, href) for 1, a window around the current page, and the last; None is a gap.

    Links stop at MAX_PAGE, the deepest page a request may ask for: on a big index the
    default view ("everything", 20 a page) has more pages than that, and linking to the
    real last page made every page that listed it answer 400.
    """
    pages = min(pages, MAX_PAGE)
    page = min(page, pages)
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[tuple[int | None, str | None]] = []
    for prev, n in zip([0, *shown], shown, strict=False):
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
    unknown = None
    try:
        results = core.search(index_dir(), req)
    except UnknownFilterValue as exc:
        # Explained on the page (status 400), which keeps its form, filters and "Save this
        # search": an alert may wait for an outlet or actor that is not indexed yet.
        unknown, results = str(exc), SearchResults(request=req, total=0, hits=())
    page = render_template(
        "search.html", req=req, results=results, unknown=unknown,
        facets=facet_groups(results.facets, req, "pages.search_page"),
        bars=timeline_bars(results.timeline,
                           lambda m: href("pages.search_page", req.toggled("month", m).to_args()),
                           req.filters.get("month", ())),
        citations={h.paragraph_id: hit_citations(h) for h in results.hits},
        pages=pagination(results.page, results.pages,
                         lambda n: href("pages.search_page", req.to_args(page=n))),
        suggestions=drop_suggestions(req, "pages.search_page") if not results.total else [],
        paging_note=paging_note(results.total, req.size),
        clear_href=href("pages.search_page", cleared(req).to_args()),
        has_filters=req != cleared(req),
        start=(req.page - 1) * req.size,
        csv_href=href("export.search_csv", req.to_args(page=1)),
        json_href=href("api.search", req.to_args()),
        feed_href=href("feeds.search_feed", req.to_args(page=1, sort="relevance")),
        url_with=lambda r: href("pages.search_page", r.to_args()),
        tag_href=lambda facet, value: href("pages.search_page", added(req, facet, value).to_args()),
    )
    return (page, 400) if unknown else page


def added(req: SearchRequest, facet: str, value: str) -> SearchRequest:
    """The request with a facet value selected (unchanged if it already is, or if the value
    is too long to be a filter: a mis-tagged name must not make the whole page a 400)."""
    if value in req.filters.get(facet, ()) or len(value) > MAX_FILTER_CHARS:
        return req
    return req.toggled(facet, value)


@bp.get("/help")
def help_page():
    return render_template("help.html")


@bp.get("/articles")
def articles_page():
    rows = core.list_articles(index_dir())
    pages = max(1, -(-len(rows) // ARTICLES_PER_PAGE))
    page = max(1, min(_int(request.args.get("page"), 1), pages))
    start = (page - 1) * ARTICLES_PER_PAGE
    return render_template(
        "articles.html", articles=rows[start:start + ARTICLES_PER_PAGE], total=len(rows),
        page=page,
        pages=pagination(page, pages, lambda n: href("pages.articles_page", [("page", str(n))])))


@bp.get("/articles/<article_id>")
def article_page(article_id: str):
    if not ARTICLE_ID.fullmatch(article_id):
        abort(404)
    view = core.get_article(index_dir(), article_id)
    q = request.args.get("q", "")[:500]
    terms = query_terms(q)
    paragraphs = [(p, linked_text(p.text, terms, [(qh.start, qh.end) for qh in p.quotes
                                                  if qh.end > qh.start], p.links))
                  for p in view.paragraphs]
    return render_template("article.html", article=view.summary, paragraphs=paragraphs, q=q,
                           back_href=href("pages.search_page", [("q", q)] if q else None))


@bp.get("/quotes")
def quotes_page():
    req = SearchRequest.from_args(request.args)
    asked = req != cleared(req) or bool(req.text) or req.sort != "relevance"
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
        paging_note=paging_note(results.total, req.size) if results else None,
        clear_href=href("pages.quotes_page", cleared(req).to_args()),
        has_filters=req != cleared(req),
        csv_href=href("export.quotes_csv", req.to_args(page=1)),
        json_href=href("api.quotes", req.to_args()),
        feed_href=href("feeds.quotes_feed", req.to_args(page=1, sort="relevance")),
        kind_links=[(href("pages.quotes_page", replace(req, kinds=k).to_args(page=1)), label)
                    for k, label in (((), "all"), *(((k,), k) for k in KINDS))],
        current_kind=req.kinds[0] if len(req.kinds) == 1 else "all" if not req.kinds else "",
        top_speakers=[] if asked else speakers_of(index_dir())[:24],
    )


_SPEAKERS: dict[str, tuple[tuple, list[dict]]] = {}


def speakers_of(folder: str) -> list[dict]:
    """core.list_speakers, kept until the index changes: it reads every quotation (3.4 s
    for the quotations page on 266k paragraphs), and the list changes only with the index."""
    from pathlib import Path

    key = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in Path(folder).glob("*.toc")))
    cached = _SPEAKERS.get(folder)
    if cached is None or cached[0] != key or not key:
        cached = (key, core.list_speakers(folder))
        _SPEAKERS[folder] = cached
    return cached[1]


@bp.get("/speakers")
def speakers_page():
    name = " ".join(request.args.get("name", "").split())[:200]
    rows = speakers_of(index_dir())
    total = len(rows)
    if name:
        wanted = name.casefold()
        rows = [r for r in rows if wanted in r["speaker"].casefold()]
    pages = max(1, -(-len(rows) // SPEAKERS_PER_PAGE))
    page = max(1, min(_int(request.args.get("page"), 1), pages))
    start = (page - 1) * SPEAKERS_PER_PAGE
    keep = [("name", name)] if name else []
    return render_template(
        "speakers.html", rows=rows[start:start + SPEAKERS_PER_PAGE], total=total,
        matching=len(rows), name=name,
        pages=pagination(page, pages,
                         lambda n: href("pages.speakers_page", [*keep, ("page", str(n))])),
        page=page)


@bp.get("/speakers/<path:name>")
def speaker_page(name: str):
    if len(name) > 200:
        abort(404)
    page = min(max(1, _int(request.args.get("page"), 1)), MAX_PAGE)
    req = SearchRequest(filters={"speaker": (name,)}, sort="newest", page=page)
    try:
        results = core.search_quotes(index_dir(), req)
    except BadFilter:  # no such speaker in the index
        abort(404)
    if not results.total:
        abort(404)
    timeline = core.search(index_dir(), replace(req, quotes_only=True, sort="relevance", page=1,
                                                size=1)).timeline
    link = lambda m: href("pages.search_page", [("speaker", name), ("month", m), ("quotes", "1")])  # noqa: E731
    rows = [(rec, quote_citation(rec, rec.outlet, rec.published, rec.url))
            for rec in results.quotes]
    pages = max(1, -(-results.total // req.size))
    return render_template(
        "speaker.html", name=name, results=results, rows=rows, bars=timeline_bars(timeline, link),
        pages=pagination(page, pages,
                         lambda n: href("pages.speaker_page", [("page", str(n))], name=name)),
        search_href=href("pages.search_page", [("speaker", name), ("quotes", "1")]))


# What a reader sees for an actor's type ("unknown": nothing).
ACTOR_TYPE_LABELS = {"person": "person", "organisation": "organisation", "state": "state",
                     "group": "group"}


@bp.get("/actors")
def actors_page():
    """The most named actors (the actor facet over every paragraph)."""
    return render_template("actors.html", rows=core.list_actors(index_dir()),
                           type_label=ACTOR_TYPE_LABELS)


@bp.get("/actors/<path:name>")
def actor_page(name: str):
    """An actor's paragraphs over time, newest first, and the quotations they speak."""
    if len(name) > 200:
        abort(404)
    page = max(1, _int(request.args.get("page"), 1))
    req = SearchRequest(filters={"actor": (name,)}, sort="newest", page=page)
    try:
        results = core.search(index_dir(), req)
    except BadFilter:  # no such actor in the index
        abort(404)
    if not results.total:
        abort(404)
    link = lambda m: href("pages.search_page", [("actor", name), ("month", m)])  # noqa: E731
    try:
        quotes = core.search_quotes(index_dir(), SearchRequest(filters={"speaker": (name,)},
                                                               sort="newest", size=5))
    except BadFilter:  # an actor who is never quoted
        quotes = None
    return render_template(
        "actor.html", name=name, results=results, quotes=quotes,
        kind=ACTOR_TYPE_LABELS.get(core.actor_type(index_dir(), name), ""),
        bars=timeline_bars(results.timeline, link),
        pages=pagination(page, results.pages,
                         lambda n: href("pages.actor_page", [("page", str(n))], name=name)),
        search_href=href("pages.search_page", [("actor", name)]),
        speaker_href=href("pages.speaker_page", name=name))


@bp.app_template_global("topic_why")
def topic_why(text: str, topic: str) -> str:
    """The words that tagged the paragraph with the topic (shown as the tag's title)."""
    from indexer import default_lexicon

    words = default_lexicon().explain_topics(text).get(topic)
    return f"{topic}: {', '.join(w.rstrip('*') for w in words)}" if words else topic
def paging_note(total: int, size: int) -> str | None:
    """What to do when the results run past the pages that can be opened (else None)."""
    if not size or total <= MAX_PAGE * size:
        return None
    return (f"Only the first {MAX_PAGE:,} pages ({MAX_PAGE * size:,} results) can be opened. "
            "Sort oldest first, or narrow the search with a date range or filters, to reach "
            "the rest.")


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
