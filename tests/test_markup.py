"""Markdown and HTML remnants become clean text at ingest; links are kept, URLs not indexed.

The examples are lines of the bundled White House sample (samples/whitehouse_gaza.jsonl.gz)
and text written here; the ingest tests read the sample's own records.
"""

from __future__ import annotations

import gzip
import json

import pytest

import indexer
import search as core
from indexer.markup import clean_inline, strip_line_markup
from search.request import SearchRequest
from tests.conftest import SAMPLES


def links_of(text: str) -> list[tuple[str, str]]:
    clean, links = clean_inline(text)
    return [(clean[s:e], url) for s, e, url in links]


def test_markdown_link_inside_bold_becomes_its_words_and_a_link():
    raw = ("**Washington Post: [Joe Biden: The U.S. won’t back down from the challenge of Putin "
           "and Hamas](https://www.washingtonpost.com/opinions/2023/11/18/joe-biden-gaza-hamas-putin/)**")
    clean, _ = clean_inline(raw)
    assert clean == ("Washington Post: Joe Biden: The U.S. won’t back down from the challenge of "
                     "Putin and Hamas")
    assert links_of(raw) == [("Joe Biden: The U.S. won’t back down from the challenge of Putin "
                              "and Hamas",
                              "https://www.washingtonpost.com/opinions/2023/11/18/joe-biden-gaza-hamas-putin/")]


def test_struck_words_of_a_transcript_correction_are_dropped():
    assert clean_inline("<s>Parker</s> [Parks] of ABC.")[0] == "[Parks] of ABC."
    assert clean_inline("Our National Security Advisor did <s>have a call</s> meet")[0] == (
        "Our National Security Advisor did meet")


def test_parentheses_in_urls_and_words_and_entities():
    assert links_of("See [a (b) c](https://en.wikipedia.org/wiki/Foo_(bar)) &amp; more") == [
        ("a (b) c", "https://en.wikipedia.org/wiki/Foo_(bar)")]
    assert clean_inline("See [a (b) c](https://en.wikipedia.org/wiki/Foo_(bar)) &amp; more")[0] == (
        "See a (b) c & more")


def test_bare_url_becomes_a_link_named_by_its_host():
    raw = "Live updates: https://www.nbcnews.com/world/live-blog/israel-hamas-gaza-ceasfire-hostages."
    clean, links = clean_inline(raw)
    assert clean == "Live updates: nbcnews.com."
    assert links_of(raw) == [("nbcnews.com",
                              "https://www.nbcnews.com/world/live-blog/israel-hamas-gaza-ceasfire-hostages")]


def test_html_anchor_and_formatting_tags():
    raw = '<a href="https://x.org/a?b=1&amp;c=2">the deal</a> was <i>struck</i>.<br>Next'
    assert clean_inline(raw)[0] == "the deal was struck. Next"
    assert links_of(raw) == [("the deal", "https://x.org/a?b=1&c=2")]


def test_only_web_links_are_kept():
    assert links_of("[click](javascript:alert(1)) and [home](/relative)") == []
    assert clean_inline("[click](javascript:alert(1)) and [home](/relative)")[0] == "click and home"


def test_plain_news_text_comes_through_unchanged():
    for text in ("He said 2 * 3 * 4 is 24 and snake_case_word stays.",
                 "Zanzibarxss negotiators said <script>alert(1)</script> was found.",
                 "Doha, Qatar (Reuters) - Talks resumed on Monday, officials said.",
                 "The U.S. [Ed.: the State Department] declined to comment."):
        assert clean_inline(text) == (text, ())


def test_line_markup():
    assert strip_line_markup("# Statement on Gaza\n\n- one\n- two\n\n---\n> quoted") == (
        "Statement on Gaza\n\none\ntwo\n\n\nquoted")
    plain = "Talks - which resumed - went on."
    assert strip_line_markup(plain) == plain


def sample_records(predicate, limit: int) -> list[dict]:
    out = []
    with gzip.open(SAMPLES / "whitehouse_gaza.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if predicate(record["text"]):
                out.append(record)
                if len(out) == limit:
                    break
    return out


@pytest.fixture(scope="module")
def markdown_index(tmp_path_factory):
    records = sample_records(lambda t: "ceasfire" in t, 1)
    records += sample_records(lambda t: "](http" in t and "ceasfire" not in t, 4)
    folder = tmp_path_factory.mktemp("md")
    (folder / "wh.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("md-index")
    report = indexer.ingest([folder], index_dir)
    assert report.articles == 5 and not report.skipped
    return index_dir


def test_ingested_markdown_is_clean_and_urls_are_not_words(markdown_index):
    hits = list(core.iter_search_hits(markdown_index, SearchRequest()))
    assert not [h.text for h in hits if "](" in h.text or "**" in h.text or "http" in h.text]
    assert core.search(markdown_index, SearchRequest(text="ceasfire")).total == 0
    assert core.search(markdown_index, SearchRequest(text="washingtonpost")).total == 0
    linked = [h for h in hits if h.links]
    assert len(linked) >= 5
    for hit in linked:
        for start, end, url in hit.links:
            assert url.startswith(("https://", "http://", "mailto:"))
            assert hit.text[start:end].strip()


def test_article_page_renders_links_escaped(markdown_index):
    from web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(markdown_index)}).test_client()
    hit = next(h for h in core.iter_search_hits(markdown_index, SearchRequest()) if h.links)
    start, end, url = hit.links[0]
    html = client.get(f"/articles/{hit.article_id}").get_data(as_text=True)
    from html import escape

    assert f'<a class="text-link" href="{escape(url)}" rel="nofollow noopener noreferrer">' in html
    assert client.get(f"/api/articles/{hit.article_id}").get_json()["paragraph_list"][hit.position][
        "links"][0] == {"start": start, "end": end, "url": url}


def test_links_do_not_cut_through_marks():
    from web.pages import linked_text

    text = "Hamas accepted the ceasefire proposal, officials said."
    html = linked_text(text, core.query_terms("ceasefire"), [(0, 28)],
                       [(15, 37, 'https://a.example/"x')])
    assert html.count("<a ") == 1 and "&quot;x" in html and "<mark>ceasefire" in html
    assert html.index("<a ") < html.index("<mark>") < html.index("</mark>") < html.index("</a>")


def test_an_index_made_before_links_were_kept_still_takes_new_articles(tmp_path, monkeypatch):
    """Its schema has no 'links' field: the text is clean, the links are not stored."""
    import copy

    try:  # where the embedded engine's schema lives once issue 16's move is merged
        import search.engines.embedded.schema as schema
    except ImportError:
        import indexer.schema as schema  # type: ignore[no-redef]

    old = copy.deepcopy(schema.SCHEMA)
    old.remove("links")
    monkeypatch.setattr(schema, "SCHEMA", old)
    index_dir = tmp_path / "ix"
    from tests.conftest import SEEDS

    indexer.ingest([SEEDS], index_dir)
    monkeypatch.undo()
    folder = tmp_path / "in"
    folder.mkdir()
    records = sample_records(lambda t: "](http" in t, 1)
    (folder / "wh.jsonl").write_text(json.dumps(records[0]), encoding="utf-8")
    report = indexer.ingest([folder], index_dir)
    assert report.articles == 1 and not report.skipped
    hits = [h for h in core.iter_search_hits(index_dir, SearchRequest())
            if h.outlet and "White House" in h.outlet]
    assert hits and not any("](" in h.text for h in hits) and not any(h.links for h in hits)


def test_search_snippets_keep_links_on_the_page_and_words_in_the_terminal(markdown_index):
    """The briefings' Markdown links come out as links in search results, not just words."""
    from html import escape

    from click.testing import CliRunner

    from search.highlight import is_web_url
    from web import create_app
    from web.cli import cli

    hit = next(h for h in core.iter_search_hits(markdown_index, SearchRequest())
               if any(is_web_url(u) for _, _, u in h.links) and len(h.text) < 320)
    start, end, url = next(link for link in hit.links if is_web_url(link[2]))
    words = hit.text[start:end]
    query = f'"{words}"'
    client = create_app({"TESTING": True, "INDEX_DIR": str(markdown_index)}).test_client()
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    assert f'<a class="text-link" href="{escape(url)}" rel="nofollow noopener noreferrer">' in page
    found = core.search(markdown_index, SearchRequest(text=query))
    linked = next(h for h in found.hits if h.paragraph_id == hit.paragraph_id)
    assert f'href="{escape(url)}"' in linked.snippet and "<mark>" in linked.snippet
    out = CliRunner().invoke(cli, ["search", query, "--index-dir", str(markdown_index)],
                             catch_exceptions=False).output
    assert "<a " not in out and "</a>" not in out and "href" not in out
