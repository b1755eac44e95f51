"""Parley's query language: text -> Parley's query tree -> Whoosh query; no index needed."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from indexer.errors import BadFilter, QuerySyntaxError, QueryTooExpensive
from search.query import parse_query, reading
from search.querytree import And, Every, Filter, Not, Or, Phrase, Prefix, Word
from search.engines.embedded.whoosh_query import positive_terms, to_whoosh


def canon(field: str, value: str) -> list[str]:
    return {"witkoff": ["Steve Witkoff"], "hamas": ["Hamas"]}.get(value.lower(), [])


def tree(text: str, **kw):
    return parse_query(text, **kw).tree


def whoosh(text: str, **kw) -> wq.Query:
    return to_whoosh(tree(text, **kw))


def test_words_must_all_match_lower_case_is_stemmed_and_names_are_exact():
    assert tree("hostages ceasefire") == And((Word("hostages"), Word("ceasefire")))
    assert whoosh("hostages ceasefire") == wq.And([wq.Term("text", "hostag"), wq.Term("text", "ceasefir")])
    # Capitalized: a name, matched by its unstemmed form (Waite is not "wait").
    assert whoosh("Waite") == wq.Term("text", "=waite")
    assert whoosh("Burns") == wq.Term("text", "=burns")
    # A known actor's name is a name even typed in lower case.
    assert whoosh("waite") == wq.Term("text", "=waite")
    assert whoosh("wait") == wq.Term("text", "wait")


def test_phrase_proximity_or_not_and_minus():
    assert whoosh('"no progress"~3') == wq.Phrase("text", ["no", "progress"], slop=3)
    assert whoosh("truce OR ceasefire") == wq.Or([wq.Term("text", "truce"), wq.Term("text", "ceasefir")])
    assert whoosh("hostages -prisoners") == wq.AndNot(wq.Term("text", "hostag"), wq.Term("text", "prison"))
    assert whoosh("hostages NOT prisoners") == whoosh("hostages -prisoners")
    assert tree("Blinken -Sullivan") == And((Word("Blinken", exact=True), Not(Word("Sullivan", exact=True))))


@pytest.mark.parametrize("text", ['"Hamas response"', "“Hamas response”", "«Hamas response»",
                                  "„Hamas response“", "”Hamas response”"])
def test_every_kind_of_quotation_mark_makes_a_phrase(text):
    assert tree(text) == Phrase(("Hamas", "response"))
    assert to_whoosh(tree(text)) == wq.Phrase("text", ["=hamas", "respons"])


@pytest.mark.parametrize("text, parts, joined", [
    ("Ben-Gvir", ["ben", "gvir"], "bengvir"),
    ("two-state", ["two", "state"], "twostat"),
    ("al-Thani", ["al", "thani"], "althani"),
    ("U.S.-brokered", ["us", "=brokered"], "=usbrokered"),
    ("COVID-19", ["covid", "19"], "covid19"),
    ("cease-fire", ["ceas", "fire"], "ceasefir"),
    ("9/11", ["9", "11"], "911"),
    ("S/RES/2735", ["s", "=res", "2735"], "sres2735"),
])
def test_a_hyphen_or_slash_inside_a_word_joins_it(text, parts, joined):
    # The phrase of its parts ("Ben Gvir") or the closed form ("ceasefire"); never a NOT.
    assert whoosh(text) == wq.Or([wq.Phrase("text", parts), wq.Term("text", joined)])


def test_a_minus_excludes_only_at_the_start_of_a_word():
    assert tree("(talks -Hamas)") == And((Word("talks"), Not(Word("Hamas", exact=True))))
    assert tree("-Hamas") == Not(Word("Hamas", exact=True))
    assert isinstance(tree("talks - Hamas"), And)  # a lone dash is punctuation


def test_accents_apostrophes_and_acronyms_fold():
    assert whoosh("Sánchez") == whoosh("Sanchez") == wq.Term("text", "sanchez")
    assert whoosh("Israel’s") == whoosh("Israel's") == whoosh("Israel")
    assert whoosh("U.S.") == whoosh("US") == wq.Term("text", "us")
    assert whoosh("U.N.") == whoosh("UN")


def test_keyword_fields_resolve_aliases_to_index_values():
    assert tree("speaker:witkoff truce", resolve=canon) == And(
        (Filter("speakers", "witkoff", ("Steve Witkoff",)), Word("truce")))
    assert whoosh('actor:"Hamas"', resolve=canon) == wq.Or([wq.Term("actors", "Hamas")])
    assert whoosh("actor:“Hamas”", resolve=canon) == wq.Or([wq.Term("actors", "Hamas")])


def test_an_unknown_tag_value_is_refused_with_the_nearest_known_ones():
    vocab = lambda field: ["Hamas", "Steve Witkoff", "Qatar"]  # noqa: E731
    with pytest.raises(BadFilter, match="No actor 'Hamass' in this index.*Nearest known: Hamas"):
        parse_query("actor:Hamass truce", resolve=canon, vocabulary=vocab)


def test_only_values_a_slip_away_are_offered_as_nearest():
    from search.query import nearest, unknown_value_message

    vocab = ["Uganda", "Hamas", "John Kirby", "NDTV", "Benjamin Netanyahu", "Al Jazeera English"]
    assert nearest("Gandalf", vocab) == []  # shares letters in order with Uganda, no more
    assert nearest("Kirbi", vocab) == ["John Kirby"]
    assert nearest("Netanyahoo", vocab) == ["Benjamin Netanyahu"]
    assert nearest("al jazira", vocab) == ["Al Jazeera English"]
    assert nearest("Hmas", vocab) == ["Hamas"]
    message = unknown_value_message("actors", "Gandalf", vocab * 10)
    assert "Uganda" not in message and "No known actor is spelled close" in message
    assert "parley stats" in message


def test_quote_field_and_prefix():
    assert whoosh("quote:unacceptable") == wq.Term("quote", "unaccept")
    assert tree("negotiat*") == Prefix("negotiat")
    # With no index at hand a prefix covers both the stems and the exact forms.
    assert whoosh("negotiat*") == wq.Or([wq.Prefix("text", "negotiat"), wq.Prefix("text", "=negotiat")])


def test_a_prefix_covers_the_stem_of_every_word_it_begins():
    index = {"text": ["=negotiated", "=negotiating", "=negotiations", "=negotiator", "negoti"]}
    expand = lambda field, p: [t for t in index[field] if t.startswith(p)]  # noqa: E731
    assert to_whoosh(tree("negotiat*"), expand) == wq.Term("text", "negoti")


def test_aliases_of_an_actor_are_expanded_and_said_so():
    parsed = parse_query("Haniya")
    assert parsed.tree.children[:2] == (Word("Haniya", exact=True), Word("Haniyeh", exact=True))
    assert parsed.expansions[0].actor == "Ismail Haniyeh"
    assert "Haniya expanded to Haniya OR Haniyeh OR" in reading(parsed)
    # Other common transliterations are alias data (indexer/data/actors.json), not code.
    for typed in ("Hanieh", "Haniye", "Zelenskiy", "Araqchi", "Raeisi"):
        expansion = parse_query(typed).expansions
        assert expansion and len(expansion[0].names) > 1, typed
    assert {w.text for w in tree("Hanieh").children} >= {"Hanieh", "Haniyeh", "Haniya"}
    assert isinstance(tree("Bibi"), Or)


def test_the_reading_says_how_the_query_was_read():
    assert reading(parse_query("Ben-Gvir")).startswith('"ben gvir" as a phrase')
    assert "names matched exactly: Waite" in reading(parse_query("Waite talks"))
    assert reading(parse_query('"Hamas response"~5')) == '"hamas response" within 5 words'
    assert reading(parse_query("")) == "every paragraph"


def test_positive_terms_skip_negations():
    assert positive_terms(whoosh('hostages -"no progress" Qatar')) == {"hostag", "qatar"}


@pytest.mark.parametrize("text, error, message", [
    ('"no progress', QuerySyntaxError, "Unbalanced quotation mark"),
    ("“no progress", QuerySyntaxError, "Unbalanced quotation mark"),
    ("(truce OR ceasefire", QuerySyntaxError, "Unbalanced brackets"),
    ("truce)", QuerySyntaxError, "closing bracket"),
    ("author:smith", QuerySyntaxError, "Unknown field 'author:'"),
    ("truce AND", QuerySyntaxError, "need a search term on each side"),
    ("OR truce", QuerySyntaxError, "need a search term on each side"),
    ("truce OR OR talks", QuerySyntaxError, "need a search term on each side"),
    ("NOT", QuerySyntaxError, "need a search term on each side"),
    ("*ostage", QueryTooExpensive, "only word endings can be wildcarded"),
    ("ne*", QueryTooExpensive, "after at least 4 letters"),
    ("h?stage", QueryTooExpensive, "only word endings"),
    ("hostage~2", QueryTooExpensive, "Fuzzy matching"),
    ("hostage~", QueryTooExpensive, "Fuzzy matching"),
    (" ".join(f"w{i}" for i in range(31)), QueryTooExpensive, "the limit is 30"),
    ("()", QuerySyntaxError, "no words"),
    ("(" * 240 + "a" + ")" * 240, QueryTooExpensive, "Brackets nest more than 20 deep"),
    ("— & %", QuerySyntaxError, "no words"),
])
def test_problems_are_explained(text, error, message):
    with pytest.raises(error, match=message):
        parse_query(text)


def test_empty_query_means_everything():
    assert tree("   ") == Every()
    assert whoosh("   ") == wq.Every()
