"""Atom feeds of searches: every search page has one, so a reporter can follow it as an alert.

/feeds/search.atom takes the search page's parameters and lists the newest matching
paragraphs (with their quotations); /feeds/quotes.atom lists the newest quotations. Each
entry links to the paragraph in its article. The XML comes from an autoescaped template:
every value from articles or the query is escaped, and an entry's HTML content is
escaped once more as the text of a type="html" element.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, Response, render_template, request, url_for

import search as core
from indexer.errors import UnknownFilterValue
from search.request import SearchRequest
from search.results import QuoteResults, SearchResults
from web.pages import FACET_LABELS, href, index_dir

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
FEED_ENTRIES = 50
ATOM = "application/atom+xml; charset=utf-8"


def atom_time(day: str | None, fallback: str) -> str:
    """An RFC 3339 time for a date that may be YYYY, YYYY-MM or YYYY-MM-DD (or missing)."""
    if not day:
        return fallback
    parts = (day.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"


def describe(req: SearchRequest) -> str:
    """The search in words, for a feed's title: “ceasefire” · Actor: Hamas · from 2024-01-01."""
    parts = [f"“{req.text}”"] if req.text else []
    for name, values in req.filters.items():
        parts += [f"{FACET_LABELS.get(name, name)}: {v}" for v in values]
    parts += [f"from {req.since}"] if req.since else []
    parts += [f"until {req.until}"] if req.until else []
    parts += ["quotations only"] if req.quotes_only else []
    return " · ".join(parts) or "everything"


def feed_request() -> SearchRequest:
    """The page's request, newest first, one page of FEED_ENTRIES."""
    return replace(SearchRequest.from_args(request.args), sort="newest", page=1, size=FEED_ENTRIES)


def paragraph_link(article_id: str, paragraph_id: str) -> str:
    return url_for("pages.article_page", article_id=article_id, _external=True) + "#" + paragraph_id


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/search.atom")
def search_feed():
    req = feed_request()
    try:
        results = core.search(index_dir(), req)
    except UnknownFilterValue:  # a feed may wait for an outlet or actor not indexed yet
        results = SearchResults(request=req, total=0, hits=())
    now = _now()
    entries = [{
        "id": paragraph_link(h.article_id, h.paragraph_id),
        "link": paragraph_link(h.article_id, h.paragraph_id),
        "title": f"{h.title or '(untitled)'} — {h.outlet or 'unknown outlet'}",
        "updated": atom_time(h.published, now),
        "author": h.outlet or "unknown outlet",
        "hit": h,
    } for h in results.hits]
    return _feed("Parley: " + describe(req), "search", req, entries, now, results.total)


@bp.get("/quotes.atom")
def quotes_feed():
    req = feed_request()
    try:
        results = core.search_quotes(index_dir(), req)
    except UnknownFilterValue:
        results = QuoteResults(request=req, total=0, quotes=())
    now = _now()
    entries = [{
        "id": paragraph_link(q.article_id, q.paragraph_id) + ":" + str(i),
        "link": paragraph_link(q.article_id, q.paragraph_id),
        "title": f"{q.speaker or 'unidentified speaker'}: “{_short(q.text)}”",
        "updated": atom_time(q.published, now),
        "author": q.speaker or "unidentified speaker",
        "quote": q,
    } for i, q in enumerate(results.quotes)]
    return _feed("Parley quotations: " + describe(req), "quotes", req, entries, now, results.total)


def _short(text: str, limit: int = 120) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + " …"


def _feed(title: str, kind: str, req: SearchRequest, entries: list[dict], now: str, total: int):
    page = "pages.search_page" if kind == "search" else "pages.quotes_page"
    args = req.to_args(sort="relevance", size=20)
    body = render_template(
        "feed.atom.xml", title=title, entries=entries, total=total,
        self_href=request.url, alternate_href=request.host_url.rstrip("/") + href(page, args),
        updated=max((e["updated"] for e in entries), default=now),
        feed_id=request.url)
    return Response(body, mimetype="application/atom+xml", content_type=ATOM)
