"""SearchRequest: parsing flat URL parameters, clamping, and rejecting bad values."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from indexer.errors import BadFilter, QueryTooExpensive
from search.request import SearchRequest


def test_from_args_reads_repeatable_parameters():
    args = MultiDict([("q", " ceasefire "), ("actor", "Hamas"), ("actor", "Qatar"), ("outlet", "NDTV"),
                      ("since", "2024-04"), ("until", "2024"), ("quotes", "1"), ("sort", "newest"),
                      ("page", "2"), ("limit", "5")])
    assert SearchRequest.from_args(args) == SearchRequest(
        text="ceasefire", filters={"actor": ("Hamas", "Qatar"), "outlet": ("NDTV",)},
        since="2024-04-01", until="2024-12-31", quotes_only=True, sort="newest", page=2, size=5)


def test_bad_page_and_limit_fall_back_and_huge_ones_are_clamped():
    req = SearchRequest.from_args(MultiDict([("page", "abc"), ("limit", "10000000")]))
    assert (req.page, req.size) == (1, 100)
    assert SearchRequest.from_args(MultiDict([("page", "-4"), ("limit", "0")])).page == 1
    assert SearchRequest.from_args(MultiDict([("page", "99999999999")])).page == 10_000


@pytest.mark.parametrize("kwargs, message", [
    ({"since": "2024-13-01"}, "not a valid date"),
    ({"since": "yesterday"}, "not a valid date"),
    ({"since": "2025-01-01", "until": "2024-01-01"}, "is after"),
    ({"sort": "best"}, "Unknown sort"),
    ({"filters": {"month": ("2024-5",)}}, "not YYYY-MM"),
    ({"filters": {"author": ("x",)}}, "Unknown filter"),
    ({"text": "a\x00b"}, "NUL"),
])
def test_bad_values_are_errors(kwargs, message):
    with pytest.raises(BadFilter, match=message):
        SearchRequest(**kwargs)


def test_overlong_query_is_refused():
    with pytest.raises(QueryTooExpensive, match="limit is 500"):
        SearchRequest(text="x" * 501)


def test_to_args_and_toggle_round_trip():
    req = SearchRequest(text="truce", filters={"actor": ("Hamas",)}, page=3)
    assert req.to_args() == [("q", "truce"), ("actor", "Hamas"), ("page", "3")]
    assert req.toggled("actor", "Qatar").to_args() == [("q", "truce"), ("actor", "Hamas"), ("actor", "Qatar")]
    assert req.toggled("actor", "Hamas").to_args() == [("q", "truce")]
    assert SearchRequest.from_args(MultiDict(req.to_args())) == req
