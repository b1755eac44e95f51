"""Relevance floors on the held-out half of our judged journalist queries (bench/relevance.py).

The gold (tests/data/relevance/queries.jsonl) was judged by hand from pooled results; the
figures are printed by `python bench/relevance.py` and pinned here, rounded down.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import relevance  # noqa: E402

# Held-out figures of bench/relevance.py (rounded down to 3 decimals).
PARLEY_NDCG10 = 0.932
PARLEY_P5 = 0.668
PARLEY_ZERO = 0.0


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    if not relevance.REUTERS.exists():
        pytest.skip(f"shared corpus not available: {relevance.REUTERS}")
    pytest.importorskip("tantivy")
    work = tmp_path_factory.mktemp("relevance")
    gold = relevance.anchored(relevance.load_gold(),
                              relevance.paragraphs(relevance.build(work)))
    return relevance.score(gold, relevance.rankers(work))


def test_the_gold_is_judged_and_split_by_the_one_rule():
    gold = relevance.load_gold()
    assert len(gold) >= 60 and len({g["id"] for g in gold}) == len(gold)
    assert all(any(grade > 0 for grade in g["judgments"].values()) for g in gold)
    held = [g for g in gold if relevance.is_held_out(g["dataset"], g["id"])]
    assert 0.3 < len(held) / len(gold) < 0.7


def test_held_out_floors_and_parley_ahead_of_the_reference_engines(figures):
    parley = figures["parley"]["held-out"]
    assert parley["nDCG@10"] >= PARLEY_NDCG10
    assert parley["P@5"] >= PARLEY_P5
    assert parley["zero"] <= PARLEY_ZERO
    for other in ("fts5", "tantivy"):
        assert parley["nDCG@10"] > figures[other]["held-out"]["nDCG@10"], other


def test_measures_on_a_hand_made_ranking():
    grades = {"a": 2, "b": 1, "c": 0}
    assert relevance.ndcg_at(["a", "b"], grades) == pytest.approx(1.0)
    assert relevance.ndcg_at(["b", "a"], grades) < 1.0
    assert relevance.precision_at(["a", "c", "x", "b", "y"], grades) == pytest.approx(0.4)
