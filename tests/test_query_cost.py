"""Query cost: phrases are refused before reading when their words' postings exceed the
budget, long phrases are read by the numpy path, and the request's time budget stops the
matcher loops. Timings are printed by bench/hostile.py, never asserted here."""

from __future__ import annotations

import pytest

from indexer.errors import QueryTooExpensive
from search import SearchRequest, budget, search


def test_a_phrase_of_very_common_words_is_refused_with_its_cost(seed_index, monkeypatch):
    the = search(seed_index, SearchRequest(text="the")).total
    assert the > 10
    # The budget scaled to this small index: 30 repetitions of "the" cost 30 x its postings.
    monkeypatch.setattr(budget, "MAX_PHRASE_POSTINGS", 10 * the)
    with pytest.raises(QueryTooExpensive, match=r"would read [\d,]+ word positions"):
        search(seed_index, SearchRequest(text='"' + " ".join(["the"] * 30) + '"'))
    # A phrase within the budget is answered, and matches what its words say.
    hits = search(seed_index, SearchRequest(text='"the ceasefire"', size=0)).hits
    assert hits and all("the ceasefire" in h.text.lower() for h in hits)


def test_long_phrases_with_common_pairs_still_match_exactly(seed_index):
    # Longer phrases no longer go through text_pairs: the words' positions decide.
    for phrase, expected in (("of the coastal enclave", 2), ("much of the coastal enclave", 1),
                             ("the release of the more than", 1), ("of the enclave coastal", 0)):
        hits = search(seed_index, SearchRequest(text=f'"{phrase}"', size=0)).hits
        assert len(hits) == expected, phrase
        assert all(phrase in h.text.lower() for h in hits)


def test_the_time_budget_stops_a_search_and_says_why(seed_index):
    with budget.deadline(1e-9):
        with pytest.raises(QueryTooExpensive, match="longer than the server allows"):
            search(seed_index, SearchRequest(text="ceasefire"))
    with budget.deadline(None):
        assert search(seed_index, SearchRequest(text="ceasefire")).total > 0
    assert search(seed_index, SearchRequest(text="ceasefire")).total > 0  # no budget outside
