"""Snippets: our one-loop highlighter cuts the passages Whoosh's highlighter cut, on real text."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from whoosh import highlight as wh

from search.engines.embedded.schema import SCHEMA
from search.highlight import (
    CHARLIMIT,
    MARK,
    SNIPPET_CHARS,
    SURROUND,
    BracketFormatter,
    best_fragments,
    term_spans,
)

BRIEFINGS = Path(__file__).resolve().parents[1] / "samples" / "whitehouse_gaza.jsonl.gz"
# Query words as indexed (stemmed): frequent, rare, a common word that ties passages, pairs.
WORD_SETS = [{"ceasefir"}, {"hostag", "deal"}, {"the"}, {"presid"}, {"israel", "hama", "gaza"},
             {"question"}, {"thank", "you"}, {"of", "and"}]


def _paragraphs(limit: int = 600) -> list[str]:
    with gzip.open(BRIEFINGS, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    paras = [p.strip() for t in texts for p in t.split("\n") if len(p.strip()) > SNIPPET_CHARS]
    return paras[:limit]


def _whoosh_snippet(text: str, words: frozenset[str]) -> str:
    """What Whoosh's own highlighter made of `text`, configured as Parley configured it."""
    tokens = SCHEMA["text"].analyzer(text, positions=True, chars=True, mode="index",
                                     removestops=False)
    tokens = wh.Highlighter._merge_matched_tokens(wh.set_matched_filter(tokens, words))
    fragmenter = wh.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND)
    found = wh.top_fragments(fragmenter.fragment_tokens(text, tokens), 2,
                             wh.BasicFragmentScorer(), wh.FIRST)
    return MARK.format(found)


@pytest.fixture
def earlier_wins_ties(monkeypatch):
    # Whoosh breaks a tie between passages by object address; ours takes the earlier passage.
    monkeypatch.setattr(wh.Fragment, "__lt__", lambda a, b: a.startchar > b.startchar)


def test_snippets_equal_whooshs_on_briefing_paragraphs(earlier_wins_ties):
    paras = _paragraphs()
    assert len(paras) >= 300
    compared = marked = 0
    for text in paras:
        for words in map(frozenset, WORD_SETS):
            ours = MARK.format(best_fragments(text, words))
            assert ours == _whoosh_snippet(text, words), (text[:80], sorted(words))
            compared += 1
            marked += "<mark>" in ours
    assert marked > compared // 4  # the words do occur: this compared real snippets


def test_a_paragraph_past_the_char_limit_is_cut_as_whoosh_cuts_it(earlier_wins_ties):
    text = " ".join(_paragraphs(120))
    assert len(text) > CHARLIMIT
    words = frozenset({"hostag", "ceasefir"})
    assert MARK.format(best_fragments(text, words)) == _whoosh_snippet(text, words)


def test_tied_passages_give_the_earlier_one_every_time():
    filler = "word " * 60
    text = f"Opening deal here. {filler} Middle deal there. {filler} Closing deal last."
    found = best_fragments(text, frozenset({"deal"}), top=1)
    assert BracketFormatter().format(found).startswith("Opening [deal] here.")


def test_term_spans_are_the_analyzers_words_on_real_paragraphs():
    analyzer = SCHEMA["text"].analyzer
    for text in _paragraphs(200):
        for words in WORD_SETS:
            expected = [(t.startchar, t.endchar) for t in analyzer(text, chars=True)
                        if t.text in words]
            assert term_spans(text, words) == expected


def test_term_spans_find_stemmed_words_and_prefixes():
    text = "Negotiators negotiated; the negotiation's talks, talking."
    assert [text[a:b] for a, b in term_spans(text, {"negoti"})] == ["Negotiators", "negotiation"]
    assert [text[a:b] for a, b in term_spans(text, {"talk*"})] == ["talks", "talking"]
