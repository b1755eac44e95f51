"""Query parsing and the explanations for what cannot be searched; no index needed."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from indexer.errors import QuerySyntaxError, QueryTooExpensive
from search.query import parse_query, positive_terms


def canon(field: str, value: str) -> list[str]:
    return {"witkoff": ["Steve Witkoff"], "hamas": ["Hamas"]}.get(value.lower(), [])


def test_words_must_all_match_and_are_stemmed():
    assert parse_query("Witkoff ceasefire") == wq.And([wq.Term("text", "witkoff"), wq.Term("text", "ceasefir")])


def test_phrase_proximity_or_not_and_minus():
    assert parse_query('"no progress"~3') == wq.Phrase("text", ["no", "progress"], slop=3)
    assert parse_query("truce OR ceasefire") == wq.Or([wq.Term("text", "truce"), wq.Term("text", "ceasefir")])
    assert parse_query("hostages -prisoners") == wq.AndNot(wq.Term("text", "hostag"), wq.Term("text", "prison"))
    assert parse_query("hostages NOT prisoners") == wq.And([wq.Term("text", "hostag"), wq.Not(wq.Term("text", "prison"))])


def test_keyword_fields_resolve_aliases_to_index_values():
    assert parse_query("speaker:witkoff truce", resolve=canon) == wq.And(
        [wq.Or([wq.Term("speakers", "Steve Witkoff")]), wq.Term("text", "truce")])
    assert parse_query('actor:"Hamas"', resolve=canon) == wq.Or([wq.Term("actors", "Hamas")])
    # An unknown actor matches nothing rather than everything.
    assert parse_query("actor:nobody truce", resolve=canon) == wq.And(
        [wq.Term("actors", "nobody"), wq.Term("text", "truce")])


def test_quote_field_and_prefix():
    assert parse_query("quote:unacceptable") == wq.Term("quote", "unaccept")
    assert parse_query("negotiat*") == wq.Prefix("text", "negotiat")


def test_positive_terms_skip_negations():
    assert positive_terms(parse_query('hostages -"no progress" Qatar')) == {"hostag", "qatar"}


@pytest.mark.parametrize("text, error, message", [
    ('"no progress', QuerySyntaxError, "Unbalanced quotation mark"),
    ("(truce OR ceasefire", QuerySyntaxError, "Unbalanced brackets"),
    ("truce)", QuerySyntaxError, "closing bracket"),
    ("author:smith", QuerySyntaxError, "Unknown field 'author:'"),
    ("truce AND", QuerySyntaxError, "need a search term on each side"),
    ("OR truce", QuerySyntaxError, "need a search term on each side"),
    ("*ostage", QueryTooExpensive, "only word endings can be wildcarded"),
    ("ne*", QueryTooExpensive, "after at least 4 letters"),
    ("h?stage", QueryTooExpensive, "only word endings"),
    ("hostage~2", QueryTooExpensive, "Fuzzy matching"),
    (" ".join(f"w{i}" for i in range(31)), QueryTooExpensive, "the limit is 30"),
    ("()", QuerySyntaxError, "no words"),
])
def test_problems_are_explained(text, error, message):
    with pytest.raises(error, match=message):
        parse_query(text)


def test_empty_query_means_everything():
    assert parse_query("   ") == wq.Every()
