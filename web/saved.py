"""Saved searches: a named search kept in the index folder, listed with what is new.

No accounts: whoever can open the page shares the list, which lives in the index folder
as SAVED_NAME (JSON, written whole and moved into place). "New" is the number of results
the search has now beyond the number it had when it was last opened from the list.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request
from werkzeug.datastructures import MultiDict

import search as core
from indexer.errors import BadFilter, ParleyError, UnknownFilterValue
from search.request import SearchRequest
from web.feeds import describe
from web.pages import href, index_dir

bp = Blueprint("saved", __name__, url_prefix="/saved")
SAVED_NAME = "parley-saved-searches.json"
MAX_SAVED = 200
MAX_NAME = 100
_LOCK = threading.Lock()


@dataclass(frozen=True)
class SavedSearch:
    id: str
    name: str
    args: tuple[tuple[str, str], ...]  # the search page's parameters, page 1
    created: str
    viewed: str
    seen_total: int

    def request(self) -> SearchRequest:
        return SearchRequest.from_args(MultiDict(list(self.args)))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_path(folder: str | Path) -> Path:
    return Path(folder) / SAVED_NAME


def load(folder: str | Path) -> list[SavedSearch]:
    try:
        raw = json.loads(store_path(folder).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        return []  # a damaged file lists nothing; the next save writes a good one
    out = []
    for item in raw.get("searches", []) if isinstance(raw, dict) else []:
        try:
            out.append(SavedSearch(str(item["id"]), str(item["name"]),
                                   tuple((str(k), str(v)) for k, v in item["args"]),
                                   str(item["created"]), str(item["viewed"]),
                                   int(item["seen_total"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _write(folder: str | Path, searches: list[SavedSearch]) -> None:
    path = store_path(folder)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    data = {"searches": [{**asdict(s), "args": [list(a) for a in s.args]} for s in searches]}
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def add(folder: str | Path, name: str, req: SearchRequest, total: int) -> SavedSearch:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise BadFilter(f"Give the search a name of 1 to {MAX_NAME} characters.")
    with _LOCK:
        searches = load(folder)
        if len(searches) >= MAX_SAVED:
            raise BadFilter(f"There are {MAX_SAVED} saved searches already; delete one first.")
        now = _now()
        saved = SavedSearch(secrets.token_hex(6), name, tuple(req.to_args(page=1)), now, now,
                            total)
        _write(folder, [*searches, saved])
    return saved


def update(folder: str | Path, search_id: str, **changes) -> SavedSearch | None:
    with _LOCK:
        searches = load(folder)
        found = next((s for s in searches if s.id == search_id), None)
        if found is None:
            return None
        changed = replace(found, **changes)
        _write(folder, [changed if s.id == search_id else s for s in searches])
    return changed


def remove(folder: str | Path, search_id: str) -> bool:
    with _LOCK:
        searches = load(folder)
        kept = [s for s in searches if s.id != search_id]
        if len(kept) != len(searches):
            _write(folder, kept)
    return len(kept) != len(searches)


def total_of(req: SearchRequest) -> int:
    try:
        return core.search(index_dir(), replace(req, page=1, size=1)).total
    except UnknownFilterValue:  # an alert may wait for an outlet or actor not indexed yet
        return 0


# -- views ----------------------------------------------------------------------------------


def _same_site() -> None:
    """Refuse writes started from another site (no accounts, so no other guard)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403)


@bp.get("")
def saved_page():
    rows = []
    for s in load(index_dir()):
        try:
            req = s.request()
            total, problem = total_of(req), None
        except ParleyError as exc:
            req, total, problem = None, 0, str(exc)
        rows.append({
            "search": s, "total": total, "new": max(0, total - s.seen_total),
            "what": describe(req) if req else "", "problem": problem,
            "search_href": href("pages.search_page", list(s.args)),
            "feed_href": href("feeds.search_feed", list(s.args)),
        })
    return render_template("saved.html", rows=rows, added=request.args.get("added"))


@bp.post("")
def save_search():
    _same_site()
    req = SearchRequest.from_args(request.form)
    saved = add(index_dir(), request.form.get("name", ""), req, total_of(req))
    return redirect(href("saved.saved_page", [("added", saved.id)]), code=303)


@bp.get("/<search_id>")
def open_saved(search_id: str):
    """Open a saved search: it counts as viewed with the results it has now."""
    found = next((s for s in load(index_dir()) if s.id == search_id), None)
    if found is None:
        abort(404)
    update(index_dir(), search_id, viewed=_now(), seen_total=total_of(found.request()))
    return redirect(href("pages.search_page", list(found.args)), code=303)


@bp.post("/<search_id>/delete")
def delete_saved(search_id: str):
    _same_site()
    if not remove(index_dir(), search_id):
        abort(404)
    return redirect(href("saved.saved_page"), code=303)
