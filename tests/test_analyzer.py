"""search/analyzer.py: the one source of tokens for indexing, querying and highlighting."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from search.engines.embedded.schema import SCHEMA, analyse, common_pairs
from search import analyzer
from search.analyzer import EXACT, fold, forms, query_alternatives, spans

BRIEFINGS = Path(__file__).resolve().parents[1] / "samples" / "whitehouse_gaza.jsonl.gz"


def words(text: str) -> list[str]:
    return [f for _, f in analyzer.analyse(text)]


def test_folding_accents_case_arabic_and_width():
    assert fold("Sánchez") == fold("SANCHEZ") == "sanchez"
    assert fold("Erdoğan") == "erdogan"
    assert fold("Ｇａｚａ") == "gaza"  # full-width, by NFKC
    # Tashkeel, tatweel and the alef / yeh / teh marbuta variants.
    assert fold("هَنِيَّة") == fold("هنيه") == fold("هنيـــة")
    assert fold("أحمد") == fold("احمد") and fold("إسرائيل") == fold("اسرائيل")
    assert fold("مصطفى") == fold("مصطفي")
    assert fold("٢٠٢٤") == "2024"


def test_stems_beside_exact_forms():
    assert forms("hostages") == ("hostag", "=hostages")
    assert forms("hostage") == ("hostag", "=hostage")
    assert forms("waite") == ("wait", "=waite") and forms("wait") == ("wait",)
    assert forms("us") == ("us",)  # two letters stay as they are


def test_apostrophes_curly_or_straight_and_possessives():
    assert words("Israel’s response") == words("Israel's response") == words("Israel response")
    assert words("don’t") == words("don't")


def test_acronyms_numbers_and_figures():
    assert words("U.S.") == words("US") == ["us"]
    assert words("U.N.") == ["un"]
    assert "6" in words("$6 billion") and "billion" in words("$6 billion")
    assert {"9", "11", "911"} <= set(words("9/11"))
    assert "50" in words("50%")
    assert {"2735", "sres2735"} <= set(words("S/RES/2735"))
    assert words("1,200 people")[0] == "1200"
    assert words("2.5 percent")[0] == "2.5"


def test_a_stray_combining_mark_is_no_word():
    assert analyzer.units("\u0300") == [] and list(spans("a \u0300 b")) != []
    assert [toks for *_, toks in spans("\u0301")] == []


def test_compounds_give_parts_and_the_joined_word_at_one_position():
    assert analyzer.analyse("a cease-fire deal") == [
        (0, "a"), (1, "ceas"), (1, "ceasefir"), (1, "=ceasefire"), (1, "=cease"), (2, "fire"),
        (3, "deal")]
    assert query_alternatives("Ben-Gvir") == [("ben", "gvir"), ("bengvir",)]


def test_the_schema_indexes_what_the_analyzer_gives():
    text = "Terry Waite met Ben-Gvir in the U.S. on 9/11."
    assert analyse(text) == analyzer.analyse(text)
    whoosh = [(t.pos, t.text) for t in SCHEMA["title"].analyzer(text, positions=True)]
    assert whoosh == analyzer.analyse(text)
    # A common word pairs with every form at the next position.
    assert {(6, "the us"), (8, "on 9"), (8, "on 911")} <= set(common_pairs(analyse(text)))


def test_spans_cover_the_written_words_on_real_paragraphs():
    with gzip.open(BRIEFINGS, "rt", encoding="utf-8") as f:
        texts = [json.loads(next(f))["text"] for _ in range(20)]
    for text in texts:
        for start, end, width, toks in spans(text):
            assert text[start:end].strip() == text[start:end] and width >= 1 and toks
            assert all(form and (form.startswith(EXACT) or EXACT not in form) for _, form in toks)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=80))
def test_any_text_gives_ordered_nonempty_tokens(text):
    toks = analyzer.analyse(text)
    assert [p for p, _ in toks] == sorted(p for p, _ in toks)
    assert all(form and form != EXACT for _, form in toks)
    for start, end, _, _ in spans(text):
        assert 0 <= start < end <= len(text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd", "Mn", "Pd")), max_size=20))
def test_a_word_typed_finds_itself(word):
    # Whatever a query word becomes, the same word in a paragraph is indexed with it.
    indexed = {form for _, form in analyzer.analyse(word)}
    for unit in analyzer.units(word):
        for exact in (False, True):
            for alternative in query_alternatives(unit, exact):
                assert set(alternative) <= indexed, (unit, alternative)
