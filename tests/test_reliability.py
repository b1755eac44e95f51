"""Faults: killed and crashed writers, two writers, readers during commits, full and read-only
disks, damaged indexes and `parley check`, foreign directories. The long runs are in
bench/faults.py; these are the fast versions of the same scenarios.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import fields, index

import indexer
from indexer import registry
from search.engines.embedded.check import check_index
from indexer.errors import NotParleyIndex
from search.engines.embedded.schema import open_index
from search.engines.embedded.writer import exclusive
from search import SearchRequest, search
from tests.conftest import ROOT, SEEDS
from web import create_app
from web.cli import cli

# `parley` with a small batch, so that a run commits many times.
PARLEY_SMALL_BATCHES = [sys.executable, "-c",
                        "import sys, indexer; indexer.BATCH_PARAGRAPHS = 15; "
                        "from web.cli import cli; cli(prog_name='parley')"]


def write_corpus(path: Path, n: int, seed: int = 1) -> Path:
    """n short articles with distinct text, as JSONL."""
    rng = random.Random(seed)
    words = "ceasefire hostages Doha talks mediators Qatar Egypt truce aid crossing envoy".split()
    with path.open("w") as fh:
        for i in range(n):
            paras = ["\n".join([" ".join(rng.choices(words, k=12)) + f" story {i} part {j}."])
                     for j in range(3)]
            fh.write(json.dumps({"title": f"Story {i}", "outlet": "Wire", "published": "2025-01-02",
                                 "url": f"https://example.org/{i}", "text": "\n\n".join(paras)}) + "\n")
    return path


def index_state(index_dir: Path) -> tuple[Counter, Counter]:
    """Paragraphs per article id and documents per paragraph id in the index."""
    per_article, per_pid = Counter(), Counter()
    with open_index(index_dir).searcher() as s:
        for f in s.all_stored_fields():
            per_article[f["article_id"]] += 1
            per_pid[f["pid"]] += 1
    return per_article, per_pid


def recorded(index_dir: Path) -> dict[str, int]:
    with registry.connect(index_dir) as conn:
        return dict(conn.execute("SELECT article_id, paragraphs FROM articles"))


def assert_whole(index_dir: Path) -> None:
    """Every recorded article fully present, nothing twice, `check` healthy."""
    per_article, per_pid = index_state(index_dir)
    assert {a: n for a, n in recorded(index_dir).items() if per_article[a] != n} == {}
    assert [p for p, n in per_pid.items() if n > 1] == []
    assert check_index(index_dir).problems == []


# -- killed and crashed writers ---------------------------------------------------------------


def test_crash_between_index_commit_and_registry_write_leaves_no_duplicates(tmp_path):
    # The narrowest window: Whoosh has committed, the registry has not. The re-run must
    # replace those unrecorded paragraphs, not add them a second time.
    crash = ("import os, sys, indexer; from indexer import registry; indexer.BATCH_PARAGRAPHS = 20\n"
             "calls = []; real = registry.record\n"
             "def record(*a, **k):\n"
             "    calls.append(1)\n"
             "    if len(calls) == 2: os._exit(9)\n"
             "    return real(*a, **k)\n"
             "registry.record = record\n"
             "indexer.ingest([sys.argv[1]], sys.argv[2])\n")
    index_dir = tmp_path / "ix"
    proc = subprocess.run([sys.executable, "-c", crash, str(SEEDS), str(index_dir)], cwd=ROOT,
                          env={**os.environ, "PARLEY_INDEX_WORKERS": "1"})
    assert proc.returncode == 9
    assert check_index(index_dir).orphan_articles  # the state the crash leaves
    indexer.ingest([SEEDS], index_dir)
    assert_whole(index_dir)
    assert sum(index_state(index_dir)[1].values()) == 51


def test_sigkill_at_random_moments_loses_nothing_and_rerun_completes(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", 150)
    index_dir = tmp_path / "ix"
    cmd = [*PARLEY_SMALL_BATCHES, "index", str(corpus), "--index-dir", str(index_dir), "--wait", "5"]
    rng = random.Random(3)
    for _ in range(3):
        before = recorded(index_dir) if index_dir.exists() else {}
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if index_dir.exists() and any(index_dir.glob("*.toc")):
            after = recorded(index_dir)
            assert set(before) <= set(after)
            per_article, _ = index_state(index_dir)
            assert {a: n for a, n in after.items() if per_article[a] < n} == {}
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert_whole(index_dir)
    assert len(recorded(index_dir)) == 150


# -- two writers ------------------------------------------------------------------------------


def test_second_index_run_waits_then_exits_3_saying_busy(tmp_path):
    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)
    start = time.monotonic()
    with exclusive(index_dir, timeout=1):
        result = CliRunner().invoke(cli, ["index", str(SEEDS), "--index-dir", str(index_dir),
                                          "--wait", "0.6"])
    assert result.exit_code == 3
    assert "is busy" in result.output and "Traceback" not in result.output
    assert time.monotonic() - start >= 0.6  # it waited as told (no upper bound: shared machines)
    assert_whole(index_dir)


# -- readers during commits -------------------------------------------------------------------


def test_searching_while_indexing_never_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(indexer, "BATCH_PARAGRAPHS", 15)
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)
    corpus = write_corpus(tmp_path / "corpus.jsonl", 120)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    errors: list[str] = []
    done = threading.Event()
    counts = Counter()

    def read(kind: str) -> None:
        queries = ["ceasefire", "hostages Doha", '"story 7"', "truce NOT aid", "negotiat*"]
        i = 0
        while not done.is_set():
            q = queries[i % len(queries)]
            try:
                if kind == "web":
                    resp = client.get("/api/search", query_string={"q": q})
                    if resp.status_code != 200:
                        errors.append(f"{resp.status_code} {resp.get_data(as_text=True)[:200]}")
                else:
                    search(index_dir, SearchRequest(text=q))
            except Exception as exc:  # noqa: BLE001 - counted, that is the test
                errors.append(repr(exc))
            counts[kind] += 1
            i += 1

    readers = [threading.Thread(target=read, args=(k,)) for k in ("web", "web", "core")]
    for t in readers:
        t.start()
    try:
        report = indexer.ingest([corpus], index_dir)
    finally:
        done.set()
        for t in readers:
            t.join()
    assert report.articles == 120
    assert errors == []
    assert counts["web"] > 10 and counts["core"] > 5
    assert search(index_dir, SearchRequest()).total == 51 + report.paragraphs


# -- full and read-only disks -----------------------------------------------------------------


def _fail_with(err: int):
    def fail(*args, **kwargs):
        raise OSError(err, os.strerror(err))
    return fail


@pytest.mark.parametrize("where", ["create_file", "rename_file"])
def test_disk_full_during_commit_exits_5_and_keeps_the_previous_index(tmp_path, monkeypatch, where):
    from whoosh.filedb.filestore import FileStorage

    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)
    corpus = write_corpus(tmp_path / "more.jsonl", 5)
    # create_file: the new segment's files; rename_file: the TOC moved into place at commit.
    monkeypatch.setattr(FileStorage, where, _fail_with(errno.ENOSPC))
    result = CliRunner().invoke(cli, ["index", str(corpus), "--index-dir", str(index_dir)])
    monkeypatch.undo()
    assert result.exit_code == 5, result.output
    assert "the disk is full" in result.output and "Traceback" not in result.output
    assert search(index_dir, SearchRequest()).total == 51
    assert_whole(index_dir)
    # With space again, the same command completes, in the same process: Whoosh's lock from
    # the failed writer was released (it used to stay held until the process exited).
    again = CliRunner().invoke(cli, ["index", str(corpus), "--index-dir", str(index_dir)])
    assert again.exit_code == 0, again.output
    assert_whole(index_dir)
    assert len(recorded(index_dir)) == 4 + 5


def test_read_only_index_directory_exits_5_without_traceback(tmp_path, monkeypatch):
    # As root, chmod does not stop writes: simulate what a read-only mount answers.
    import search.engines.embedded.writer

    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)
    monkeypatch.setattr(search.engines.embedded.writer, "open", _fail_with(errno.EROFS), raising=False)
    result = CliRunner().invoke(cli, ["index", str(SEEDS), "--index-dir", str(index_dir)])
    monkeypatch.undo()
    assert result.exit_code == 5
    assert "read-only" in result.output and "Traceback" not in result.output
    assert_whole(index_dir)


# -- parley check -----------------------------------------------------------------------------


@pytest.fixture
def index_copy(seed_index, tmp_path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(seed_index, copy)
    return copy


def run_check(index_dir: Path):
    return CliRunner().invoke(cli, ["check", "--index-dir", str(index_dir)])


def test_check_healthy_index_exits_0(index_copy):
    result = run_check(index_copy)
    assert result.exit_code == 0, result.output
    assert "51 paragraphs of 4 articles (registry: 51 paragraphs of 4 articles)" in result.output
    assert "healthy" in result.output


def _segment(index_dir: Path) -> Path:
    return max(index_dir.glob("*.seg"), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize("damage", ["truncate", "zero_tail", "delete", "garbage_toc"])
def test_check_finds_damaged_files_and_says_rebuild(index_copy, damage):
    seg = _segment(index_copy)
    if damage == "truncate":
        os.truncate(seg, seg.stat().st_size // 2)
    elif damage == "zero_tail":
        with open(seg, "r+b") as fh:
            fh.seek(-2048, os.SEEK_END)
            fh.write(b"\0" * 2048)
    elif damage == "delete":
        seg.unlink()
    else:
        toc = next(index_copy.glob("*.toc"))
        toc.write_bytes(bytes(range(256)) * (toc.stat().st_size // 256 + 1))
    result = run_check(index_copy)
    assert result.exit_code == 4, result.output
    assert "problem:" in result.output and "Traceback" not in result.output
    assert "parley index --rebuild PATH..." in result.output


def test_check_reports_articles_missing_from_the_registry(index_copy):
    with registry.connect(index_copy, write=True) as conn:
        conn.execute("DELETE FROM articles WHERE article_id = 't44c18132313e5f2b'")
    report = check_index(index_copy)
    assert (report.orphan_articles, report.missing_articles) == (["t44c18132313e5f2b"], [])
    assert run_check(index_copy).exit_code == 4


def test_check_reports_articles_missing_from_the_index(index_copy):
    ix = open_index(index_copy)
    with ix.writer() as w:
        w.delete_by_term("article_id", "t44c18132313e5f2b")
    report = check_index(index_copy)
    assert (report.orphan_articles, report.missing_articles) == ([], ["t44c18132313e5f2b"])


def test_rebuild_after_damage_gives_a_healthy_index(index_copy):
    os.truncate(_segment(index_copy), 100)
    assert run_check(index_copy).exit_code == 4
    result = CliRunner().invoke(cli, ["index", "--rebuild", str(SEEDS), "--index-dir", str(index_copy)])
    assert result.exit_code == 0, result.output
    assert run_check(index_copy).exit_code == 0


# -- directories that are not Parley indexes --------------------------------------------------


def _foreign_whoosh_index(path: Path) -> Path:
    path.mkdir()
    ix = index.create_in(str(path), fields.Schema(text=fields.TEXT(stored=True)))
    with ix.writer() as w:
        w.add_document(text="a stranger's pickle")
    return path


@pytest.mark.parametrize("kind", ["whoosh_without_marker", "random_files", "marker_of_other_format"])
def test_foreign_directories_are_refused_before_unpickling(tmp_path, monkeypatch, kind):
    target = tmp_path / "foreign"
    if kind == "whoosh_without_marker":
        _foreign_whoosh_index(target)
    elif kind == "random_files":
        target.mkdir()
        (target / "notes.txt").write_text("hello")
        (target / "_MAIN_1.toc").write_bytes(os.urandom(64))
    else:
        _foreign_whoosh_index(target)
        (target / "parley-index.json").write_text('{"format": "something-else", "version": 1}')
    # Nothing may unpickle: make any attempt fail loudly.
    import pickle

    def no_unpickling(*a, **k):
        raise AssertionError("unpickled a foreign directory")

    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(pickle, "loads", no_unpickling)
    with pytest.raises(NotParleyIndex):
        open_index(target)
    with pytest.raises(NotParleyIndex):
        search(target, SearchRequest(text="pickle"))
    for args in (["check"], ["search", "pickle"], ["index", str(SEEDS)]):
        result = CliRunner().invoke(cli, [*args, "--index-dir", str(target)])
        assert result.exit_code == 4, (args, result.output)
        assert "not a Parley index" in result.output
