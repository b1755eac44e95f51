"""Parley's segment writer (embedded/postwriter.py, writer._SegmentWriter) writes the very bytes
Whoosh's own SegmentWriter writes from the same paragraphs (new segments, merged segments and
segments merged from ones holding deletions), but for the small blocks it leaves uncompressed,
which read back as the same postings."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from whoosh.writing import SegmentWriter

from indexer import Article, default_lexicon, prepare_article
from indexer.sources import read_path
from search.engines.embedded import postwriter, schema
from search.engines.embedded import writer as index_writer
from tests.conftest import ROOT

BRIEFINGS = ROOT / "samples" / "whitehouse_gaza.jsonl.gz"


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> list[dict]:
    """Whoosh documents of real paragraphs: the seeds and 10 White House briefings."""
    tmp = tmp_path_factory.mktemp("briefings")
    with gzip.open(BRIEFINGS, "rt", encoding="utf-8") as fh:
        lines = [line for _, line in zip(range(10), fh, strict=False)]
    (tmp / "b.jsonl").write_text("".join(lines), encoding="utf-8")
    lexicon = default_lexicon()
    articles = [a for path in (ROOT / "seeds", tmp / "b.jsonl")
                for f in ([path] if path.is_file() else sorted(path.glob("*.txt")))
                for a in read_path(f) if isinstance(a, Article)]
    out = [index_writer.document_for(tp) for a in articles for tp in prepare_article(a, lexicon)]
    assert len(out) > 1500 and len({d["article_id"] for d in out}) > 10
    return out


def _segment_files(index_dir: Path) -> list[dict[str, bytes]]:
    """Each segment's files, named without the segment's id, read out of its compound file."""
    ix = schema.open_index(index_dir)
    out = []
    for segment in ix._segments():
        storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
        files = {}
        for name in storage.list():
            prefix = segment.make_filename("")
            if name.startswith(prefix):
                with storage.open_file(name) as fh:
                    files[name[len(prefix):]] = fh.read()
        if storage is not ix.storage:
            storage.close()
        out.append(files)
    return out


def _write(index_dir: Path, writer_class, commits: list[list[dict]], deleted: str | None) -> None:
    ix = schema.create_index(index_dir)
    for i, batch in enumerate(commits):
        writer = writer_class(ix)
        if deleted and i == len(commits) - 1:
            writer.delete_by_term("article_id", deleted)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(mergetype=index_writer.merge_small_segments)


def _commits(docs: list[dict], case: str) -> tuple[list[list[dict]], str | None]:
    if case == "one segment":
        commits, deleted = [docs], None
    else:  # small segments, merged into the last commit's new one
        commits = [docs[:400], docs[400:900], docs[900:]]  # the first two under SMALL_SEGMENT
        deleted = docs[5]["article_id"] if case == "merged with deletions" else None
    return commits, deleted


@pytest.mark.parametrize("case", ["one segment", "merged", "merged with deletions"])
def test_segments_are_byte_for_byte_whooshs(docs, tmp_path, monkeypatch, case):
    monkeypatch.setattr(postwriter, "RAW_BELOW", 0)  # Whoosh compresses every block
    commits, deleted = _commits(docs, case)
    _write(tmp_path / "whoosh", SegmentWriter, commits, deleted)
    _write(tmp_path / "parley", index_writer._SegmentWriter, commits, deleted)
    theirs, ours = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "parley")
    assert len(ours) == len(theirs) == 1
    assert {".trm", ".pst"} <= set(ours[0]) and sorted(ours[0]) == sorted(theirs[0])
    for name in ours[0]:
        assert ours[0][name] == theirs[0][name], f"{name} differs"
    docs_in = schema.open_index(tmp_path / "parley").doc_count()
    assert docs_in == len(docs) - sum(d["article_id"] == deleted for d in docs)


def _all_postings(index_dir: Path) -> dict:
    """Every term of every field: its statistics and (docnum, weight, value) postings."""
    out = {}
    with schema.open_index(index_dir).reader() as reader:
        for fieldname, term in reader.all_terms():
            info = reader.term_info(fieldname, term)
            m = reader.postings(fieldname, term)
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            out[fieldname, term] = (info.weight(), info.doc_frequency(), info.min_length(),
                                    info.max_length(), info.max_weight(), info.min_id(),
                                    info.max_id(), postings)
    return out


@pytest.mark.parametrize("case", ["one segment", "merged with deletions"])
def test_small_blocks_left_uncompressed_read_back_the_same(docs, tmp_path, case):
    commits, deleted = _commits(docs, case)
    _write(tmp_path / "whoosh", SegmentWriter, commits, deleted)
    _write(tmp_path / "parley", index_writer._SegmentWriter, commits, deleted)
    theirs, ours = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "parley")
    assert ours[0][".pst"] != theirs[0][".pst"]  # some blocks were stored raw...
    assert len(ours[0][".pst"]) < len(theirs[0][".pst"])  # ...which also made them shorter
    expected = _all_postings(tmp_path / "whoosh")
    assert len(expected) > 10000
    assert _all_postings(tmp_path / "parley") == expected


def test_a_pool_sorts_postings_that_arrive_out_of_order():
    from search.engines.embedded.postwriter import TermPool

    pool = TermPool()
    pool.add(("text", b"gaza", 7, 1.0, b"x"))
    pool.add(("text", b"gaza", 3, 2.0, b"y"))
    pool.add(("text", b"ceasefire", 5, 1.0, b"z"))
    pool.add(("text", b"spell", -1, 1.0, b""))  # a spelling word: dropped, as Whoosh does
    assert list(pool.sorted_fields()) == [
        ("text", [(b"ceasefire", [5], [1.0], [b"z"]), (b"gaza", [3, 7], [2.0, 1.0], [b"y", b"x"])])]
