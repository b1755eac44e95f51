"""Paragraph splitting on the real seed articles and small hand-made cases."""

from __future__ import annotations

import json

from indexer.models import Article, Paragraph
from indexer.paragraphs import is_heading, split_blocks, split_paragraphs
from tests.conftest import SEEDS

MANIFEST = {a["file"]: a for a in json.loads((SEEDS / "manifest.json").read_text())["articles"]}


def seed(name: str) -> Article:
    meta = MANIFEST[name]
    return Article("a", (SEEDS / name).read_text(encoding="utf-8"), name, title=meta["title"])


def test_blank_lines_split_and_single_newlines_split_when_no_blank_lines():
    assert split_blocks("One.\n\nTwo.") == ["One.", "Two."]
    assert split_blocks("One.\nTwo.\nThree.") == ["One.", "Two.", "Three."]


def test_hard_wrapped_lines_are_joined():
    text = "The talks in Cairo resumed on Monday with delegations\nfrom Israel and Hamas present.\n\nNext."
    assert split_blocks(text) == [
        "The talks in Cairo resumed on Monday with delegations from Israel and Hamas present.", "Next."]


def test_seed_000_drops_standfirst_and_both_headlines():
    paras = split_paragraphs(seed("000_856f695a1eedb8c1.txt"))
    assert paras[0] == Paragraph("a", 0, "Tensions escalate in Gaza as US labels Hamas demands as "
                                 "'impractical' amid stalling ceasefire talks.")
    assert paras[1].text.startswith("Talks to extend the fragile ceasefire in Gaza have broken down")
    assert [p.position for p in paras] == list(range(9))
    assert not any("US Dismisses Hamas' Proposals" in p.text for p in paras)


def test_seed_001_keeps_the_repeated_lead_quote_once_and_crosshead_as_heading():
    paras = split_paragraphs(seed("001_f4be7670daf18060.txt"))
    texts = [p.text for p in paras]
    lead = ('"There is no change in the position of the occupation and therefore, there is nothing '
            'new in the Cairo talks," the Hamas official, who asked not to be named, told Reuters.')
    assert texts.count(lead) == 1
    assert texts[texts.index(lead) + 1] == '"There is no progress yet."'
    # Summary block (headline, lead quote, bullet) and the lone dateline are gone.
    assert texts[0].startswith("A Hamas official said on Monday no progress was made")
    assert "Cairo, Egypt:" not in texts
    assert not any(t.startswith("(Except for the headline") for t in texts)
    demands = next(p for p in paras if p.heading)
    assert (demands.heading, demands.text[:40]) == ("Main Demands", "However, a Palestinian official close to")
    assert len(paras) == 23


def test_seed_002_drops_also_read_and_turns_crosshead_into_heading():
    paras = split_paragraphs(seed("002_5f2d055af7a7c603.txt"))
    assert not any(p.text.startswith("Also Read") for p in paras)
    assert [(p.position, p.heading) for p in paras if p.heading] == [
        (4, "Hamas Chief Accuses Israeli PM Netanyahu Of Obstructing Mediation Efforts")]
    assert len(paras) == 10


def test_headings_are_short_unpunctuated_lines():
    assert is_heading("'Main Demands'")
    assert is_heading("Hamas Chief Accuses Israeli PM Netanyahu Of Obstructing Mediation Efforts")
    assert not is_heading("Israel carried out at least five more airstrikes on Rafah on Monday.")
    assert not is_heading("Hamas seized 253 people during an October 7, cross-border killing spree in southern Israel")


def test_verbatim_repeat_is_kept_once_where_the_body_has_it():
    # The earlier copy is usually a summary block above the story; the later one has context.
    text = "Hamas said talks in Cairo would resume next week.\n\nOther news.\n\nHamas said talks in Cairo would resume next week."
    assert [p.text for p in split_paragraphs(Article("a", text, "x"))] == [
        "Other news.", "Hamas said talks in Cairo would resume next week."]


def test_the_credit_line_of_an_embedded_post_is_a_paragraph_not_a_heading():
    # AEB sky: the credit names who posted the text above it; it heads nothing below.
    text = ("Club statement\n\n— Tottenham Hotspur (@SpursOfficial) November 20, 2019\n\n"
            "\"He has won a domestic title in a record four different countries.\"")
    assert not is_heading("— Tottenham Hotspur (@SpursOfficial) November 20, 2019")
    assert [(p.text[:20], p.heading) for p in split_paragraphs(Article("a", text, "x"))] == [
        ("Club statement", None), ("— Tottenham Hotspur ", None), ("\"He has won a domest", None)]
