"""The cluster engine against a real three-node OpenSearch cluster (tests/opensearch_cluster.py):
the same answers as the embedded engine, articles replaced as a unit, rebuilds behind an alias,
a node down, and clear errors for an unreachable or misconfigured cluster."""

from __future__ import annotations

import shutil

import pytest

import indexer
from indexer.errors import EngineConfigError, EngineUnavailable
from search.engines.embedded.embedded import EmbeddedEngine
from search.engines.opensearch import OpenSearchEngine
from search.engines.opensearch.location import parse_location
from search.request import SearchRequest
from tests.conftest import SEEDS
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


def test_documents_sent_but_not_committed_are_invisible(cluster, monkeypatch):
    from search.engines.opensearch import engine as os_engine

    # Replicas off: a replica's recovery makes the primary flush, which OpenSearch may follow
    # with a refresh Parley does not ask for (see docs/scaling.md on visibility).
    engine = cluster("commit", shards=2, replicas=0)
    indexer.ingest([SEEDS / "000_856f695a1eedb8c1.txt"], engine)
    before = engine.search(SearchRequest()).total
    monkeypatch.setattr(os_engine, "BATCH_ACTIONS", 1)  # every article is sent at once
    monkeypatch.setattr(indexer, "BATCH_PARAGRAPHS", 10_000)  # one commit, at the end
    seen: list[int] = []
    indexer.ingest([SEEDS], engine, progress=lambda _path: seen.append(
        engine.search(SearchRequest()).total))
    assert seen and set(seen) == {before}
    assert engine.search(SearchRequest()).total == 51


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

