"""Actor discovery from an article's own text (indexer/discovery.py), on text written here."""

from __future__ import annotations

import json

import pytest

from indexer.discovery import discover
from indexer.lexicon import Lexicon
from indexer.models import Article
from indexer.paragraphs import split_paragraphs
from indexer.tagging import tag_article


@pytest.fixture(scope="module")
def lx() -> Lexicon:
    return Lexicon.load()


STRIKE = [
    "FREDERICTON — Premier Brian Gallant said on Tuesday the province would not reopen the "
    "contract, as 2,000 nurses stayed off the job for a third day.",
    "Gallant, speaking after a cabinet meeting, said the New Brunswick Nurses Union had been "
    "offered a fair deal.",
    "Union president Paula Doucet said members would vote on Friday. \"We are not going back "
    "without a raise,\" Doucet told reporters in Moncton.",
    "The International Monetary Fund (IMF) has warned provinces about deficits; the IMF said "
    "so in March.",
    "Paula Doucet, the union's president, has led the nurses since 2017.",
]


def test_people_organisations_and_acronyms_are_found_and_folded(lx):
    found = discover(STRIKE, lx)
    assert found.paragraphs[0] == ["Brian Gallant"]
    assert found.paragraphs[1] == ["Brian Gallant", "New Brunswick Nurses Union"]
    assert found.paragraphs[2] == ["Paula Doucet"]  # "Doucet" folds to the full name
    assert found.paragraphs[3] == ["International Monetary Fund"]  # and IMF is the same actor
    assert found.types["Brian Gallant"] == "person"
    assert found.types["International Monetary Fund"] == "organisation"
    assert found.evidence["Brian Gallant"] == "title"


def test_a_full_name_in_the_article_beats_a_seed_namesake(lx):
    assert lx.resolve("Gallant") == "Yoav Gallant"  # the seed alias exists...
    article = Article("a1", "\n\n".join(STRIKE), "mem", title="Nurses strike",
                      published="2019-05-01")
    tagged = tag_article(article, split_paragraphs(article), lx)
    actors = {a for t in tagged for a in t.actors}
    assert "Yoav Gallant" not in actors  # ...but this article names another Gallant
    assert {"Brian Gallant", "Paula Doucet", "New Brunswick Nurses Union"} <= actors


def test_seed_aliases_still_fold_when_the_article_gives_no_other_full_name(lx):
    text = ["Bibi told the cabinet on Sunday that the talks would go on, his office said in a "
            "statement released in Jerusalem."]
    article = Article("a2", text[0], "mem", published="2024-05-01")
    tagged = tag_article(article, split_paragraphs(article), lx)
    assert "Benjamin Netanyahu" in tagged[0].actors


def test_no_evidence_no_actor(lx):
    texts = [
        "On Monday Kofi Mensah went to the market in Lima and bought bread for the week ahead.",
        "By Sunday March was over, and Wednesday Evening was quiet at the church hall.",
    ]
    found = discover(texts, lx)
    assert found.paragraphs == [[], []]  # one bare mention, months, weekdays: nothing


def test_second_mention_speech_verb_and_apposition_are_evidence(lx):
    texts = [
        "Talks resumed after Omar Haddad, a lawyer for the families, met the mediators in a hotel "
        "lobby late into the night.",
        "Nadia Karim said the offer was too low. Later, asked again, she added nothing more.",
        "Lina Sato attended. The meeting ended; Lina Sato left first and did not comment.",
    ]
    found = discover(texts, lx)
    assert found.paragraphs == [["Omar Haddad"], ["Nadia Karim"], ["Lina Sato"]]


def test_places_named_after_a_preposition_are_not_people(lx):
    texts = ["Delegates met in Sharm Sheikhville on Monday, and talks in Sharm Sheikhville "
             "went on for a second day, officials said."]
    assert discover(texts, lx).paragraphs == [[]]


def test_headings_and_bylines_give_no_actors(lx):
    texts = ["By Jane Doe and John Roe", "Jane Doe", "John Roe and Jane Doe filed this report "
             "from the capital after a long day of meetings."]
    assert discover(texts, lx).paragraphs[:2] == [[], []]


def test_quotation_speakers_are_actors(lx):
    text = ("\"The offer is not acceptable,\" said Tomas Lindqvist, who chairs the "
            "bargaining committee.\n\nThe employers did not reply.")
    article = Article("a3", text, "mem", published="2019-05-01")
    tagged = tag_article(article, split_paragraphs(article), lx)
    assert "Tomas Lindqvist" in tagged[0].actors


def test_actors_file_still_adds_aliases(tmp_path):
    extra = tmp_path / "mine.json"
    extra.write_text(json.dumps({"actors": [
        {"name": "Canadian Union of Postal Workers", "type": "organisation",
         "aliases": ["CUPW"]}]}))
    lx = Lexicon.load([str(extra)])
    article = Article("a4", "CUPW members walked off the job across the country on Monday morning.",
                      "mem", published="2018-10-22")
    tagged = tag_article(article, split_paragraphs(article), lx)
    assert tagged[0].actors == ("Canadian Union of Postal Workers",)


# -- topics for negotiations in general ------------------------------------------------------


@pytest.mark.parametrize(("text", "expected", "absent"), [
    ("Ottawa announced sanctions on 14 Russian officials over the annexation of Crimea, the "
     "foreign minister said.", {"sanctions", "territory"}, {"west-bank"}),
    ("The agency offers settlement services to refugees arriving in Winnipeg, from housing to "
     "language classes.", set(), {"west-bank", "reconstruction"}),
    ("Police said the girl was kidnapped outside her school on Monday and found safe two days "
     "later.", set(), {"hostages"}),
    ("Hopes of a trade truce lifted markets as negotiators met on tariffs in Washington.",
     {"trade", "mediation"}, {"ceasefire"}),
    ("The union said 2,000 nurses would go on strike on Friday unless the province returned to "
     "the bargaining table.", {"labour", "mediation"}, set()),
    ("Creditor banks agreed to reschedule the debt after the IMF accord was signed.",
     {"debt"}, set()),
])
def test_topics_fit_negotiations_other_than_gaza(lx, text, expected, absent):
    topics = set(lx.find_topics(text))
    assert expected <= topics and not topics & absent


def test_a_topics_file_can_extend_or_replace_the_taxonomy(tmp_path):
    extend = tmp_path / "extend.json"
    extend.write_text(json.dumps({"topics": [
        {"name": "labour", "triggers": ["job action"]},
        {"name": "fisheries", "label": "Fisheries", "triggers": ["fishing quota*"]}]}))
    lx = Lexicon.load([str(extend)])
    assert lx.explain_topics("Teachers began a job action over fishing quotas.") == {
        "labour": ["job action"], "fisheries": ["fishing quota*"]}
    replace = tmp_path / "replace.json"
    replace.write_text(json.dumps({"replace_topics": True, "topics": [
        {"name": "fisheries", "triggers": ["fishing quota*"]}]}))
    assert [t.name for t in Lexicon.load([str(replace)]).topics] == ["fisheries"]


def test_words_inside_links_trigger_no_topic(lx):
    text = "Live updates: aje.io/x1:=:https://www.aljazeera.com/news/raid-occupied-west-bank-towns"
    assert lx.explain_topics(text) == {}


def test_a_common_given_name_is_evidence_of_a_person(lx):
    texts = ["The cast also includes Zoe Saldana and Karl Urban, the studio said on Tuesday."]
    found = discover(texts, lx)
    assert found.paragraphs == [["Zoe Saldana", "Karl Urban"]]
    assert found.evidence["Zoe Saldana"] == "first name"


def test_a_possessive_apposition_names_the_employer_not_the_person(lx):
    found = discover(["\"We will ballot our members,\" said Pekka Lindqvist, the union's "
                      "chairman, after the talks ended without a deal on Monday."], lx)
    assert found.types["Pekka Lindqvist"] == "person"


def test_phrases_naming_a_kind_of_body_are_not_actors(lx):
    texts = ["The Task Force met in the Oval Office on Monday, and the Central Bank said rates "
             "would hold, while the Federal Reserve Board said nothing.",
             "Officials of the Task Force said the Central Bank had been consulted."]
    named = {a for p in discover(texts, lx).paragraphs for a in p}
    assert not named & {"Task Force", "Oval Office", "Central Bank"}
    assert "Federal Reserve Board" in named
