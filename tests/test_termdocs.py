"""The text field's term lists (embedded/termdocs.py) hold exactly Whoosh's postings, and the
search reads them in place of Whoosh's blocks, with the same matches and scores."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher

import indexer
from search import SearchRequest, check_index, search
from search.engines import forget_engine
from search.engines.embedded import postings, termdocs
from search.engines.embedded import writer as index_writer
from search.engines.embedded.engine import engine_for
from search.engines.embedded.schema import analyse, open_index
from tests.conftest import ROOT

BRIEFINGS = ROOT / "samples" / "whitehouse_gaza.jsonl.gz"


def _lines(n: int) -> list[str]:
    with gzip.open(BRIEFINGS, "rt", encoding="utf-8") as fh:
        return [line for _, line in zip(range(n), fh, strict=False)]


@pytest.fixture
def merged_forked_deleted(tmp_path, monkeypatch) -> Path:
    """An index whose segments came every way one can: written by the parent and by a forked
    writer, merged from small segments, and holding deleted paragraphs."""
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "2")
    monkeypatch.setattr(index_writer, "PARALLEL_WRITE_MIN", 100)
    lines = _lines(14)
    first, second, third = (tmp_path / f"{n}.jsonl" for n in "abc")
    first.write_text("".join(lines[:6]), encoding="utf-8")
    second.write_text("".join(lines[6:9]), encoding="utf-8")
    third.write_text("".join(lines[9:]), encoding="utf-8")
    index_dir = tmp_path / "ix"
    indexer.ingest([first], index_dir)
    indexer.ingest([first, second], index_dir)  # small segments merged into a new one
    monkeypatch.setattr(index_writer, "SMALL_SEGMENT", 1)  # from here on, keep deletions
    shortest = min(lines[:6], key=len)
    first.write_text("".join(line for line in lines[:6] if line is not shortest), encoding="utf-8")
    indexer.ingest([first, second, third], index_dir)  # deletes the dropped briefing
    return index_dir


def _whoosh_postings(reader, btext: bytes) -> tuple[list[int], list[float], list[bytes]]:
    """Every posting of the term in the segment, deleted documents included."""
    m = reader.postings("text", btext)
    m = getattr(m, "child", m)  # under Whoosh's filter of deleted documents
    m.reset()
    ids, weights, values = [], [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        values.append(m.value())
        m.next()
    return ids, weights, values


def test_every_segment_lists_every_word_with_whooshs_documents_and_weights(merged_forked_deleted):
    index_dir = merged_forked_deleted
    with open_index(index_dir).searcher() as s:
        leaves = [leaf.reader() for leaf, _ in s.leaf_searchers()]
        assert len(leaves) >= 2 and s.reader().has_deletions()
        words = 0
        for reader in leaves:
            lists = termdocs.ListsCache(index_dir).get(reader.segment().segment_id())
            assert lists is not None
            for fieldname, btext in reader.all_terms():
                if fieldname != "text":
                    continue
                ids, weights, values = lists.get(btext, values=True)
                assert (list(ids), list(weights), list(values)) == _whoosh_postings(reader, btext)
                assert lists.get(btext)[:2] == (ids, weights) and lists.get(btext)[2] is None
                words += 1
            assert lists.get(b"\xff-no-such-word") is None
    assert words > 5000


def test_word_queries_score_from_the_lists_as_whoosh_scores_decoding_no_block(
        merged_forked_deleted, monkeypatch):
    index_dir = merged_forked_deleted
    session = engine_for(index_dir).session()
    decoded = []
    real = W3LeafMatcher._read_data
    monkeypatch.setattr(W3LeafMatcher, "_read_data", lambda m: decoded.append(1) or real(m))
    w = session.weighting
    for text in ["president", "hostages release", "ceasefire OR truce", "the",
                 '"national security"', '"hostages home"~5', '"president of the united states"']:
        q = session.parse(text)
        decoded.clear()
        got = postings.evaluate(session.searcher, postings.plan(q, session.searcher.schema),
                                session.table.field_lengths, w.B, w.K1, None, session.term_lists)
        assert not decoded, text
        with open_index(index_dir).searcher(weighting=scoring.BM25F(B=0.25, K1=1.2)) as plain:
            expected = {h.docnum: h.score for h in plain.search(q, limit=None)}
        assert expected and got.keys() == expected.keys(), text
        if '"' not in text:  # a phrase ranks as its words (postings.py), not as Whoosh's phrase
            assert all(got[d] == pytest.approx(s, rel=1e-9) for d, s in expected.items()), text


def _results(index_dir: Path, text: str) -> tuple:
    res = search(index_dir, SearchRequest(text=text, size=0))
    return res.total, [(h.paragraph_id, h.score) for h in res.hits]


def _small_index(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    src = tmp_path / "b.jsonl"
    src.write_text("".join(_lines(4)), encoding="utf-8")
    index_dir = tmp_path / "ix"
    indexer.ingest([src], index_dir)
    return index_dir


def test_a_segment_without_lists_is_read_from_whoosh(tmp_path, monkeypatch):
    index_dir = _small_index(tmp_path, monkeypatch)
    queries = ["president", "israel", '"the president"', "the said"]
    before = [_results(index_dir, q) for q in queries]
    (path,) = index_dir.glob(f"*{termdocs.EXTENSION}")
    path.unlink()  # as an index written before term lists existed
    forget_engine(index_dir)  # as a new process would find it
    assert [_results(index_dir, q) for q in queries] == before
    assert all(total > 0 for total, _ in before)


@pytest.mark.parametrize("damage", ["8 bytes of a list", "8 bytes of positions", "directory",
                                    "truncated", "not ours"])
def test_a_damaged_term_list_file_is_refused_by_search_and_reported_by_check(
        tmp_path, monkeypatch, damage):
    from indexer.errors import IndexCorrupt

    index_dir = _small_index(tmp_path, monkeypatch)
    query = '"president biden"' if "positions" in damage else "president"
    assert _results(index_dir, query)[0] > 0
    (path,) = index_dir.glob(f"*{termdocs.EXTENSION}")
    lists = termdocs.TermLists(path)
    at = lists.find(analyse("president")[0][1].encode())
    data = bytearray(path.read_bytes())
    if damage == "8 bytes of a list":
        offset = lists._ids_at + 4 * lists._starts[at]
    elif damage == "8 bytes of positions":
        offset = lists._values_at + lists._value_starts[at]
    elif damage == "directory":
        offset = termdocs._HEADER.size + 4  # inside the term offsets
    if damage == "truncated":
        data = data[:-100]
    elif damage == "not ours":
        data = bytearray(b"something else entirely" * 10)
    else:
        data[offset:offset + 8] = bytes(b ^ 0x5A for b in data[offset:offset + 8])
    path.write_bytes(bytes(data))
    forget_engine(index_dir)  # as a new process would find it
    with pytest.raises(IndexCorrupt, match=f"{path.name} is not as written"):
        search(index_dir, SearchRequest(text=query))
    report = check_index(index_dir)
    assert not report.healthy
    assert any(path.name in problem for problem in report.problems)


def test_the_lists_go_with_their_segment(merged_forked_deleted):
    with open_index(merged_forked_deleted).searcher() as s:
        live = {leaf.reader().segment().segment_id() for leaf, _ in s.leaf_searchers()}
    listed = {p.name.removesuffix(termdocs.EXTENSION)
              for p in merged_forked_deleted.glob(f"*{termdocs.EXTENSION}")}
    assert listed == live  # merged-away segments' lists were deleted by Whoosh's clean-up


def test_packed_positions_round_trip_and_are_smaller_than_whooshs():
    from whoosh.formats import Positions

    from search.engines.embedded.schema import SCHEMA

    packed = SCHEMA["text"].format
    for poslist in ([0], [5], [3, 7, 100_000], list(range(0, 5000, 7))):
        value = packed.encode(poslist)
        assert packed.decode_positions(value) == poslist
        assert packed.decode_frequency(value) == len(poslist)
    assert len(packed.encode([5])) < len(Positions().encode([5]))


def test_an_index_made_with_pickled_positions_still_answers_the_same(tmp_path, monkeypatch):
    """An index created before positions were packed keeps its own format (its TOC's schema)."""
    from whoosh.formats import Positions

    from search.engines.embedded.schema import SCHEMA

    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    src = tmp_path / "b.jsonl"
    src.write_text("".join(_lines(4)), encoding="utf-8")
    indexer.ingest([src], tmp_path / "new")
    with monkeypatch.context() as m:
        m.setattr(SCHEMA["text"], "format", Positions(field_boost=1.0))
        indexer.ingest([src], tmp_path / "old")
    marker = tmp_path / "old" / "parley-index.json"
    marker.write_text(marker.read_text().replace('"version": 5', '"version": 4'))
    with open_index(tmp_path / "old").searcher() as s:
        assert type(s.schema["text"].format) is Positions
    for text in ['"national security"', '"president of the united states"', '"israel hamas"~4',
                 "president"]:
        assert _results(tmp_path / "old", text) == _results(tmp_path / "new", text), text
        assert _results(tmp_path / "new", text)[0] > 0, text


def test_long_lists_scored_with_numpy_get_exactly_the_python_scores(merged_forked_deleted,
                                                                    monkeypatch):
    session = engine_for(merged_forked_deleted).session()
    w = session.weighting

    def scores(text: str, numpy_from: int) -> dict[int, float]:
        monkeypatch.setattr(postings, "NUMPY_FROM", numpy_from)
        monkeypatch.setattr(postings, "NUMPY_SEGMENT", 1)
        plan = postings.plan(session.parse(text), session.searcher.schema)
        return postings.evaluate(session.searcher, plan, session.table.field_lengths, w.B, w.K1,
                                 None, session.term_lists)

    for text in ["the", "president OR hostages", "the said"]:
        in_python = scores(text, 10**9)
        assert len(in_python) > 100 and scores(text, 1) == in_python, text


def test_a_long_list_filtered_with_numpy_keeps_exactly_the_python_scores(merged_forked_deleted,
                                                                         monkeypatch):
    session = engine_for(merged_forked_deleted).session()
    w = session.weighting
    within = set(range(0, session.searcher.doc_count_all(), 3))
    picked = []
    real = postings._within_arrays
    monkeypatch.setattr(postings, "_within_arrays", lambda *a: picked.append(1) or real(*a))

    def scores(text: str, numpy_from: int) -> dict[int, float]:
        monkeypatch.setattr(postings, "NUMPY_FROM", numpy_from)
        picked.clear()
        plan = postings.plan(session.parse(text), session.searcher.schema)
        out = postings.evaluate(session.searcher, plan, session.table.field_lengths, w.B, w.K1,
                                within, session.term_lists)
        assert bool(picked) == (numpy_from == 1)
        return out

    for text in ["the", "president OR hostages", "said"]:
        in_python = scores(text, 10**9)
        assert len(in_python) > 30 and scores(text, 1) == in_python, text
        assert set(in_python) <= within


def test_ands_and_phrases_intersected_as_arrays_get_exactly_the_python_results(
        merged_forked_deleted, monkeypatch):
    session = engine_for(merged_forked_deleted).session()
    w = session.weighting
    taken = []
    for name in ("_and_arrays", "_phrase_arrays"):
        real = getattr(postings, name)
        monkeypatch.setattr(postings, name,
                            lambda *a, real=real: taken.append(1) or real(*a))

    def scores(plan, arrays_from: int, within=None) -> dict[int, float]:
        monkeypatch.setattr(postings, "ARRAYS_FROM", arrays_from)
        taken.clear()
        out = postings.evaluate(session.searcher, plan, session.table.field_lengths, w.B, w.K1,
                                within, session.term_lists)
        assert bool(taken) == (arrays_from == 0)
        return out

    for text in ["hostages released", "hamas israel", "president hostages",
                 '"national security"', '"the president"', '"hostages home"~5',
                 '"president of the united states"', '"said said"~10']:
        plan = postings.plan(session.parse(text), session.searcher.schema)
        in_python = scores(plan, 10**9)
        assert len(in_python) >= 4 and scores(plan, 0) == in_python, text
        every_other = set(sorted(in_python)[::2])
        assert scores(plan, 0, every_other) == scores(plan, 10**9, every_other) == {
            d: s for d, s in in_python.items() if d in every_other}, text


def test_an_index_of_an_unknown_version_is_refused_with_what_to_do(tmp_path, monkeypatch):
    from indexer.errors import IndexCorrupt

    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    src = tmp_path / "b.jsonl"
    src.write_text("".join(_lines(1)), encoding="utf-8")
    indexer.ingest([src], tmp_path / "ix")
    marker = tmp_path / "ix" / "parley-index.json"
    marker.write_text(marker.read_text().replace('"version": 5', '"version": 3'))
    with pytest.raises(IndexCorrupt, match="format version 3; this Parley reads versions 4 and 5"
                                           ".*--rebuild"):
        search(tmp_path / "ix", SearchRequest(text="president"))


def test_a_damaged_doc_table_is_reported_and_never_counted_from(tmp_path, monkeypatch):
    index_dir = _small_index(tmp_path, monkeypatch)
    before = search(index_dir, SearchRequest(text="president"))
    (table,) = index_dir.glob("parley-doctable-*.bin")
    assert check_index(index_dir).healthy
    data = bytearray(table.read_bytes())
    data[-40:-32] = bytes(b ^ 0x5A for b in data[-40:-32])  # inside the last column's codes
    table.write_bytes(bytes(data))
    report = check_index(index_dir)
    assert any(table.name in p and "checksum" in p for p in report.problems)
    forget_engine(index_dir)  # as a new process would find it: no table in memory
    after = search(index_dir, SearchRequest(text="president"))
    assert (after.total, after.facets, after.timeline) == (before.total, before.facets,
                                                            before.timeline)
    assert check_index(index_dir).healthy  # the search read the columns and saved it again
