"""The engine's fast paths give exactly what plain Whoosh gives, on real briefings.

Filtered queries skip through postings (DocSet/Within), scoring reads field lengths from
memory, and the writer reads the new segment's lengths in one pass and merges only small
segments. Each is checked here against the slow, obvious way on the same index.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.util.numeric import byte_to_length, length_to_byte

import indexer
from indexer.errors import IndexWriteError
from search import SearchRequest, search
from search.engines import forget_engine
from search.engines.embedded import engine as engine_module
from search.engines.embedded import postings
from search.engines.embedded import writer as index_writer
from search.engines.embedded.engine import (
    SKIP_RATIO,
    _phrases_as_terms,
    _phrases_by_pairs,
    engine_for,
)
from search.engines.embedded.schema import COMMON_WORDS, SCHEMA, open_index
from tests.conftest import ROOT, SEEDS

BRIEFINGS = ROOT / "samples" / "whitehouse_gaza.jsonl.gz"


@pytest.fixture(scope="module")
def briefings_index(tmp_path_factory) -> Path:
    """Twelve real briefings and statements (a few thousand paragraphs)."""
    src = tmp_path_factory.mktemp("briefings") / "briefings.jsonl"
    with gzip.open(BRIEFINGS, "rt", encoding="utf-8") as fh:
        src.write_text("".join(line for _, line in zip(range(12), fh, strict=False)),
                       encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("briefings-index")
    indexer.ingest([src], index_dir)
    return index_dir


def ranked(index_dir: Path, text: str, **filters) -> list[tuple[str, float | None]]:
    res = search(index_dir, SearchRequest(text=text, filters=filters, size=0))
    return [(h.paragraph_id, h.score) for h in res.hits]


@pytest.mark.parametrize("listed", [True, False])
@pytest.mark.parametrize("actor", ["Benjamin Netanyahu", "Egypt"])
def test_a_narrow_filter_on_a_common_word_ranks_as_ranking_everything_would(briefings_index, actor,
                                                                            listed, monkeypatch):
    req = SearchRequest(text="the", filters={"actor": (actor,)}, size=0)
    session = engine_for(briefings_index).session()
    # The filter is small next to the word's postings: without term lists (an index written
    # before them) Whoosh's matchers skip through the postings; with them the whole list is
    # read and the filter picked out of it.
    flt = session.filter_docs(req)
    assert 0 < len(flt) * SKIP_RATIO < session.parse("the").estimate_size(session.searcher.reader())
    if not listed:
        monkeypatch.setattr(engine_module.Session, "_listed", lambda self, plan: False)
    skipped = []
    real = engine_module.Session._skip_through
    monkeypatch.setattr(engine_module.Session, "_skip_through",
                        lambda self, *a: skipped.append(1) or real(self, *a))
    everything = search(briefings_index, SearchRequest(text="the", size=0))
    narrowed = search(briefings_index, req)
    assert bool(skipped) != listed
    expected = [(h.paragraph_id, h.score) for h in everything.hits if actor in h.actors]
    assert [(h.paragraph_id, h.score) for h in narrowed.hits] == expected
    assert narrowed.total == len(expected)


def test_a_filtered_phrase_keeps_exact_matches_and_their_order(briefings_index):
    everything = search(briefings_index, SearchRequest(text='"the hostages"', size=0))
    narrowed = search(briefings_index, SearchRequest(text='"the hostages"',
                                                     filters={"speaker": ("John Kirby",)}, size=0))
    speakers = {h.paragraph_id: {q.speaker for q in h.quotes} for h in everything.hits}
    expected = [h.paragraph_id for h in everything.hits if "John Kirby" in speakers[h.paragraph_id]]
    assert expected and [h.paragraph_id for h in narrowed.hits] == expected
    assert all("the hostage" in h.text.lower() for h in narrowed.hits)  # "hostages" is stemmed


@pytest.mark.parametrize("text", ["hostages", "ceasefire agreement", '"humanitarian assistance"',
                                  '"the hostages"', '"hamas israel"~4'])
def test_scores_are_whooshs_own_bm25f(briefings_index, text):
    session = engine_for(briefings_index).session()
    q = session.parse(text)
    docs = session.matched(q, SearchRequest(text=text))
    with session.ix.searcher(weighting=scoring.BM25F(B=0.25, K1=1.2)) as plain:
        hits = plain.search(_phrases_as_terms(q), limit=None, filter=docs)
        expected = [(h["pid"], round(h.score, 4)) for h in hits]
    assert ranked(briefings_index, text)[:50] == expected[:50]


def test_field_lengths_written_are_the_analysed_token_counts(briefings_index):
    analyzer = SCHEMA["text"].analyzer
    with open_index(briefings_index).searcher() as s:
        reader = s.reader()
        checked = 0
        for docnum, fields in reader.iter_docs():
            tokens = sum(1 for _ in analyzer(fields["text"]))
            assert reader.doc_field_length(docnum, "text") == byte_to_length(length_to_byte(tokens))
            checked += 1
    assert checked > 1000


def _segment_sizes(index_dir: Path) -> list[int]:
    return sorted(seg.doc_count_all() for seg in open_index(index_dir)._segments())


def test_small_segments_are_merged_and_large_ones_left(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    monkeypatch.setattr(indexer, "BATCH_PARAGRAPHS", 15)
    monkeypatch.setattr(indexer, "MAX_BATCH_PARAGRAPHS", 15)
    # Every commit folds the earlier small segments into its own: one segment at the end.
    indexer.ingest([SEEDS], tmp_path / "merged")
    assert _segment_sizes(tmp_path / "merged") == [51]
    # Segments of at least SMALL_SEGMENT documents are never rewritten.
    monkeypatch.setattr(index_writer, "SMALL_SEGMENT", 10)
    indexer.ingest([SEEDS], tmp_path / "kept")
    sizes = _segment_sizes(tmp_path / "kept")
    assert len(sizes) >= 2 and sum(sizes) == 51 and min(sizes) >= 10


def test_mostly_deleted_segments_are_merged_away(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    monkeypatch.setattr(index_writer, "SMALL_SEGMENT", 10)
    src = tmp_path / "one.jsonl"
    record = {"title": "Talks", "outlet": "Wire", "published": "2025-01-02",
              "url": "https://example.org/talks"}
    paras = [f"Mediators from {c} met in Doha on day {i} of the talks about the hostages."
             for i, c in enumerate(["Qatar", "Egypt", "the United States"] * 10)]
    src.write_text(json.dumps({**record, "text": "\n\n".join(paras)}) + "\n")
    index_dir = tmp_path / "ix"
    n = indexer.ingest([src], index_dir).paragraphs
    assert n >= 20 and _segment_sizes(index_dir) == [n]
    # The edited article replaces all its paragraphs: the old segment is all deleted and goes.
    edited = "\n\n".join(p + " Updated." for p in paras)
    src.write_text(json.dumps({**record, "text": edited}) + "\n")
    indexer.ingest([src], index_dir)
    assert _segment_sizes(index_dir) == [n]
    assert search(index_dir, SearchRequest(text="updated")).total == n


# -- bulk-read word queries (search/engines/embedded/postings.py) and phrase pairs (schema.text_pairs) ------


def _whoosh_scores(index_dir: Path, q) -> dict[int, float]:
    with open_index(index_dir).searcher(weighting=scoring.BM25F(B=0.25, K1=1.2)) as plain:
        return {h.docnum: h.score for h in plain.search(q, limit=None)}


@pytest.mark.parametrize("text", ["president", "hostages release", "hostages OR prisoners",
                                  "(ceasefire OR truce) AND (hamas OR israel)"])
def test_word_queries_read_in_bulk_match_and_score_as_whoosh(briefings_index, text):
    session = engine_for(briefings_index).session()
    q = session.parse(text)
    plan = postings.plan(q, session.searcher.schema)
    assert plan is not None  # the bulk path, not Whoosh's matchers, is what is checked
    w = session.weighting
    got = postings.evaluate(session.searcher, plan, session.table.field_lengths, w.B, w.K1)
    expected = _whoosh_scores(briefings_index, q)
    assert len(expected) >= 4 and got.keys() == expected.keys()
    assert all(got[d] == pytest.approx(s, rel=1e-9) for d, s in expected.items())
    # The page: best first, ties in document order, as Whoosh's top-N collector gives it.
    best = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:20]
    assert [d for _, d in postings.top(got, 20)] == [d for d, _ in best]


@pytest.mark.parametrize("text", ["the", "the said", '"the president"', '"of the"~3'])
def test_a_narrow_set_decodes_only_its_blocks_and_scores_as_a_whole_read(briefings_index, text,
                                                                          monkeypatch):
    from whoosh.codec.whoosh3 import W3LeafMatcher

    session = engine_for(briefings_index).session()
    plan = postings.plan(session.parse(text), session.searcher.schema)
    decoded = []
    real = W3LeafMatcher._read_data
    monkeypatch.setattr(W3LeafMatcher, "_read_data", lambda m: decoded.append(1) or real(m))
    w = session.weighting

    def run(within_docs):
        decoded.clear()
        out = postings.evaluate(session.searcher, plan, session.table.field_lengths, w.B, w.K1,
                                within_docs)
        return out, len(decoded)

    whole, whole_blocks = run(None)
    # The paragraphs of the best match's briefing: contiguous docnums, far fewer than the
    # words' postings.
    article = session.searcher.stored_fields(max(whole, key=whole.get))["article_id"]
    within = {d for d, f in enumerate(session.searcher.all_stored_fields())
              if f["article_id"] == article}
    narrow, narrow_blocks = run(within)
    assert narrow and narrow == {d: s for d, s in whole.items() if d in within}
    assert narrow_blocks * 2 < whole_blocks


def test_negations_prefixes_and_mixed_fields_are_left_to_whoosh(briefings_index):
    session = engine_for(briefings_index).session()
    assert postings.plan(session.parse('"national security"~3'), session.searcher.schema)
    for text in ["hostages NOT released", "hostage*", "title:ceasefire hostages"]:
        assert postings.plan(session.parse(text), session.searcher.schema) is None, text


def test_bulk_reads_skip_deleted_paragraphs_in_every_segment(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    monkeypatch.setattr(index_writer, "SMALL_SEGMENT", 1)  # keep segments and their deletions
    lines = gzip.open(BRIEFINGS, "rt", encoding="utf-8").readlines()[:8]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[:5]), encoding="utf-8")
    second.write_text("".join(lines[5:]), encoding="utf-8")
    index_dir = tmp_path / "ix"
    indexer.ingest([first], index_dir)
    indexer.ingest([first, second], index_dir)  # a second segment
    # The shortest briefing dropped: its paragraphs are deleted, too few to merge the segment.
    shortest = min(lines[:5], key=len)
    first.write_text("".join(line for line in lines[:5] if line is not shortest), encoding="utf-8")
    indexer.ingest([first, second], index_dir)
    with open_index(index_dir).searcher() as s:
        assert len(s.leaf_searchers()) >= 2 and s.reader().has_deletions()
    session = engine_for(index_dir).session()
    for text in ["hostages", "ceasefire hamas"]:
        q = session.parse(text)
        w = session.weighting
        got = postings.evaluate(session.searcher, postings.plan(q, session.searcher.schema),
                                session.table.field_lengths, w.B, w.K1)
        expected = _whoosh_scores(index_dir, q)
        assert expected and got.keys() == expected.keys()
        assert all(got[d] == pytest.approx(s, rel=1e-9) for d, s in expected.items())


@pytest.mark.parametrize("text", ['"the hostages"', '"in gaza"', '"of the"', '"president of the united states"',
                                  '"the people of"', '"national security"', '"the"',
                                  '"national security council"', '"hostages home"~5',
                                  '"president hostages"~8', '"get hostages home"~4', '"hamas israel"~4',
                                  '"said said"~10', '"national security" president',
                                  '"humanitarian assistance"~3 gaza'])
def test_phrases_through_pairs_and_bulk_positions_match_what_whoosh_matches(briefings_index, text):
    session = engine_for(briefings_index).session()
    q = session.parse(text)
    with open_index(briefings_index).searcher() as plain:
        expected = set(plain.docs_for_query(q))  # Whoosh's phrase check over word positions
    swapped = _phrases_by_pairs(q)
    if isinstance(q, wq.Phrase) and any(w in COMMON_WORDS for w in q.words):
        assert "text_pairs" in {leaf.fieldname for leaf in swapped.leaves()}
    assert expected and session.matched(q, SearchRequest(text=text)) == expected


def test_pairs_are_indexed_for_exactly_the_paragraphs_that_have_them(briefings_index):
    analyzer = SCHEMA["text"].analyzer
    with open_index(briefings_index).searcher() as s:
        reader = s.reader()
        for a, b in [("the", "hostag"), ("in", "gaza"), ("of", "the")]:
            having = set()
            for docnum, fields in reader.iter_docs():
                words = [t.text for t in analyzer(fields["text"])]
                if (a, b) in zip(words, words[1:], strict=False):
                    having.add(docnum)
            indexed = set(reader.postings("text_pairs", f"{a} {b}").all_ids())
            assert having and indexed == having
        # Only pairs that start with a common word are indexed.
        words = [t.text for t in analyzer(reader.stored_fields(0)["text"])]
        a, b = next((a, b) for a, b in zip(words, words[1:], strict=False) if a not in COMMON_WORDS)
        assert ("text_pairs", f"{a} {b}") not in reader


@pytest.mark.parametrize("numpy_from", [0, 10**9])  # numpy's lexsort, and Python's sort
@pytest.mark.parametrize("text, sort", [("", "relevance"), ("", "oldest"), ("hostages", "newest"),
                                        ("hostages", "oldest"), ('"national security"', "newest")])
def test_date_order_is_whooshs_date_sort(briefings_index, monkeypatch, text, sort, numpy_from):
    # Whoosh's own sort on the date column, ties in document order, is the reference.
    monkeypatch.setattr(engine_module, "NUMPY_FROM", numpy_from)
    req = SearchRequest(text=text, filters={"actor": ("Israel",)}, sort=sort, size=0)
    session = engine_for(briefings_index).session()
    docs = session.matched(session.parse(text), req)
    with open_index(briefings_index).searcher() as plain:
        facet = sorting.FieldFacet("c_date", reverse=sort != "oldest")
        hits = plain.search(wq.Every(), filter=docs, sortedby=facet, limit=None)
        expected = [h["pid"] for h in hits]
        dates = {h["pid"]: h["date"] for h in hits}
    assert len(expected) > 10 and len(set(dates.values())) > 3  # ties and distinct dates both
    assert [h.paragraph_id for h in search(briefings_index, req).hits] == expected
    page = search(briefings_index, SearchRequest(text=text, filters=req.filters, sort=sort, size=7,
                                                 page=2))
    assert [h.paragraph_id for h in page.hits] == expected[7:14]


@pytest.mark.parametrize("numpy_from", [0, 10**9])  # numpy's bincount, and the Python count
def test_facet_counts_are_the_matched_paragraphs_values(briefings_index, monkeypatch, numpy_from):
    monkeypatch.setattr(engine_module, "NUMPY_FROM", numpy_from)
    res = search(briefings_index, SearchRequest(text="hostages", size=0))
    assert res.total > 50
    expected = {"outlet": Counter(h.outlet for h in res.hits if h.outlet),
                "actor": Counter(a for h in res.hits for a in h.actors),
                "topic": Counter(t for h in res.hits for t in h.topics),
                "month": Counter(h.published[:7] for h in res.hits if h.published)}
    for facet, counts in expected.items():
        shown = {fv.value: fv.count for fv in res.facets[facet]}
        assert shown and shown == {v: counts[v] for v in shown}, facet
        assert len(shown) == min(len(counts), 30), facet  # the top values, none left out
    for facet in ("outlet", "actor", "topic"):  # most first, ties by value: the same every run
        order = [(-fv.count, fv.value) for fv in res.facets[facet]]
        assert order == sorted(order), facet
    assert len({fv.count for fv in res.facets["actor"]}) < len(res.facets["actor"])  # has ties
    assert {fv.value: fv.count for fv in res.timeline} == dict(expected["month"])


# -- commits written by two processes (writer._ForkedSegment) ----------------------------------


def _briefings_file(tmp_path: Path, n: int = 12) -> Path:
    src = tmp_path / f"briefings-{n}.jsonl"
    with gzip.open(BRIEFINGS, "rt", encoding="utf-8") as fh:
        src.write_text("".join(line for _, line in zip(range(n), fh, strict=False)), encoding="utf-8")
    return src


def _everything(index_dir: Path, text: str) -> tuple:
    res = search(index_dir, SearchRequest(text=text, size=0))
    return (res.total, {(h.paragraph_id, h.text, round(h.score or 0, 6)) for h in res.hits},
            {k: {(fv.value, fv.count) for fv in v} for k, v in res.facets.items()})


def test_a_commit_written_by_two_processes_holds_what_one_process_writes(tmp_path, monkeypatch):
    src = _briefings_file(tmp_path)
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    indexer.ingest([src], tmp_path / "one")
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "2")
    monkeypatch.setattr(index_writer, "PARALLEL_WRITE_MIN", 100)
    report = indexer.ingest([src], tmp_path / "two")
    assert report.paragraphs > 1000
    assert len(_segment_sizes(tmp_path / "two")) == 2  # the forked process wrote one of them
    assert _segment_sizes(tmp_path / "one") == [report.paragraphs]
    for text in ["", "hostages", '"national security"', "ceasefire OR truce"]:
        assert _everything(tmp_path / "two", text) == _everything(tmp_path / "one", text), text
    # Each article's paragraphs stay together and in order (the split is at an article end).
    articles: dict[str, list[tuple[int, int]]] = {}
    with open_index(tmp_path / "two").searcher() as s:
        for docnum, fields in s.reader().iter_docs():
            articles.setdefault(fields["article_id"], []).append((docnum, fields["position"]))
    for rows in articles.values():
        docnums, positions = [d for d, _ in rows], [p for _, p in rows]
        assert docnums == list(range(docnums[0], docnums[0] + len(rows)))
        assert positions == sorted(positions)


@pytest.mark.parametrize("failure", ["disk full", "died"])
def test_a_failed_forked_writer_keeps_the_committed_index(tmp_path, monkeypatch, failure):
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)

    def broken(ix, parent, docs, conn):
        if failure == "died":
            os._exit(1)
        conn.send(("error", (errno.ENOSPC, "No space left on device")))
        conn.close()

    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "2")
    monkeypatch.setattr(index_writer, "PARALLEL_WRITE_MIN", 100)
    monkeypatch.setattr(index_writer, "_write_segment", broken)
    src = _briefings_file(tmp_path, 4)
    with pytest.raises(IndexWriteError) as caught:
        indexer.ingest([src], index_dir)
    assert ("the disk is full" if failure == "disk full" else "died") in str(caught.value)
    assert search(index_dir, SearchRequest()).total == 51  # the seeds, nothing half-written
    monkeypatch.undo()
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "2")
    monkeypatch.setattr(index_writer, "PARALLEL_WRITE_MIN", 100)
    again = indexer.ingest([src], index_dir)  # the lock was released, and the run completes
    assert search(index_dir, SearchRequest()).total == 51 + again.paragraphs
    assert not [f for f in index_dir.iterdir() if f.name.endswith(".tmp")]


def test_a_new_process_counts_facets_from_the_saved_table_as_from_the_columns(briefings_index,
                                                                              monkeypatch):
    req = SearchRequest(text="president", size=0)
    for path in briefings_index.glob("parley-doctable-*"):
        path.unlink()  # the first search below reads the columns and saves the table
    forget_engine(briefings_index)  # a fresh engine: no table in memory
    from_columns = search(briefings_index, req)
    assert list(briefings_index.glob("parley-doctable-*.bin"))
    # As a new process: nothing in memory, the saved table on disk, months included.
    forget_engine(briefings_index)
    monkeypatch.setattr(engine_module, "_months", lambda dates: pytest.fail("months derived"))
    from_table = search(briefings_index, req)
    assert from_table.facets == from_columns.facets
    assert len(from_table.facets["month"]) >= 3 and from_table.total == from_columns.total
