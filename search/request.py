"""What a user asks for: the SearchRequest, and its parsing from flat URL parameters.

Checks and clamps values (dates, sort, page, size) but knows nothing about Whoosh.
The web app builds it with `from_args(request.args)`, the CLI with keyword arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from indexer.errors import BadFilter, QueryTooExpensive

SORTS = ("relevance", "newest", "oldest")
MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 100
MAX_FILTER_CHARS = 200  # one filter value, at most
MAX_PAGE = 10_000
DEFAULT_SIZE = 20
# Facet name -> URL parameter name. The facet names are the JSON keys of the CLI contract.
FILTER_PARAMS = {
    "actor": "actor",
    "outlet": "outlet",
    "topic": "topic",
    "speaker": "speaker",
    "month": "month",
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Quotation kinds (indexer.models.Quote.kind) a quotation listing can be narrowed to.
KINDS = ("direct", "partial", "reported", "turn")


@dataclass(frozen=True)
class SearchRequest:
    """One search: query text, facet filters, date range, order and page."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    since: str | None = None
    until: str | None = None
    quotes_only: bool = False
    kinds: tuple[str, ...] = ()  # quotation kinds (KINDS); none = every kind
    sort: str = "relevance"
    page: int = 1
    size: int = DEFAULT_SIZE  # 0 = every result (CLI exports); the web clamps to MAX_PAGE_SIZE

    def __post_init__(self) -> None:
        if len(self.text) > MAX_QUERY_CHARS:
            raise QueryTooExpensive(
                f"Query is {len(self.text)} characters long; the limit is {MAX_QUERY_CHARS}."
            )
        if "\x00" in self.text:
            raise BadFilter("Query contains a NUL character.")
        if self.sort not in SORTS:
            raise BadFilter(f"Unknown sort {self.sort!r}; use one of: {', '.join(SORTS)}.")
        unknown = set(self.filters) - set(FILTER_PARAMS)
        if unknown:
            raise BadFilter(f"Unknown filter {sorted(unknown)[0]!r}.")
        for month in self.filters.get("month", ()):
            if not _MONTH.match(month):
                raise BadFilter(f"Month {month!r} is not YYYY-MM.")
        bad = [k for k in self.kinds if k not in KINDS]
        if bad:
            raise BadFilter(f"Unknown quotation kind {bad[0]!r}; use one of: {', '.join(KINDS)}.")
        object.__setattr__(self, "kinds", tuple(dict.fromkeys(self.kinds)))
        object.__setattr__(self, "since", check_date(self.since, "since"))
        object.__setattr__(self, "until", check_date(self.until, "until"))
        if self.since and self.until and self.since > self.until:
            raise BadFilter(f"'since' ({self.since}) is after 'until' ({self.until}).")
        object.__setattr__(self, "filters", _clean_filters(self.filters))
        if self.page < 1 or self.page > MAX_PAGE:
            raise BadFilter(f"Page must be between 1 and {MAX_PAGE}.")
        if self.size < 0:
            raise BadFilter("Limit must be 0 (all) or a positive number.")

    @classmethod
    def from_args(cls, args, *, max_size: int = MAX_PAGE_SIZE) -> SearchRequest:
        """Build from flat, repeatable URL parameters (aleph style): actor=Hamas&actor=Qatar.

        A bad page or limit falls back to the default (lenient, as links get mangled);
        a bad date or sort is an error the user should see.
        """
        filters = {name: tuple(_getlist(args, param)) for name, param in FILTER_PARAMS.items()}
        size = _lenient_int(args.get("limit"), DEFAULT_SIZE)
        size = DEFAULT_SIZE if size <= 0 else min(size, max_size)
        page = min(max(_lenient_int(args.get("page"), 1), 1), MAX_PAGE)
        return cls(
            text=(args.get("q") or "").strip(),
            filters=filters,
            since=(args.get("since") or "").strip() or None,
            until=(args.get("until") or "").strip() or None,
            quotes_only=(args.get("quotes") or "") in ("1", "true", "on", "yes"),
            kinds=tuple(k.strip() for k in _getlist(args, "kind") if k.strip()),
            sort=(args.get("sort") or "relevance").strip(),
            page=page,
            size=size,
        )

    def to_args(self, **changes) -> list[tuple[str, str]]:
        """The request as URL parameters, in a canonical order (for links and shared URLs)."""
        req = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = [("q", req.text)] if req.text else []
        for name, param in FILTER_PARAMS.items():
            pairs += [(param, v) for v in req.filters.get(name, ())]
        pairs += [("since", req.since)] if req.since else []
        pairs += [("until", req.until)] if req.until else []
        pairs += [("quotes", "1")] if req.quotes_only else []
        pairs += [("kind", k) for k in req.kinds]
        pairs += [("sort", req.sort)] if req.sort != "relevance" else []
        pairs += [("page", str(req.page))] if req.page != 1 else []
        pairs += [("limit", str(req.size))] if req.size not in (DEFAULT_SIZE, 0) else []
        return pairs

    def toggled(self, facet: str, value: str) -> SearchRequest:
        """The same request with one facet value added or removed, back on page 1."""
        current = self.filters.get(facet, ())
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return replace(self, filters={**self.filters, facet: values}, page=1)

    def without_kinds(self) -> SearchRequest:
        """The same request for quotations of any kind, back on page 1."""
        return replace(self, kinds=(), page=1)

    def with_text(self, text: str) -> SearchRequest:
        """The same request with other query text (a "did you mean" link), back on page 1."""
        return replace(self, text=text, page=1)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "filters": {k: list(v) for k, v in self.filters.items()},
            "since": self.since,
            "until": self.until,
            "quotes_only": self.quotes_only,
            "kinds": list(self.kinds),
            "sort": self.sort,
            "page": self.page,
            "size": self.size,
        }


def check_date(value: str | None, label: str) -> str | None:
    """Accept YYYY-MM-DD (also YYYY-MM and YYYY, widened to the period's first or last day)."""
    if value in (None, ""):
        return None
    value = value.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    try:
        if not m:
            raise ValueError
        y, mo, d = int(m[1]), int(m[2] or (12 if label == "until" else 1)), m[3]
        if d is None:
            d = _last_day(y, mo) if label == "until" else 1
        return date(y, mo, int(d)).isoformat()
    except ValueError:
        raise BadFilter(f"'{label}' date {value!r} is not a valid date (use YYYY-MM-DD).") from None


def _last_day(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date.resolution).day


def _clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    out = {}
    for name, values in filters.items():
        vals = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if any(len(v) > MAX_FILTER_CHARS for v in vals) or len(vals) > 50:
            raise QueryTooExpensive(f"Too many or too long values for filter {name!r}.")
        if vals:
            out[name] = vals
    return out


def _getlist(args, key: str) -> list[str]:
    return args.getlist(key) if hasattr(args, "getlist") else list(_as_list(args.get(key)))


def _as_list(value) -> Iterable[str]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _lenient_int(value, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default
