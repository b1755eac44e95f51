"""read_html and decode_html: hand-made fixtures, hostile input, real pages, quality floors."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import zlib
from collections import Counter
from pathlib import Path

import pytest

from indexer.errors import InputError
from indexer.html import (
    FLAT_DEPTH,
    Block,
    PageMeta,
    Story,
    clean_blocks,
    decode_html,
    find_published,
    flatten_deep,
    gunzip_capped,
    is_boilerplate,
    parse_soup,
    printed_date,
    read_html,
    recover_lead,
    recover_split_story,
    too_deep,
)
from indexer.html_date import numeric_day, time_published, undo_swaps
from indexer.html_text import ends_sentence, word_count
from indexer.html_title import site_names, strip_site_name, unescape
from indexer.models import Article
from indexer.paragraphs import is_heading, split_paragraphs

DATA = Path(__file__).parent / "data" / "html"
CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
BENCH = Path(__file__).resolve().parents[1] / "bench" / "html_quality.py"
PAGES_GOLD = Path(__file__).parent / "data" / "pages_gold" / "mediacloud_pages.jsonl"

GENEVA_TEXT = (
    "GENEVA — Delegates met in Genève on Monday to discuss the “pause” in fighting and the"
    " exchange of prisoners, a spokesman said.\n\n"
    "The café near the Palais des Nations was full of diplomats – and journalists … waiting for"
    " news from the talks."
)


def read_fixture(name: str, **kwargs) -> Article:
    return read_html((DATA / name).read_bytes(), path=name, **kwargs)


# -- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,encoding",
    [
        ("cp1252_no_meta.html", "cp1252"),  # guessers say cp1250 ("Genčve")
        ("cp1252_labelled_utf8.html", "cp1252"),  # declared UTF-8, bytes are cp1252
        ("utf8_labelled_latin1.html", "utf-8"),  # declared Latin-1, bytes are UTF-8
        ("utf16_bom.html", "utf-16"),
    ],
)
def test_encodings_give_the_same_story(name: str, encoding: str):
    article = read_fixture(name)
    assert (article.title, article.text, article.dateline, article.extra["encoding"]) == (
        "Talks in Genève",
        "Talks in Genève\n\n" + GENEVA_TEXT,  # the printed headline opens the story
        "GENEVA",
        encoding,
    )


def test_latin1_declared_page_reads_as_windows_1252():
    article = read_fixture("latin1_meta.html")
    assert (article.title, article.text.split("\n\n")[1][:40], article.extra["encoding"]) == (
        "Talks in Genève",
        "GENEVA - Delegates met in Genève on Mond",
        "cp1252",
    )


def test_http_charset_wins_over_meta():
    data = '<meta charset="utf-8"><p>Genève</p>'.encode("cp1252")
    assert decode_html(data, http_charset="windows-1252") == (
        '<meta charset="utf-8"><p>Genève</p>',
        "cp1252",
    )


def test_undeclared_utf8_and_unknown_labels():
    assert decode_html("<p>Genève</p>".encode()) == ("<p>Genève</p>", "utf-8")
    assert decode_html(b"<meta charset='x-bogus'><p>Gen\xe8ve</p>") == (
        "<meta charset='x-bogus'><p>Genève</p>",
        "cp1252",
    )


# -- a news page with JSON-LD, dateline, captions, prompts and a syndication note ------------


def test_news_page_story_and_metadata():
    assert read_fixture("news_jsonld.html.gz") == Article(
        article_id="",
        text=(
            "Hostage talks resume in Doha\n\n"
            "DOHA (Reuters) - Israeli and Hamas negotiators resumed indirect talks in Doha on"
            " Tuesday, with Qatari and Egyptian mediators shuttling between the delegations, two"
            " officials said.\n\n"
            "The talks focus on a six-week pause in fighting and the release of hostages held in"
            " Gaza in exchange for Palestinian prisoners.\n\n"
            "A US official said the gaps were narrowing but that no agreement was imminent.\n\n"
            "Sticking points\n\n"
            "Hamas wants a permanent ceasefire; Israel says it will resume operations after any"
            " pause, officials on both sides said.\n\n"
            "The sequencing of hostage releases over the six weeks\n\n"
            "The return of displaced people to northern Gaza"
        ),
        path="news_jsonld.html.gz",
        title="Hostage talks resume in Doha",
        outlet="Example News",
        url="https://news.example.com/world/hostage-talks-resume-doha",
        published="2024-02-13",
        date_precision="day",
        dateline="DOHA",
        credits=("Reuters",),
        byline="Dana Levi",
        kind="article",
    )


def test_news_page_extra():
    assert read_fixture("news_jsonld.html.gz").extra == {
        "encoding": "utf-8",
        "description": "Mediators shuttle between delegations as talks on a pause resume.",
        "site_name": "Example News",
        "capture_date": None,
        "date_source": "page",
    }


def test_given_url_and_capture_date_when_page_has_no_date():
    page = (DATA / "cp1252_no_meta.html").read_bytes()
    article = read_html(page, path="p", url="https://www.example.org/x", capture_date="2024-03-01")
    assert (article.url, article.outlet, article.published, article.extra["date_source"]) == (
        "https://www.example.org/x",
        "example.org",
        "2024-03-01",
        "capture",
    )


# -- Parley's own filters on the extracted blocks -------------------------------------------


@pytest.mark.parametrize(
    "block,boilerplate",
    [
        ("Mourners gather in Khan Younis. (File photo)", True),
        (
            "Then terminate the script to display the graph (files are generated on the disk).",
            False,
        ),
        ("Related: Hostage families march on Jerusalem", True),
        ("© 2024 Example News. All rights reserved.", True),
        ("Sign up for our newsletter and get the news in your inbox", True),
        ("Sign up for a Hulu ad-free account for $11.99 a month", False),
    ],
)
def test_is_boilerplate(block: str, boilerplate: bool):
    assert is_boilerplate(block) is boilerplate


def test_short_repeats_are_dropped_long_ones_kept():
    quote = "“We will not stop until they are home.”"
    long_para = "Negotiators met again in Cairo. " * 8
    blocks = [Block("p", t) for t in (quote, "Talks went on.", quote, long_para, long_para)]
    assert clean_blocks(blocks, None) == ([quote, "Talks went on.", long_para, long_para], [])


def test_headline_and_standfirst_open_the_story_once():
    standfirst = "Mediators shuttle between delegations."
    blocks = [
        Block("head", "Talks resume"),
        Block("head", standfirst),
        Block("p", "Negotiators met in Doha."),
        Block("p", "Talks resume"),
    ]
    assert clean_blocks(blocks, "Talks resume") == (
        ["Talks resume", standfirst, "Negotiators met in Doha."],
        [],
    )


def test_a_run_of_leading_headings_is_a_teaser_list():
    blocks = [
        Block("head", "Aid convoys stall"),
        Block("head", "Who are the mediators?"),
        Block("head", "Talks resume"),
        Block("p", "Negotiators met in Doha."),
    ]
    story = ["Talks resume", "Negotiators met in Doha."]
    assert clean_blocks(blocks, "Talks resume") == (story, [])


def test_short_page_is_kept():
    page = b"<html><body><p>Ceasefire holds.</p></body></html>"
    assert read_html(page, path="x").text == "Ceasefire holds."


PARA = "Paragraph {} of the story, long enough to be a real paragraph of reporting from Doha."
CHUNK = f"<p>{PARA}</p>"


def test_story_split_around_ads_is_read_whole():
    chunk = '<div class="grid"><div class="body">{}</div></div>'
    page = (
        "<html><body><article>"
        + chunk.format(CHUNK.format(1) + CHUNK.format(2))
        + '<div class="ad">Advertisement</div>'
        + chunk.format("".join(CHUNK.format(i) for i in (3, 4, 5)))
        + '<div class="grid"><div class="body"><p>Jane Doe covers diplomacy for Example News'
        " from Doha and Cairo; before that she reported from Beirut.</p></div></div>"
        + "</article></body></html>"
    )
    first = [Block("p", PARA.format(i)) for i in (1, 2)]
    blocks = recover_split_story(parse_soup(page), first)
    assert [b.text[:11] for b in blocks] == [f"Paragraph {i}" for i in range(1, 6)]


@pytest.mark.parametrize(
    "line,day",
    [
        ("Written: 2023-11-07 15:03:30", "2023-11-07"),
        ("Published on 7 November 2023", "2023-11-07"),
        ("Posted: Nov. 7, 2023 at 3 pm", "2023-11-07"),
        ("Date: 07.11.2023", "2023-11-07"),
        ("Published: Tuesday, 7 November 2023", "2023-11-07"),
        ("Published in Doha", None),
    ],
)
def test_printed_date(line: str, day: str | None):
    page = f"<html><body><h1>Talks</h1><p class='date'>{line}</p><p>Talks went on.</p></body>"
    assert printed_date(parse_soup(page)) == day


def test_printed_date_wins_on_a_page_that_declares_none():
    item = "<li><a href='/{}'>Other story</a> <span>2023-11-03</span></li>"
    related = "".join(item.format(i) for i in range(3))
    page = (
        "<html><body><article><h1>Cold wave</h1><p class='date'>Written: 2023-11-07 15:03</p>"
        "<p>Temperatures will fall sharply on Wednesday after a cold wave alert, forecasters"
        " said.</p>"
        f"</article><ul>{related}</ul></body></html>"
    ).encode()
    assert read_html(page, path="x").published == "2023-11-07"


def test_prose_mentioning_a_date_is_not_a_label():
    page = "<p>Published in 2019, Mercurial 5.2 was released on November 5, 2019 to users.</p>"
    assert printed_date(parse_soup(page)) is None


# -- publication date: agreement among sources -----------------------------------------------


@pytest.mark.parametrize(
    "trafilatura_day,json_ld_day,declared_day,expected",
    [
        ("2020-12-24", "2020-12-25", "2020-12-25", "2020-12-25"),  # UTC shift outvoted
        ("2020-12-24", None, "2020-12-25", "2020-12-24"),  # a tie goes to trafilatura
        (None, None, "2020-12-25", "2020-12-25"),
        ("2024-05-05", "2024-05-05", "2024-05-05", "2024-05-05"),
        (None, None, None, None),
    ],
)
def test_published_day_is_the_majority(trafilatura_day, json_ld_day, declared_day, expected):
    meta = PageMeta(json_ld_published=json_ld_day, published=declared_day)
    story = Story([], date=trafilatura_day)
    page = "<html><body><p>No dates here.</p></body></html>"
    assert find_published(page, meta, story, None) == expected


def test_both_htmldate_searches_outvote_trafilatura():
    page = (
        "<html><head><meta property='article:published_time' content='2024-05-05T08:00'>"
        "</head><body><p>Talks resumed in Cairo on Sunday.</p></body></html>"
    )
    story = Story([], date="2015-07-21")
    assert find_published(page, PageMeta(), story, None) == "2024-05-05"


# -- hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty page"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\x00" * 5000, "binary data, not an HTML page"),
        (
            b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            "no article text found on the page",
        ),
        (
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage",
            "corrupt gzip data: Error -3 while decompressing data: invalid block type",
        ),
    ],
)
def test_refused_with_a_reason(data: bytes, reason: str):
    with pytest.raises(InputError) as caught:
        read_html(data, path="x")
    assert str(caught.value) == reason


def test_gzip_bomb_is_stopped_at_the_cap():
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\x00" * (1024 * 1024)
    bomb = b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush()  # 64 MB of NULs
    with pytest.raises(InputError) as caught:
        gunzip_capped(bomb, limit=8 * 1024 * 1024)
    assert str(caught.value) == "page larger than 8 MB once decompressed"


def test_gunzip_capped_round_trip():
    assert gunzip_capped(gzip.compress(b"<p>hello</p>")) == b"<p>hello</p>"


def nested_page(depth: int) -> bytes:
    return (
        "<html><body>"
        + "<div>" * depth
        + "<p>Deep text, nested many levels down but still readable.</p>"
        + "</div>" * depth
        + "</body></html>"
    ).encode()


@pytest.mark.parametrize("depth", [200, 300, 2_000, 100_000])
def test_deep_nesting_is_flattened_and_read(depth: int):
    # libxml2 drops what is nested over 256 deep; the wrappers past FLAT_DEPTH are flattened.
    assert read_html(nested_page(depth), path="deep").text == (
        "Deep text, nested many levels down but still readable."
    )


def test_flatten_deep_keeps_text_and_the_outer_tags():
    page = "<div><section><div>a<div>b<span>c</span></div>d</div></section></div>"
    assert flatten_deep(page, limit=2) == "<div><section> a b c d </section></div>"
    assert not too_deep(flatten_deep("<div>" * 5000 + "x" + "</div>" * 5000), limit=FLAT_DEPTH)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(1, 256)) * 400,  # no NUL at all, so the byte check lets it through
        b"<html><body>" + bytes(range(128, 256)) * 300,  # high bytes only: cp1252 "text"
    ],
)
def test_binary_without_nuls_is_not_html_text(data: bytes):
    with pytest.raises(InputError) as caught:
        read_html(data, path="x.html")
    assert str(caught.value).startswith("binary data, not HTML text")


@pytest.mark.parametrize(
    "page,deep",
    [
        ("<div>" * 257, True),
        ("<div>" * 256, False),
        # p and li close implicitly; br and img are void
        ("<p>" * 1000 + "<li>" * 1000 + "<br>" * 1000 + "<img src=x>" * 1000, False),
        ("<span/>" * 1000 + "<!--" + "<div>" * 1000 + "-->", False),
        ("<script>var s = '" + "<div>" * 1000 + "';</script>", False),
        ("<div></div>" * 10_000, False),
    ],
)
def test_too_deep(page: str, deep: bool):
    assert too_deep(page) is deep


# -- real pages from the shared corpora -----------------------------------------------------

needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora not present")


def corpus_page(relative: str) -> bytes:
    return gzip.decompress((CORPORA / relative).read_bytes())


@needs_corpora
def test_real_wsj_page():
    key = "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856"
    article = read_html(corpus_page(f"aeb_scrapinghub/html/{key}.html.gz"), path=key)
    assert (
        article.title,
        article.outlet,
        article.byline,
        article.published,
        article.url,
        article.text.split("\n\n")[:3],
    ) == (
        "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay",
        "WSJ",
        "Sarah E Needleman",
        "2019-11-19",
        "https://www.wsj.com/articles/google-stadia-microsoft-xcloud-apple-arcade-so-many-ways-to-playand-pay-11574168580",
        [  # headline, standfirst, first paragraph, as the page prints them
            "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay",
            "There are more devices, platforms and services to choose from than ever before."
            " Here’s how to figure out what’s best for your play habits and your wallet.",
            "Gaming used to be so simple. We’d buy a game, sit down in front of a console or PC,"
            " grind our way to the end, then repeat.",
        ],
    )


@needs_corpora
@pytest.mark.parametrize(
    "file,url,day",
    [
        # JSON-LD says 2020-12-25T01:59:50+02:00; trafilatura's UTC reading is the 24th.
        (
            "html/1806793639.html.gz",
            "https://elbaladtv.net/%d8%aa%d8%b1%d9%83%d9%89-%d8%a2%d9%84-%d8%a7%d9%84%d8%b4%d"
            "9%8a%d8%ae-%d8%a8%d8%b9%d8%af-%d8%a5%d8%b5%d8%a7%d8%a8%d8%a9-%d9%8a%d8%b3%d8%b1%"
            "d8%a7-%d8%a8%d9%83%d9%88%d8%b1%d9%88%d9%86%d8%a7-%d9%8a%d8%a7/",
            "2020-12-25",
        ),
        # trafilatura picks 2015-07-21; both htmldate searches find 2020-07-12.
        (
            "html/1660064054.html.gz",
            "https://blog.goo.ne.jp/umaichi_news/e/52743e20f825567d4e9889be58ec06b9",
            "2020-07-12",
        ),
    ],
)
def test_real_pages_published_day_by_majority(file: str, url: str, day: str):
    page = corpus_page(f"htmldate_mediacloud2020/{file}")
    assert read_html(page, path=file, url=url).published == day


# -- pinned quality floors on the held-out halves (split.md) ---------------------------------

SAMPLE = (
    20  # held-out pages of each third-party set; our own page set's held-out half is read whole
)
SAMPLES = {
    "parley_pages": None,
    "aeb_scrapinghub": SAMPLE,
    "webpages_trafilatura_htmldate": SAMPLE,
    "htmldate_mediacloud2020": SAMPLE,
    "readability_testpages": SAMPLE,
}
# Parley's held-out scores (bench.held_out_scores with SAMPLES), rounded down; raise them when
# quality improves. readability's title gold keeps the site's name ("… | eHow"), which Parley
# now strips on purpose: its title accuracy fell from 0.7 and is pinned where it is.
FLOORS: dict[tuple[str, str, str], float] = {
    ("parley_pages", "all", "headline exact"): 0.94,
    ("parley_pages", "all", "headline fuzzy"): 0.994,
    ("parley_pages", "all", "date exact"): 0.918,
    ("parley_pages", "all", "lead recall"): 0.97,
    ("parley_pages", "ar", "headline exact"): 1.0,
    ("parley_pages", "ar", "headline fuzzy"): 1.0,
    ("parley_pages", "ar", "date exact"): 1.0,
    ("parley_pages", "ar", "lead recall"): 1.0,
    ("parley_pages", "ca", "headline exact"): 1.0,
    ("parley_pages", "ca", "headline fuzzy"): 1.0,
    ("parley_pages", "ca", "date exact"): 1.0,
    ("parley_pages", "ca", "lead recall"): 1.0,
    ("parley_pages", "de", "headline exact"): 1.0,
    ("parley_pages", "de", "headline fuzzy"): 1.0,
    ("parley_pages", "de", "date exact"): 1.0,
    ("parley_pages", "de", "lead recall"): 1.0,
    ("parley_pages", "en", "headline exact"): 1.0,
    ("parley_pages", "en", "headline fuzzy"): 1.0,
    ("parley_pages", "en", "date exact"): 0.5,
    ("parley_pages", "en", "lead recall"): 0.881,
    ("parley_pages", "es", "headline exact"): 1.0,
    ("parley_pages", "es", "headline fuzzy"): 1.0,
    ("parley_pages", "es", "date exact"): 1.0,
    ("parley_pages", "es", "lead recall"): 1.0,
    ("parley_pages", "fa", "headline exact"): 1.0,
    ("parley_pages", "fa", "headline fuzzy"): 1.0,
    ("parley_pages", "fa", "date exact"): 0.666,
    ("parley_pages", "fa", "lead recall"): 0.982,
    ("parley_pages", "fi", "headline exact"): 1.0,
    ("parley_pages", "fi", "headline fuzzy"): 1.0,
    ("parley_pages", "fi", "date exact"): 1.0,
    ("parley_pages", "fi", "lead recall"): 1.0,
    ("parley_pages", "fr", "headline exact"): 0.8,
    ("parley_pages", "fr", "headline fuzzy"): 0.988,
    ("parley_pages", "fr", "date exact"): 1.0,
    ("parley_pages", "fr", "lead recall"): 1.0,
    ("parley_pages", "hu", "headline exact"): 1.0,
    ("parley_pages", "hu", "headline fuzzy"): 1.0,
    ("parley_pages", "hu", "date exact"): 1.0,
    ("parley_pages", "hu", "lead recall"): 0.275,
    ("parley_pages", "id", "headline exact"): 1.0,
    ("parley_pages", "id", "headline fuzzy"): 1.0,
    ("parley_pages", "id", "date exact"): 1.0,
    ("parley_pages", "id", "lead recall"): 1.0,
    ("parley_pages", "it", "headline exact"): 1.0,
    ("parley_pages", "it", "headline fuzzy"): 1.0,
    ("parley_pages", "it", "date exact"): 1.0,
    ("parley_pages", "it", "lead recall"): 1.0,
    ("parley_pages", "ja", "headline exact"): 1.0,
    ("parley_pages", "ja", "headline fuzzy"): 1.0,
    ("parley_pages", "ja", "date exact"): 1.0,
    ("parley_pages", "ja", "lead recall"): 1.0,
    ("parley_pages", "ko", "headline exact"): 1.0,
    ("parley_pages", "ko", "headline fuzzy"): 1.0,
    ("parley_pages", "ko", "date exact"): 1.0,
    ("parley_pages", "ko", "lead recall"): 1.0,
    ("parley_pages", "lt", "headline exact"): 1.0,
    ("parley_pages", "lt", "headline fuzzy"): 1.0,
    ("parley_pages", "lt", "date exact"): 1.0,
    ("parley_pages", "lt", "lead recall"): 1.0,
    ("parley_pages", "pt", "headline exact"): 1.0,
    ("parley_pages", "pt", "headline fuzzy"): 1.0,
    ("parley_pages", "pt", "date exact"): 1.0,
    ("parley_pages", "pt", "lead recall"): 1.0,
    ("parley_pages", "ru", "headline exact"): 1.0,
    ("parley_pages", "ru", "headline fuzzy"): 1.0,
    ("parley_pages", "ru", "date exact"): 1.0,
    ("parley_pages", "ru", "lead recall"): 1.0,
    ("parley_pages", "sq", "headline exact"): 1.0,
    ("parley_pages", "sq", "headline fuzzy"): 1.0,
    ("parley_pages", "sq", "date exact"): 1.0,
    ("parley_pages", "sq", "lead recall"): 1.0,
    ("parley_pages", "sv", "headline exact"): 1.0,
    ("parley_pages", "sv", "headline fuzzy"): 1.0,
    ("parley_pages", "sv", "date exact"): 1.0,
    ("parley_pages", "sv", "lead recall"): 1.0,
    ("parley_pages", "tr", "headline exact"): 1.0,
    ("parley_pages", "tr", "headline fuzzy"): 1.0,
    ("parley_pages", "tr", "date exact"): 1.0,
    ("parley_pages", "tr", "lead recall"): 1.0,
    ("parley_pages", "zh", "headline exact"): 0.5,
    ("parley_pages", "zh", "headline fuzzy"): 0.945,
    ("parley_pages", "zh", "date exact"): 1.0,
    ("parley_pages", "zh", "lead recall"): 1.0,
    ("aeb_scrapinghub", "all", "body P"): 0.958,
    ("aeb_scrapinghub", "all", "body R"): 0.969,
    ("aeb_scrapinghub", "all", "body F1"): 0.961,
    ("webpages_trafilatura_htmldate", "all", "title acc"): 0.937,
    ("webpages_trafilatura_htmldate", "all", "author acc"): 0.8,
    ("webpages_trafilatura_htmldate", "all", "date acc"): 0.785,
    ("webpages_trafilatura_htmldate", "all", "with found"): 0.983,
    ("webpages_trafilatura_htmldate", "all", "without absent"): 0.912,
    ("htmldate_mediacloud2020", "all", "date acc"): 0.95,
    ("readability_testpages", "all", "title acc"): 0.473,
    ("readability_testpages", "all", "byline acc"): 0.714,
    ("readability_testpages", "all", "body F1"): 0.928,
}


def load_bench():
    spec = importlib.util.spec_from_file_location("html_quality", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["html_quality"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@needs_corpora
@pytest.mark.corpus
def test_quality_floors():
    bench = load_bench()
    scores = {}
    for set_name, sample_n in SAMPLES.items():
        for (group, measure), value in bench.held_out_scores(
            set_name, sample_n, root=CORPORA
        ).items():
            scores[(set_name, group, measure)] = round(value, 3)
    below = {
        key: (scores.get(key), floor)
        for key, floor in FLOORS.items()
        if scores.get(key) is None or scores[key] < floor
    }
    assert below == {}, f"scores below their floors: {below}"


def gold_records() -> list[dict]:
    return [json.loads(line) for line in PAGES_GOLD.read_text(encoding="utf-8").splitlines()]


def test_page_gold_split():
    bench = load_bench()
    pages = bench.load_pages(CORPORA) if CORPORA.is_dir() else []
    halves = Counter(bench.held_out(r["dataset"], r["id"]) for r in gold_records())
    assert (halves[False], halves[True]) == (41, 50)
    assert all(
        p.half == ("held-out" if bench.held_out("parley_pages", p.page_id) else "dev")
        for p in pages
    )


@needs_corpora
@pytest.mark.parametrize(
    "page_id,headline,lead_start",
    [  # development pages of our own gold
        (
            "mc2020-013",
            'Полиция направила дело "минера" столичного метро в суд',  # &quot; in JSON-LD
            "Полиция Киева завершила досудебное расследование",
        ),  # lead in a box of its own
        (
            "mc2020-194",
            "مصر تسجل 30 إصابة جديدة وحالتي وفاة بفيروس كورونا",
            "أعلنت وزارة الصحة والسكان المصرية، اليوم الثلاثاء",
        ),
        (
            "mc2020-044",
            # the page's <h1> is the blog's name
            "JRA競走に勝ったセール出身馬紹介(2020/7/11-12､ダノンスプレンダーなど18頭)",
            "2020年7月11日(土)～12日(日)に開催された",
        ),
    ],
)
def test_real_pages_headline_and_lead(page_id: str, headline: str, lead_start: str):
    record = next(r for r in gold_records() if r["id"] == page_id)
    article = read_html(corpus_page(record["file"]), path=page_id, url=record["url"])
    body = [p for p in article.text.split("\n\n") if p != article.title]
    assert (article.title, body[0][: len(lead_start)]) == (headline, lead_start)


# -- headlines: the printed headline, without the site's name --------------------------------


def headline_of(head: str, body: str, url: str | None = None) -> str | None:
    page = f"<html><head>{head}</head><body>{body}<p>{PARA.format(1)}</p></body></html>"
    return read_html(page.encode(), path="x", url=url).title


@pytest.mark.parametrize(
    "head,body,url,headline",
    [
        # the site's own name, from og:site_name, after any of the usual separators
        (
            "<title>Truce talks stall - ABC News</title>"
            "<meta property='og:site_name' content='ABC News'>",
            "",
            None,
            "Truce talks stall",
        ),
        (
            "<title>Truce talks stall – Ars Technica</title>"
            "<meta property='og:site_name' content='Ars Technica'>",
            "",
            None,
            "Truce talks stall",
        ),
        # a part that is the domain, or looks like one
        (
            "<title>Truce talks stall | Fortune.com</title>",
            "",
            "https://fortune.com/a/b",
            "Truce talks stall",
        ),
        ("<title>Truce talks stall | example.co.uk</title>", "", None, "Truce talks stall"),
        # a prefix naming the site (a Korean mobile edition)
        (
            "<title>대전일보 모바일 :: 성금 기탁 줄 잇는다</title>"
            "<meta property='og:site_name' content='대전일보'>",
            "",
            None,
            "성금 기탁 줄 잇는다",
        ),
        # the printed <h1> wins over the social title when it agrees with <title>
        (
            "<title>Mediators return to Cairo | Example</title>"
            "<meta property='og:title' content='Mediators are back in Cairo, and here is why'>",
            "<h1>Mediators return to Cairo</h1>",
            None,
            "Mediators return to Cairo",
        ),
        # ... and is kept whole even when it ends like a site name would ("- Wilder")
        (
            "<title>Henderson should stay - Wilder | Daily Mail Online</title>",
            "<h1>Henderson should stay - Wilder</h1>",
            None,
            "Henderson should stay - Wilder",
        ),
        # a logo <h1> linking home and a blog's name are not the headline
        (
            "<title>Egypt records 30 new cases - Sputnik</title>"
            "<meta property='og:site_name' content='Sputnik'>",
            "<h1><a href='https://example.org/'>Sputnik</a></h1>"
            "<h1>Egypt records 30 new cases</h1>",
            "https://example.org/news/1",
            "Egypt records 30 new cases",
        ),
        (
            "<title>鉄山～弥山 オオヤマレンゲ咲いてます - 適当でええねん！！</title>",
            "<h1><a href='https://blog.example.jp/me'>適当でええねん！！</a></h1>",
            "https://blog.example.jp/me/e/1",
            "鉄山～弥山 オオヤマレンゲ咲いてます",
        ),
        # an <h1> carrying a button's label after the headline is cut back to the title
        (
            "<title>Kindergottesdienst macht Spaß</title>",
            "<h1>Kindergottesdienst macht Spaß <button>CC-Editor öffnen</button></h1>",
            None,
            "Kindergottesdienst macht Spaß",
        ),
        # an <h1> that has nothing to do with the title (a sidebar item) loses to JSON-LD
        (
            "<title>索尼申請供貨華為 | 兩岸 | 經濟日報</title><script type='application/ld+json'>"
            '{"@type": "NewsArticle", "headline": "索尼申請供貨華為"}</script>',
            "<h1>經濟周報：台股中秋向上變盤無望？</h1>",
            None,
            "索尼申請供貨華為",
        ),
        # entities escaped twice over
        (
            "<meta property='og:title' content='Gaza&amp;#039;s truce &amp;quot;holds&amp;quot;'>",
            "",
            None,
            'Gaza\'s truce "holds"',
        ),
    ],
)
def test_headline(head: str, body: str, url: str | None, headline: str):
    assert headline_of(head, body, url) == headline


def test_strip_site_name_keeps_a_title_that_is_all_site_parts():
    assert strip_site_name("Example News", ["Example News"]) == "Example News"
    assert unescape("Tom &amp;amp; Jerry&nbsp;&#8217;s") == "Tom & Jerry ’s"


# -- dates: declared ISO dates first, numeric dates read as the page's country does -----------

BYLINE_PAGE = (
    "<html lang='{lang}'><head><title>Talks</title>{head}</head><body><article><h1>Talks</h1>"
    "<p class='byline'>Posted: 10/04/2016 {time}</p><p>" + PARA.format(1) + "</p>"
    "<p>" + PARA.format(2) + "</p></article></body></html>"
)


@pytest.mark.parametrize(
    "lang,head,time,day",
    [
        # <time datetime> is unambiguous: it beats a day-first reading of the byline
        ("en-GB", "", "<time datetime='2016-10-04 05:07:09'>05:07</time>", "2016-10-04"),
        # <meta value=...> is read like content=
        ("en-GB", "<meta name='date' value='2016-10-04T05:07:09'>", "", "2016-10-04"),
    ],
)
def test_declared_date_wins_over_the_printed_one(lang: str, head: str, time: str, day: str):
    page = BYLINE_PAGE.format(lang=lang, head=head, time=time)
    assert read_html(page.encode(), path="x").published == day


@pytest.mark.parametrize(
    "lang,url,day",
    [
        ("en-US", None, "2016-10-04"),
        ("en-GB", None, "2016-04-10"),
        ("fr", None, "2016-04-10"),
        ("en", "https://www.example.us/a", "2016-10-04"),  # no country in lang: the domain's
        ("en", "https://www.example.co.uk/a", "2016-04-10"),
    ],
)
def test_numeric_printed_date_read_in_the_page_order(lang: str, url: str | None, day: str):
    page = BYLINE_PAGE.format(
        lang=lang, head=f"<link rel='canonical' href='{url}'>" if url else "", time=""
    )
    assert printed_date(parse_soup(page), url) == day


@pytest.mark.parametrize(
    "text,month_first_order,day",
    [
        ("10/04/2016", True, "2016-10-04"),
        ("10/04/2016", False, "2016-04-10"),
        ("13/04/2016", True, "2016-04-13"),
        ("04.13.2016", False, "2016-04-13"),
        ("31/02/2016", False, None),
        ("on 10/04/2016", False, None),
    ],
)
def test_numeric_day(text: str, month_first_order: bool, day: str | None):
    assert numeric_day(text, month_first_order) == day


def test_a_swapped_reading_counts_as_the_declared_date():
    assert undo_swaps(["2016-04-10", "2016-10-04", "2016-05-01", None], ["2016-10-04"]) == [
        "2016-10-04",
        "2016-10-04",
        "2016-05-01",
        None,
    ]


def test_time_published_skips_embedded_posts():
    page = (
        "<article><blockquote class='instagram'><time datetime='2020-02-16T23:02'>Feb 16</time>"
        "</blockquote><p>Text</p><time datetime='2020-02-17T10:00'>17 Feb</time></article>"
    )
    assert time_published(parse_soup(page)) == "2020-02-17"
    labelled = (
        "<time datetime='2019-01-01'>x</time>"
        "<time itemprop='datePublished' datetime='2020-01-02'>y</time>"
    )
    assert time_published(parse_soup(labelled)) == "2020-01-02"


# -- scripts: sentence endings and crossheads beyond English ----------------------------------


@pytest.mark.parametrize(
    "line,heading",
    [
        ("Sticking Points", True),
        ("The Sequencing Of Releases", True),
        # a Chinese lead that opens with a bracketed byline and ends with "。"
        ("〔記者巫其倫／台北報導〕財政部今天下午將公佈中獎清冊。", False),
        ("与田祐希の写真集から、未収録のショットが公開された。", False),
        # a long unspaced run, even cut before its "。", is a sentence, not a crosshead
        (
            "この日はミラノの街で撮影を行い、夕食後にホテルに戻り、メイクを落としてすっぴんで眠りにつくまでを撮影",
            False,
        ),
        ("هل تنجح المفاوضات؟", False),  # ends with the Arabic question mark
        ("مطالب الطرفين", True),  # a short Arabic crosshead
        ("प्रयागराज, जेएनएन। आम आदमी पार्टी आंदोलन करेगी।", False),
        ("Samsun’da iki çocuk hastanelik oldu.", False),
    ],
)
def test_is_heading_in_any_script(line: str, heading: bool):
    assert is_heading(line) is heading


def test_consecutive_heading_candidates_are_all_kept():
    article = Article(
        article_id="a", text="First line\n\nSecond Line\n\nThe story goes on here.", path="p"
    )
    paragraphs = split_paragraphs(article)
    assert [(p.text, p.heading) for p in paragraphs] == [
        ("First line", None),
        ("The story goes on here.", "Second Line"),
    ]


def test_leading_paragraphs_labelled_as_headings_are_kept():
    lead = "人気アイドルグループの与田祐希の2nd写真集から、未収録の“すっぴんショット”が公開された。"
    blocks = [
        Block("head", "写真集"),
        Block("head", "乃木坂46"),
        Block("head", lead),
        Block("p", "このカットは、撮影の舞台となったイタリア・ミラノのホテルで撮られた一枚。"),
    ]
    assert clean_blocks(blocks, "写真集")[0][-2:] == [lead, blocks[-1].text]
    assert (ends_sentence("…と話した。」"), ends_sentence("هل؟"), word_count("与田祐希写真集")) == (
        True,
        True,
        3,
    )


def test_lead_in_a_box_of_its_own_is_put_back():
    lead = (
        "Police in Kyiv completed the pre-trial investigation and sent the case of the metro"
        " hoaxer to court."
    )
    page = (
        "<html><head><meta property='og:description' content='" + lead + " — Ukrinform.'></head>"
        "<body><article><h1>Case sent to court</h1><div class='newsHeading'>" + lead + "</div>"
        "<div class='newsText'><p>" + PARA.format(1) + "</p><p>" + PARA.format(2) + "</p></div>"
        "</article></body></html>"
    )
    blocks = [
        Block("head", "Case sent to court"),
        Block("p", PARA.format(1)),
        Block("p", PARA.format(2)),
    ]
    soup = parse_soup(page)
    assert [b.text for b in recover_lead(soup, blocks, [lead + " — Ukrinform."])][:2] == [
        "Case sent to court",
        lead,
    ]
    assert recover_lead(soup, blocks[:1] + [Block("p", lead)], [lead]) == blocks[:1] + [
        Block("p", lead)
    ]


def test_a_headline_that_mentions_the_site_is_kept():
    head = (
        "<title>Reuters reports record profit | Business</title>"
        "<meta property='og:site_name' content='Reuters'>"
    )
    assert (
        headline_of(head, "<h1>Reuters reports record profit</h1>")
        == "Reuters reports record profit"
    )
    assert headline_of(head, "") == "Reuters reports record profit | Business"


def test_hebrew_page_written_for_this_test():
    # No Hebrew page in the shared corpora is readable (israelhayom.co.il serves a script):
    # this one is written here. Site name after " | ", a crosshead without a full stop.
    lead = "המשלחת הישראלית חזרה הערב מקהיר לאחר יומיים של שיחות עקיפות על הפסקת אש."
    second = "לדברי גורם מדיני, הפערים בין הצדדים הצטמצמו אך טרם הושגה הסכמה על לוח הזמנים."
    page = (
        "<html lang='he' dir='rtl'><head><title>המשלחת חזרה מקהיר | חדשות לדוגמה</title>"
        "<meta property='og:site_name' content='חדשות לדוגמה'></head><body><article>"
        f"<h1>המשלחת חזרה מקהיר</h1><p>{lead}</p><h2>מה הלאה</h2><p>{second}</p>"
        "</article></body></html>"
    )
    article = read_html(page.encode(), path="he.html")
    assert (article.title, article.text.split("\n\n")[1]) == ("המשלחת חזרה מקהיר", lead)
    assert (is_heading("מה הלאה"), is_heading(lead), is_heading(second)) == (True, False, False)


@pytest.mark.parametrize(
    "host,label",
    [
        ("edition.cnn.com", "cnn"),
        ("www.stuff.co.nz", "stuff"),
        ("blog.goo.ne.jp", "goo"),
        ("news.am", "news"),
        ("bbc.co.uk", "bbc"),
    ],
)
def test_site_name_from_the_domain(host: str, label: str):
    assert site_names(parse_soup("<p>x</p>"), {}, host)[-1] == label
