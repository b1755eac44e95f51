"""The shipped vocabularies (indexer/data/*.json) on real sentences from the seeds and the briefings.

The matcher itself lives in indexer/lexicon.py; these tests pin what the data makes it do.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from indexer.lexicon import Lexicon

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
DATE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def lx() -> Lexicon:
    return Lexicon.load()


# -- actors in the seed articles --------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "date", "expected"),
    [
        (
            "Talks to extend the fragile ceasefire in Gaza have broken down, as a Palestinian official revealed to "
            "the BBC that US negotiations in Qatar yielded no agreement.",
            "2025-03-15",
            ("Palestinians", "United States", "Qatar"),
        ),
        (
            "Earlier in March, Hamas expressed readiness to release Edan Alexander, a dual national hostage. While "
            "their offer suggested a willingness to negotiate, US envoy Steve Witkoff contended that Hamas' "
            "messaging contradicted their true intentions.",
            "2025-03-15",
            ("Hamas", "Edan Alexander", "United States", "Steve Witkoff"),
        ),
        (
            "Israel and Hamas sent teams to Egypt on Sunday after the arrival on Saturday of CIA Director William "
            "Burns, whose presence underlined rising U.S. pressure for a deal that would free hostages held in Gaza "
            "and get aid to stricken civilians.",
            "2024-04-08",
            ("Israel", "Hamas", "Egypt", "William Burns", "United States"),
        ),
        (
            "A Hamas official said on Monday no progress was made at a new round of Gaza ceasefire talks in Cairo "
            "also attended by delegations from Israel, Qatar and the U.S., shortly after Egyptian sources said "
            "headway had been achieved on the agenda.",
            "2024-04-08",
            ("Hamas", "Egypt", "Israel", "Qatar", "United States"),
        ),
        (
            "Hamas killed 1,200 people in its rampage into southern Israel on Oct. 7, according to Israeli tallies. "
            "More than 33,100 Palestinians have been killed in the Israeli response, Gaza authorities say, while "
            "Israel's army says over 600 of its soldiers have been killed in combat.",
            "2024-04-08",
            ("Hamas", "Israel", "Palestinians", "Gaza authorities", "Israel Defense Forces"),
        ),
        (
            "This left just one brigade there, but Defence Minister Yoav Gallant said the exiting troops would be "
            'preparing for future operations, including "their coming mission in the Rafah area".',
            "2024-04-08",
            ("Yoav Gallant",),
        ),
        (
            "The Cairo talks stirred unease among Netanyahu's ultra-nationalist partners who want no let-up in the "
            "Gaza offensive. Far-right police minister Itamar Ben-Gvir said that if Netanyahu ended the war "
            '"without a broad assault on Rafah to defeat Hamas, he will not have a mandate to continue as prime '
            'minister".',
            "2024-04-08",
            ("Egypt", "Benjamin Netanyahu", "Itamar Ben-Gvir", "Hamas"),
        ),
        (
            "Israel's ongoing military offensive in Gaza has resulted in significant casualties, with more than "
            "34,600 Palestinians reported killed according to the health ministry in Hamas-ruled Gaza.",
            "2024-05-05",
            ("Israel", "Palestinians", "Hamas", "Gaza Health Ministry"),
        ),
        (
            "In Cairo, Hamas leaders engaged in a second day of ceasefire negotiations with Egyptian and Qatari "
            "mediators, as reported by Palestinian officials.",
            "2024-05-05",
            ("Egypt", "Hamas", "Qatar", "Palestinians"),
        ),
        (
            "The backdrop of violence and loss continues to loom heavily, following the October 7 attacks that "
            "claimed over 1,200 lives in Israel and resulted in a massive Israeli military response leading to "
            "substantial civilian casualties in Gaza.",
            "2025-03-15",
            ("Israel", "Israel Defense Forces"),
        ),
    ],
)
def test_find_actors_in_seed_sentences(lx, sentence, date, expected):
    assert lx.find_actors(sentence, date) == expected


def test_role_names_the_person_who_held_it_and_the_state(lx):
    sentence = (
        "In Jerusalem at the weekend, Israeli Foreign Minister Israel Katz described the Cairo talks as the closest "
        "the sides have come to a deal since a November truce under which Hamas freed dozens of hostages."
    )
    assert lx.find_actors(sentence, "2024-04-08") == ("Israel", "Israel Katz", "Egypt", "Hamas")


def test_media_names_are_not_actors(lx):
    sentence = "Two Egyptian security sources and Al-Qahera News said progress had been made in the Cairo talks."
    assert (lx.find_actors(sentence, "2024-04-08"), lx.find_media(sentence)) == (("Egypt",), ("Al-Qahera News",))


# -- actors in the White House briefings ------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "date", "expected"),
    [
        (
            "MR. KIRBY: Well, I can’t predict what the Supreme Leader and what the IRGC will do.",
            "2024-04-15",
            ("John Kirby", "Ali Khamenei", "IRGC"),
        ),
        (
            "National Security Advisor Jake Sullivan has spoken to Israeli National Security Advisor Tzachi Hanegbi "
            "and we remain in close contact.",
            "2023-10-07",
            ("Jake Sullivan", "Israel", "Tzachi Hanegbi"),
        ),
        (
            "President Joseph R. Biden, Jr. spoke today with His Majesty King Abdullah II of Jordan.",
            "2023-10-20",
            ("Joe Biden", "Abdullah II", "Jordan"),
        ),
        (
            "Secretary of State Blinken was in Israel yesterday and Secretary of Defense Austin is there today.",
            "2023-10-13",
            ("Antony Blinken", "Israel", "Lloyd Austin"),
        ),
        (
            "It is long overdue for House Republicans to bring the House to order so we can deliver aid for the "
            "people of Gaza.",
            "2023-10-20",
            ("US House of Representatives",),
        ),
        (
            "We are working with the governments of northern Central America and the Indian Ocean states.",
            "2024-01-01",
            (),
        ),
    ],
)
def test_find_actors_in_briefings(lx, sentence, date, expected):
    assert lx.find_actors(sentence, date) == expected


@pytest.mark.parametrize(
    ("label", "date", "expected"),
    [
        ("MS. JEAN-PIERRE", "2024-03-01", "Karine Jean-Pierre"),
        ("MS. PSAKI", "2021-05-20", "Jen Psaki"),
        ("MR. SULLIVAN", "2024-08-16", "Jake Sullivan"),
        ("ADMIRAL KIRBY", "2024-01-10", "John Kirby"),
        ("SECRETARY BLINKEN", "2023-11-03", "Antony Blinken"),
        ("THE PRESIDENT", "2023-11-21", "Joe Biden"),
        ("THE PRESIDENT", "2025-10-13", "Donald Trump"),
        ("THE VICE PRESIDENT", "2024-03-03", "Kamala Harris"),
        ("MS. LEAVITT", "2025-02-04", "Karoline Leavitt"),
    ],
)
def test_transcript_labels_resolve_to_people(lx, label, date, expected):
    assert lx.resolve(label, date) == expected


@pytest.mark.parametrize(
    ("role", "date", "expected"),
    [
        ("Israeli PM", "2024-05-05", "Benjamin Netanyahu"),
        ("Israeli PM", "2021-12-01", "Naftali Bennett"),
        ("Israeli PM", "2022-09-01", "Yair Lapid"),
        ("Israeli Prime Minister", "2018-01-01", "Benjamin Netanyahu"),
        ("Israeli Foreign Minister", "2024-04-08", "Israel Katz"),
        ("Israeli Foreign Minister", "2023-06-01", "Eli Cohen"),
        ("Israeli Foreign Minister", "2025-01-10", "Gideon Saar"),
        ("Israeli Defense Minister", "2024-04-08", "Yoav Gallant"),
        ("Israeli Defense Minister", "2025-01-10", "Israel Katz"),
        ("US President", "2024-04-08", "Joe Biden"),
        ("U.S. President", "2019-01-01", "Donald Trump"),
        ("President of the United States", "2025-06-01", "Donald Trump"),
        ("Secretary of State", "2024-04-08", "Antony Blinken"),
        ("Secretary of State", "2025-06-01", "Marco Rubio"),
        ("CIA Director", "2024-04-06", "William Burns"),
        ("CIA Director", "2025-06-01", "John Ratcliffe"),
        ("National Security Advisor", "2024-04-08", "Jake Sullivan"),
        ("Press Secretary", "2021-06-01", "Jen Psaki"),
        ("Press Secretary", "2024-06-01", "Karine Jean-Pierre"),
        ("NSC spokesman", "2024-06-01", "John Kirby"),
        ("Qatari Prime Minister", "2024-04-08", "Mohammed bin Abdulrahman Al Thani"),
        ("Egyptian President", "2024-04-08", "Abdel Fattah el-Sisi"),
        ("Hamas political chief", "2024-05-05", "Ismail Haniyeh"),
        ("Hamas political chief", "2024-09-01", "Yahya Sinwar"),
        ("US Special Envoy to the Middle East", "2025-06-01", "Steve Witkoff"),
    ],
)
def test_roles_resolve_within_their_dates(lx, role, date, expected):
    assert lx.resolve(role, date) == expected


@pytest.mark.parametrize(
    ("role", "date"),
    [
        ("CIA Director", "2021-02-01"),  # between Haspel and Burns: not listed
        ("Hamas political chief", "2025-01-10"),  # leadership council, no single chief
        ("US Special Envoy to the Middle East", "2024-04-08"),  # Witkoff was not yet envoy
        ("Press Secretary", "2020-06-01"),
        ("Deputy Press Secretary", "2024-06-01"),  # never the Press Secretary
    ],
)
def test_roles_outside_their_dates_name_nobody(lx, role, date):
    assert lx.resolve(role, date) is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Qatari", "Qatar"),
        ("Egyptian", "Egypt"),
        ("Palestinian", "Palestinians"),
        ("Israelis", "Israel"),
        ("U.S.", "United States"),
        ("Türkiye", "Turkey"),
        ("Emirati", "United Arab Emirates"),
        ("Israeli army", "Israel Defense Forces"),
        ("Israel Katz", "Israel Katz"),
        ("Katz", "Israel Katz"),
        ("Israel", "Israel"),
        ("US Special Envoy Steve Witkoff", "Steve Witkoff"),
        ("Hamas political chief Ismail Haniyeh", "Ismail Haniyeh"),
    ],
)
def test_demonyms_and_names_fold_to_one_actor(lx, written, expected):
    assert lx.resolve(written, "2024-05-05") == expected


# -- media --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            '"There is no progress yet," the Hamas official, who asked not to be named, told Reuters.',
            ("Reuters",),
        ),
        (
            "Speaking from Qatar, Haniyeh alleged that Netanyahu's actions were aimed at perpetuating aggression, "
            "reported AFP.",
            ("AFP",),
        ),
        ("As reported by CNN, Hamas has responded to the Gaza ceasefire plan put forward by the US.", ("CNN",)),
        ("Our next question will go to Aamer with the AP.", ("Associated Press",)),
        ("Our first question will go to Yuna with Israel Channel 12. Yuna, you should be", ("Channel 12",)),
        ("We’ll go next to Barak from Axios.", ("Axios",)),
        ("the Department of Defense announced Operation Prosperity Guardian", ()),
    ],
)
def test_find_media(lx, sentence, expected):
    assert lx.find_media(sentence) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("english.news.cn", "Xinhua"),  # whitehouse wh-2025-10-01 links Xinhua's English site
        ("www.aljazeera.com", "Al Jazeera"),
        ("english.wafa.ps", "WAFA"),
        ("x.com", None),
        ("news.com", None),  # a parent domain's label is no outlet's site
    ],
)
def test_outlet_at_a_host(lx, host, expected):
    assert lx.outlet_at(host) == expected


def test_un_experts_are_one_named_body(lx):
    # tfh-169: the same joint-statement group, named three ways in one article and elsewhere.
    names = ("UN experts", "United Nations experts", "U.N. special rapporteurs", "UN human rights experts")
    assert {lx.resolve(n, "2023-11-03") for n in names} == {"UN special rapporteurs"}


def test_account_owner_matches_a_handle_with_or_without_at_and_case(lx):
    assert [lx.account_owner(h) for h in ("LBpresidency", "@lbpresidency", "@SomeoneElse")] == [
        "Lebanese Presidency", "Lebanese Presidency", None]


def test_media_domains_are_bare_lowercase_hosts(lx):
    assert all(re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", d) for d in lx.media_domains)


# -- topics -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "The ongoing ceasefire deal, established in January, originally comprised three distinct phases. The "
            "first phase included a significant exchange, where Hamas returned numerous hostages in return for the "
            "release of Palestinian prisoners. However, key aspects of stage two, including the number of "
            "forthcoming hostages to be exchanged and the timeline for Israeli troop withdrawal from Gaza, remain "
            "unresolved.",
            ("hostages", "troop-withdrawal", "ceasefire"),
        ),
        (
            "However, a Palestinian official close to mediation efforts told Reuters that deadlock continued over "
            "Israel's refusal to end the war, withdraw its forces from Gaza, allow all civilians to return to their "
            "homes and lift a 17-year-old blockade to allow speedy reconstruction of the coastal enclave.",
            ("troop-withdrawal", "mediation", "reconstruction"),
        ),
        (
            "The Cairo talks stirred unease among Netanyahu's ultra-nationalist partners who want no let-up in the "
            "Gaza offensive. Far-right police minister Itamar Ben-Gvir said that if Netanyahu ended the war "
            '"without a broad assault on Rafah to defeat Hamas, he will not have a mandate to continue as prime '
            'minister".',
            ("domestic-politics", "military-operations", "mediation"),
        ),
        (
            "Israel carried out at least five more airstrikes on Rafah on Monday, causing a number of injuries, "
            "residents said.",
            ("military-operations", "casualties"),
        ),
        (
            "Israel's ongoing military offensive in Gaza has resulted in significant casualties, with more than "
            "34,600 Palestinians reported killed according to the health ministry in Hamas-ruled Gaza.",
            ("military-operations", "casualties"),
        ),
        (
            "However, Witkoff completely wrote off Hamas' response and said that they should \"accept the framework "
            'proposal we put forward as the basis for proximity talks."',
            ("mediation",),
        ),
        (
            "But this — this moment of pause is extraordinarily important. It’s important to get humanitarian aid "
            "in; it is also important to ensure that hostages can come out.",
            ("hostages", "humanitarian-aid"),
        ),
        ("Today, the FBI released their annual statistics on hate crimes.", ()),
    ],
)
def test_find_topics(lx, paragraph, expected):
    assert lx.find_topics(paragraph) == expected


def test_generic_words_trigger_nothing(lx):
    assert lx.explain_topics("He said the war in Gaza was the subject of talks with prisoners' families.") == {}


def test_key_words_skip_only_triggers_that_cannot_match(lx):
    # explain_topics runs a trigger's regex only when the paragraph's lower() holds its key
    # word. The answer must be what the regexes alone give, on odd case and Unicode too.
    from indexer.lexicon import _trigger_regex

    texts = [
        "CEASEFIRE talks in Doha; the Hostages were Released.", "ſtarvation and famine",
        "a KILLED Kelvin \u212aILLED", "İsrael's AİRSTRİKES on Rafah", "Humanitarian-aid",
        "cease-fire, cease  fire and ceasefires", "Negotiations resumed.", "",
        "The government's proposal for a truce, the ſecond round of negotiatıons.",
        "ceasefire-talks, pre-negotiation, aid_convoy, hostages2 and AID-CONVOYS",
        "Kerem\u00a0Shalom, humanitarian\taid and famine's toll", "bring-them-home",
    ]
    every = [trig for t in lx.topics for trig in t.triggers]
    texts += [trig.rstrip("*") for trig in every] + [trig.upper() for trig in every]
    for text in texts:
        expected = {t.name: [trig for trig in t.triggers
                             if re.search(_trigger_regex(trig), text, re.I)] for t in lx.topics}
        assert lx.explain_topics(text) == {name: trigs for name, trigs in expected.items() if trigs}


def test_only_the_listed_characters_fold_to_ascii_under_ignorecase():
    from indexer.lexicon import _ASCII_FOLDS

    beyond = "".join(map(chr, range(128, 0x110000)))
    folds = {c for a in map(chr, range(128)) for c in re.findall(re.escape(a), beyond, re.I)}
    assert folds == set(_ASCII_FOLDS.findall(beyond))


# -- the data files themselves ----------------------------------------------------------


def test_actor_entries_are_well_formed(lx):
    data = json.loads((Path(__file__).resolve().parents[1] / "indexer" / "data" / "actors.json").read_text("utf-8"))
    problems = []
    for entry in data["actors"]:
        if entry["type"] not in {"person", "organisation", "state", "group"}:
            problems.append((entry["name"], "type"))
        if entry.get("affiliation") and entry["affiliation"] not in lx.actors:
            problems.append((entry["name"], "affiliation " + entry["affiliation"]))
        for r in entry.get("roles", ()):
            dates = [d for d in (r["from"], r["to"]) if d is not None]
            if not all(DATE_FORMAT.match(d) for d in dates) or dates != sorted(dates):
                problems.append((entry["name"], r["aliases"][0]))
    assert problems == []


def test_no_plain_alias_points_at_two_actors():
    data = json.loads((Path(__file__).resolve().parents[1] / "indexer" / "data" / "actors.json").read_text("utf-8"))
    owners: dict[str, set[str]] = {}
    for entry in data["actors"]:
        for alias in {entry["name"], *entry["aliases"]}:
            owners.setdefault(alias, set()).add(entry["name"])
    assert {a: n for a, n in owners.items() if len(n) > 1} == {}


def test_topic_names_are_short_slugs(lx):
    assert [t.name for t in lx.topics] == [
        "ceasefire", "hostages", "humanitarian-aid", "military-operations", "casualties", "troop-withdrawal",
        "mediation", "domestic-politics", "reconstruction", "regional-escalation", "west-bank",
        "trade", "labour", "debt", "sanctions", "nuclear", "climate", "territory",
    ]  # fmt: skip


# -- precision on the distractor briefings ------------------------------------------------

DISTRACTORS = CORPORA / "whitehouse_gaza" / "whitehouse_2023-10_2025-01_other.jsonl.gz"
WATCHED = ("ceasefire", "hostages")
# Measured 0.159% (122 of 76,911 paragraphs; most are real: Gaza hostages in docs that never name
# Gaza, Paul Whelan, "holding Ukraine's funding hostage"). Ceiling with some room for new triggers.
CEILING = 0.003


def _off_topic_paragraphs() -> list[str]:
    with gzip.open(DISTRACTORS, "rt", encoding="utf-8") as fh:
        docs = [json.loads(line)["text"] for line in fh]
    off_topic = [t for t in docs if not re.search(r"Gaza|Hamas|Israel", t)]
    return [p for t in off_topic for p in t.split("\n\n") if p.strip()]


@pytest.mark.corpus
def test_ceasefire_and_hostage_tags_are_rare_on_distractors(lx):
    if not DISTRACTORS.exists():
        pytest.skip(f"corpus not available: {DISTRACTORS}")
    paragraphs = _off_topic_paragraphs()
    # Cheap prefilter: a watched topic can only fire if the first word of one of its triggers occurs.
    first_words = {t.rstrip("*").split()[0] for topic in lx.topics if topic.name in WATCHED for t in topic.triggers}
    maybe = re.compile("|".join(re.escape(w) for w in first_words), re.I)
    tagged = [p for p in paragraphs if maybe.search(p) and set(lx.find_topics(p)) & set(WATCHED)]
    assert len(paragraphs) > 50_000
    assert len(tagged) / len(paragraphs) < CEILING
