"""Ingest runs end to end: incremental updates, replacement, rebuild, bad input, a busy index."""

from __future__ import annotations

import gzip
import json
import shutil
import threading

import pytest

import indexer
from indexer import registry
from indexer.errors import IndexBusy
from search.engines.embedded.writer import exclusive
from search import SearchRequest, list_articles, search
from tests.conftest import SAMPLES, SEEDS


def copy_seeds(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def test_second_run_over_unchanged_files_does_nothing(tmp_path):
    folder = copy_seeds(tmp_path)
    first = indexer.ingest([folder], tmp_path / "ix")
    second = indexer.ingest([folder], tmp_path / "ix")
    assert (first.articles, first.paragraphs, first.quotes) == (4, 51, 14)
    assert second.to_dict() == {"articles": 0, "unchanged": 4, "replaced": 0, "duplicates": 0,
                                "paragraphs": 0, "quotes": 0, "skipped": [], "ignored": []}
    assert search(tmp_path / "ix", SearchRequest()).total == 51


def test_changed_article_replaces_its_paragraphs(tmp_path):
    folder = copy_seeds(tmp_path)
    indexer.ingest([folder], tmp_path / "ix")
    path = folder / "003_26cd42673f7cf204.txt"
    path.write_text(path.read_text() + "\n\nWitkoff later said the talks would resume in Doha.")
    report = indexer.ingest([folder], tmp_path / "ix")
    assert (report.articles, report.replaced, report.unchanged, report.paragraphs) == (1, 1, 3, 10)
    assert search(tmp_path / "ix", SearchRequest()).total == 52
    # Without a URL the identity is the text, so the edited article has a new id and the
    # old one is gone with all its paragraphs.
    doha = search(tmp_path / "ix", SearchRequest(text="resume Doha"))
    assert [(h.position, h.outlet) for h in doha.hits] == [(9, "ANI")]
    ids = [a.article_id for a in list_articles(tmp_path / "ix")]
    assert len(ids) == 4 and "t44c18132313e5f2b" not in ids


def test_rebuild_starts_fresh(tmp_path):
    folder = copy_seeds(tmp_path)
    indexer.ingest([folder], tmp_path / "ix")
    report = indexer.ingest([folder / "000_856f695a1eedb8c1.txt"], tmp_path / "ix", rebuild=True)
    assert report.articles == 1
    assert [a.article_id for a in list_articles(tmp_path / "ix")] == ["u08d499bef9cf2237"]


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_indexed(tmp_path):
    folder = copy_seeds(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    (folder / "notes.docx").write_bytes(b"whatever")
    (folder / "broken.jsonl").write_text(
        '{"title": "ok", "text": "Qatar said the talks in Doha would go on.", "url": "https://e.x/1"}\n'
        '{"title": "broken", "text": \n'
        '{"title": "no text"}\n')
    report = indexer.ingest([folder, tmp_path / "missing"], tmp_path / "ix")
    reasons = sorted((s.path.replace(str(tmp_path), ""), s.reason) for s in report.skipped)
    assert reasons == [
        ("/missing", "no such file or folder"),
        ("/seeds/binary.txt", "binary file (NUL bytes), not text"),
        ("/seeds/broken.jsonl#2", "malformed JSON line (JSONDecodeError)"),
        ("/seeds/broken.jsonl#3", "record has no text"),
        ("/seeds/empty.txt", "empty file"),
    ]
    # Other file types inside a folder are passed over and listed, not failures...
    assert [p.replace(str(tmp_path), "") for p in report.ignored] == ["/seeds/notes.docx"]
    assert report.articles == 5 and report.failed
    # ...but a file named explicitly is always tried.
    named = indexer.ingest([folder / "notes.docx"], tmp_path / "ix")
    assert [s.reason for s in named.skipped] == ["unsupported file type '.docx'"]


def test_cp1252_text_is_read(tmp_path):
    (tmp_path / "a.txt").write_bytes("Talks in Genève resumed, the envoy said.".encode("cp1252"))
    indexer.ingest([tmp_path / "a.txt"], tmp_path / "ix")
    assert search(tmp_path / "ix", SearchRequest(text="Genève")).total == 1


def test_jsonl_gz_records_keep_their_metadata(tmp_path):
    rows = [json.loads(line) for line in gzip.open(SAMPLES / "whitehouse_gaza.jsonl.gz", "rt")][:3]
    with gzip.open(tmp_path / "wh.jsonl.gz", "wt") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    report = indexer.ingest([tmp_path / "wh.jsonl.gz"], tmp_path / "ix")
    assert report.articles == 3 and not report.skipped
    arts = {a.url: a for a in list_articles(tmp_path / "ix")}
    assert {(a.title, a.published, a.outlet) for a in arts.values()} == {
        (r["title"], r["published"], "The White House (Briefing Room)") for r in rows}


def test_second_writer_waits_then_reports_busy(tmp_path):
    folder = copy_seeds(tmp_path)
    held, release = threading.Event(), threading.Event()

    def hold():
        with exclusive(tmp_path / "ix", timeout=1):
            held.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    held.wait(5)
    try:
        with pytest.raises(IndexBusy, match="busy"):
            indexer.ingest([folder], tmp_path / "ix", lock_timeout=0.5)
    finally:
        release.set()
        worker.join()
    assert indexer.ingest([folder], tmp_path / "ix").articles == 4


def test_registry_matches_index(tmp_path):
    indexer.ingest([copy_seeds(tmp_path)], tmp_path / "ix")
    counts = registry.counts(tmp_path / "ix")
    assert counts == {"files": 4, "articles": 4, "paragraphs": 51, "quotes": 14}


def test_rebuild_with_the_same_paragraph_count_gives_fresh_facets(tmp_path):
    """A rebuilt index restarts Whoosh generations; nothing cached for the old one may be reused."""
    (tmp_path / "in").mkdir()
    page = tmp_path / "in" / "a.jsonl"
    page.write_text(json.dumps({"url": "https://x.example/1", "source": "Outlet One",
                                "published": "2024-01-02", "text": "Qatar hosted the talks."}))
    indexer.ingest([page], tmp_path / "ix")
    assert [v.value for v in search(tmp_path / "ix", SearchRequest()).facets["outlet"]] == ["Outlet One"]
    page.write_text(json.dumps({"url": "https://x.example/1", "source": "Outlet Two",
                                "published": "2024-01-02", "text": "Qatar hosted the talks."}))
    indexer.ingest([page], tmp_path / "ix", rebuild=True)
    assert [v.value for v in search(tmp_path / "ix", SearchRequest()).facets["outlet"]] == ["Outlet Two"]


def test_reading_the_registry_never_writes(tmp_path):
    indexer.ingest([copy_seeds(tmp_path)], tmp_path / "ix")
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "ix").iterdir()}
    assert len(list_articles(tmp_path / "ix")) == 4
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "ix").iterdir()
             if not p.name.startswith("parley-doctable")}
    assert after == {k: v for k, v in before.items() if k in after}
    assert "registry.sqlite3" in after
