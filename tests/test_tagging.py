"""Article- and paragraph-level tags on the seeds: dates, datelines, outlets, credits, actors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from indexer import default_lexicon, prepare_article
from indexer.models import Article
from indexer.sources import read_path
from indexer.tagging import complete_date, parse_dateline
from tests.conftest import SEEDS

LX = default_lexicon()


def seed_article(name: str) -> Article:
    return next(read_path(SEEDS / name))


def test_dateline_with_yearless_date_is_completed_from_the_known_date():
    first = ("Washington DC [US], June 1 : US Special Envoy to the Middle East, Steve Witkoff, called "
             "Hamas' response")
    assert parse_dateline(first) == ("Washington DC [US]", (None, 6, 1))
    assert complete_date((None, 6, 1), "2025-06-01") == "2025-06-01"
    # A late-December dateline in an early-January article belongs to the previous year.
    assert complete_date((None, 12, 31), "2025-01-02") == "2024-12-31"
    assert complete_date((None, 6, 1), None) is None


def test_place_only_dateline():
    assert parse_dateline("New Delhi: Israeli Prime Minister Benjamin Netanyahu has reiterated") == (
        "New Delhi", None)
    assert parse_dateline("Talks to extend the fragile ceasefire in Gaza have broken down") == (None, None)


def test_dateline_gives_the_date_when_the_source_gives_none():
    article = replace(seed_article("003_26cd42673f7cf204.txt"), published="2025", date_precision="year")
    resolved = prepare_article(article, LX)[0].article
    assert (resolved.published, resolved.date_precision) == ("2025-06-01", "day")


@pytest.mark.parametrize("name, outlet, published, dateline, credits", [
    ("000_856f695a1eedb8c1.txt", "rtwnews.com", "2025-03-15", None, ("BBC",)),
    ("001_f4be7670daf18060.txt", "NDTV", "2024-04-08", "Cairo, Egypt", ("Reuters", "Al-Qahera News")),
    ("002_5f2d055af7a7c603.txt", None, "2024-05-05", "New Delhi", ("Reuters", "AFP")),
    ("003_26cd42673f7cf204.txt", "ANI", "2025-06-01", "Washington DC [US]", ("CNN",)),
])
def test_article_facts_of_each_seed(name, outlet, published, dateline, credits):
    article = prepare_article(seed_article(name), LX)[0].article
    assert (article.outlet, article.published, article.dateline, article.credits) == (
        outlet, published, dateline, credits)


def test_outlet_comes_from_the_syndication_note_when_the_manifest_has_none():
    article = replace(seed_article("001_f4be7670daf18060.txt"), outlet=None)
    assert prepare_article(article, LX)[0].article.outlet == "NDTV"


def test_actors_fold_aliases_and_roles_to_canonical_names():
    tagged = prepare_article(seed_article("001_f4be7670daf18060.txt"), LX)
    katz = next(t for t in tagged if "Israel Katz" in t.paragraph.text)
    assert katz.actors[:2] == ("Israel", "Israel Katz")
    burns = next(t for t in tagged if "William Burns" in t.paragraph.text)
    assert "William Burns" in burns.actors and "United States" in burns.actors


def test_pronoun_quote_speaker_becomes_an_actor_of_the_paragraph():
    tagged = prepare_article(seed_article("002_5f2d055af7a7c603.txt"), LX)
    added = next(t for t in tagged if t.paragraph.text.startswith("He further added"))
    assert [q.speaker for q in added.quotes] == ["Benjamin Netanyahu"]
    assert "Benjamin Netanyahu" in added.actors


def test_paragraph_credits_include_quote_via():
    tagged = prepare_article(seed_article("001_f4be7670daf18060.txt"), LX)
    told = next(t for t in tagged if t.paragraph.text.startswith('"There is no change'))
    assert told.credits == ("Reuters", "Al-Qahera News")
    assert [(q.speaker, q.verb, q.via) for q in told.quotes] == [
        ("Hamas official (unnamed)", "told", "Reuters")]


def test_every_paragraph_has_at_most_three_topics():
    for path in sorted(Path(SEEDS).glob("*.txt")):
        for t in prepare_article(next(read_path(path)), LX):
            assert len(t.topics) <= 3
