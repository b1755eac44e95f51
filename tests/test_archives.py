"""read_archive: WARC, gzipped WARC and WACZ files built here with warcio, broken ones too."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from indexer.archives import read_archive
from indexer.errors import InputError

STORY = (
    "<html><head><title>{title}</title>{meta}</head><body><article><h1>{title}</h1>"
    "<p>CAIRO (AP) — Egyptian mediators presented a new proposal for a pause in fighting on"
    " Sunday, officials said.</p><p>The plan would see hostages released in stages over six"
    " weeks.</p></article></body></html>"
)


def _page(title: str, meta: str = "") -> bytes:
    return STORY.format(title=title, meta=meta).encode("utf-8")


PAGES = [
    ("https://news.example.com/a", _page("Egypt offers new plan"), "text/html; charset=utf-8"),
    ("https://news.example.com/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (
        "https://news.example.com/b",
        _page("Talks in Genève", '<meta property="article:published_time" content="2024-01-10">')
        .decode("utf-8")
        .encode("cp1252"),
        "text/html; charset=windows-1252",
    ),
    ("https://news.example.com/empty", b"<html><body><nav>Home</nav></body></html>", "text/html"),
]


def write_warc(stream: io.BufferedIOBase, pages=PAGES, gzip: bool = True) -> None:
    writer = WARCWriter(stream, gzip=gzip)
    for url, body, content_type in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2024-01-15T10:00:00Z"},
        )
        writer.write_record(record)
        record.raw_stream.close()  # warcio spools the payload to a temporary file


def summary(path: Path) -> list[tuple]:
    """(label, title, url, published, date source, credits) or (label, error) per record."""
    rows = []
    for label, item in read_archive(path):
        if isinstance(item, InputError):
            rows.append((label, str(item)))
        else:
            rows.append(
                (label, item.title, item.url, item.published, item.extra["date_source"], item.credits)
            )
    return rows


EXPECTED = [
    (
        "{name}#1 https://news.example.com/a",
        "Egypt offers new plan",
        "https://news.example.com/a",
        "2024-01-15",
        "capture",
        ("Associated Press",),
    ),
    (
        "{name}#3 https://news.example.com/b",
        "Talks in Genève",
        "https://news.example.com/b",
        "2024-01-10",
        "page",
        ("Associated Press",),
    ),
    ("{name}#4 https://news.example.com/empty", "no article text found on the page"),
]


def expected_for(name: str) -> list[tuple]:
    return [(row[0].format(name=name), *row[1:]) for row in EXPECTED]


@pytest.mark.parametrize("name,gzip", [("pages.warc.gz", True), ("pages.warc", False)])
def test_every_html_response_becomes_an_article(tmp_path: Path, name: str, gzip: bool):
    path = tmp_path / name
    with open(path, "wb") as fh:
        write_warc(fh, gzip=gzip)
    assert summary(path) == expected_for(name)


def test_wacz_reads_the_warcs_in_its_archive_folder(tmp_path: Path):
    warc = io.BytesIO()
    write_warc(warc)
    path = tmp_path / "crawl.wacz"
    with zipfile.ZipFile(path, "w") as wacz:
        wacz.writestr("datapackage.json", "{}")
        wacz.writestr("archive/data.warc.gz", warc.getvalue())
    assert summary(path) == expected_for("crawl.wacz/archive/data.warc.gz")


@pytest.mark.parametrize("name,gzip", [("cut.warc.gz", True), ("cut.warc", False)])
def test_truncated_record_is_an_error_and_earlier_records_survive(tmp_path, name, gzip):
    buffer = io.BytesIO()
    write_warc(buffer, pages=PAGES[:3], gzip=gzip)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue()[:-150])
    assert summary(path) == [
        expected_for(name)[0],
        (f"{name}#3 https://news.example.com/b", "WARC record is truncated (file ends inside it)"),
    ]


def test_not_an_archive_yields_one_error(tmp_path: Path):
    path = tmp_path / "notes.warc"
    path.write_bytes(b"just some text, not WARC\n" * 10)
    [(label, error)] = list(read_archive(path))
    assert (label, str(error)) == ("notes.warc", "not a WARC file (it does not start with a WARC record)")


def test_broken_wacz_yields_one_error(tmp_path: Path):
    path = tmp_path / "broken.wacz"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    [(label, error)] = list(read_archive(path))
    assert (label, type(error)) == ("broken.wacz", InputError)
