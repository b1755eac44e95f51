"""The serving process model and the response cache (web/serve.py, web/respcache.py).

The cache is exercised through the real Flask app on a real index; the worker processes
through a real `parley serve --workers 2` on 127.0.0.1. Every loop is bounded in time.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug.test import Client

import indexer
from search.request import SearchRequest
from search.results import FacetValue
from tests.conftest import ROOT
from tests.test_reliability import write_corpus
from web import create_app
from web.pages import facet_groups
from web.respcache import ResponseCache, canonical, index_version


@pytest.fixture()
def index_copy(seed_index, tmp_path) -> Path:
    copy = tmp_path / "ix"
    shutil.copytree(seed_index, copy)
    return copy


def cached_client(index_dir: Path, budget: int = 8 * 2**20) -> tuple[Client, ResponseCache]:
    wrapped = ResponseCache(create_app({"INDEX_DIR": str(index_dir)}).wsgi_app, index_dir, budget)
    return Client(wrapped), wrapped


def test_a_repeated_search_is_answered_from_the_cache_with_the_same_bytes(index_copy):
    client, cache = cached_client(index_copy)
    first = client.get("/api/search?q=ceasefire")
    again = client.get("/api/search?q=ceasefire&page=1&actor=")  # the same request, spelt apart
    assert first.status_code == again.status_code == 200
    assert "X-Parley-Cache" not in first.headers and again.headers["X-Parley-Cache"] == "hit"
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    other = client.get("/api/search?q=ceasefire&page=2")
    assert "X-Parley-Cache" not in other.headers
    assert cache.stats()["entries"] == 2


def test_a_commit_to_the_index_is_never_answered_from_an_older_version(index_copy, tmp_path):
    client, _ = cached_client(index_copy)
    before = json.loads(client.get("/api/search?q=Doha").get_data())["total"]
    assert client.get("/api/search?q=Doha").headers.get("X-Parley-Cache") == "hit"
    indexer.ingest([write_corpus(tmp_path / "more.jsonl", 5)], index_copy)
    after = client.get("/api/search?q=Doha")
    assert "X-Parley-Cache" not in after.headers
    assert json.loads(after.get_data())["total"] > before


def test_a_rebuild_swapped_in_is_a_new_version(index_copy, tmp_path):
    from search.engines.embedded import swap

    if not swap.can_exchange(index_copy):
        pytest.skip("no atomic directory exchange here")
    version = index_version(index_copy)
    indexer.ingest([write_corpus(tmp_path / "new.jsonl", 3)], index_copy, rebuild=True)
    assert index_version(index_copy) != version


def test_errors_exports_and_posts_are_not_cached(index_copy):
    client, cache = cached_client(index_copy)
    for _ in range(2):
        bad = client.get('/api/search?q="unbalanced')
        assert bad.status_code == 400 and "X-Parley-Cache" not in bad.headers
        csv = client.get("/export/search.csv?q=ceasefire")
        assert csv.status_code == 200 and "X-Parley-Cache" not in csv.headers
        csv.close()
    assert cache.stats()["entries"] == 0
    assert canonical({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/search"}) is None
    assert canonical({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/search",
                      "QUERY_STRING": "q=x", "HTTP_COOKIE": "a=b"}) is None
    assert canonical({"REQUEST_METHOD": "GET", "PATH_INFO": "/saved"}) is None


def test_the_cache_stays_under_its_byte_budget(index_copy):
    client, cache = cached_client(index_copy, budget=200_000)
    sizes = []
    for i in range(60):
        resp = client.get(f"/?q=ceasefire+{i}")
        assert resp.status_code == 200
        sizes.append(len(resp.get_data()))
    stats = cache.stats()
    assert stats["bytes"] <= 200_000 and stats["evictions"] > 0
    assert stats["entries"] >= 200_000 // (2 * max(sizes))  # most of the budget is used


def test_no_index_yet_is_not_cached(tmp_path):
    client, cache = cached_client(tmp_path / "none")
    client.get("/api/search?q=x")
    assert cache.stats()["entries"] == 0


def test_a_facet_value_too_long_to_be_a_filter_does_not_break_the_page():
    from web import create_app as make

    long_value = "Independent Business](https://example.org/" + "x" * 200
    facets = {"speaker": (FacetValue(long_value, 3), FacetValue("Witkoff", 2))}
    with make({"INDEX_DIR": "unused"}).test_request_context("/"):
        groups = facet_groups(facets, SearchRequest(text="talks"), "pages.search_page")
    speakers = next(g for g in groups if g.name == "speaker")
    assert [link.value for link in speakers.values] == ["Witkoff"]


# -- worker processes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(port: int, url: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)  # a new connection
    try:
        conn.request("GET", url)
        resp = conn.getresponse()
        assert resp.status == 200
        return json.loads(resp.read())
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_workers_share_the_port_and_each_sees_a_new_commit(index_copy, tmp_path):
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc to see the workers")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--index-dir", str(index_copy), "--no-samples",
         "--port", str(port), "--workers", "2", "--threads", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                before = get_json(port, "/api/search?q=Doha")["total"]
                break
            except (OSError, AssertionError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("parley serve did not start: " + proc.stderr.read().decode()[-500:])
                time.sleep(0.3)
        workers = children(proc.pid)
        assert len(workers) == 2
        for _ in range(10):  # both workers answer, and keep a cached copy
            assert get_json(port, "/api/search?q=Doha")["total"] == before
        indexer.ingest([write_corpus(tmp_path / "more.jsonl", 5)], index_copy)
        totals = {get_json(port, "/api/search?q=Doha")["total"] for _ in range(20)}
        assert len(totals) == 1 and totals.pop() > before
        # A worker that dies is replaced; the server keeps answering meanwhile.
        os.kill(workers[0], signal.SIGKILL)
        get_json(port, "/api/search?q=ceasefire")
        deadline = time.monotonic() + 20
        while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(children(proc.pid)) == 2 and workers[0] not in children(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    assert "Traceback" not in log, log[-2000:]
    assert f"worker {workers[0]} ended (signal 9)" in log


def test_a_tag_too_long_to_be_a_filter_links_to_the_same_search():
    from web.pages import added

    req = SearchRequest(text="act federal")
    assert added(req, "actor", "A" * 250) == req
    assert added(req, "actor", "Hamas").filters["actor"] == ("Hamas",)


def test_grouping_quotations_stops_at_the_request_time_budget(seed_index):
    from indexer.errors import QueryTooExpensive
    from search.budget import deadline
    from search.engines.embedded import quotetable
    from search.engines.embedded.engine import engine_for

    session = engine_for(seed_index).session()
    q = session.parse("", default_field="quote")
    order = sorted(session.matched(q, SearchRequest(quotes_only=True)))
    assert order
    assert quotetable.group_quotes(session, order, None, set(), words_only_in_quotes=False,
                                   kinds=None)
    with deadline(1e-6):
        time.sleep(0.01)
        with pytest.raises(QueryTooExpensive):
            quotetable.group_quotes(session, order, None, set(), words_only_in_quotes=False,
                                    kinds=None)
