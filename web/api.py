"""JSON API (/api/...) and CSV export (/export/...): the same parameters as the pages.

JSON bodies are the core's to_dict() shapes, the same as the CLI's --format json. Exports
stream every matching row (no cap) through search.export, which guards against formulas.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import chain

from flask import Blueprint, Response, abort, current_app, jsonify, request, stream_with_context

import search as core
from indexer.errors import TooManyExports
from search.export import HIT_COLUMNS, QUOTE_COLUMNS, csv_lines, hit_row, quote_row
from search.request import MAX_PAGE_SIZE, SearchRequest
from web.pages import ARTICLE_ID

bp = Blueprint("api", __name__, url_prefix="/api")
export_bp = Blueprint("export", __name__, url_prefix="/export")
BOM = "\ufeff"
# A CSV export streams every match and holds a server thread until done; without a limit a
# few of them occupy all eight threads and every search waits (seen in bench/load.py).
EXPORTS_AT_ONCE = 2


def index_dir() -> str:
    return current_app.config["INDEX_DIR"]


@bp.get("/search")
def search():
    return jsonify(core.search(index_dir(), SearchRequest.from_args(request.args)).to_dict())


@bp.get("/quotes")
def quotes():
    data = core.search_quotes(index_dir(), SearchRequest.from_args(request.args)).to_dict()
    data.pop("facets", None)  # as `parley quotes --format json`
    return jsonify(data)


@bp.get("/articles")
def articles():
    rows = core.list_articles(index_dir())
    return jsonify({"total": len(rows), "articles": [r.to_dict() for r in rows]})


@bp.get("/articles/<article_id>")
def article(article_id: str):
    if not ARTICLE_ID.fullmatch(article_id):
        abort(404)
    return jsonify(core.get_article(index_dir(), article_id).to_dict())


@bp.get("/actors")
def actors():
    """As `parley actors --format json`: the most named actors with type and paragraphs."""
    rows = core.list_actors(index_dir())
    return jsonify({"total": len(rows), "actors": rows})


@bp.get("/speakers")
def speakers():
    """As `parley speakers --format json`: most quoted first; limit defaults to 50, at most 100."""
    limit = request.args.get("limit", "50")
    limit = int(limit) if limit.strip().isdigit() and int(limit) > 0 else 50
    rows = core.list_speakers(index_dir())[: min(limit, MAX_PAGE_SIZE)]
    return jsonify({"total": len(rows), "speakers": rows})


# -- CSV export -----------------------------------------------------------------------------


def csv_response(lines: Iterator[str], filename: str) -> Response:
    response = Response(stream_with_context(chain([BOM], lines)), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def primed(rows: Iterator) -> Iterator:
    """Run the generator up to its first row now, so a bad query is a 400, not a broken stream."""
    first = next(rows, None)
    return rows if first is None else chain([first], rows)


class _Slot:
    """One of the app's export slots; released once, by the end of the stream or its close."""

    def __init__(self, slots: threading.BoundedSemaphore):
        self._slots, self._lock, self._held = slots, threading.Lock(), True

    def release(self) -> None:
        with self._lock:
            if self._held:
                self._held = False
                self._slots.release()

    def guard(self, lines: Iterator[str]) -> Iterator[str]:
        try:
            yield from lines
        finally:
            self.release()


def export(make_lines: Callable[[], Iterator[str]], filename: str) -> Response:
    """Stream an export in one of the app's export slots."""
    slots = current_app.extensions.setdefault(
        "parley_export_slots", threading.BoundedSemaphore(EXPORTS_AT_ONCE))
    if not slots.acquire(blocking=False):
        raise TooManyExports(f"{EXPORTS_AT_ONCE} exports are running already; try again in a minute.")
    slot = _Slot(slots)
    try:
        response = csv_response(slot.guard(make_lines()), filename)
    except BaseException:
        slot.release()
        raise
    response.call_on_close(slot.release)
    return response


@export_bp.get("/search.csv")
def search_csv():
    req = SearchRequest.from_args(request.args)

    def lines():
        hits = primed(core.iter_search_hits(index_dir(), req))
        return csv_lines(HIT_COLUMNS, (hit_row(h) for h in hits))

    return export(lines, "parley-search.csv")


@export_bp.get("/quotes.csv")
def quotes_csv():
    req = replace(SearchRequest.from_args(request.args), page=1, size=0)

    def lines():
        quotes = primed(core.iter_quotes(index_dir(), req))  # streamed: records built as sent
        return csv_lines(QUOTE_COLUMNS, (quote_row(q) for q in quotes))

    return export(lines, "parley-quotes.csv")
