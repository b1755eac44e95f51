"""The `parley` CLI through click's runner on a real index: contract keys, exit codes, streams."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tests.conftest import SEEDS
from web.cli import cli

HIT_KEYS = {"paragraph_id", "article_id", "title", "outlet", "url", "published", "position", "text",
            "snippet", "actors", "topics", "credits", "quotes", "score"}
QUOTE_KEYS = {"text", "speaker", "verb", "via", "article_id", "paragraph_id", "title", "outlet", "url",
              "published"}


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, *args, index):
    return runner.invoke(cli, [*args, "--index-dir", str(index)], catch_exceptions=False)


def test_search_json_contract(runner, seed_index):
    result = run(runner, "search", "ceasefire", "--actor", "Hamas", "--format", "json", "--limit", "0",
                 index=seed_index)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"query", "total", "page", "hits", "facets"} <= set(data)
    assert data["query"] == "ceasefire" and data["total"] == len(data["hits"]) >= 5
    assert all("Hamas" in h["actors"] and "ceasefire" in h["text"].lower() for h in data["hits"])
    assert all(HIT_KEYS <= set(h) for h in data["hits"])
    assert set(data["facets"]) == {"outlet", "actor", "topic", "speaker", "month"}
    assert all({"value", "count"} <= set(v) for vals in data["facets"].values() for v in vals)
    assert all(set(q) >= {"text", "speaker", "verb"} for h in data["hits"] for q in h["quotes"])


def test_quotes_json_contract_and_speaker_alias(runner, seed_index):
    result = run(runner, "quotes", "--speaker", "Witkoff", "--format", "json", index=seed_index)
    data = json.loads(result.stdout)
    assert data["total"] == 4 and all(QUOTE_KEYS <= set(q) for q in data["quotes"])
    assert {q["speaker"] for q in data["quotes"]} == {"Steve Witkoff"}
    assert not any(q["text"].startswith('"') for q in data["quotes"])


def test_articles_json(runner, seed_index):
    data = json.loads(run(runner, "articles", "--format", "json", index=seed_index).stdout)
    assert data["total"] == 4
    keys = {"article_id", "title", "outlet", "url", "published", "path", "paragraphs", "quotes"}
    assert all(keys <= set(a) for a in data["articles"])
    assert [a["published"] for a in data["articles"]] == ["2025-06-01", "2025-03-15", "2024-05-05", "2024-04-08"]


def test_text_output_goes_to_stdout_and_summary_to_stderr(runner, seed_index):
    result = run(runner, "search", "Witkoff", "--limit", "2", index=seed_index)
    assert result.stderr.startswith('4 paragraphs for "Witkoff" (page 1 of 2)')
    assert "[1] 2025-06-01 · ANI" in result.stdout and "[Witkoff]" in result.stdout


def test_limit_zero_streams_every_row_as_csv(runner, seed_index):
    result = run(runner, "search", "--limit", "0", "--format", "csv", index=seed_index)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["paragraph_id", "article_id", "published"] and len(rows) == 1 + 51


def test_malformed_query_is_one_line_on_stderr_exit_1(runner, seed_index):
    result = run(runner, "search", '"no progress', index=seed_index)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        'Error: Unbalanced quotation mark: close the phrase with " or remove the opening ".']


def test_usage_error_exits_2(runner, seed_index):
    assert run(runner, "search", "x", "--sort", "best", index=seed_index).exit_code == 2
    assert run(runner, "search", "x", "--since", "2024-02-30", index=seed_index).exit_code == 1


def test_missing_index_explains_how_to_build_one(runner, tmp_path):
    result = run(runner, "stats", index=tmp_path / "none")
    assert result.exit_code == 1 and "parley index" in result.stderr


def write_mixed_folder(folder):
    """One article, a binary file, gold data beside it, and pages that make parsers warn."""
    folder.mkdir()
    (folder / "a.txt").write_text("Qatar said the talks in Doha would continue next week.")
    (folder / "bad.txt").write_bytes(b"\x00\x00binary")
    (folder / "bad2.txt").write_bytes(b"\x00more binary")
    gold = [{"title": f"T{i}", "byline": "x", "date": "2020-01-01"} for i in range(40)]
    (folder / "expected-metadata.json").write_text(json.dumps(gold))
    (folder / "labels.jsonl").write_text("\n".join(json.dumps({"id": i, "label": "x"})
                                                  for i in range(30)))
    (folder / "url-only.html").write_text("https://example.com/a/page")
    (folder / "feed.html").write_text('<?xml version="1.0"?><rss><channel><item><title>x'
                                      "</title></item></channel></rss>")
    return folder


def test_index_reports_skips_grouped_with_a_log_and_exit_status(runner, tmp_path):
    folder = write_mixed_folder(tmp_path / "in")
    result = run(runner, "index", str(folder), "--format", "text", index=tmp_path / "ix")
    assert result.exit_code == 1 and result.stdout == ""
    err = result.stderr
    assert "indexed 1 articles" in err
    assert "skipped 2 × binary file (e.g." in err
    assert "skipped 2 × no article text found on the page" in err
    # The gold files are named once each, not once per record.
    assert err.count("expected-metadata.json") == 1 and err.count("labels.jsonl") == 1
    assert "not articles: 2 gold or expected-output data files" in err
    assert "Warning" not in err and "Beautiful Soup" not in err  # logged, not leaked
    assert "warnings and messages from the page parsers" in err and "trafilatura" not in err
    log = (tmp_path / "ix" / "parley-index.log").read_text()
    assert f"every skipped file and its reason: {tmp_path / 'ix' / 'parley-index.log'}" in err
    assert log.count("\nskipped\t") == 2 + 2 + 40 + 30
    assert "MarkupResemblesLocatorWarning" in log and "XMLParsedAsHTMLWarning" in log


def test_index_writes_json_lines_when_not_a_terminal(runner, tmp_path):
    folder = write_mixed_folder(tmp_path / "in")
    result = run(runner, "index", str(folder), index=tmp_path / "ix")  # auto: not a terminal
    assert result.exit_code == 1 and result.stderr == ""
    events = [json.loads(line) for line in result.stdout.splitlines()]
    done = events[-1]
    assert done["event"] == "done" and done["articles"] == 1 and done["skipped"] == 74
    assert done["skipped_by_reason"] == {"binary file": 2, "no article text found on the page": 2}
    assert sorted(done["data_files"]) == [str(folder / "expected-metadata.json"),
                                          str(folder / "labels.jsonl")]
    assert done["log"] == str(tmp_path / "ix" / "parley-index.log")
    assert all(e["event"] == "progress" and {"articles", "paragraphs", "eta_seconds"} <= set(e)
               for e in events[:-1])


def test_progress_line_shows_articles_paragraphs_rate_and_eta(tmp_path):
    import io

    from indexer.models import IngestReport
    from web.progress import Progress

    files = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for f in files:
        f.write_text("x" * 1000)
    out = io.StringIO()
    bar = Progress("bar", total_files=2, total_bytes=2000, out=out)
    bar.file_done(files[0])
    bar.article_done(IngestReport(articles=3, paragraphs=1234))
    line = bar.line()
    assert "1/2 files" in line and "3 articles" in line and "1,234 paragraphs" in line
    assert " 50%" in line and "¶/s" in line and "ETA 0:" in line
    assert out.getvalue().startswith("\r")  # drawn in place, on the stream given
    bar.finish()
    assert out.getvalue().endswith("\r\x1b[K")


def test_index_env_var_and_stats(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_INDEX_DIR", str(tmp_path / "envix"))
    assert runner.invoke(cli, ["index", str(SEEDS)]).exit_code == 0
    stats = runner.invoke(cli, ["stats", "--format", "json"])
    assert json.loads(stats.stdout)["articles"] == 4


def test_speakers(runner, seed_index):
    data = json.loads(run(runner, "speakers", "--format", "json", index=seed_index).stdout)
    assert data["speakers"][0] == {"speaker": "Steve Witkoff", "type": "person", "quotes": 4,
                                   "first": "2025-06-01", "last": "2025-06-01"}


def test_serve_on_a_busy_port_says_so_in_one_line(runner, seed_index):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run(runner, "serve", "--port", str(port), "--no-samples", index=seed_index)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: Cannot listen on 127.0.0.1:{port}: Address already in use."]


def test_long_quotations_are_cut_at_a_word_with_an_ellipsis(runner, seed_index):
    result = run(runner, "search", "Witkoff unacceptable", index=seed_index)
    quoted = [line.strip() for line in result.stdout.splitlines() if line.startswith("    “")]
    long = [q for q in quoted if "I received the Hamas response" in q]
    assert long and long[0].split("” —")[0].endswith(" …")
    words = long[0][1:].split("” —")[0][:-2].split()
    full = ("I received the Hamas response to the United States' proposal. It is totally "
            "unacceptable").split()
    assert words[: len(full)] == full  # cut after a whole word, not inside one
    from web.cli import clip

    assert clip("short one", 200) == "short one"
    assert clip("word " * 60, 200).endswith("word …") and len(clip("word " * 60, 200)) <= 202
