"""search/resolve.py: the one rule both engines use from a typed filter value to indexed values,
on the seed index's real vocabulary and the shipped lexicon."""

from __future__ import annotations

import pytest

from indexer.lexicon import default_lexicon
from search.engines.embedded.embedded import EmbeddedEngine
from search.resolve import resolve_value


@pytest.fixture(scope="module")
def actors(seed_index) -> list[str]:
    return EmbeddedEngine(seed_index).vocabulary("actor")


def _resolve(value: str, vocab: list[str], field: str = "actors") -> list[str]:
    return resolve_value(field, value, lambda: vocab, default_lexicon)


def test_exact_then_lexicon_then_case_then_substring(actors):
    assert "Benjamin Netanyahu" in actors and "Hamas" in actors
    assert _resolve("Hamas", actors) == ["Hamas"]
    # A name the lexicon knows that no substring scan would find.
    assert _resolve("bibi", actors) == ["Benjamin Netanyahu"]
    assert _resolve("  HAMAS ", actors) == ["Hamas"]
    part = _resolve("Netan", actors)
    assert part and all("netan" in v.casefold() for v in part)
    assert _resolve("Nobody Atall", actors) == []


def test_a_month_is_taken_as_typed_without_reading_the_vocabulary():
    def never() -> list[str]:
        raise AssertionError("a month needs no vocabulary")

    assert resolve_value("month", " 2024-05 ", never, default_lexicon) == ["2024-05"]
