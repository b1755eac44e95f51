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


# -- no record lost without a word: every cut and every damaged header is reported ------------

MANY = [(f"https://news.example.com/{i}", _page(f"Story {i}"), "text/html") for i in range(4)] + [
    ("https://news.example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300), "image/png"),
    ("https://news.example.com/9", _page("Story 9"), "text/html")]


def _valid_prefix(data: bytes, cut: int, gzip: bool) -> bool:
    """Whether data[:cut] is itself a whole, shorter archive: whole gzip members, or a cut in
    the blank lines that close a record."""
    if not gzip:
        rest = data[cut:]
        return b"WARC/1.0" in rest and not rest[:rest.find(b"WARC/1.0")].strip()
    import zlib

    start = 0
    while start < cut:
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        member.decompress(data[start:cut])
        if not member.eof:
            return False
        start = cut - len(member.unused_data)
    return True


@pytest.mark.parametrize("gzip", [True, False])
def test_every_cut_of_a_warc_is_reported_or_at_a_record_boundary(tmp_path, gzip):
    buffer = io.BytesIO()
    write_warc(buffer, pages=MANY, gzip=gzip)
    data = buffer.getvalue()
    path = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    silent = []
    for cut in range(1, len(data), 17):  # every 17th byte: each part of every record
        path.write_bytes(data[:cut])
        rows = summary(path)
        errors = [r for r in rows if len(r) == 2]
        kept = len(rows) - len(errors)
        if not errors and kept < 5 and not _valid_prefix(data, cut, gzip):
            silent.append((cut, kept))
    assert silent == []


def test_truncated_gzip_member_says_where_and_that_the_rest_is_lost(tmp_path):
    buffer = io.BytesIO()
    write_warc(buffer, pages=MANY, gzip=True)
    path = tmp_path / "t.warc.gz"
    path.write_bytes(buffer.getvalue()[:1300])  # inside the third member
    rows = summary(path)
    assert [r[0].split(" ")[0] for r in rows] == ["t.warc.gz#1", "t.warc.gz#2", "t.warc.gz#3"]
    assert len(rows[-1]) == 2 and "ends inside" in rows[-1][1]  # the error, at record #3


def test_damaged_warc_header_is_reported_and_raw_bytes_never_shown(tmp_path):
    import random

    buffer = io.BytesIO()
    write_warc(buffer, pages=MANY, gzip=False)
    data = bytearray(buffer.getvalue())
    start = data.index(b"WARC/1.0", 10)  # the second record's header
    data[start + 12:start + 60] = bytes(random.Random(2).randrange(256) for _ in range(48))
    (tmp_path / "h.warc").write_bytes(bytes(data))
    rows = summary(tmp_path / "h.warc")
    assert [r for r in rows if len(r) == 2] == [
        ("h.warc#2", "WARC record header is damaged (no known WARC-Type)")]
    assert [r[1] for r in rows if len(r) > 2] == ["Story 0", "Story 2", "Story 3", "Story 9"]

    buffer = io.BytesIO()
    write_warc(buffer, pages=MANY, gzip=True)
    data = bytearray(buffer.getvalue())
    data[1200:1240] = bytes(random.Random(3).randrange(256) for _ in range(40))
    (tmp_path / "h.warc.gz").write_bytes(bytes(data))
    errors = [r[1] for r in summary(tmp_path / "h.warc.gz") if len(r) == 2]
    assert len(errors) == 1 and errors[0].isprintable() and errors[0].isascii(), errors
    assert "not read" in errors[0]
