"""The filter cache: one for all threads, bounded in bytes, its sizes close to what Python
really allocates. (The server's resident memory under 10,000 distinct filters is printed by
`python bench/load.py soak`.)"""

from __future__ import annotations

import threading
import tracemalloc
from datetime import date, timedelta

import pytest

from search import SearchRequest, search
from search.cache import FILTERS, ByteBoundedCache, size_of


def test_size_of_a_docnum_set_is_close_to_what_python_allocates():
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    docs = {n for n in range(1000, 201_000, 2)}
    allocated = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert 0.8 * allocated <= size_of(docs) <= 1.3 * allocated


def test_least_recently_used_go_first_and_bytes_stay_under_budget():
    one = size_of(set(range(1000, 2000)))
    cache = ByteBoundedCache(budget=int(4.5 * one))
    for i in range(10):
        cache.get_or_compute(i, lambda i=i: set(range(1000 + i, 2000 + i)))
        cache.get_or_compute(0, lambda: pytest.fail("0 is kept: it is used all the time"))
    stats = cache.stats()
    assert stats["bytes"] <= cache.budget and stats["entries"] == 4 and stats["evictions"] == 6
    assert cache.get_or_compute(9, lambda: None) == set(range(1009, 2009))


def test_a_result_larger_than_a_quarter_of_the_budget_is_not_kept():
    cache = ByteBoundedCache(budget=size_of(set(range(100))) * 2)
    cache.get_or_compute("big", lambda: set(range(1000)))
    assert cache.stats()["entries"] == 0


def test_many_distinct_filters_from_many_threads_keep_the_cache_under_budget(seed_index,
                                                                             monkeypatch):
    monkeypatch.setattr(FILTERS, "budget", 16 * 1024)
    FILTERS.drop(lambda key: False)
    day = date(2025, 1, 1)
    totals: dict[str, int] = {}
    seen: list[int] = []

    def worker(offset: int) -> None:
        for i in range(offset, 400, 4):
            since = (day + timedelta(days=i % 200)).isoformat()
            totals[since] = search(seed_index, SearchRequest(since=since, size=1)).total
            search(seed_index, SearchRequest(since=since, size=2))  # the same filter again
            seen.append(FILTERS.stats()["bytes"])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = FILTERS.stats()
    assert max(seen) <= 16 * 1024 and stats["evictions"] > 0 and stats["hits"] > 0
    # Evicting never changes an answer: every date gives what a fresh computation gives.
    FILTERS.drop(lambda key: False)
    for since, total in list(totals.items())[:20]:
        assert search(seed_index, SearchRequest(since=since, size=1)).total == total


def test_a_prefix_is_expanded_once_per_index_generation(seed_index):
    from search.cache import PREFIXES
    from search.engines.embedded.engine import engine_for

    session = engine_for(seed_index).session()
    first = session.expand_prefix("text", "negot")
    hits = PREFIXES.stats()["hits"]
    assert first and all(w.startswith("negot") for w in first)
    assert session.expand_prefix("text", "negot") == first
    assert PREFIXES.stats()["hits"] == hits + 1
    assert PREFIXES.stats()["bytes"] <= PREFIXES.budget
