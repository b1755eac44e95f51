"""Every error Parley raises on purpose, in one place.

Each class says what went wrong in words a user can act on. `exit_code` is what the CLI
exits with, `status` the HTTP status the web app answers with. Whoosh's own exceptions are
translated into these at the engine boundary and never reach the faces.
"""

from __future__ import annotations


class ParleyError(Exception):
    """Base class: a problem the user can understand and usually fix."""

    exit_code = 1
    status = 500


class InputError(ParleyError):
    """A file could not be read as an article; the run skips it and goes on."""

    status = 400


class IndexNotFound(ParleyError):
    """No Parley index at that path; run `parley index` first."""

    status = 404


class IndexBusy(ParleyError):
    """Another process is writing to the index; try again when it has finished."""

    exit_code = 3
    status = 503


class IndexCorrupt(ParleyError):
    """The index cannot be read; rebuild it with `parley index --rebuild`."""

    exit_code = 4
    status = 500


class NotParleyIndex(ParleyError):
    """The directory holds something that is not a Parley index; refuse to unpickle it."""

    exit_code = 4
    status = 500


class IndexUnreadable(ParleyError):
    """The index's files cannot be read right now (I/O error, full disk); nothing was changed."""

    status = 503


class IndexWriteError(ParleyError):
    """The index could not be written (disk full, read-only); the previous index is intact."""

    exit_code = 5


class TooManyExports(ParleyError):
    """Every export slot is streaming already; try again in a minute."""

    status = 503


class SearchError(ParleyError):
    """The request cannot be answered as asked."""

    status = 400


class QuerySyntaxError(SearchError):
    """The query text does not parse; the message says where and how to fix it."""


class BadFilter(SearchError):
    """A filter, date, sort or page value is not valid."""


class UnknownFilterValue(BadFilter):
    """A filter value the index has never seen (the message names the nearest known ones).
    A search answers it with this explanation; an alert (feed, saved search) waits for it."""


class QueryTooExpensive(SearchError):
    """The query would take too long (too many terms, too long, wildcards); narrow it."""


class NotFound(ParleyError):
    """No article or paragraph with that id."""

    status = 404


class EngineConfigError(ParleyError):
    """The engine location or its settings are wrong (bad URL, refused plain http, credentials)."""

    exit_code = 2
    status = 500


class EngineUnavailable(ParleyError):
    """The search cluster did not answer (down, unreachable, or too busy after retries)."""

    exit_code = 6
    status = 503
