"""Metadata shown to the reader: a transcript's speaker label is not a dateline, and a line
that merely ends in a colon is neither a dateline nor dropped from the story."""

from __future__ import annotations

import json

import pytest

from indexer import prepare_article
from indexer.lexicon import default_lexicon
from indexer.models import Article
from indexer.paragraphs import split_paragraphs
from indexer.sources import build_article
from tests.conftest import corpus


def resolved(text: str, **meta) -> Article:
    article = Article(article_id="a1", text=text, path="x", **meta)
    return prepare_article(article, default_lexicon())[0].article


def test_a_speaker_label_opening_a_transcript_is_not_a_dateline():
    text = ("MS. JEAN-PIERRE: Oh, it’s cold back here.\n\nQ It’s very cold.\n\n"
            "MS. JEAN-PIERRE: Hi, guys. All right. I have a couple of things at the top.")
    assert resolved(text).dateline is None
    once = "THE PRESIDENT: Thank you. Please sit down.\n\nWe met in Doha today.\n\n" \
           "THE PRESIDENT: And we will meet again."
    assert resolved(once).dateline is None  # the label comes back: a speaker


def test_real_datelines_still_read():
    assert resolved("Washington DC [US], June 1 : US Special Envoy Steve Witkoff said the "
                    "talks would resume.").dateline == "Washington DC [US]"
    assert resolved("Cairo:\n\nEgyptian mediators said the talks would resume on "
                    "Monday.").dateline == "Cairo"


def test_a_colon_line_opening_a_list_stays_a_paragraph():
    text = ("The leaders agreed on three points.\n\nOn particular issues of discussion:\n\n"
            "First, the hostages must come home.")
    article = Article(article_id="a2", text=text, path="x")
    assert "On particular issues of discussion:" in [p.text for p in split_paragraphs(article)]
    assert resolved(text).dateline is None


@pytest.mark.corpus
def test_white_house_gaggle_has_no_speaker_as_dateline():
    path = corpus("whitehouse_gaza", "whitehouse_gaza.jsonl")
    with path.open(encoding="utf-8") as f:
        record = next(r for r in map(json.loads, f)
                      if r["id"].startswith("wh-2024-02-20-press-gaggle"))
    article = build_article(record["text"], "wh", record)
    assert prepare_article(article, default_lexicon())[0].article.dateline is None


def test_outlets_of_reporters_called_on_in_a_transcript_are_not_credits():
    text = ("MODERATOR: We’ll go next to Ben from Haaretz.\n\n"
            "Q Thank you. Is there a deal on the hostages?\n\n"
            "SENIOR ADMINISTRATION OFFICIAL: We are working on it, as Reuters reported.")
    article = Article(article_id="t1", text=text, path="x", kind="transcript")
    tagged = prepare_article(article, default_lexicon())
    assert tagged[0].credits == ()
    news = Article(article_id="n1", text="Talks resumed, Reuters reported on Monday.", path="x")
    assert "Reuters" in prepare_article(news, default_lexicon())[0].credits
