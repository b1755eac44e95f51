"""The general-news quotation gold (tests/data/quotes_gold/news_*.jsonl) is well-formed and
true to its sources: every annotated span is in the stored text, which is the corpus text."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.validate_quotes_gold import (  # noqa: E402
    CORPORA,
    KINDS,
    check_record,
    gold_files,
    is_held_out,
    load_records,
    validate,
)

FILES = gold_files()


def _records() -> list[dict]:
    return [rec for path in FILES for rec in load_records(path)]


def test_gold_files_present() -> None:
    names = {p.name for p in FILES}
    expected = {"news_aeb.jsonl", "news_trafilatura.jsonl", "news_readability.jsonl",
                "news_reuters.jsonl"}
    assert expected <= names, names


def test_the_set_is_large_enough_to_measure() -> None:
    # issue 19 asks for at least 60 hand-annotated general-news articles
    records = _records()
    assert len(records) >= 60
    assert len({(r["dataset"], r["doc_id"]) for r in records}) == len(records)


def test_records_are_well_formed() -> None:
    errors, _ = validate(FILES, use_corpus=False)
    assert errors == []


def test_every_kind_is_annotated_and_speakers_are_given() -> None:
    quotes = [q for rec in _records() for q in rec["quotes"]]
    assert {q["kind"] for q in quotes} == set(KINDS)
    assert all(q["speaker"].strip() and q["verb"].strip() for q in quotes)


def test_both_halves_hold_articles() -> None:
    halves = [is_held_out(r["dataset"], r["doc_id"]) for r in _records()]
    assert any(halves) and not all(halves)


def test_checker_rejects_a_span_that_is_not_in_the_text() -> None:
    rec = copy.deepcopy(next(r for r in _records() if r["quotes"]))
    assert check_record(rec) == []
    rec["quotes"][0]["start"] += 1
    assert any("not at start" in e for e in check_record(rec))
    rec = copy.deepcopy(next(r for r in _records() if r["quotes"]))
    rec["quotes"][0]["kind"] = "indirect"
    rec["quotes"][0]["speaker"] = " "
    errors = check_record(rec)
    assert any("bad kind" in e for e in errors) and any("empty speaker" in e for e in errors)


def test_stored_text_matches_the_corpus() -> None:
    if not CORPORA.is_dir():
        pytest.skip(f"shared corpus not available: {CORPORA}")
    errors, counts = validate(FILES, use_corpus=True)
    assert counts["corpus_checked"]
    assert errors == []
