"""What one query may cost: a bound on phrase positions read, and a time budget per request.

Python cannot stop a thread, so the time budget is cooperative: the server sets a deadline
for the request (`deadline(seconds)`), and the engine's loops call `check()` every few
thousand steps, which raises QueryTooExpensive (a 400 that says why) once it has passed.
Outside a request with a deadline (the CLI, exports once streaming) `check()` does nothing.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from indexer.errors import QueryTooExpensive

# Postings a phrase (or proximity) query reads with their positions, summed over its words.
# Reading runs at roughly 0.5 us a posting: a million stays around half a second. "the
# president of the united states" reads ~650k at 240k paragraphs; 30 repetitions of "the"
# read 6 million (17 s through Whoosh's span matchers before this bound).
MAX_PHRASE_POSTINGS = 1_000_000
DEFAULT_REQUEST_SECONDS = 10.0  # PARLEY_REQUEST_SECONDS overrides it for `parley serve`

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("parley_deadline",
                                                                        default=None)


def request_seconds() -> float:
    try:
        return float(os.environ.get("PARLEY_REQUEST_SECONDS", DEFAULT_REQUEST_SECONDS))
    except ValueError:
        return DEFAULT_REQUEST_SECONDS


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Within the block, check() raises once `seconds` have passed (None or <= 0: never)."""
    token = _DEADLINE.set(time.monotonic() + seconds if seconds and seconds > 0 else None)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    ends = _DEADLINE.get()
    if ends is not None and time.monotonic() > ends:
        raise QueryTooExpensive("This search took longer than the server allows for one request "
                                f"({request_seconds():g} s). Narrow it: fewer very common words, "
                                "a longer word beginning before *, or a filter.")


def check_phrase(words: list[str], postings: int) -> None:
    if postings > MAX_PHRASE_POSTINGS:
        shown = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
        raise QueryTooExpensive(
            f'The phrase "{shown}" would read {postings:,} word positions: its words are very '
            "common. Use fewer common words in it, or drop the quotation marks.")


def wsgi_deadline(app, seconds: float | None):
    """A WSGI app that runs each request of `app` within `deadline(seconds)`. A streamed
    answer (CSV export) is produced after the call returns, outside the budget, by design:
    its length is the user's choice."""
    def call(environ, start_response):
        with deadline(seconds):
            return app(environ, start_response)
    return call
