"""Alerts: Atom feeds of searches, saved searches with what is new, and watching a folder.

Feeds are read back with feedparser (an independent Atom reader) and ElementTree; the
saved-search and watch tests index real articles into their own indexes while they run.
"""

from __future__ import annotations

import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

import indexer
import search as core
from search.request import SearchRequest
from tests.conftest import SEEDS
from tests.test_web import write_hostile
from web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def feed_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("feed-index")
    hostile = write_hostile(tmp_path_factory.mktemp("hostile") / "articles")
    report = indexer.ingest([SEEDS, hostile], index_dir)
    assert report.articles == 6
    return index_dir


@pytest.fixture(scope="module")
def client(feed_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(feed_index)}).test_client()


def test_search_feed_is_valid_atom_of_the_newest_paragraphs(client, feed_index):
    response = client.get("/feeds/search.atom?q=hostages&actor=Hamas")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Parley: “hostages” · Actor: Hamas"
    expected = core.search(feed_index, SearchRequest(text="hostages", filters={"actor": ("Hamas",)},
                                                     sort="newest", size=50))
    assert [e.link for e in feed.entries] == [
        f"http://localhost/articles/{h.article_id}#{h.paragraph_id}" for h in expected.hits]
    assert len(feed.entries) == expected.total > 1
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    root = ET.fromstring(response.data)  # well-formed, and what Atom requires is there
    for node in (root, *root.findall(f"{ATOM}entry")):
        assert node.find(f"{ATOM}id").text and node.find(f"{ATOM}title").text
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", node.find(f"{ATOM}updated").text)
    assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_search_page_links_its_feed(client):
    html = client.get("/?q=hostages&actor=Hamas").get_data(as_text=True)
    assert 'type="application/atom+xml"' in html
    assert 'href="/feeds/search.atom?q=hostages&amp;actor=Hamas"' in html


def test_quotes_feed_names_speakers(client):
    feed = feedparser.parse(client.get("/feeds/quotes.atom?speaker=Witkoff").data)
    assert not feed.bozo and len(feed.entries) == 4
    assert all(e.title.startswith("Steve Witkoff: “") for e in feed.entries)
    assert all(e.link.startswith("http://localhost/articles/") for e in feed.entries)


def test_feed_escapes_hostile_text_and_queries(client):
    raw = client.get("/feeds/search.atom", query_string={"q": "zanzibarxss"}).data.decode()
    assert "<script>" not in raw and "<img" not in raw
    # In the type="html" content the article's markup is text of the HTML: escaped twice.
    assert "&amp;lt;script&amp;gt;alert(1)" in raw
    feed = feedparser.parse(raw)
    assert not feed.bozo and len(feed.entries) == 2
    titled = client.get("/feeds/search.atom", query_string={"q": '"<b>x</b>"'}).data.decode()
    assert "<b>x" not in titled and not feedparser.parse(titled).bozo


def test_feed_bad_query_is_400_json(client):
    response = client.get('/feeds/search.atom?q="open')
    assert response.status_code == 400 and response.get_json()["ok"] is False


# -- saved searches -------------------------------------------------------------------------

NEW_ARTICLE = ("Negotiators in Cairo said on Tuesday that the quixoticzeta proposal for a "
               "hostage exchange had reached its final stage, officials told reporters.")


def add_article(folder: Path, name: str, text: str, index_dir: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps({"id": name, "url": f"https://example.org/{name}",
                                           "title": "Cairo talks", "source": "Example News",
                                           "published": "2025-07-01", "text": text}))
    assert indexer.ingest([folder / name], index_dir).articles == 1


def test_saved_search_lists_new_results_until_opened(tmp_path):
    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    saved = client.post("/saved", data={"name": "Cairo <talks>", "q": "hostage",
                                        "outlet": "Example News"})
    assert saved.status_code == 303
    listing = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Cairo &lt;talks&gt;" in listing and "<talks>" not in listing
    assert re.search(r'class="new-count">0<', listing)
    stored = json.loads((index_dir / "parley-saved-searches.json").read_text())["searches"]
    assert stored[0]["args"] == [["q", "hostage"], ["outlet", "Example News"]]

    add_article(tmp_path / "in", "a1.json", NEW_ARTICLE, index_dir)
    listing = client.get("/saved").get_data(as_text=True)
    assert re.search(r'class="new-count has-new">1<', listing)

    opened = client.get(f"/saved/{stored[0]['id']}")
    assert opened.status_code == 303
    assert opened.headers["Location"] == "/?q=hostage&outlet=Example+News"
    assert re.search(r'class="new-count">0<', client.get("/saved").get_data(as_text=True))


def test_saving_needs_a_name_and_refuses_other_sites(tmp_path):
    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.post("/saved", data={"name": "  ", "q": "x"}).status_code == 400
    assert client.post("/saved", data={"name": "n", "q": '"open'}).status_code == 400
    assert client.post("/saved", data={"name": "n", "q": "x"},
                       headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/saved", data={"name": "n", "q": "x"},
                       headers={"Origin": "https://evil.example"}).status_code == 403
    assert not (index_dir / "parley-saved-searches.json").exists()
    client.post("/saved", data={"name": "keep", "q": "x"})
    search_id = json.loads((index_dir / "parley-saved-searches.json").read_text())[
        "searches"][0]["id"]
    assert client.post(f"/saved/{search_id}/delete").status_code == 303
    assert "No saved searches yet" in client.get("/saved").get_data(as_text=True)
    assert client.get("/saved/nosuch").status_code == 404


# -- watching a folder ----------------------------------------------------------------------


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def total(index_dir: Path, q: str) -> int:
    try:
        return core.search(index_dir, SearchRequest(text=q)).total
    except (core.IndexNotFound, core.IndexCorrupt):  # not there yet, or being created
        return 0


def test_watch_indexes_files_as_they_arrive_and_stops(tmp_path):
    from web.watch import watch

    folder, index_dir = tmp_path / "drop", tmp_path / "ix"
    folder.mkdir()
    stop, runs = threading.Event(), []
    thread = threading.Thread(target=watch, args=([folder], index_dir), kwargs={
        "interval": 0.3, "stop": stop, "on_report": lambda files, report: runs.append(
            ([f.name for f in files], report.articles))})
    thread.start()
    try:
        (folder / "first.json").write_text(json.dumps({
            "id": "w1", "url": "https://example.org/w1", "title": "Doha", "source": "X",
            "published": "2025-07-02", "text": NEW_ARTICLE}))
        assert wait_for(lambda: total(index_dir, "quixoticzeta") == 1)
        (folder / "second.json").write_text(json.dumps({
            "id": "w2", "url": "https://example.org/w2", "title": "Doha", "source": "X",
            "published": "2025-07-03", "text": NEW_ARTICLE.replace("quixoticzeta", "zorbatrek")}))
        assert wait_for(lambda: total(index_dir, "zorbatrek") == 1)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert runs[:2] == [(["first.json"], 1), (["second.json"], 1)]


def test_watch_command_runs_for_a_bounded_time(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({
        "id": "w1", "url": "https://example.org/w1", "title": "Doha", "source": "X",
        "published": "2025-07-02", "text": NEW_ARTICLE}))
    done = subprocess.run(
        [sys.executable, "-c", "from web.cli import cli; cli(prog_name='parley')", "watch",
         str(folder), "--index-dir", str(tmp_path / "ix"), "--interval", "0.5", "--for", "4"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "stopped watching after 1 indexing runs" in done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1]["event"] == "done" and events[-1]["articles"] == 1
    assert total(tmp_path / "ix", "quixoticzeta") == 1
