"""Actor pages (/actors, /actors/<name>) and the topic tags' explanation, over the seeds index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import indexer
from web import create_app

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("actor-pages")
    indexer.ingest([SEEDS], index_dir)
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def test_actors_page_lists_the_most_named_actors(client):
    html = client.get("/actors").get_data(as_text=True)
    assert 'href="/actors/Hamas"' in html and 'href="/actors/Steve%20Witkoff"' in html
    assert '<td class="actor-type">group</td>' in html  # Hamas, typed by the seed lexicon


def test_actor_page_lists_paragraphs_and_quotations_over_time(client):
    page = client.get("/actors/Steve%20Witkoff").get_data(as_text=True)
    assert '<h1>Steve Witkoff <span class="actor-type">person</span></h1>' in page
    assert "<svg" in page
    assert "Latest quotations" in page and "totally unacceptable" in page
    assert 'href="/speakers/Steve%20Witkoff"' in page
    assert client.get("/actors/Nobody%20Atall").status_code == 404
    assert client.get("/actors/" + "x" * 300).status_code == 404


def test_actor_page_escapes_the_name(client):
    page = client.get("/actors/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.status_code == 404
    assert "<script>alert(1)" not in page.get_data(as_text=True)


def test_topic_tags_say_which_words_tagged_them(client):
    html = client.get("/?q=ceasefire").get_data(as_text=True)
    titles = re.findall(r'class="tag tag-topic"[^>]*title="([^"]+)"', html)
    assert any(t.startswith("ceasefire: ") and "ceasefire" in t[len("ceasefire: "):]
               for t in titles)
