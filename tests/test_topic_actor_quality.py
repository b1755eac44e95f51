"""Quality floors for actors and topics on the hand-made gold (held-out halves, split.md).

The figures come from bench/actor_quality.py and bench/topic_quality.py; these tests pin the
held-out results so that a change that loses quality fails. They need ../shared/corpora.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
pytestmark = pytest.mark.skipif(not (CORPORA / "reuters21578").exists(),
                                reason="../shared/corpora not present")
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="module")
def topics():
    import topic_quality

    return topic_quality.score()["held-out"]


@pytest.fixture(scope="module")
def actors():
    import actor_quality

    return actor_quality.score()["held-out"]


# Held-out precision per topic that occurs there (rounded down), and the micro-average.
TOPIC_PRECISION_FLOORS = {
    "all": 0.954, "casualties": 0.87, "ceasefire": 0.956, "climate": 1.0, "debt": 1.0,
    "domestic-politics": 1.0, "hostages": 1.0, "humanitarian-aid": 0.928, "labour": 1.0,
    "mediation": 0.95, "military-operations": 1.0, "nuclear": 1.0, "reconstruction": 1.0,
    "regional-escalation": 1.0, "sanctions": 0.909, "territory": 1.0, "trade": 1.0,
    "troop-withdrawal": 1.0, "west-bank": 1.0,
}


@pytest.mark.parametrize("topic", sorted(TOPIC_PRECISION_FLOORS))
def test_topic_precision_holds_on_held_out_paragraphs(topics, topic):
    assert topics[topic].precision >= TOPIC_PRECISION_FLOORS[topic]


def test_topic_recall_holds_on_held_out_paragraphs(topics):
    assert topics["all"].recall >= 0.686


def test_trade_and_mediation_recall_hold_on_held_out_paragraphs(topics):
    # Commodity agreements (coffee, cocoa, rubber pacts) are trade; "the talks" is mediation.
    assert topics["trade"].recall >= 0.577
    assert topics["mediation"].recall >= 0.422


def test_actor_recall_and_precision_hold_on_held_out_articles(actors):
    assert actors.recall >= 0.753
    assert actors.precision >= 0.892
    assert actors.unjudged == 0  # a found actor nobody judged: extend judged.jsonl
