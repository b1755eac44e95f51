"""Direct quotations: whole-value checks on the seeds, real corpus text and one case per rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.lexicon import Lexicon
from indexer.models import Quote
from indexer.quotes import extract_quotes as extract_all

ROOT = Path(__file__).resolve().parents[1]


def extract_quotes(paragraphs, **kw) -> list[tuple[Quote, ...]]:
    """Quotations in marks and transcript turns: most tests here are about those; reported
    speech (kind "reported") has its own tests at the end."""
    return [tuple(q for q in qs if q.kind != "reported") for qs in extract_all(paragraphs, **kw)]

CORPORA = ROOT.parent / "shared" / "corpora"

# A pinned lexicon, so these expectations do not move when data/actors.json grows.
ROLE_PM = ["Israeli Prime Minister", "Israeli PM"]
LX = Lexicon(
    actors=[
        {"name": "Benjamin Netanyahu", "type": "person", "aliases": ["Netanyahu"],
         "roles": [{"aliases": ROLE_PM, "from": "2022-12-29", "to": None}]},
        {"name": "Steve Witkoff", "type": "person", "aliases": ["Witkoff"],
         "roles": [{"aliases": ["US Special Envoy to the Middle East"], "from": "2025-01-20",
                    "to": None}]},
        {"name": "Ismail Haniyeh", "type": "person", "aliases": ["Haniyeh"]},
        {"name": "Ronald Reagan", "type": "person", "aliases": ["Reagan", "President Reagan"]},
        {"name": "John Kirby", "type": "person", "aliases": ["Kirby", "MR. KIRBY"]},
        {"name": "Hamas", "type": "group", "aliases": ["Hamas'", "Hamas's"]},
        {"name": "Israel", "type": "state", "aliases": ["Israeli"]},
        {"name": "United States", "type": "state", "aliases": ["US", "U.S."]},
        {"name": "Qatar", "type": "state", "aliases": ["Qatari"]},
    ],
    media=[
        {"name": "Reuters", "type": "wire"},
        {"name": "AFP", "type": "wire"},
        {"name": "BBC", "type": "broadcaster", "aliases": ["BBC News"]},
        {"name": "CNN", "type": "broadcaster"},
        {"name": "Al-Qahera News", "type": "broadcaster", "aliases": ["Al-Qahera"]},
    ],
    topics=[],
)  # fmt: skip


def _speakers(paragraphs: list[str], lexicon: Lexicon = LX) -> list[str | None]:
    """Every quotation's speaker, in order across the paragraphs."""
    return [q.speaker for qs in extract_quotes(paragraphs, lexicon=lexicon) for q in qs]


def one(text: str, **kw) -> tuple[Quote, ...]:
    return extract_quotes([text], lexicon=LX, **kw)[0]


def seed_paragraphs(name: str) -> list[str]:
    text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def seed_quotes(name: str) -> list[tuple[Quote, ...]]:
    manifest = json.loads((ROOT / "seeds" / "manifest.json").read_text(encoding="utf-8"))
    date = next(a["published"] for a in manifest["articles"] if a["file"] == name)
    return extract_quotes(seed_paragraphs(name), lexicon=LX, date=date)


def expand(expected: dict[int, tuple[Quote, ...]], n: int) -> list[tuple[Quote, ...]]:
    return [expected.get(i, ()) for i in range(n)]


# -- the seeds: every quotation, paragraph by paragraph ------------------------------------

SEED_000: dict[int, tuple[Quote, ...]] = {}  # 'impractical', "entirely impractical", "bad bet": fragments
SEED_001 = {
    1: (
        Quote(text='There is no change in the position of the occupation and therefore, there is nothing new in the Cairo talks,', speaker='Hamas official (unnamed)', start=1, end=109, verb='told', via='Reuters', speaker_type='anonymous', kind='direct'),
        Quote(text='There is no progress yet.', speaker='Hamas official (unnamed)', start=173, end=198, verb='told', via='Reuters', speaker_type='anonymous', kind='direct'),
    ),
    7: (
        Quote(text='There is no change in the position of the occupation and therefore, there is nothing new in the Cairo talks,', speaker='Hamas official (unnamed)', start=1, end=109, verb='told', via='Reuters', speaker_type='anonymous', kind='direct'),
    ),
    8: (
        Quote(text='There is no progress yet.', speaker='Hamas official (unnamed)', start=1, end=26, verb='told', via='Reuters', speaker_type='anonymous', kind='direct'),
    ),
    19: (
        Quote(text='Regarding the exchange of prisoners, Hamas was and is willing to be more flexible, but there is no flexibility over our...main demands,', speaker='Palestinian official (unnamed)', start=1, end=136, verb='told', via='Reuters', speaker_type='anonymous', kind='direct'),
    ),
    24: (
        Quote(text='their coming mission in the Rafah area', speaker='Yoav Gallant', start=145, end=183, verb='said', via=None, speaker_type='person', kind='partial'),
    ),
    27: (
        Quote(text='without a broad assault on Rafah to defeat Hamas, he will not have a mandate to continue as prime minister', speaker='Itamar Ben-Gvir', start=198, end=304, verb='said', via=None, speaker_type='person', kind='partial'),
    ),
}
SEED_002 = {
    2: (
        Quote(text='But while Israel has shown willingness, Hamas remains entrenched in its extreme positions, first among them the demand to remove all our forces from the Gaza Strip, end the war, and leave Hamas in power. Israel cannot accept that', speaker='Benjamin Netanyahu', start=1, end=230, verb='said', via=None, speaker_type='person', kind='direct'),
    ),
    3: (
        Quote(text='Hamas would be able to achieve its promise of carrying out again and again and again its massacres, rapes and kidnapping.', speaker='Benjamin Netanyahu', start=19, end=140, verb='added', via=None, speaker_type='person', kind='direct'),
    ),
    7: (
        Quote(text='invent constant justifications for the continuation of aggression, expanding the circle of conflict, and sabotaging efforts made through various mediators and parties', speaker='Ismail Haniyeh', start=61, end=227, verb='remarked', via='AFP', speaker_type='person', kind='partial'),
    ),
}
SEED_003 = {
    0: (
        Quote(text='only takes us backward.', speaker='Steve Witkoff', start=190, end=213, verb='stated', via=None, speaker_type='person', kind='partial'),
    ),
    1: (
        Quote(text='aims to achieve a permanent ceasefire, a comprehensive withdrawal from the Gaza Strip, and ensure the flow of aid to our people and our families in the Gaza Strip.', speaker='Hamas', start=173, end=336, verb='said', via=None, speaker_type='group', kind='partial'),
    ),
    2: (
        Quote(text='As part of this agreement, 10 living Israeli prisoners held by the resistance will be released, in addition to the return of 18 bodies, in exchange for an agreed-upon number of Palestinian prisoners,', speaker='Hamas', start=1, end=200, verb='said', via=None, speaker_type='group', kind='direct'),
    ),
    3: (
        Quote(text='accept the framework proposal we put forward as the basis for proximity talks.', speaker='Steve Witkoff', start=81, end=159, verb='said', via=None, speaker_type='person', kind='partial'),
    ),
    4: (
        Quote(text="I received the Hamas response to the United States' proposal. It is totally unacceptable and only takes us backward. Hamas should accept the framework proposal we put forward as the basis for proximity talks, which we can begin immediately this coming week.", speaker='Steve Witkoff', start=45, end=302, verb='wrote', via='X', speaker_type='person', kind='direct'),
    ),
    5: (
        Quote(text='That is the only way we can close a 60-day ceasefire deal in the coming days in which half of the living hostages and half of those who are deceased will come home to their families and in which we can have at the proximity talks substantive negotiations in good-faith to try to reach a permanent ceasefire,', speaker='Steve Witkoff', start=1, end=308, verb='added', via=None, speaker_type='person', kind='direct'),
    ),
}



@pytest.mark.parametrize(
    "name, expected",
    [
        ("000_856f695a1eedb8c1.txt", SEED_000),
        ("001_f4be7670daf18060.txt", SEED_001),
        ("002_5f2d055af7a7c603.txt", SEED_002),
        ("003_26cd42673f7cf204.txt", SEED_003),
    ],
)
def test_seed_quotes(name, expected):
    result = seed_quotes(name)
    assert result == expand(expected, len(seed_paragraphs(name)))


def test_offsets_are_exact_on_seeds():
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        paragraphs = seed_paragraphs(path.name)
        for text, quotes in zip(paragraphs, seed_quotes(path.name), strict=True):
            assert [text[q.start : q.end] for q in quotes] == [q.text for q in quotes]


# -- one small case per rule ---------------------------------------------------------------


def test_split_quote_is_two_spans_with_one_speaker():
    result = extract_quotes(
        ["Netanyahu said on Sunday that the war would go on.",
         '"We will," he said, "never accept it."'],
        lexicon=LX,
    )  # fmt: skip
    assert result == [
        (),
        (
            Quote("We will,", "Benjamin Netanyahu", 1, 9, "said", None, "person"),
            Quote("never accept it.", "Benjamin Netanyahu", 21, 37, "said", None, "person"),
        ),
    ]


def test_curly_single_marks_and_apostrophe_inside():
    assert one("‘We cannot accept Gaza’s destruction,’ the minister said.") == (
        Quote("We cannot accept Gaza’s destruction,", "Minister (unnamed)", 1, 37, "said", None,
              "anonymous"),
    )  # fmt: skip


def test_nested_single_quote_stays_inside():
    text = "Witkoff said: \"They called it a 'final offer' and walked away from the table.\""
    assert one(text) == (
        Quote("They called it a 'final offer' and walked away from the table.", "Steve Witkoff",
              15, 77, "said", None, "person"),
    )  # fmt: skip


def test_apostrophes_are_not_marks():
    text = (
        "Hamas' leaders don't agree, Netanyahu said, adding that Gaza's future is "
        '"not up for negotiation at all".'
    )
    assert one(text) == (
        Quote("not up for negotiation at all", "Benjamin Netanyahu", 74, 103, "said", None,
              "person", "partial"),
    )  # fmt: skip


def test_according_to_typed_anonymous():
    assert one('"The talks are over for now," according to a senior Israeli official.') == (
        Quote("The talks are over for now,", "Israeli official (unnamed)", 1, 28, "according to",
              None, "anonymous"),
    )  # fmt: skip


def test_plural_anonymous_sources():
    assert one('"We are studying the proposal carefully," two Egyptian security sources said.') == (
        Quote("We are studying the proposal carefully,", "Egyptian security sources (unnamed)", 1,
              40, "said", None, "anonymous"),
    )  # fmt: skip


def test_the_envoy_resolves_to_the_earlier_speaker_and_via():
    result = extract_quotes(
        ["US Special Envoy Steve Witkoff said on Monday that talks would resume.",
         '"There is a deal to be had," the envoy told the BBC.'],
        lexicon=LX,
    )  # fmt: skip
    assert result[1] == (
        Quote("There is a deal to be had,", "Steve Witkoff", 1, 27, "told", "BBC", "person"),
    )


def test_the_statement_said_is_the_issuer():
    text = '"The United States will keep working for a ceasefire," the statement said.'
    assert one(text, issuer="The White House") == (
        Quote("The United States will keep working for a ceasefire,", "The White House", 1, 53,
              "said", None, "organisation"),
    )  # fmt: skip


def test_scare_quotes_and_titles_are_dropped():
    assert one("Hamas rejected the \"proposal\" and called it 'extreme', a \"bad bet\" by Washington.") == ()
    assert one('The book "Art of the Deal" sold well.') == ()  # 3+ words, but nobody says it


def test_quote_running_on_into_the_next_paragraph():
    result = extract_quotes(
        ['Witkoff said the plan was ready. "We have done our part and we expect an answer soon.',
         '"Hamas knows what it must do," he added.'],
        lexicon=LX,
    )  # fmt: skip
    assert result == [
        (Quote("We have done our part and we expect an answer soon.", "Steve Witkoff", 34, 85,
               "added", None, "person"),),
        (Quote("Hamas knows what it must do,", "Steve Witkoff", 1, 29, "added", None, "person"),),
    ]  # fmt: skip


def test_wrote_on_x():
    assert one('Writing on X, Witkoff wrote: "The proposal is on the table for both sides."') == (
        Quote("The proposal is on the table for both sides.", "Steve Witkoff", 30, 74, "wrote", "X",
              "person"),
    )  # fmt: skip


def test_unresolvable_pronoun_leaves_speaker_unknown():
    assert one('"We will never leave this land," she said.') == (
        Quote("We will never leave this land,", None, 1, 31, "said", None, "unknown"),
    )


def test_she_is_the_woman_just_named_and_i_is_the_speech_giver():
    paragraphs = [
        'Reagan said, "We will not give in." Then I sat across from Golda Meir at her desk.',
        'She looked at me and said, "Would you like a photograph?" And I said, "Of course, I am."',
    ]
    result = extract_quotes(paragraphs, lexicon=LX, title="Remarks by President Reagan on Israel")
    assert [(q.text, q.speaker) for q in result[1]] == [
        ("Would you like a photograph?", "Golda Meir"),
        ("Of course, I am.", "Ronald Reagan"),
    ]


def test_pronoun_goes_to_the_sentence_subject_named_since_the_last_speaker():
    paragraphs = [
        '"We will see," Reagan said.',
        "Then, last week, Big Machine denied it.",
        '"At no point did we block her," they said.',
    ]
    assert extract_quotes(paragraphs, lexicon=LX)[2][0].speaker == "Big Machine"


def test_surname_takes_the_full_name_given_earlier_even_after_a_particle_lookalike():
    paragraphs = ["Burnley council leader Afrasiab Anwar called for a ceasefire.",
                  'Anwar said: "I joined the party for its values."']  # "leader" ends in "der"
    assert extract_quotes(paragraphs, lexicon=LX)[1][0].speaker == "Afrasiab Anwar"


def test_transcript_label_takes_the_full_name_from_the_title():
    paragraphs = ["MR. BATES: Good morning.", "Q Is there a deal?", "MR. BATES: Not yet."]
    title = "Press Gaggle by Principal Deputy Press Secretary Andrew Bates"
    result = extract_quotes(paragraphs, lexicon=LX, title=title)
    assert [q.speaker for qs in result for q in qs] == ["Andrew Bates", "Andrew Bates"]


def test_short_quotes_are_kept_only_as_whole_utterances():
    assert one('Reagan called the charges "utterly false."') == ()
    assert one('Putin called it a, quote, "large-scale provocation."') == ()
    assert one('Reagan replied, "No," smiled and walked away.') == ()
    assert one("'Meth. We're On It.': South Dakota spends on an ad campaign, Reagan said") == ()
    assert [q.text for q in one('"No," Reagan said.')] == ["No,"]


def test_quote_cue_takes_the_person_named_in_the_sentence():
    text = 'A claim by Mr. Netanyahu suggested the mediators would impose, quote, "a surrender deal."'
    assert [(q.text, q.speaker) for q in one(text)] == [("a surrender deal.", "Benjamin Netanyahu")]


def test_generic_subjects_are_never_speakers():
    paragraphs = ['Q You said "dual citizens are at risk." How many?', "MR. KIRBY: I do not know.",
                  'Q Everybody says "the deal is close now." Is it?']
    # Unattributed, the quoted words are left out rather than given to "Q You" or "Everybody".
    assert _speakers(paragraphs) == [
        "John Kirby"]


def test_attributions_that_name_no_one_still_keep_the_quote():
    # '"...," said the radio' is speech even when the text never names the station: the
    # speaker is typed by the description.
    quote = one('"Terry Waite was taken hostage by a group," said the radio, monitored by the BBC.')[0]
    assert (quote.speaker, quote.speaker_type) == ("Radio (unnamed)", "organisation")
    paragraphs = ['"He might die in 10 days," said a hand-written statement by Islamic Jihad.',
                  '"We will free him for 100 detainees," said the statement.']
    assert _speakers(paragraphs) == [
        "Islamic Jihad", "Islamic Jihad"]


def test_asked_then_replied_goes_to_the_one_asked():
    paragraphs = ["Governor Jay Inslee appointed Raquel Montoya-Lewis to the court.",
                  'A reporter asked Montoya-Lewis, "What do you see as the biggest problem?"',
                  '"Getting people to understand their biases," she replied.']
    assert _speakers(paragraphs) == [
        "Reporter (unnamed)", "Raquel Montoya-Lewis"]


def test_cues_went_on_to_say_and_in_the_words_of():
    text = ('"In contrast," it went on to say, "the US turned in the documents." A ceasefire would '
            'become, in the words of the Israeli proposal, "the cessation of hostilities permanently."')
    assert [q.text for q in one(text, issuer="Hamas")] == [
        "In contrast,", "the US turned in the documents.", "the cessation of hostilities permanently."]


def test_pronoun_after_a_sentence_opening_clause_and_a_possessive_mention():
    paragraphs = [
        '"We pray for both men," said White House Press Secretary Stephanie Grisham.',
        "When Afghan President Ashraf Ghani announced the exchange, he said it was safe.",
        'He also hoped the swap would "pave the way" for talks, he said.',
        "Rep. Ilhan Omar was threatened in a call to Omar’s office, in which he said he would kill.",
        'Omar asked for compassion. She added, "We must teach the defendant love."',
    ]
    assert _speakers(paragraphs) == [
        "Stephanie Grisham", "Ashraf Ghani", "Ilhan Omar"]


def test_labels_and_sentence_openers_never_join_a_name():
    paragraphs = ["MR. KIRBY: Good morning.", "Q Thanks. Mr. Netanyahu spoke in the U.S. Today he met.",
                  'Q Karine, on Israel. Asked about the hostages, he said, "They are coming home."',
                  'Q The U.N. Commissioner for Human Rights said, "The gates to a living nightmare."']
    assert _speakers(paragraphs) == [
        "John Kirby", "Benjamin Netanyahu", "U.N. Commissioner for Human Rights"]


def test_speaker_named_with_an_arabic_particle_after_the_quote():
    text = '"The risk is real," Noura al-Kaabi, a minister of state for foreign affairs, told a forum.'
    assert [q.speaker for q in one(text)] == ["Noura al-Kaabi"]


def test_transcript_turns():
    paragraphs = [
        "MR. KIRBY: Good evening. We are working on the hostage deal.",
        "It will take time.",
        "Q Thank you. Is there a ceasefire?",
        "SENIOR ADMINISTRATION OFFICIAL: Not yet, but talks go on.",
        "MS. REPOSA: Next question.",
        "6:31 P.M. EDT",
    ]
    assert extract_quotes(paragraphs, lexicon=LX, date="2023-10-10") == [
        (Quote("Good evening. We are working on the hostage deal.", "John Kirby", 11, 60, "said",
               None, "person", "turn"),),
        (Quote("It will take time.", "John Kirby", 0, 18, "said", None, "person", "turn"),),
        (),
        (Quote("Not yet, but talks go on.", "Senior administration official (unnamed)", 32, 57,
               "said", None, "anonymous", "turn"),),
        (Quote("Next question.", "Ms. Reposa", 12, 26, "said", None, "person", "turn"),),
        (),
    ]  # fmt: skip


def test_two_turn_labels_in_one_paragraph_are_two_turns():
    paragraphs = ["MR. KIRBY: Good morning.",
                  "Q: Are you okay, Admiral? MR. KIRBY: Yes. Thanks, Mr. Smith. Q: Good.",
                  "MODERATOR: Next question. MR. KIRBY: One more. WASHINGTON: a city."]
    found = extract_quotes(paragraphs, lexicon=LX, date="2023-10-10")
    assert [[(q.text, q.speaker, q.speaker_type) for q in qs] for qs in found] == [
        [("Good morning.", "John Kirby", "person")],
        [("Yes. Thanks, Mr. Smith.", "John Kirby", "person")],  # the reporter's "Q:" is no quote
        [("Next question.", "Moderator", "role"),
         ("One more. WASHINGTON: a city.", "John Kirby", "person")],
    ]
    for text, qs in zip(paragraphs, found, strict=True):
        assert all(text[q.start:q.end] == q.text for q in qs)


def test_the_call_s_roles_are_typed_roles_and_left_out_of_speaker_lists(tmp_path):
    from indexer import ingest
    from search import list_speakers
    (tmp_path / "call.txt").write_text(
        "Press call on the talks\n\nMODERATOR: Welcome, everyone. Our first question.\n\n"
        "MR. KIRBY: We are working on the deal.\n\nOPERATOR: The next line is open.\n\n"
        "MR. KIRBY: Thank you. We will see.\n", encoding="utf-8")
    ingest([tmp_path / "call.txt"], tmp_path / "index")
    listed = list_speakers(tmp_path / "index")
    assert "Moderator" not in [r["speaker"] for r in listed] and listed
    roles = {r["speaker"]: r["type"] for r in list_speakers(tmp_path / "index", roles=True)}
    assert roles["Moderator"] == roles["Operator"] == "role"


def test_one_labelled_dateline_is_not_a_transcript():
    assert extract_quotes(["CAIRO: Talks resumed on Monday."], lexicon=LX) == [()]


# -- real corpus text ----------------------------------------------------------------------


def corpus_doc(rel: str, doc_id: str) -> dict:
    path = CORPORA / rel
    if not path.exists():
        pytest.skip(f"corpus not available: {path}")
    with open(path, encoding="utf-8") as fh:
        return next(d for d in map(json.loads, fh) if d["id"] == doc_id)


@pytest.mark.corpus
def test_reuters_statement_then_pronoun_and_department():
    doc = corpus_doc("reuters21578/reuters21578_negotiations.jsonl", "reuters21578-18717")
    paragraphs = doc["text"].split("\n\n")
    result = extract_quotes(paragraphs, lexicon=LX, date=doc["published"])
    spoken = [(q.speaker, q.verb, q.start) for quotes in result[:6] for q in quotes]
    assert spoken == [
        ("State Department", "said", 1),
        ("State Department", "said", 1),
        ("State Department", "said", 1),
        ("State Department", "added", 1),
    ]


@pytest.mark.corpus
def test_reuters_run_on_quote_across_paragraphs():
    doc = corpus_doc("reuters21578/reuters21578_negotiations.jsonl", "reuters21578-1895")
    paragraphs = doc["text"].split("\n\n")
    result = extract_quotes(paragraphs, lexicon=LX, date=doc["published"])
    text = paragraphs[9]
    assert result[9] == (
        Quote(text[1:].rstrip(), "Ronald Reagan", 1, len(text.rstrip()), "said", None, "person"),
    )
    assert result[17][0].text == "understands the meaning of 'rule of law'"  # nested marks


@pytest.mark.corpus
def test_whitehouse_briefing_turns():
    doc = corpus_doc(
        "whitehouse_gaza/whitehouse_gaza.jsonl",
        "wh-2023-10-10-virtual-on-the-record-gaggle-by-nsc-coordinator-for-strategic-"
        "communications-john-kirby-on-hamas-terrorist-attacks-in-israel",
    )
    paragraphs = doc["text"].split("\n\n")
    result = extract_quotes(paragraphs, lexicon=LX, date=doc["published"])
    assert result[0] == ()  # "5:54 P.M. EDT"
    assert result[13:18] == [
        (Quote("So, with that, I’m happy to take some questions.", "John Kirby", 0, 48, "said",
               None, "person", "turn"),),
        (Quote("Thank you. Our first question will go to Yuna with Israel Channel 12. Yuna, you "
               "should be able to unmute yourself.", "Ms. Reposa", 12, 126, "said", None,
               "person", "turn"),),
        (),
        (Quote("We sure can.", "Ms. Reposa", 12, 24, "said", None, "person", "turn"),),
        (),
    ]  # fmt: skip
    assert result[-1] == ()  # "6:31 P.M. EDT"


# -- speaker names ---------------------------------------------------------------------------


def test_middle_initial_is_dropped_from_a_speakers_name():
    # aeb 6ebac05f: "Sonya A. Zoghlin" and, elsewhere, "Sonya Zoghlin" are one speaker.
    result = extract_quotes([
        "Sonya A. Zoghlin, Carlineo’s attorney, told The Hill in a statement that her client did "
        "not intend to cause harm to Omar and did not make plans to do so.",
        "“Pat Carlineo is passionate about his political beliefs and his right to express them,” "
        "she said in an email.",
    ], lexicon=LX)  # fmt: skip
    assert [q.speaker for q in result[1]] == ["Sonya Zoghlin"]


def test_bullets_are_sentences_and_relative_clauses_name_the_speaker():
    # whitehouse wh-2025-03-04: one paragraph of "- ..." bullets, each with its own speaker.
    text = (
        "- Former U.S. Ambassador to Israel David Friedman [described](https://x.com/a) the "
        "proposal as “brilliant, historic and the only idea I have heard in 50 years.” - President "
        "Trump hosted Japanese Prime Minister Shigeru Ishiba, who [announced](https://x.com/b) his "
        "intention to “elevate Japan’s investment in the United States,” import “historic” "
        "quantities of LNG. - President Trump [hosted](https://x.com/c) Jordan’s King Abdullah II, "
        "who [announced](https://x.com/d) that the Kingdom will accept 2,000 sick children from "
        "Gaza “as quickly as possible.”"
    )
    assert [(q.speaker, q.verb) for q in one(text)] == [
        ("David Friedman", "described"),
        ("Shigeru Ishiba", "announced"),
        ("King Abdullah II", "announced"),
    ]


def test_who_asked_not_to_be_named_is_no_attribution():
    assert [q.speaker for q in one(
        "A Hamas official, who asked not to be named, said: “There is no progress yet.”"
    )] == ["Hamas official (unnamed)"]


def test_opening_mark_right_after_a_full_stop():
    # reuters21578-8106: no space between "added." and the next opening mark.
    text = ('"That\'s a very healthy development," he added."If you asked me about that a year '
            'or 18 months ago I would have said that it was terribly protectionist."')
    assert [q.text for q in one(text)] == [
        "That's a very healthy development,",
        "If you asked me about that a year or 18 months ago I would have said that it was "
        "terribly protectionist.",
    ]


def test_pronoun_ending_a_subject_clause_is_the_subject():
    # AEB thehill and bbc: "..., in which he said" / "In a Tumblr post at the time she described".
    paragraphs = [
        "Patrick Carlineo Jr. faces charges over a threat to the office of Rep. Ilhan Omar.",
        "Carlineo was arrested in April for a March 21 phone call he reportedly made to Omar’s "
        "office, in which he said he’d put a “bullet in her f---ing skull.”",
    ]
    assert _speakers(paragraphs) == [
        "Patrick Carlineo Jr."]


def test_words_an_unnamed_witness_recounts_are_the_speaker_s_before():
    # AEB nbcnews (7a457a4f...): "recalled that he said" is the staff member recounting the
    # caller's words; "he" is the man who spoke on the call, not the nearer "Omar is ...".
    paragraphs = [
        "Patrick W. Carlineo Jr., 55, of Addison, a village southwest of Ithaca, pleaded guilty "
        "to threatening to assault and murder a United States official.",
        "Carlineo faces a maximum of 10 years in prison and up to a $250,000 fine.",
        "He was arrested in April for the March 21 call to the offices of Omar.",
        "During the call, he asked about the Muslim Brotherhood, called Omar a “terrorist” and "
        "said, “somebody ought to put a bullet in her skull,\" the prosecutor’s office said. Omar "
        "is one of the first two Muslim women elected to Congress.",
        "The staff member who reported the call recalled that he said, \"I'll put a bullet in "
        "her (expletive) skull,\" the U.S. attorney's office said.",
    ]
    assert _speakers(paragraphs) == ["Patrick Carlineo Jr."] * 2
    # Own words ("recalled saying") stay the witness's; a named "X recalled that he said" is X's.
    own = 'The staff member who took the call recalled saying, "I will have to report this call."'
    named = ('James Kennedy, the U.S. Attorney, recalled that he said, "We will prosecute threats '
             'against lawmakers."')
    assert _speakers([*paragraphs[:4], own])[-1] == "Staff member (unnamed)"
    assert _speakers([*paragraphs[:4], named])[-1] == "James Kennedy"


def test_a_bare_police_role_takes_the_force_the_story_names():
    # tfh-137 (WSVN): one force named before the quote; "Broadcastify police scanner" is the
    # scanner's name, not a second force's.
    wsvn = [
        "Miami-Dade Police said officers were behind the silver Audi involved in the "
        "single-vehicle wreck after receiving a call about the vehicle.",
        "“We have units behind a vehicle [that] initially was refusing to stop. They picked it "
        "up again eastbound [on 56th],” said a dispatcher on Broadcastify police scanner.",
    ]
    assert _speakers(wsvn) == ["Miami-Dade Police dispatcher (unnamed)"]
    assert _speakers(wsvn[1:]) == ["Police dispatcher (unnamed)"]  # only "police scanner"
    # AEB cbsnews (2c46804d...): two forces named, so which one is not said.
    cbs = [
        "It was around midnight when a tip led Forest Hill police officers to Webb's room.",
        "Fort Worth Police Department responded and confirmed that there appeared to be blood "
        "on the front passenger seat.",
        '"We got her, we got her!" officers announced on their radios. "He\'s in custody; we '
        'have her."',
    ]
    assert _speakers(cbs) == ["Police officers (unnamed)"] * 2


def test_a_police_role_with_its_own_affiliation_or_no_police_in_sight_is_left_alone():
    # Reuters-21578 8272: a bank's "officer on Korth's syndicate desk", no police in the story.
    bank = ('"GMAC saved some basis points with this technique," said an officer on Korth\'s '
            "syndicate desk.")
    assert _speakers([bank]) == ["Officer (unnamed)"]
    # AEB nbcdfw (51d066b0...): the one force is named only after the quote, for another
    # officer (the rescuers were Fort Worth police).
    nbcdfw = [
        "A video showing the dramatic moment a kidnapped 8-year-old Fort Worth girl was "
        "rescued by police was released Monday.",
        '"Hey, here she is. Got her!" an officer said. "We got her. We got her."',
        "Earlier that night, a Forest Hill police sergeant searched that same hotel room but "
        "did not find the girl.",
    ]
    assert _speakers(nbcdfw) == ["Police officer (unnamed)"] * 2
    prison = [nbcdfw[0], '"He was calm all night long," a prison officer said.']
    assert _speakers(prison) == ["Prison officer (unnamed)"]


def test_she_falls_back_to_the_nearest_person_given_that_gender():
    # AEB bbc: Swift is named only as an owner ("Taylor Swift's ... albums") before "she".
    paragraphs = [
        "A row involving Taylor Swift, her former record label and a couple of big name US "
        "politicians looks like it's coming to an end.",
        "Taylor Swift's first six albums were released through Big Machine, which was bought out "
        "by a company owned by talent manager Scooter Braun earlier this year.",
        'In a Tumblr post at the time she described this as the "worst case scenario" and '
        'accused him of years of "incessant, manipulative bullying".',
    ]
    assert _speakers(paragraphs) == [
        "Taylor Swift", "Taylor Swift"]


def test_a_description_named_by_apposition_takes_the_name():
    # AEB therealdeal: "a group of employees. The group, WeWorkers Coalition, ..." and later
    # "the group added"; "The group that owns ..., Big Machine, says" makes Big Machine no "she".
    paragraphs = [
        "Workers will be terminated on Dec. 9, according to a group of employees. The group, "
        "WeWorkers Coalition, formed in recent weeks and sent a letter stating that they “don’t "
        "want to be defined by the scandals exhibited by the company’s leadership.”",
        "In a separate tweet, the group added that WeWork “is not following through on its "
        "promise to treat employees with ‘dignity and respect’ during this process.”",
    ]
    found = [(q.speaker, q.speaker_type) for qs in extract_quotes(paragraphs, lexicon=LX) for q in qs]
    assert found == [("WeWorkers Coalition", "organisation"), ("WeWorkers Coalition", "organisation")]
    label = ["The group that owns most of her music, Big Machine, says she will be allowed to play.",
             'Later she said: "I am so grateful to my fans for this."']
    assert _speakers(label) == [None]


def test_an_age_epithet_is_the_person_the_story_leads_with():
    # AEB sky: "The 56-year-old said ..." four paragraphs after "Jose Mourinho has agreed ...";
    # the quote runs on into the next paragraph, which inherits the speaker.
    paragraphs = [
        "Jose Mourinho has agreed a deal to replace Mauricio Pochettino as Tottenham's manager.",
        "Pochettino was sacked last night after five-and-a-half years in charge.",
        "The Portuguese boss had been out of work since being sacked by Manchester United.",
        'The 56-year-old said after his appointment: "I am excited to be joining a club with such '
        "a great heritage.",
        '"The quality in both the squad and the academy excites me."',
    ]
    assert _speakers(paragraphs) == [
        "Jose Mourinho", "Jose Mourinho"]


def test_a_place_and_an_organisation_noun_name_a_speaker_for_later_the_radio():
    # Reuters-21578 8278: "Tehran radio said ..." then '"...," said the radio'.
    paragraphs = [
        "Tehran radio said British church envoy Terry Waite had been kidnapped as a spy.",
        '"Terry Waite was taken hostage by an armed Lebanese group. He has been accused of '
        'espionage activities," said the radio, monitored by the British Broadcasting Corporation.',
    ]
    assert _speakers(paragraphs) == [
        "Tehran Radio"]


def test_a_participle_clause_holding_the_subject_is_no_appositive():
    # Reuters-21578 6345: "the Times said, adding that an unnamed American official called it".
    text = ("The money was described as ransom, the Times said, adding that an unnamed American "
            'official called it "payments for services rendered."')
    assert [q.speaker for q in one(text)] == ["American official (unnamed)"]


def test_i_will_say_after_a_relative_clause_is_the_speech_s_own_speaker():
    # White House 2023-10-18 (Biden remarks): the apostrophe in "I’ll" and the comma closing
    # ", which I’m not going to attempt ..., " no longer hide the subject.
    text = ("As you say in Hebrew, which I’m not going to attempt to do because I’m such a "
            "terrible linguist, I’ll say it in English, “The people of Israel live.” “The people "
            "of Israel live.”")
    found = extract_quotes([text], lexicon=LX, title="Remarks by President Reagan on Israel")[0]
    assert [(q.text, q.speaker) for q in found] == [
        ("The people of Israel live.", "Ronald Reagan"), ("The people of Israel live.", "Ronald Reagan")]


def test_a_named_appositive_and_a_family_role_are_speakers():
    # Irish Times (tfh-169) and AEB cbsnews.
    uae = ("Gulf Arab power, the United Arab Emirates (UAE), warned on Friday that tension in the "
           "Middle East was “approaching a boiling point” and that it was working for a ceasefire.")
    mother = ('The victim\'s mother testified, describing her daughter as "brave, strong, and smart" '
              "before describing for the jury the details of the fight.")
    assert [(q.text, q.speaker) for q in one(uae) + one(mother)] == [
        ("approaching a boiling point", "United Arab Emirates"),
        ("brave, strong, and smart", "Victim's mother (unnamed)")]


def test_a_headline_style_standfirst_has_no_single_quoted_quotation_and_teaches_no_gender():
    # tfh-029 (Times of Israel): the standfirst paraphrases in headline quotes, and its "he"
    # is the governor, named only by title; "she replied" is Montoya-Lewis, who was asked.
    paragraphs = [
        "Governor says naming of ‘exceptional’ Raquel Montoya-Lewis is historic, but he called "
        "on her ‘because she’s the best for the job’",
        "At a press conference announcing her appointment, a reporter asked Montoya-Lewis, “What "
        "do you see as the biggest problem with implicit bias in the courts right now?”",
        "“The biggest hurdle is getting people to understand that we all bring biases to our "
        "decision-making, that it’s across the board — I do it, you do it, we all do,” she "
        "replied.",
    ]
    found = [(q.text[:20], q.speaker) for qs in extract_quotes(paragraphs, lexicon=LX) for q in qs]
    assert found == [("What do you see as t", "Reporter (unnamed)"),
                     ("The biggest hurdle i", "Raquel Montoya-Lewis")]
    # A standfirst that ends as a sentence is no headline: its quotations stay.
    assert [q.speaker for q in one("Governor Jay Inslee says he called on her ‘because she’s the "
                                   "best for the job’, he said.")] == ["Jay Inslee"]


def test_a_link_label_restated_as_the_subject_before_the_quote():
    # whitehouse wh-2025-10-01: the label, then the same body as the subject of a partial quote.
    lexicon = Lexicon([{"name": "Palestinian Authority", "type": "organisation"}], [], [])
    text = ("[Palestinian Authority](https://english.wafa.ps/Pages/Details/161877): The "
            "Palestinian Authority “welcomes the sincere and determined efforts of President "
            "Donald J. Trump to end the war on Gaza.”")
    found = extract_quotes([text], lexicon=lexicon)[0]
    assert [(q.text[:20], q.speaker, q.verb) for q in found] == [
        ("welcomes the sincere", "Palestinian Authority", "stated")]
    # Someone else as the subject is no restatement: that quote has no attribution.
    other = text.replace("The Palestinian Authority", "The plan", 1)
    assert extract_quotes([other], lexicon=lexicon)[0] == ()


def test_quotative_like_before_a_mark_attributes_and_a_comparison_does_not():
    # whitehouse wh-2024-02-20 (Jean-Pierre gaggle): "the President" is Biden on that date.
    lexicon = Lexicon([{"name": "Joe Biden", "type": "person", "roles": [
        {"aliases": ["THE PRESIDENT"], "from": "2021-01-20", "to": "2025-01-20"}]}], [], [])
    text = ("And so, the President is like, “Okay, well, if it’s a serious conversation, let’s "
            "have it.” But he’s not serious.")
    found = extract_quotes([text], lexicon=lexicon, date="2024-02-20")[0]
    assert [(q.speaker, q.verb) for q in found] == [("Joe Biden", "is like")]
    compared = "The President is like a man who says “we will never accept it.” at every turn."
    assert extract_quotes([compared], lexicon=lexicon, date="2024-02-20")[0] == ()


def test_a_linked_outlet_or_account_that_reports_the_labelled_person_is_the_speaker():
    # whitehouse wh-2025-10-01: the quoted words are Al Jazeera's prose about Tokayev, and the
    # Lebanese presidency's post about Aoun, from an account the actor data gives that office.
    # An account the data does not know leaves the label's person.
    lexicon = Lexicon([{"name": "Lebanese Presidency", "type": "organisation",
                        "accounts": ["LBpresidency"]}],
                      [{"name": "Al Jazeera", "type": "broadcaster", "domains": ["aljazeera.com"]}],
                      [])  # fmt: skip
    kazakh = ("[Kazakh President Kassym-Jomart Tokayev](https://www.aljazeera.com/news/2025/9/29/"
              "trumps-gaza-peace-plan-welcomed-by-arab-and-islamic-countries-the-west): “President "
              "Kassym-Jomart Tokayev’s press secretary, Ruslan Zheldibay, cited him as saying that "
              "Astana viewed the plan as a ‘unique opportunity’.”")
    lebanon = ("[Lebanese President Joseph Aoun](https://x.com/LBpresidency/status/"
               "1972935850246754770): "
               "“The President of the Republic, General Joseph Aoun, announced his welcome of the "
               "plan by U.S. President Donald Trump to stop the war in Gaza.”")
    own = kazakh.replace("President Kassym-Jomart Tokayev’s press secretary, Ruslan Zheldibay, "
                         "cited him as saying that Astana viewed", "Kazakhstan views")
    unknown = lebanon.replace("LBpresidency", "SomeoneElse")
    found = _speakers([kazakh, lebanon, own, unknown], lexicon)
    assert found == ["Al Jazeera", "Lebanese Presidency", "Kassym-Jomart Tokayev", "Joseph Aoun"]


# AEB sky (92101975...): Tottenham's statement, run on past an embedded post's caption.
_SKY_STATEMENT = [
    'Tottenham said in a statement: "Jose is one of the world\'s most accomplished managers '
    "having won 25 senior trophies.",
    '"He is renowned for his tactical prowess and has managed FC Porto, Inter Milan, Chelsea, '
    "Real Madrid and Manchester United.",
    "Club statement",
]
_SKY_LAST = ('"He has won a domestic title in a record four different countries (Portugal, '
             'England, Italy and Spain)."')


def test_a_stray_caption_line_does_not_end_a_quote_left_open():
    # AEB sky: the club's statement runs on past an embedded post, whose caption is left alone.
    paragraphs = [*_SKY_STATEMENT, _SKY_LAST]
    found = [(q.text[:12], q.speaker) for qs in extract_quotes(paragraphs, lexicon=LX) for q in qs]
    assert found == [("Jose is one ", "Tottenham"), ("He is renown", "Tottenham"),
                     ("He has won a", "Tottenham")]
    # A line that ends a sentence does end it: the next quote has no attribution (a line
    # that attributes speech, "The club confirmed it.", would give the next quote its speaker).
    paragraphs[2] = "The club was founded in 1882."
    assert len([q for qs in extract_quotes(paragraphs, lexicon=LX) for q in qs]) == 2


def test_something_before_a_subject_is_no_participle_and_no_speaker():
    # whitehouse wh-2024-02-08: the reporter quotes the special counsel's report to Biden;
    # "something" ends in -ing but is no participle clause, so Biden is not the speaker.
    paragraphs = [
        "I was especially pleased to see special counsel make clear the stark distinction. The "
        "special counsel wrote, and I quote, “Several material distinctions between Mr. Trump’s "
        "case and Mr. Biden’s are clear.”",
        "Q President Biden, something the special counsel said in his report is that one of the "
        "reasons you were not charged is because, in his description, you are a “well-meaning, "
        "elderly man with a poor memory.”",
    ]
    lexicon = Lexicon([{"name": "Joe Biden", "type": "person", "aliases": ["President Biden"]}],
                      [], [])
    found = _speakers(paragraphs, lexicon)
    assert found == ["Special counsel (unnamed)", "Special counsel (unnamed)"]


def test_a_linked_outlets_prose_that_carries_its_own_attribution_is_the_outlets():
    # whitehouse wh-2025-10-01: the label names a state, the link goes to Xinhua's site
    # (english.news.cn, a domain in the media data), and the words report a spokesperson.
    lexicon = Lexicon([{"name": "China", "type": "state"}],
                      [{"name": "Xinhua", "type": "wire", "domains": ["news.cn", "xinhuanet.com"]}],
                      [])  # fmt: skip
    china = ("[China](https://english.news.cn/20250930/4b0fb0453bba4c82af772c64a2ea8e5f/c.html): "
             "“China welcomes and supports all efforts conducive to easing the tensions between "
             "Palestine and Israel, foreign ministry spokesperson Guo Jiakun said on Tuesday.”")
    # The state's own words behind the same link stay the state's.
    own = china.replace(", foreign ministry spokesperson Guo Jiakun said on Tuesday", "")
    assert _speakers([china, own], lexicon) == ["Xinhua", "China"]


def test_a_description_that_is_a_known_bodys_name_is_that_body():
    # tfh-169 (Irish Times): "independent United Nations experts" and "the group of U.N.
    # special rapporteurs" are the UN special rapporteurs, a named body, not anonymous sources.
    lexicon = Lexicon([
        {"name": "United Nations", "type": "organisation", "aliases": ["UN", "U.N."]},
        {"name": "UN special rapporteurs", "type": "organisation",
         "aliases": ["United Nations experts", "U.N. special rapporteurs"]},
    ], [], [])  # fmt: skip
    paragraphs = [
        "A group of independent United Nations experts warned that Palestinians in Gaza are at "
        "“grave risk of genocide”.",
        "“We call on Israel and its allies to agree to an immediate ceasefire. We are running out "
        "of time,” the group of U.N. special rapporteurs said in a statement.",
    ]
    found = [(q.speaker, q.speaker_type, q.verb)
             for qs in extract_quotes(paragraphs, lexicon=lexicon) for q in qs]
    assert found == [("UN special rapporteurs", "organisation", "warned"),
                     ("UN special rapporteurs", "organisation", "said")]
    # A description that is no body's name stays a typed anonymous source.
    assert _speakers(["A group of independent Israeli experts warned of “a grave risk of "
                      "famine”."], lexicon) == ["Israeli experts (unnamed)"]


def test_a_short_name_folds_to_the_name_under_an_embedded_post():
    # AEB sky (92101975...): the club is "Tottenham" in the prose and "Tottenham Hotspur" only
    # in the credit line of its embedded post, which also does not end the quote left open.
    paragraphs = [*_SKY_STATEMENT, "— Tottenham Hotspur (@SpursOfficial) November 20, 2019",
                  _SKY_LAST]
    assert _speakers(paragraphs) == ["Tottenham Hotspur"] * 3
    # Without the credit line the short form is all the text gives.
    assert _speakers(paragraphs[:3] + paragraphs[4:]) == ["Tottenham"] * 3


def test_the_introduced_name_precheck_answers_as_the_name_s_regex_would():
    # _may_be_introduced decides whether _introduced_re(name) is compiled and run; it must
    # say yes exactly where that regex matches. Texts mix title words, particles, initials,
    # parentheses, suffixes and unusual spaces around the names.
    from random import Random

    from indexer.quotes.speakers import _introduced_re, _may_be_introduced

    words = ["Mr.", "Dr.", "Gov.", "al", "al-", "bin", "de", "said", "(Applause", "U.S.",
             "Kristi", "O'Neil", "J.", "Q", "the", "Israeli", "Minister", "van", "said,",
             "John", "“Karine", "JEAN-PIERRE:", "St.", "Jr.", "Noem", "Kirby"]
    spaces = [" ", "  ", "\u00a0", "\n", "\u2003", "", ", "]
    names = ["Noem", "Kirby", "Jean-Pierre", "Karine", "U.", "S", "Go", "Applause"]
    rng = Random(7)
    answers = []
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice(spaces) for _ in range(rng.randint(1, 7)))
        name = rng.choice(names)
        text += name + rng.choice(["", ".", ", Jr.", " Jr", " Smith", " said", "s", "-led"])
        answers.append(_may_be_introduced(name, text))
        assert answers[-1] == bool(_introduced_re(name).search(text)), (name, text)
    assert 300 < sum(answers) < 2700


# -- issue 19: quotations on any news -----------------------------------------------------


def _found(paragraphs: list[str], lexicon: Lexicon = LX) -> list[tuple[str, str | None]]:
    return [(q.text.split()[0], q.speaker) for qs in extract_quotes(paragraphs, lexicon=lexicon)
            for q in qs]


def test_a_described_body_speaks_as_the_body_the_article_named():
    assert _found(["Acme Corp. reported a loss on Tuesday.",
                   "“We will appeal this ruling,” the company said."]) == [("We", "Acme Corp.")]
    assert _found(["The European Space Agency launched a probe.",
                   "“The mission is on schedule,” the agency said in a statement."]) == [
        ("The", "European Space Agency")]


def test_a_description_nobody_named_keeps_the_quote_typed():
    assert _found(["“We need more buses on this route,” the mayor said."]) == [
        ("We", "Mayor (unnamed)")]
    assert _found(["“Emissions rose for the third year running,” a report said."]) == [
        ("Emissions", "Report (unnamed)")]
    assert _found(["Mayor Jane Doe opened the bridge.",
                   "“We need more buses on this route,” the mayor said."]) == [("We", "Jane Doe")]


def test_present_and_less_common_speech_verbs_attribute():
    for verb in ("explains", "notes", "concludes", "quipped", "joked", "retorted", "confirmed",
                 "shouted", "scolded", "commented"):
        assert _found([f"“It is far too early to tell,” Smith {verb}."]) == [("It", "Smith")], verb


def test_a_colon_after_a_clause_introduces_its_subjects_words():
    assert _found(["Jane Doe, the finance minister, spoke on Monday.",
                   "Doe was blunt: “We are not going to raise taxes this year.”"]) == [
        ("We", "Jane Doe")]


def test_a_quote_after_a_paragraph_of_reported_speech_is_that_speakers():
    assert _found(["Governor Jane Doe said the state would sue.",
                   "“We will see them in court next month.”"]) == [("We", "Jane Doe")]


def test_post_posed_speakers_with_long_descriptors():
    assert _found(["“It is the best deal we could get,” said oil and gas worker Jane Roe."]) == [
        ("It", "Jane Roe")]
    assert _found(['"Organics are very important for life," said planetary geologist Rosaly '
                   "Lopes of NASA's Jet Propulsion Laboratory in California."]) == [
        ("Organics", "Rosaly Lopes")]
    assert _found(['"We found the next best thing," lead researcher and NASA planetary scientist '
                   "Lucas Paganini said."]) == [("We", "Lucas Paganini")]


def test_a_surname_alias_does_not_capture_a_namesake_the_article_names():
    lexicon = Lexicon(actors=[{"name": "Yoav Gallant", "type": "person", "aliases": ["Gallant"]}],
                      media=[], topics=[])
    paragraphs = ["Premier Blaine Higgs and Premier Brian Gallant met in Fredericton.",
                  "“We will not sign this agreement today,” Gallant said."]
    assert _found(paragraphs, lexicon) == [("We", "Brian Gallant")]
    assert _found(["“We will not sign this agreement today,” Gallant said."], lexicon) == [
        ("We", "Yoav Gallant")]


def test_a_short_name_is_the_full_name_the_article_introduced():
    paragraphs = ["Democratic Party leader Lee Jae-myung called for a vote.",
                  "“There is no other way but to leave office early,” Lee said."]
    assert _found(paragraphs) == [("There", "Lee Jae-myung")]
    paragraphs = ["Acting U.S. Attorney for Massachusetts Joshua Levy spoke to reporters.",
                  "“Pick a profession, they’re probably represented,” said Levy."]
    assert _found(paragraphs) == [("Pick", "Joshua Levy")]


def test_section_labels_of_a_market_wrap_are_no_transcript_turns():
    paragraphs = ["KEEPING SCORE: The S&P 500 fell 1.2% to 2,900.",
                  "ENERGY: Benchmark crude oil lost 50 cents to $58.",
                  "THE DAY IN ASIA: Stocks fell in Tokyo and Seoul."]
    assert _found(paragraphs) == []
    assert _found(["Associated Press writer Jane Roe in Tokyo contributed to this story."]) == []


def test_odd_marks_single_quotes_as_double_and_a_reversed_opener():
    assert _found(["‘We are ready to sign the deal today,’ Smith said."]) == [("We", "Smith")]
    assert _found(["”We are ready to sign the deal today,” Smith said."]) == [("We", "Smith")]


def test_a_quoted_name_after_called_is_no_quotation():
    assert _found(["A Facebook group called 'We support Anders Tegnell & co' has 85,000 "
                   "members, its founder said."]) == []


def test_time_words_between_subject_and_verb():
    assert _found(["Mr. Ruano last week said signal preemption remains his issue. “For me, "
                   "there are still two things that I have a real issue with.”"]) == [
        ("For", "Ruano")]


def test_a_relaying_outlet_does_not_take_the_quote_from_its_speaker():
    assert _found(['Khamenei said Washington had to act, "but any violent act in the Gulf will '
                   'harm U.S. interests," the radio, monitored in Nicosia, reported.']) == [
        ("but", "Khamenei")]


# -- reported speech ----------------------------------------------------------------------


def _reported(paragraphs: list[str]) -> list[tuple[str, str | None, str | None]]:
    return [(q.text, q.speaker, q.verb) for qs in extract_all(paragraphs, lexicon=LX)
            for q in qs if q.kind == "reported"]


def test_reported_speech_after_the_verb_with_or_without_that():
    assert _reported(["Finance Minister Jane Doe said on Monday that the budget would balance."]) == [
        ("the budget would balance", "Jane Doe", "said")]
    assert _reported(["Jane Doe told Reuters the talks had stalled over tariffs."]) == [
        ("the talks had stalled over tariffs", "Jane Doe", "told")]
    assert _reported(["Jane Doe warned the strike could spread to other ports."]) == [
        ("the strike could spread to other ports", "Jane Doe", "warned")]


def test_reported_speech_before_a_closing_attribution_and_according_to():
    assert _reported(["The strike could spread to other ports, union leader Jane Doe said."]) == [
        ("The strike could spread to other ports", "Jane Doe", "said")]
    assert _reported(["According to Jane Doe, the talks had stalled over tariffs."]) == [
        ("the talks had stalled over tariffs", "Jane Doe", "according to")]


def test_mixed_reported_speech_keeps_its_partial_quote_inside():
    found = extract_all(['Jane Doe said the deal was "dead on arrival" in the Senate.'], lexicon=LX)[0]
    assert [(q.kind, q.text) for q in found] == [
        ("reported", 'the deal was "dead on arrival" in the Senate'),
        ("partial", "dead on arrival")]


def test_direct_quotations_are_not_reported_speech():
    assert _reported(['"We will appeal this ruling," Jane Doe said.',
                      'Jane Doe said: "We will appeal this ruling."',
                      "Jane Doe said on Monday.", "Jane Doe said of the ruling."]) == []


def test_a_participle_reports_its_clauses_subject():
    assert _reported(["Wild coach Bruce Boudreau expressed confidence in the winger, saying he "
                      "always finds a way to start scoring."]) == [
        ("he always finds a way to start scoring", "Bruce Boudreau", "said")]
    assert _reported(["Noting that the budget would raise taxes, spokesman Marlin Fitzwater "
                      'said, "The president is not buying it."']) == [
        ("the budget would raise taxes", "Marlin Fitzwater", "noted")]


def test_words_quoted_inside_reported_speech_are_the_reported_speakers():
    found = extract_all(["Earlier Saturday, Yoon apologized in an address, saying they “stemmed "
                         "from the urgency” he felt."], lexicon=LX)[0]
    assert [(q.kind, q.text, q.speaker) for q in found] == [
        ("reported", "they “stemmed from the urgency” he felt", "Yoon"),
        ("partial", "stemmed from the urgency", "Yoon")]


def test_a_document_by_a_body_speaks_for_that_body():
    assert _reported(["The report by the University and College Union claims institutions have "
                      "created a pool of low-paid staff."]) == [
        ("institutions have created a pool of low-paid staff", "University and College Union",
         "claimed")]


def test_a_first_name_takes_the_one_full_name_the_article_gives_later():
    paragraphs = ['"We never saw it coming," her father, Dario, said on Monday.',
                  "Dario Conti asked parents to watch for the pills.",
                  '"Nobody warned us," Marta said. Marta Rossi and Marta Bianchi spoke later.']
    assert _speakers(paragraphs) == ["Dario Conti", "Marta"]  # two Martas: left as written


def test_an_acronym_speaker_is_a_body_spelled_out_where_the_article_names_it():
    paragraphs = ["Figures came from the National Weather Service and the state police.",
                  'The NWS says the storm "will reach the coast by Tuesday night."',
                  'The ABC network said "the storm will be over soon enough."']
    found = [(q.speaker, q.speaker_type) for qs in extract_quotes(paragraphs, lexicon=LX)
             for q in qs]
    assert found[0] == ("National Weather Service", "organisation")
    assert found[-1][1] == "organisation"  # no spelled-out name: the acronym, still a body


def test_he_after_a_company_named_with_its_suffix_is_the_person_quoted_before():
    paragraphs = ["Acme Corp said on Thursday it would cut its emissions by half.",
                  '"It will not be cheap," Acme President Dana Whitfield said.',
                  "Acme has charged its divisions an internal carbon fee since 2012.",
                  '"The money goes back into the work," he said.']
    assert _speakers(paragraphs)[-2:] == ["Dana Whitfield", "Dana Whitfield"]


def test_an_attribution_set_in_commas_reports_both_sides():
    assert _reported(["Before the vote, union officials said, members will meet in Leeds."]) == [
        ("Before the vote", "Union officials (unnamed)", "said"),
        ("members will meet in Leeds", "Union officials (unnamed)", "said")]
    # What follows "and" / a participle is the writer's clause again.
    assert _reported(["The strike began in July, organisers said, and pickets spread north.",
                      "The posters named three managers, the affidavit stated, listing pay."]) == [
        ("The strike began in July", "Organisers (unnamed)", "said"),
        ("The posters named three managers", "Affidavit (unnamed)", "stated")]
    # "..., says Jane Doe, a fund manager": the words after the name describe her.
    assert _reported(["Shares could rise further this year, says Jane Doe, a fund manager."]) == [
        ("Shares could rise further this year", "Jane Doe", "said")]


def test_a_sentence_ending_in_a_quote_before_its_attribution_is_reported_speech():
    found = extract_all(['The effort “will need tools that do not exist yet,” Jane Doe said.'],
                        lexicon=LX)[0]
    assert [(q.kind, q.text) for q in found] == [
        ("reported", "The effort “will need tools that do not exist yet,”"),
        ("partial", "will need tools that do not exist yet,")]


def test_a_second_verb_of_the_same_subject_reports_what_follows_it():
    assert _reported(["Jane Doe called the plan costly and said she saw no end to the strike."]
                     ) == [("she saw no end to the strike", "Jane Doe", "said")]


def test_phrasal_verbs_and_noun_like_forms_before_that():
    assert _reported(["Jane Doe pointed out that the union had never lost a vote.",
                      "Reuters reports that the port reopened on Monday.",
                      "The reports that the port reopened were wrong."]) == [
        ("the union had never lost a vote", "Jane Doe", "pointed out"),
        ("the port reopened on Monday", "Reuters", "reported")]


def test_a_spokesperson_for_a_named_body_is_typed_by_its_short_name_and_is_the_next_he():
    paragraphs = ["Jo Grady, the union's general secretary, said staff were shocked.",
                  '"We will appeal," a spokesperson for the Universities and Colleges '
                  "Employers’ Association (UCEA) said.",
                  '"We have no choice," he said.']
    assert _speakers(paragraphs) == ["UCEA spokesperson (unnamed)"] * 2
    assert _speakers(['"It is a shame," one Weibo commenter said. "Face it together."']) == [
        "Weibo commenter (unnamed)"] * 2


def test_a_job_title_in_a_turn_label_is_kept_apart_from_the_name():
    paragraphs = ["Briefing by FEMA Administrator Deanne Criswell on the storm",
                  "ADMINISTRATOR CRISWELL: We are on the ground.", "Q: How many teams?",
                  "INTERNATIONAL CORRESPONDENT KEIR SIMMONS: The talks resumed.",
                  "DEPUTY MAYOR NOLAN: Not yet.", "MS. REPOSA: Next question."]
    assert _speakers(paragraphs) == ["Deanne Criswell", "Keir Simmons", "Nolan", "Ms. Reposa"]
