"""What indexing workers hear reaches the run's log: parley-index.log and the summary.

Splitting and tagging run in forked worker processes for files of many articles; a worker's
warnings and library log records went to the worker's copy of the run log and were lost.
"""

from __future__ import annotations

import json
import logging
import os

import pytest
from click.testing import CliRunner

import indexer
from web.cli import cli


@pytest.fixture
def loud_worker(monkeypatch):
    """The real prepare_article, which on one article also parses a page that is only a URL
    (BeautifulSoup warns: MarkupResemblesLocatorWarning) and logs as a parser does. Which
    process heard it is written into the log message."""
    from bs4 import BeautifulSoup

    real = indexer.prepare_article

    def prepare(article, lexicon):
        if article.title == "Talks 7":
            BeautifulSoup("https://example.org/talks/7", "html.parser")
            logging.getLogger("trafilatura.core").warning("page unreadable in process %d",
                                                          os.getpid())
        return real(article, lexicon)

    monkeypatch.setattr(indexer, "prepare_article", prepare)
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "2")


def _many_articles(folder, n: int = indexer.PARALLEL_MIN + 6):
    folder.mkdir()
    rows = [{"id": f"t{i}", "title": f"Talks {i}", "source": "Example News",
             "published": "2025-05-01",
             "text": f"Negotiators met in Doha on day {i} of the ceasefire talks, officials said."}
            for i in range(n)]
    (folder / "talks.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    return folder


@pytest.mark.skipif(not hasattr(os, "fork"),
                    reason="no fork: indexing runs in one process")
def test_a_workers_warnings_and_log_records_reach_the_run_log(tmp_path, loud_worker):
    folder = _many_articles(tmp_path / "in")
    result = CliRunner().invoke(cli, ["index", str(folder), "--format", "text",
                                      "--index-dir", str(tmp_path / "ix")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "indexed 70 articles" in err
    assert "Beautiful Soup" not in err and "unreadable" not in err  # logged, not shown
    assert "2 warnings and messages from the page parsers" in err
    log = (tmp_path / "ix" / "parley-index.log").read_text()
    assert "warning\tMarkupResemblesLocatorWarning" in log
    line = next(x for x in log.splitlines() if x.startswith("log\ttrafilatura.core"))
    assert int(line.rsplit(" ", 1)[1]) != os.getpid()  # heard in a worker, logged here


def test_json_lines_count_a_workers_warnings(tmp_path, loud_worker):
    folder = _many_articles(tmp_path / "in")
    result = CliRunner().invoke(cli, ["index", str(folder), "--format", "jsonl",
                                      "--index-dir", str(tmp_path / "ix")],
                                catch_exceptions=False)
    done = json.loads(result.stdout.splitlines()[-1])
    assert done["articles"] == 70
    assert done["warnings"] == {"MarkupResemblesLocatorWarning": 1,
                                "trafilatura.core warning": 1}
