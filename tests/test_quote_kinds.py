"""Quotation kinds (direct, partial, reported, turn) through the index: CLI, API, CSV, page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from web import create_app
from web.cli import cli


@pytest.fixture(scope="module")
def client(seed_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(seed_index)}).test_client()


def _cli(seed_index, *args):
    return CliRunner().invoke(cli, ["quotes", *args, "--index-dir", str(seed_index)])


def test_quotes_list_marked_speech_unless_reported_speech_is_asked_for(seed_index):
    default = json.loads(_cli(seed_index, "--speaker", "Witkoff", "--format", "json").output)
    assert {q["kind"] for q in default["quotes"]} <= {"direct", "partial", "turn"}
    reported = json.loads(_cli(seed_index, "--speaker", "Witkoff", "--kind", "reported",
                               "--format", "json").output)
    assert sorted((q["kind"], q["text"]) for q in reported["quotes"]) == [
        ("reported", "Hamas' messaging contradicted their true intentions"),
        ("reported", 'they should "accept the framework proposal we put forward as the basis '
                     'for proximity talks."')]
    both = json.loads(_cli(seed_index, "--speaker", "Witkoff", "--kind", "reported", "--kind",
                           "partial", "--format", "json").output)
    partials = sum(q["kind"] == "partial" for q in default["quotes"])
    # A partial quotation inside a reported one shares its last words: they may be one group.
    assert reported["total"] < both["total"] <= reported["total"] + partials


def test_text_output_names_the_kind_and_shows_reported_speech_without_marks(seed_index):
    out = _cli(seed_index, "--speaker", "Witkoff", "--kind", "reported").output
    assert "\nHamas' messaging contradicted their true intentions  [reported]\n" in out


def test_an_unknown_kind_is_a_usage_error_and_a_400(seed_index, client):
    result = _cli(seed_index, "--kind", "indirect")
    assert result.exit_code == 2 and "'indirect' is not one of" in result.output
    response = client.get("/api/quotes?kind=indirect")
    assert response.status_code == 400
    assert "Unknown quotation kind 'indirect'" in response.get_json()["error"]


def test_api_csv_and_page_carry_the_kind(client):
    data = client.get("/api/quotes?speaker=Witkoff&kind=reported").get_json()
    assert {q["kind"] for q in data["quotes"]} == {"reported"}
    rows = list(csv.DictReader(io.StringIO(
        client.get("/export/quotes.csv?speaker=Witkoff&kind=reported").get_data(as_text=True))))
    assert {r["kind"] for r in rows} == {"reported"}
    page = client.get("/quotes?speaker=Witkoff&kind=reported").get_data(as_text=True)
    assert 'class="quote-card kind-reported"' in page and "<blockquote>" not in page
    page = client.get("/quotes?speaker=Witkoff").get_data(as_text=True)
    assert "kind-reported" not in page and "<blockquote>" in page


def _search(seed_index, *args):
    result = CliRunner().invoke(cli, ["search", *args, "--format", "json", "--limit", "0",
                                      "--index-dir", str(seed_index)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_search_kind_keeps_paragraphs_holding_a_quotation_of_that_kind(seed_index):
    every = _search(seed_index)
    reported = _search(seed_index, "--kind", "reported")
    assert 0 < reported["total"] < every["total"]
    assert all(any(q["kind"] == "reported" for q in h["quotes"]) for h in reported["hits"])
    both = _search(seed_index, "--kind", "reported", "--kind", "direct")
    direct = _search(seed_index, "--kind", "direct")
    assert max(reported["total"], direct["total"]) <= both["total"] <= (
        reported["total"] + direct["total"])


def test_quote_field_means_words_in_marks_unless_reported_speech_is_asked_for(seed_index):
    # Witkoff's "messaging contradicted their true intentions" is reported, never in marks.
    assert _search(seed_index, "quote:messaging")["total"] == 0
    found = _search(seed_index, "quote:messaging", "--kind", "reported")
    assert found["total"] == 1
    assert any(q["kind"] == "reported" and "messaging" in q["text"]
               for q in found["hits"][0]["quotes"])
    assert _search(seed_index, "messaging")["total"] >= 1  # the paragraph text still has it


def test_search_api_and_page_take_the_kind_and_refuse_an_unknown_one(seed_index, client):
    api = client.get("/api/search?q=quote:messaging&kind=reported").get_json()
    assert api["total"] == 1 and api["request"]["kinds"] == ["reported"]
    assert client.get("/api/search?q=quote:messaging").get_json()["total"] == 0
    bad = client.get("/api/search?q=talks&kind=indirect")
    assert bad.status_code == 400 and "Unknown quotation kind" in bad.get_json()["error"]
    result = CliRunner().invoke(cli, ["search", "talks", "--kind", "indirect", "--index-dir",
                                      str(seed_index)])
    assert result.exit_code == 2 and "'indirect' is not one of" in result.output
    page = client.get("/?q=quote:messaging&kind=reported").get_data(as_text=True)
    assert '<option value="reported" selected>' in page and "kind: reported" in page
    assert "contradicted" in page
