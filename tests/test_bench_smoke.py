"""The speed benchmark runs end to end at 10k paragraphs, the size the issue runs in CI.
It checks that it works, never timings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_speed_benchmark_prints_its_table(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "speed.py"), "--size", "10000", "--queries", "5",
         "--cold-runs", "1", "--api-requests", "2", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "| measure | Parley (Whoosh) | SQLite FTS5 | tantivy | Parley/FTS5 | Parley/tantivy |" in out
    for row in ("index build", "re-index unchanged", "index size", "peak RSS", "term:", "two_terms:",
                "phrase:", "proximity:", "actor_outlet:", "date_range:", "quotes_speaker:",
                "`parley search` fresh process", "/api/search"):
        assert f"| {row}" in out, row
    assert (tmp_path / "results.json").is_file()


def test_write_cost_benchmark_prints_both_stages(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "write_cost.py"), "--size", "300", "--runs", "1",
         "--work", str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [r.split(" | ")[0] for r in rows[1:]] == ["| prepare: split, tag, quotations "
                                                      "(indexer.prepare_article)",
                                                      "| write: Whoosh segment and Parley's term "
                                                      "lists (IndexWriter.commit)", "| both"]
    prepare, write, both = (float(r.split(" | ")[2]) for r in rows[1:])
    assert prepare > 0 and write > 0 and both == pytest.approx(prepare + write, abs=0.002)
