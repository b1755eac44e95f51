"""A cache of whole answers to searches, keyed by the canonical request and the index version.

A newsroom asks the same things many times an hour (the day's names, "ceasefire", the first
page of a story everyone follows), and each answer is pure: the same request on the same
index gives the same bytes. So the answers of the search routes are kept, bounded in bytes
(least recently used go first), under a key made of

- the route and the request as `SearchRequest` reads it (`to_args()`: parameters in one
  order, defaults dropped, blanks ignored, and the page size), so `?q=x&page=1` and `?q=x` are
  one entry while anything that changes the answer is part of the key;
- the index version: the identity (name, inode, size, mtime) of every table-of-contents file
  and of the saved lexicon. A commit writes a new TOC and a rebuild swaps the folder (new
  inodes), so an answer computed on one index is never served for another. The version is
  read before and after computing; an answer is kept only when both agree.

Only GET answers with status 200 and a body in one piece are kept (exports stream and are
never cached); nothing with a cookie. Hits carry `X-Parley-Cache: hit` so a benchmark can
count them. PARLEY_RESPONSE_CACHE_MB sets the budget (default 64; 0 turns it off).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from search.cache import ByteBoundedCache

DEFAULT_MB = 64
# Routes whose answer is a function of the SearchRequest and the index alone (web/pages.py,
# web/api.py): nothing else of the request is read by their views or templates.
CACHED_PATHS = frozenset({"/", "/quotes", "/api/search", "/api/quotes"})
_ENTRY_OVERHEAD = 600  # key tuple, header list, bookkeeping: measured roughly, per entry


def budget_from_env() -> int:
    try:
        return max(0, int(float(os.environ.get("PARLEY_RESPONSE_CACHE_MB", DEFAULT_MB)) * 2**20))
    except ValueError:
        return DEFAULT_MB * 2**20


def index_version(index_dir: Path) -> tuple:
    """What changes whenever what a search can see changes (see the module docstring)."""
    marks = []
    try:
        with os.scandir(index_dir) as entries:
            for entry in entries:
                if entry.name.endswith(".toc") or entry.name == "parley-lexicon.json":
                    st = entry.stat()
                    marks.append((entry.name, st.st_ino, st.st_size, st.st_mtime_ns))
        st = os.stat(index_dir)
    except OSError:
        return ()  # no index (yet): never cached, see ResponseCache.__call__
    marks.sort()
    return (st.st_ino, *marks)


class _Multi:
    """The little of a MultiDict that SearchRequest.from_args reads."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self._pairs = pairs

    def get(self, name: str, default: Any = None) -> Any:
        for key, value in self._pairs:
            if key == name:
                return value
        return default

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self._pairs if key == name]


def canonical(environ: dict) -> tuple | None:
    """The cache key of a request apart from the index version, or None: not cacheable."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_COOKIE"):
        return None
    path = environ.get("PATH_INFO", "")
    if path not in CACHED_PATHS:
        return None
    from search.request import SearchRequest

    try:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        req = SearchRequest.from_args(_Multi(pairs))
    except Exception:  # noqa: BLE001  # the view answers it with its own error message
        return None
    # Links in a page are relative to the mount point; the host is kept out of caution.
    return (environ.get("SCRIPT_NAME", ""), environ.get("HTTP_HOST", ""), path,
            tuple(req.to_args()), req.size)


class ResponseCache:
    """WSGI middleware around the app: answers repeated searches from memory."""

    def __init__(self, app: Callable, index_dir: str | Path, budget: int | None = None):
        self.app = app
        self.index_dir = Path(index_dir)
        budget = budget_from_env() if budget is None else budget
        self.cache = ByteBoundedCache(budget, measure=_entry_size) if budget else None
        self._last_version: tuple = ()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        cache = self.cache
        key = canonical(environ) if cache is not None else None
        version = index_version(self.index_dir) if key is not None else ()
        if cache is None or key is None or not version:
            return self.app(environ, start_response)
        if version != self._last_version:
            # Answers of an index version that is gone can never be asked for again.
            self._last_version = version
            cache.drop(lambda k: isinstance(k, tuple) and k[0] == version)
        full = (version, key)
        found = cache.get(full)
        if found is not None:
            status, headers, body = found
            start_response(status, [*headers, ("X-Parley-Cache", "hit")])
            return [body]
        captured: list = []

        def capture(status: str, headers: list, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info) if exc_info else \
                start_response(status, headers)

        result = self.app(environ, capture)
        if not captured or not captured[0].startswith("200 ") or \
                any(h.lower() == "set-cookie" for h, _ in captured[1]):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if index_version(self.index_dir) == version:
            cache.put(full, (captured[0], list(captured[1]), body))
        return [body]

    def stats(self) -> dict[str, int]:
        return self.cache.stats() if self.cache is not None else {}


def _entry_size(entry: tuple[str, list, bytes]) -> int:
    status, headers, body = entry
    return len(body) + sum(len(h) + len(v) for h, v in headers) + len(status) + _ENTRY_OVERHEAD
