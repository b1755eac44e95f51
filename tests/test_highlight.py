"""Snippets: our one-loop highlighter cuts the passages Whoosh's highlighter cut, on real text."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from whoosh import highlight as wh
from whoosh.analysis import Token

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


def _unit_tokens(text: str, words: frozenset[str]):
    """The text field's tokens (Whoosh's face of search/analyzer.py), one per written word:
    a word's stem, exact form and joined compound share its characters."""
    by_span: dict[tuple[int, int], Token] = {}
    for t in SCHEMA["text"].analyzer(text, positions=True, chars=True, mode="index"):
        key = (t.startchar, t.endchar)
        if key not in by_span or (t.text in words and by_span[key].text not in words):
            by_span[key] = t.copy()
    return list(by_span.values())


def _whoosh_snippet(text: str, words: frozenset[str]) -> str:
    """What Whoosh's own highlighter made of `text`, configured as Parley configured it."""
    tokens = _unit_tokens(text, words)
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
    for text in _paragraphs(200):
        for words in map(frozenset, WORD_SETS):
            expected = [(t.startchar, t.endchar) for t in _unit_tokens(text, words) if t.text in words]
            assert term_spans(text, words) == expected


def test_term_spans_find_stemmed_words_and_prefixes():
    text = "Negotiators negotiated; the negotiation's talks, talking."
    assert [text[a:b] for a, b in term_spans(text, {"negoti"})] == [
        "Negotiators", "negotiated", "negotiation's"]
    assert [text[a:b] for a, b in term_spans(text, {"talk*"})] == ["talks", "talking"]


def test_names_compounds_and_folded_words_are_marked_as_typed():
    text = "Terry Waite said wait; Itamar Ben-Gvir and Ben Gvir; Pedro Sánchez; the U.S. envoy."
    assert [text[a:b] for a, b in term_spans(text, {"=waite"})] == ["Waite"]
    assert [text[a:b] for a, b in term_spans(text, {"ben", "gvir"})] == ["Ben-Gvir", "Ben", "Gvir"]
    assert [text[a:b] for a, b in term_spans(text, {"sanchez", "us"})] == ["Sánchez", "U.S."]


# -- links in snippets ------------------------------------------------------------------


def _linked(text: str, words: str, url: str) -> tuple[int, int, str]:
    start = text.index(words)
    return start, start + len(words), url


def test_a_snippet_keeps_a_link_around_its_words_and_marks_inside_it():
    filler = "The envoys met again in the afternoon and spoke to reporters outside. " * 6
    text = (f"{filler}The full ceasefire statement was published by the mediators on Tuesday, "
            f"officials said. {filler}")
    assert len(text) > SNIPPET_CHARS
    link = _linked(text, "ceasefire statement", "https://example.org/a?x=1&y=\"2\"")
    from search.highlight import snippet

    html = snippet(text, frozenset({"ceasefir"}), links=[link])
    assert ('<a class="text-link" href="https://example.org/a?x=1&amp;y=&quot;2&quot;" '
            'rel="nofollow noopener noreferrer"><mark>ceasefire</mark> statement</a>') in html
    # A link outside the passages shown is simply not there; the words around are unchanged.
    far = _linked(text, "envoys", "https://example.org/far")
    assert snippet(text, frozenset({"ceasefir"}), links=[far]) == snippet(
        text, frozenset({"ceasefir"}))


def test_only_web_urls_become_hrefs_and_the_words_stay_escaped():
    from search.highlight import mark_text

    text = "Read <the> statement and the annex here."
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                "mailto:press@example.org", "/relative/path", "  https://example.org"):
        html = mark_text(text, {"statement"}, links=[_linked(text, "<the> statement", url)])
        assert "<a " not in html and "href" not in html
        assert html == "Read &lt;the&gt; <mark>statement</mark> and the annex here."
    html = mark_text(text, (), links=[_linked(text, "annex", "HTTPS://Example.org/Annex")])
    assert '<a class="text-link" href="HTTPS://Example.org/Annex"' in html


def test_a_link_cut_by_the_snippet_keeps_its_shown_words_linked():
    from search.highlight import snippet

    words = "word " * 70
    text = f"Opening {words} the delegation said the hostages deal was near {words}"
    start = text.index("delegation") - 200  # the link opens before the passage shown
    html = snippet(text, frozenset({"hostag"}), links=[(start, text.index(" said"),
                                                         "https://example.org/d")])
    assert html.startswith('… <a class="text-link" href="https://example.org/d"')
    assert html.count("<a ") == 1 and "delegation</a>" in html
    assert html.index("</a>") < html.index("<mark>hostages</mark>")


def test_marks_quotations_and_links_always_nest():
    """Elements that overlap without nesting are split, never crossed."""
    import re

    from search.highlight import mark_text

    text = "Hamas accepted the ceasefire proposal, officials said on Monday in Cairo."
    cases = [((0, 28), (15, 37)), ((20, 40), (0, 25)), ((19, 28), (19, 28)), ((0, 73), (5, 6))]
    for quote, (a, b) in cases:
        html = mark_text(text, {"ceasefir", "hama", "cairo"}, quotes=[quote],
                         links=[(a, b, "https://example.org/")])
        stack = []
        for m in re.finditer(r"<(/?)(mark|q|a)\b[^>]*>", html):
            if m.group(1):
                assert stack and stack.pop() == m.group(2), html
            else:
                stack.append(m.group(2))
        assert not stack, html
        assert re.sub(r"<[^>]+>", "", html) == text
