"""One process-wide cache of filter results, bounded in bytes, shared by every thread.

Each server thread used to keep its own 257 filter results: 1,200 GETs with different
`since=` dates took a server from 66 MB to 10 GB on 240k paragraphs. Here the bound is in
bytes across all threads, the least recently used entries go first, and what is held is
measured (`stats()`), so a test and the soak benchmark can check it.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

DEFAULT_MB = 128  # PARLEY_FILTER_CACHE_MB overrides it; 0 turns the cache off
# A docnum in a set costs its slot (16 bytes, tables kept under 60% full: ~27 bytes a member,
# counted by sys.getsizeof) and its int object (28 bytes, 32 as allocated) unless shared.
_BYTES_PER_INT = 32


def size_of(value: Any) -> int:
    """Bytes held by a cached value: a set of docnums (or None for 'no filter')."""
    if isinstance(value, set | frozenset):
        return sys.getsizeof(value) + _BYTES_PER_INT * len(value)
    return sys.getsizeof(value)


class ByteBoundedCache:
    """A thread-safe LRU mapping whose values' estimated sizes stay under `budget` bytes."""

    def __init__(self, budget: int, measure: Callable[[Any], int] = size_of):
        self.budget = budget
        self.measure = measure
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = self.evictions = 0

    def get(self, key: Hashable) -> Any:
        """The value kept for key (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        # Computed outside the lock: two threads may both compute a new key (same answer);
        # holding the lock would make every filter wait for the slowest.
        value = compute()
        self.put(key, value)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        size = self.measure(value)
        if size > self.budget // 4:  # one huge result would flush everything else
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.budget and self._items:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
                self.evictions += 1

    def drop(self, keep: Callable[[Hashable], bool]) -> None:
        """Forget entries whose key `keep` rejects (an index generation that is gone)."""
        with self._lock:
            for key in [k for k in self._items if not keep(k)]:
                self._bytes -= self._items.pop(key)[1]

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._items), "bytes": self._bytes, "budget": self.budget,
                    "hits": self.hits, "misses": self.misses, "evictions": self.evictions}


def _budget_from_env() -> int:
    try:
        return max(0, int(float(os.environ.get("PARLEY_FILTER_CACHE_MB", DEFAULT_MB)) * 2**20))
    except ValueError:
        return DEFAULT_MB * 2**20


def size_of_words(words: list[str]) -> int:
    """Bytes held by a list of strings (a prefix's expansion)."""
    return sys.getsizeof(words) + sum(sys.getsizeof(w) for w in words)


FILTERS = ByteBoundedCache(_budget_from_env())
# The words a prefix (`comp*`) stands for, per index generation: reading them from the term
# index was a quarter of such a search; a sixteenth of the filter budget holds thousands.
PREFIXES = ByteBoundedCache(FILTERS.budget // 16, measure=size_of_words)
