"""The quote quality gate: the real pipeline on the hand-made gold set stays at or above floors.

Floors are the measured figures rounded down to 3 decimals (bench/quote_quality.py prints them). Raise a
floor when the extractor improves; never lower one without saying why in the commit.

HELD_OUT_FLOORS pin the held-out half (the result; tuning looks at the development half only,
split by bench.quote_quality.held_out). FLOORS are the older figures over both halves together.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(ROOT))

from bench.quote_quality import (  # noqa: E402
    CORPUS_GROUPS,
    MARKED,
    REPORTED,
    aggregates,
    held_out,
    run_gold,
    score_litbank,
)

# group: (overlap F1, exact F1, speaker accuracy, turn accuracy or None)
FLOORS = {
    "seeds": (1.000, 1.000, 1.000, None),
    "reuters": (1.000, 1.000, 1.000, None),
    "whitehouse": (0.923, 0.923, 0.814, 0.987),
    "trafilatura_pages": (0.985, 0.985, 1.000, None),
    "aeb": (1.000, 1.000, 0.982, None),
    "overall": (0.977, 0.977, 0.953, 0.987),
}
LITBANK_FLOORS = (0.540, 0.516, 0.335)  # overlap F1, exact F1, speaker-name accuracy
# (aggregate, kind class): (overlap F1, exact F1, speaker accuracy) on the held-out half.
# "ALL news" are the news_* sets of issue 19 (78 articles at issue-19-gold 103b7a2); its
# floors apply once those sets are in tests/data/quotes_gold, and are skipped before.
HELD_OUT_FLOORS = {
    ("ALL ours", MARKED): (0.979, 0.979, 0.931),
    # Issue 19b: marked recall 160 -> 161 of 175 with the same 125 right speakers, reported
    # matches 150 -> 158 and right speakers 116 -> 122; speaker accuracy is over matched quotes,
    # so its ratio dips (0.781 -> 0.776, 0.773 -> 0.772) while no speaker was lost.
    ("ALL news", MARKED): (0.958, 0.958, 0.776),
    ("ALL news", REPORTED): (0.816, 0.713, 0.772),
}


@functools.cache
def _result():
    groups = ("seeds", *CORPUS_GROUPS) if CORPORA.is_dir() else ("seeds",)
    return run_gold(groups)


def _scores() -> dict:
    return _result().scores


def _figures(score) -> tuple[float, float, float, float | None]:
    return score.overlap_prf()[2], score.exact_prf()[2], score.speaker_acc, score.turn_acc


@pytest.mark.parametrize("group", list(FLOORS))
def test_quote_quality_stays_above_floors(group):
    if group != "seeds" and not CORPORA.is_dir():
        pytest.skip("../shared/corpora is absent")
    measured = _figures(_scores()[group])
    for name, floor, value in zip(("overlap F1", "exact F1", "speaker", "turns"), FLOORS[group],
                                  measured, strict=True):
        if floor is not None:
            assert value >= floor, f"{group} {name}: {value:.3f} < floor {floor}"


def test_seed_gold_is_scored_in_full():
    seeds = _scores()["seeds"]
    # 16 gold occurrences; 2 repeat a summary block the pipeline keeps once (paragraphs.py).
    assert (seeds.gold, seeds.deduped) == (14, 2)


@pytest.mark.corpus
def test_litbank_quote_spans_stay_above_floors():
    from bench.quote_quality import Result

    result = Result()
    score = score_litbank(result)
    if score is None:
        pytest.skip("../shared/corpora/litbank_quotations is absent")
    measured = (score.overlap_prf()[2], score.exact_prf()[2], score.speaker_acc)
    for name, floor, value in zip(("overlap F1", "exact F1", "speaker"), LITBANK_FLOORS, measured,
                                  strict=True):
        assert value >= floor, f"litbank {name}: {value:.3f} < floor {floor}"


@pytest.mark.parametrize(("name", "cls"), list(HELD_OUT_FLOORS))
def test_held_out_quote_quality_stays_above_floors(name, cls):
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is absent")
    result = _result()
    groups = aggregates(result)
    if name not in groups:
        pytest.skip(f"no gold sets for {name!r} in tests/data/quotes_gold")
    score = result.total("held", cls, groups[name])
    measured = (score.overlap_prf()[2], score.exact_prf()[2], score.speaker_acc)
    for what, floor, value in zip(("overlap F1", "exact F1", "speaker"), HELD_OUT_FLOORS[name, cls],
                                  measured, strict=True):
        assert value >= floor, f"held-out {name} {cls} {what}: {value:.3f} < floor {floor}"


def test_split_rule_is_the_fixed_hash():
    # The rule of /work/briefs/split.md, on two known records: changing it would reshuffle
    # which articles were tuned on.
    assert [held_out("seeds", d) for d in ("000", "001", "002", "003")] == [True, True, False, True]


def test_every_gold_article_is_in_exactly_one_half():
    result = _result()
    dev, held = result.total("dev", MARKED), result.total("held", MARKED)
    assert dev.gold + held.gold + dev.deduped + held.deduped == sum(
        s.gold + s.deduped for name, s in result.scores.items() if name != "overall")
    # Our older sets carry no `kind` and are scored on marked speech only.
    assert {c for _, _, c in result.cells} <= {MARKED, REPORTED}
