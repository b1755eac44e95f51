"""One bad record or field never costs the rest of a run, and every loss is reported with its
place (`file#line`) and a count."""

from __future__ import annotations

import json
import os
import threading

import pytest
from click.testing import CliRunner

import indexer
from indexer.sources import grouped, valid_date
from search import SearchRequest, list_articles, search
from web.cli import cli

TEXTS = [
    "Ceasefire talks in Doha resumed on Tuesday, officials said.",
    "Hostage talks in Cairo stalled as mediators waited for an answer.",
    "Negotiators met again in Geneva about the tariff schedule.",
    "Strike talks continued in Paris through the night.",
    "Climate summit delegates argued over the final text until dawn.",
    "Union leaders rejected the employers' offer on pensions.",
    "The last record is about a truce in Gaza announced by Qatar.",
]
BAD_DATES = ["20240532", "yesterday", "12/31/2024", True, "2024-05-01", "2024-13-45", "2024-05"]


def write_jsonl(path, records, prefix=b""):
    path.write_bytes(prefix + "".join(json.dumps(r) + "\n" for r in records).encode())
    return path


def by_title(index_dir) -> dict[str, str | None]:
    return {a.title: a.published for a in list_articles(index_dir)}


def test_bad_dates_are_reported_with_their_line_and_the_record_indexed_undated(tmp_path):
    records = [{"title": f"r{i}", "published": d, "text": t}
               for i, (d, t) in enumerate(zip(BAD_DATES, TEXTS, strict=True), 1)]
    report = indexer.ingest([write_jsonl(tmp_path / "d.jsonl", records)], tmp_path / "ix")
    assert (report.articles, report.skipped) == (7, [])
    assert by_title(tmp_path / "ix") == {"r1": None, "r2": None, "r3": None, "r4": None,
                                         "r5": "2024-05-01", "r6": None, "r7": "2024-05"}
    places = [n.path.rpartition("/")[2] for n in report.notices]
    assert places == ["d.jsonl#1", "d.jsonl#2", "d.jsonl#3", "d.jsonl#4", "d.jsonl#6"]
    assert "'2024-13-45' is not a date" in report.notices[-1].reason
    # No month facet can come from an impossible date, so the month filter never breaks.
    months = search(tmp_path / "ix", SearchRequest()).facets["month"]
    assert sorted(f.value for f in months) == ["2024-05"]


def test_valid_date_takes_iso_and_rfc2822_and_refuses_the_rest():
    assert valid_date("2024-05-01T23:10:00-05:00") == "2024-05-01"
    assert valid_date("20240501") == "2024-05-01"
    assert valid_date("Tue, 30 Apr 2024 10:00:00 GMT") == "2024-04-30"
    assert valid_date("2024") == "2024"
    for bad in ("2024-02-30", "2024-00", "0001-01-01", "9999-12-31", "1 May 2024", "", None,
                20240501):
        assert valid_date(bad) is None, bad


def test_lone_surrogate_in_a_record_without_url_costs_nothing_after_it(tmp_path):
    # json.dumps writes "\ud800" as the escape a broken exporter would write.
    records = [{"title": "broken \ud800 title", "text": TEXTS[0]},
               {"title": "ok", "text": "and a text with \udfff in it " + TEXTS[1]},
               {"title": "after", "text": TEXTS[2]}]
    report = indexer.ingest([write_jsonl(tmp_path / "s.jsonl", records)], tmp_path / "ix")
    assert (report.articles, report.skipped) == (3, [])
    assert [n.reason.split(":")[0] for n in report.notices] == ["title", "text"]
    titles = set(by_title(tmp_path / "ix"))
    assert titles == {"broken \ufffd title", "ok", "after"}
    assert search(tmp_path / "ix", SearchRequest(text="Geneva")).total == 1


def test_utf8_bom_does_not_drop_the_first_jsonl_record(tmp_path):
    path = write_jsonl(tmp_path / "bom.jsonl", [{"title": "first", "text": TEXTS[0]},
                                                 {"title": "second", "text": TEXTS[1]}],
                       prefix=b"\xef\xbb\xbf")
    report = indexer.ingest([path], tmp_path / "ix")
    assert (report.articles, report.skipped) == (2, [])
    assert set(by_title(tmp_path / "ix")) == {"first", "second"}


def test_a_record_that_breaks_a_later_stage_is_skipped_alone(tmp_path, monkeypatch):
    # A real stage failing on one article (here the splitter, made to fail on one text) must
    # cost that article with its place, and the records after it must be indexed.
    import indexer.paragraphs as paragraphs

    real = paragraphs.split_paragraphs

    def fragile(article):
        if "Geneva" in article.text:
            raise ValueError("splitter bug")
        return real(article)

    monkeypatch.setattr(paragraphs, "split_paragraphs", fragile)
    monkeypatch.setenv("PARLEY_INDEX_WORKERS", "1")
    records = [{"title": f"r{i}", "text": t} for i, t in enumerate(TEXTS)]
    report = indexer.ingest([write_jsonl(tmp_path / "f.jsonl", records)], tmp_path / "ix")
    assert report.articles == 6
    assert [(s.path.rpartition("/")[2], "splitter bug" in s.reason) for s in report.skipped] == [
        ("f.jsonl#3", True)]
    assert search(tmp_path / "ix", SearchRequest(text="truce")).total == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_an_input_folder_is_skipped_not_waited_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl", [{"title": "good", "text": TEXTS[0]}])
    os.mkfifo(folder / "pipe.jsonl")
    done: list = []
    worker = threading.Thread(target=lambda: done.append(indexer.ingest([folder], tmp_path / "ix")),
                              daemon=True)
    worker.start()
    worker.join(60)
    if not done:  # unblock the reader so the thread can end, then fail
        fd = os.open(folder / "pipe.jsonl", os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("the indexer blocked on a FIFO")
    report = done[0]
    assert report.articles == 1
    assert [(s.path.endswith("pipe.jsonl"), "FIFO" in s.reason) for s in report.skipped] == [
        (True, True)]


def test_binary_html_is_reported_as_binary(tmp_path):
    path = tmp_path / "elf.html"
    path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 256)
    report = indexer.ingest([path], tmp_path / "ix")
    assert len(report.skipped) == 1 and "binary" in report.skipped[0].reason


def test_runs_of_bad_records_are_grouped_with_a_count(tmp_path):
    path = tmp_path / "junk.jsonl"
    path.write_bytes(b"not json\n" * 500 + json.dumps({"text": TEXTS[0]}).encode() + b"\nnope\n")
    result = CliRunner().invoke(cli, ["index", str(path), "--index-dir", str(tmp_path / "ix"),
                                      "--format", "text"])
    assert result.exit_code == 1
    skipped = [ln for ln in result.stderr.splitlines() if ln.startswith("skipped")]
    reason = "malformed JSON line (JSONDecodeError)"
    # On the terminal, one line per kind of reason, with a count; every place in the log,
    # with runs of one file and reason folded into one line.
    assert skipped == [f"skipped 501 × malformed JSON line (e.g. {path}#1)"]
    assert grouped(indexer.ingest([path], tmp_path / "ix2").skipped) == [
        f"{path}#1..#500 (500 records): {reason}", f"{path}#502: {reason}"]
    log = (tmp_path / "ix" / "parley-index.log").read_text()
    assert f"{path}#1\t{reason}" in log and f"{path}#502\t{reason}" in log
    assert "1 articles" in result.stderr.splitlines()[-1]
    assert grouped([]) == []


def test_an_index_made_before_dates_were_checked_still_serves_its_pages(tmp_path, monkeypatch):
    # Such an index holds "2024-13-45": its month must not become a facet every page links to.
    import indexer.sources as sources
    from web import create_app

    monkeypatch.setattr(sources, "valid_date", lambda value: value)
    records = [{"title": "bad", "published": "2024-13-45", "text": TEXTS[0]},
               {"title": "good", "published": "2024-05-01", "text": TEXTS[1]}]
    indexer.ingest([write_jsonl(tmp_path / "old.jsonl", records)], tmp_path / "ix")
    assert by_title(tmp_path / "ix")["bad"] == "2024-13-45"
    months = search(tmp_path / "ix", SearchRequest()).facets["month"]
    assert [m.value for m in months if m.value] == ["2024-05"]
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    for url in ("/", "/?q=ceasefire", "/api/search?q=talks"):
        assert client.get(url).status_code == 200, url
