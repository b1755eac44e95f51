"""The engine contract: what every engine behind search/engine_api.py must do, on real text.

Each test runs once per engine in ENGINES: the embedded engine, and the cluster engine on the
real three-node OpenSearch cluster of scripts/opensearch-cluster (tests/opensearch_cluster.py).
A new engine joins by adding a factory that gives a fresh, empty engine of its kind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import indexer
from indexer import default_lexicon, prepare_article, registry
from indexer.errors import IndexBusy, NotFound
from indexer.models import Article
from search.engine_api import Engine
from search.engines import forget_engine, open_engine
from search.request import SearchRequest
from tests.conftest import SEEDS
from tests.opensearch_cluster import fresh_location, opensearch_url  # noqa: F401

WITKOFF_PID = "t44c18132313e5f2b-0000"  # the ANI paragraph: "Witkoff ... ceasefire"


def _embedded(request, tmp: Path) -> Engine:
    forget_engine(tmp / "ix")
    return open_engine(tmp / "ix")


def _opensearch(request, tmp: Path) -> Engine:
    location = fresh_location(request.getfixturevalue("opensearch_url"), "contract")
    engine = open_engine(location)
    alias = location.rsplit("/", 1)[1]

    def drop() -> None:
        engine.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True)  # type: ignore[attr-defined]
        forget_engine(location)

    request.addfinalizer(drop)
    return engine


ENGINES: dict[str, Callable[..., Engine]] = {"embedded": _embedded, "opensearch": _opensearch}


@pytest.fixture(params=sorted(ENGINES), scope="module")
def seeded(request, tmp_path_factory) -> Engine:
    """An engine holding the four seed articles (read-only by convention)."""
    engine = ENGINES[request.param](request, tmp_path_factory.mktemp(f"contract-{request.param}"))
    report = indexer.ingest([SEEDS], engine)
    assert (report.articles, report.paragraphs) == (4, 51)
    return engine


@pytest.fixture(params=sorted(ENGINES))
def empty(request, tmp_path) -> Engine:
    return ENGINES[request.param](request, tmp_path)


def _ids(page) -> list[str]:
    return [h.paragraph_id for h in page.hits]


# -- reading -----------------------------------------------------------------------------


def test_a_word_query_finds_the_paragraph_and_names_the_words_to_mark(seeded):
    page = seeded.search(SearchRequest(text="Witkoff ceasefire"))
    hits = list(page.hits)
    assert page.total == 1 and [h.paragraph_id for h in hits] == [WITKOFF_PID]
    hit = hits[0]
    assert hit.outlet == "ANI" and hit.published == "2025-06-01" and hit.snippet == ""
    assert "Steve Witkoff" in hit.actors and "ceasefire" in hit.topics
    assert {"witkoff", "ceasefir"} <= page.words  # indexed (stemmed) forms
    assert any(q.speaker == "Steve Witkoff" and "takes us backward" in q.text for q in hit.quotes)


def test_a_phrase_matches_only_adjacent_words(seeded):
    phrase = seeded.search(SearchRequest(text='"no progress"'))
    words = seeded.search(SearchRequest(text="no progress"))
    assert 0 < phrase.total <= words.total
    assert all("no progress" in h.text.lower() for h in phrase.hits)


def test_filters_narrow_and_facets_count_what_the_filters_would_find(seeded):
    everything = seeded.search(SearchRequest())
    assert everything.total == 51
    actors = {fv.value: fv.count for fv in everything.facets["actor"]}
    hamas = seeded.search(SearchRequest(filters={"actor": ("Hamas",)}, size=0))
    assert hamas.total == actors["Hamas"] and 0 < hamas.total < 51
    assert all("Hamas" in h.actors for h in hamas.hits)
    outlets = {fv.value: fv.count for fv in everything.facets["outlet"]}
    ndtv = seeded.search(SearchRequest(filters={"outlet": ("NDTV",)}))
    assert ndtv.total == outlets["NDTV"]
    both = seeded.search(SearchRequest(filters={"outlet": ("NDTV", "ANI")}))
    assert both.total == outlets["NDTV"] + outlets["ANI"]  # outlets widen


def test_dates_filter_and_sort(seeded):
    newest = list(seeded.search(SearchRequest(sort="newest", size=0)).hits)
    dates = [h.published or "" for h in newest]
    assert dates == sorted(dates, reverse=True)
    since = seeded.search(SearchRequest(since="2025-01-01", size=0))
    assert since.total and all((h.published or "") >= "2025-01-01" for h in since.hits)
    timeline = seeded.search(SearchRequest()).timeline
    assert [fv.value for fv in timeline] == sorted(fv.value for fv in timeline)


def test_relevance_ranks_by_score_and_pages_are_slices_of_one_order(seeded):
    hits = list(seeded.search(SearchRequest(text="hostages", size=0)).hits)
    scores = [h.score for h in hits]
    assert all(isinstance(s, float) for s in scores) and scores == sorted(scores, reverse=True)
    whole = [h.paragraph_id for h in hits]
    assert len(whole) > 4
    first = _ids(seeded.search(SearchRequest(text="hostages", size=3)))
    second = _ids(seeded.search(SearchRequest(text="hostages", size=3, page=2)))
    assert first + second == whole[:6]


def test_quotations_by_speaker(seeded):
    page = seeded.quotes(SearchRequest(filters={"speaker": ("Witkoff",)}))
    quotes = list(page.quotes)
    assert page.total == len(quotes) == 4
    assert {q.speaker for q in quotes} == {"Steve Witkoff"}
    assert "only takes us backward." in {q.text for q in quotes}
    worded = seeded.quotes(SearchRequest(text="backward", filters={"speaker": ("Witkoff",)}))
    texts = [q.text for q in worded.quotes]
    assert "only takes us backward." in texts and len(texts) < 4
    assert all("backward" in t for t in texts)


def test_speakers_articles_and_vocabulary(seeded):
    witkoff = next(r for r in seeded.speakers() if r["speaker"] == "Steve Witkoff")
    assert witkoff["quotes"] == 4 and witkoff["first"] == witkoff["last"] == "2025-06-01"
    articles = seeded.articles()
    assert len(articles) == 4 and sum(a.paragraphs for a in articles) == 51
    summary, paragraphs = seeded.article("t44c18132313e5f2b")
    assert summary.outlet == "ANI" and len(paragraphs) == summary.paragraphs
    assert [p.position for p in paragraphs] == sorted(p.position for p in paragraphs)
    with pytest.raises(NotFound):
        seeded.article("nosucharticle")
    assert {"ANI", "NDTV"} <= set(seeded.vocabulary("outlet"))
    assert {"Hamas", "Steve Witkoff"} <= set(seeded.vocabulary("actor"))
    assert "2025-06" in seeded.vocabulary("month")
    assert "Steve Witkoff" in seeded.vocabulary("speaker")
    assert "ceasefire" in seeded.vocabulary("topic")


def test_stats_and_check_agree_with_what_was_written(seeded):
    stats = seeded.stats()
    assert (stats["articles"], stats["paragraphs"], stats["indexed_paragraphs"]) == (4, 51, 51)
    report = seeded.check()
    assert report.healthy and report.documents == 51 and report.articles_index == 4


# -- writing -----------------------------------------------------------------------------

TEXT = ("Negotiators met in Doha on Tuesday.\n\n"
        "\"We are close to an agreement,\" said Majed al-Ansari, adding that talks would go on.")


def _records(article_id: str, text: str = TEXT):
    article = Article(article_id=article_id, text=text, path=f"{article_id}.txt",
                      title="Talks in Doha", outlet="Contract Wire", published="2026-01-06",
                      date_precision="day")
    tagged = prepare_article(article, default_lexicon())
    row = registry.ArticleRow(
        article_id=article_id, path=article.path, title=article.title, outlet=article.outlet,
        url=None, published=article.published, date_precision="day", dateline=None,
        byline=None, credits=(), kind="article", paragraphs=len(tagged),
        quotes=sum(len(t.quotes) for t in tagged), content_hash=article_id)
    return row, tagged


def test_nothing_is_searchable_before_commit_and_abort_drops_it(empty):
    assert not empty.exists()
    with empty.begin_write() as writer:
        writer.add(*_records("a1"))
        writer.commit()
        writer.add(*_records("a2"))
        assert writer.pending() == 2
        writer.abort()
        assert writer.pending() == 0
    assert empty.exists()
    assert {a.article_id for a in empty.articles()} == {"a1"}
    assert _ids(empty.search(SearchRequest(text="Doha"))) == ["a1-0000"]
    assert empty.check().healthy


def test_add_replaces_an_articles_paragraphs_and_delete_removes_them(empty):
    with empty.begin_write() as writer:
        writer.add(*_records("a1"))
        writer.add(*_records("b2"))
        writer.commit()
    with empty.begin_write() as writer:
        assert writer.known().article_hashes == {"a1": "a1", "b2": "b2"}
        writer.add(*_records("a1", "Negotiators left Cairo without a deal."))
        writer.delete(["b2"])
        writer.commit()
    assert empty.search(SearchRequest(text="Doha")).total == 0
    assert _ids(empty.search(SearchRequest(text="Cairo"))) == ["a1-0000"]
    assert [a.article_id for a in empty.articles()] == ["a1"]
    assert empty.check().healthy


def test_a_second_writer_is_refused_while_one_is_open(empty):
    with empty.begin_write():
        with pytest.raises(IndexBusy):
            with empty.begin_write(lock_timeout=0):
                pass


def test_files_are_recorded_so_an_unchanged_file_is_skipped(empty):
    first = indexer.ingest([SEEDS], empty)
    again = indexer.ingest([SEEDS], empty)
    assert first.articles == 4 and again.articles == 0 and again.unchanged >= 4
    with empty.begin_write() as writer:
        known = writer.known()
    assert len(known.file_hashes) == 4 and sum(map(len, known.file_articles.values())) == 4
