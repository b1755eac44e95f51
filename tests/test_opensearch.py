"""The cluster engine against a real three-node OpenSearch cluster (tests/opensearch_cluster.py):
the same answers as the embedded engine, articles replaced as a unit whatever refreshes,
rebuilds behind an alias, a node down during searches and during indexing, and clear errors
for an unreachable or misconfigured cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

import indexer
from indexer.errors import EngineConfigError, EngineUnavailable
from search.engines.embedded.embedded import EmbeddedEngine
from search.engines.opensearch import OpenSearchEngine
from search.engines.opensearch.location import parse_location
from search.request import SearchRequest
from tests.conftest import ROOT, SEEDS
from tests.opensearch_cluster import fresh_location, node_command, opensearch_url  # noqa: F401

QUERIES = ["", "ceasefire", "Witkoff ceasefire", '"no progress yet"', "hostages Qatar",
           "truce OR ceasefire", "hostages -prisoners", "negotiat*", "actor:Hamas",
           "quote:unacceptable", "Ben-Gvir", "Netanyahu Rafah", "released"]


# -- locations: no cluster needed ---------------------------------------------------------


def test_plain_http_to_another_host_is_refused_unless_allowed():
    with pytest.raises(EngineConfigError, match="plain http"):
        parse_location("opensearch+http://search.example.org:9200/news", env={})
    allowed = parse_location("opensearch+http://search.example.org:9200/news",
                             env={"PARLEY_OPENSEARCH_ALLOW_HTTP": "1"})
    assert allowed.hosts == (("search.example.org", 9200),)
    assert parse_location("opensearch+http://[::1]:9200/x", env={}).hosts == (("::1", 9200),)


def test_credentials_come_from_the_environment_or_netrc_and_are_never_shown(tmp_path):
    loc = parse_location("opensearch+https://search.example.org/news",
                         env={"PARLEY_OPENSEARCH_USER": "ana", "PARLEY_OPENSEARCH_PASSWORD": "s3"})
    assert (loc.user, loc.password, loc.hosts[0][1]) == ("ana", "s3", 443)
    assert "s3" not in loc.display and "s3" not in repr(loc)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine search.example.org login bob password hunter2\n")
    netrc.chmod(0o600)
    loc = parse_location("opensearch+https://search.example.org/news",
                         env={"PARLEY_OPENSEARCH_NETRC": str(netrc)})
    assert (loc.user, loc.password) == ("bob", "hunter2")
    with pytest.raises(EngineConfigError, match="not in the location"):
        parse_location("opensearch+https://bob:hunter2@search.example.org/news", env={})


@pytest.mark.parametrize("bad", ["http://127.0.0.1:9200/x", "opensearch+http://127.0.0.1:x/y",
                                 "opensearch+http://127.0.0.1:9200/Bad Name"])
def test_bad_locations_are_explained(bad):
    with pytest.raises(EngineConfigError):
        parse_location(bad, env={})


def test_an_unreachable_cluster_is_a_clear_error():
    engine = OpenSearchEngine("opensearch+http://127.0.0.1:9/parley")
    engine.client.transport.max_retries = 0
    with pytest.raises(EngineUnavailable, match="did not answer"):
        engine.search(SearchRequest(text="ceasefire"))


# -- a real cluster -----------------------------------------------------------------------


@pytest.fixture()
def cluster(opensearch_url):  # noqa: F811
    made: list[OpenSearchEngine] = []

    def new(label: str = "t", **kwargs) -> OpenSearchEngine:
        engine = OpenSearchEngine(fresh_location(opensearch_url, label), **kwargs)
        made.append(engine)
        return engine

    yield new
    for engine in made:
        engine.client.indices.delete(index=f"{engine.alias}-*", ignore_unavailable=True)
        engine.close()


@pytest.fixture(scope="module")
def embedded(seed_index):
    return EmbeddedEngine(seed_index)


def _same_facets(a, b):
    return {k: [(v.value, v.count) for v in vs] for k, vs in a.facets.items()} == \
        {k: [(v.value, v.count) for v in vs] for k, vs in b.facets.items()}


def test_same_answers_as_the_embedded_engine_on_the_seeds(cluster, embedded):
    engine = cluster("parity")
    report = indexer.ingest([SEEDS], engine)
    assert (report.articles, report.paragraphs) == (4, 51)
    overlaps = []
    for text in QUERIES:
        for req in (SearchRequest(text=text, size=10), SearchRequest(text=text, sort="newest",
                                                                     size=10)):
            ours, theirs = engine.search(req), embedded.search(req)
            assert ours.total == theirs.total, text
            assert _same_facets(ours, theirs), text
            assert [t.value for t in ours.timeline] == [t.value for t in theirs.timeline]
            a, b = [h.paragraph_id for h in ours.hits], [h.paragraph_id for h in theirs.hits]
            assert set(a) <= {h.paragraph_id for h in embedded.search(
                SearchRequest(text=text, size=0)).hits}, text
            if b:
                overlaps.append(len(set(a) & set(b)) / len(b))
    assert sum(overlaps) / len(overlaps) >= 0.9
    filtered = SearchRequest(text="ceasefire", filters={"actor": ("Hamas",), "outlet": ("NDTV",)})
    assert engine.search(filtered).total == embedded.search(filtered).total > 0
    assert engine.speakers() == embedded.speakers()
    assert [a.article_id for a in engine.articles()] == [a.article_id for a in embedded.articles()]


def test_a_rerun_adds_nothing_and_a_changed_article_is_replaced_whole(cluster, tmp_path):
    engine = cluster("replace")
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    indexer.ingest([folder], engine)
    again = indexer.ingest([folder], engine)
    assert (again.articles, again.unchanged) == (0, 4)
    assert engine.stats()["paragraphs"] == 51
    story = sorted(folder.glob("*.txt"))[1]
    paragraphs = story.read_text().split("\n\n")
    story.write_text("\n\n".join(paragraphs[:2]))
    changed = indexer.ingest([folder], engine)
    assert changed.articles == 1
    report = engine.check()
    assert report.healthy, report.problems
    article_id = [a for a in engine.articles() if a.path.endswith(story.name)][0].article_id
    assert len(engine.article(article_id)[1]) == engine.article(article_id)[0].paragraphs <= 2
    assert engine.search(SearchRequest()).total == report.paragraphs_index < 51


def _paragraph_texts(engine: OpenSearchEngine, article_id: str) -> tuple[str, ...]:
    body = {"size": 1000, "sort": [{"position": "asc"}], "query": {"bool": {"filter": [
        {"term": {"doc": "paragraph"}}, {"term": {"article_id": article_id}}]}}}
    return tuple(h["_source"]["text"] for h in engine._search(body)["hits"]["hits"])


def test_readers_see_an_article_old_or_new_whole_whatever_refreshes(cluster, tmp_path,
                                                                     monkeypatch):
    """OpenSearch refreshes when it likes (a replica's recovery, a flush): with replicas on and
    refreshes forced mid-batch, a reader sees the committed version of an article, whole."""
    import threading

    from search.engines.opensearch import engine as os_engine

    engine = cluster("visible", shards=3, replicas=1)
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    indexer.ingest([folder], engine)
    story = sorted(folder.glob("*.txt"))[1]
    aid = [a for a in engine.articles() if a.path.endswith(story.name)][0].article_id
    old = _paragraph_texts(engine, aid)
    paragraphs = story.read_text().split("\n\n")
    story.write_text("\n\n".join(paragraphs[:2] + ["A sentence added to the story."]))

    monkeypatch.setattr(os_engine, "BATCH_ACTIONS", 1)  # every document is sent at once
    monkeypatch.setattr(indexer, "BATCH_PARAGRAPHS", 10_000)  # one commit, at the end
    reader = OpenSearchEngine(engine.loc.display)  # its own cache, as another process
    seen: list[tuple[tuple[str, ...], int]] = []
    texts_seen: set[tuple[str, ...]] = set()
    stop = threading.Event()

    def read() -> None:
        # The article and the total are two requests: the commit may land between them. The
        # version only moves forward, so the same article text before and after the total
        # means the total was read at that version too.
        while not stop.is_set():
            engine.client.indices.refresh(index=engine.alias)
            before = _paragraph_texts(reader, aid)
            total = reader.search(SearchRequest()).total
            after_total = _paragraph_texts(reader, aid)
            texts_seen.update((before, after_total))
            if before == after_total:
                seen.append((before, total))

    def forced(_path) -> None:  # after each file is read: sent, not committed
        engine.client.indices.refresh(index=engine.alias)
        assert _paragraph_texts(reader, aid) == old
        assert reader.search(SearchRequest()).total == 51

    thread = threading.Thread(target=read)
    thread.start()
    try:
        indexer.ingest([folder], engine, progress=forced)
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join()
    new = _paragraph_texts(reader, aid)
    after = reader.search(SearchRequest()).total
    assert new != old and new[-1] == "A sentence added to the story."
    assert after == 51 - len(old) + len(new)
    assert texts_seen <= {old, new}
    assert seen and set(seen) <= {(old, 51), (new, after)}, set(seen) - {(old, 51), (new, after)}
    assert engine.check().healthy
    reader.close()


def test_a_rebuild_moves_the_alias_at_the_end(cluster):
    engine = cluster("rebuild")
    indexer.ingest([SEEDS / "000_856f695a1eedb8c1.txt"], engine)
    before = engine.search(SearchRequest()).total
    old_index = set(engine.client.indices.get_alias(name=engine.alias))
    with engine.begin_write(rebuild=True) as writer:
        writer.known()
    assert engine.search(SearchRequest()).total == before  # an aborted rebuild changes nothing
    indexer.ingest([SEEDS], engine, rebuild=True)
    assert engine.search(SearchRequest()).total == 51
    assert set(engine.client.indices.get_alias(name=engine.alias)) != old_index
    assert not engine.client.indices.exists(index=list(old_index)[0])


def test_searches_answer_with_a_node_down(cluster):
    engine = cluster("failover", shards=3, replicas=1)
    indexer.ingest([SEEDS], engine)
    expected = engine.search(SearchRequest(text="ceasefire")).total
    node_command("stop-node", "2")
    try:
        for _ in range(10):
            assert engine.search(SearchRequest(text="ceasefire")).total == expected
    finally:
        node_command("start-node", "2")


def test_a_second_writer_is_told_the_index_is_busy(cluster):
    from indexer.errors import IndexBusy

    engine = cluster("busy")
    indexer.ingest([SEEDS / "000_856f695a1eedb8c1.txt"], engine)
    with engine.begin_write():
        with pytest.raises(IndexBusy), engine.begin_write(lock_timeout=0.5):
            pass


def test_missing_index_is_reported_as_not_indexed_yet(cluster):
    from indexer.errors import IndexNotFound

    engine = cluster("missing")
    assert not engine.exists()
    with pytest.raises(IndexNotFound, match="parley index"):
        engine.search(SearchRequest(text="x"))
    assert not engine.check().healthy



def _parley(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=900, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_node_stopped_during_indexing_loses_and_duplicates_nothing(cluster, tmp_path):
    """A node goes down mid-run: the run finishes through the other nodes, or stops with a
    clear message and exit code; with the node back, the same command again leaves exactly
    what a clean run leaves (articles, paragraphs, quotations)."""
    import gzip
    import json

    lines = gzip.open(ROOT / "samples" / "whitehouse_gaza.jsonl.gz", "rt").readlines()[:60]
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):  # three files: file records are committed with their articles
        (folder / f"part-{i}.jsonl").write_text("".join(lines[i * 20:(i + 1) * 20]))
    engine = cluster("fault", shards=3, replicas=1)
    host, port = engine.loc.hosts[0]
    # Every node named: the client goes on through the others when one stops.
    location = (f"opensearch+http://{host}:{port},{host}:{port + 1},{host}:{port + 2}/"
                f"{engine.alias}")
    run = subprocess.Popen([sys.executable, "-m", "web.cli", "index", str(folder),
                            "--engine", location, "--format", "jsonl"], cwd=tmp_path, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 600
        while run.poll() is None and time.monotonic() < deadline:
            if engine.exists() and engine.committed(fresh=True) >= 1:
                break  # the first batch is committed, the rest is on its way
            time.sleep(0.2)
        assert run.poll() is None, "the run ended before a node could be stopped"
        node_command("stop-node", "2")
        out, err = run.communicate(timeout=900)
    finally:
        node_command("start-node", "2")
    # Either the run finished through the other nodes, or it said what happened.
    assert run.returncode in (0, 6), (run.returncode, err[-2000:])
    if run.returncode == 6:
        assert "again" in err and "Traceback" not in err, err[-2000:]
    again = _parley("index", str(folder), "--engine", location, "--format", "jsonl",
                    cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]

    clean = EmbeddedEngine(tmp_path / "embedded")
    indexer.ingest([folder], clean)
    expected = clean.stats()
    got = engine.stats()
    assert expected["paragraphs"] > indexer.BATCH_PARAGRAPHS  # more than one commit
    for key in ("files", "articles", "paragraphs", "quotes"):
        assert got[key] == expected[key], (key, got[key], expected[key])
    assert engine.check().healthy, engine.check().problems
    third = _parley("index", str(folder), "--engine", location, "--format", "jsonl",
                    cwd=tmp_path)
    assert third.returncode == 0
    assert json.loads(third.stdout.strip().splitlines()[-1]).get("articles", 0) == 0
