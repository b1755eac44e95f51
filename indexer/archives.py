"""Unpack web archives (WARC, gzipped WARC, WACZ) into Articles, one per archived HTML page.

What belongs here: walking archive records, picking HTML responses, reading each payload
with a byte cap, and passing the archived URL, capture date and HTTP charset to
indexer.html.read_html. What a page means (text, headline, dates) is decided in html.py.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from indexer.errors import InputError
from indexer.html import MAX_BYTES, read_html
from indexer.models import Article

MAX_WACZ_MEMBER = 4 * 1024 * 1024 * 1024  # a WARC inside a WACZ larger than this is refused
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_archive(path: Path) -> Iterator[tuple[str, Article | InputError]]:
    """(record label, Article or the error for that record) for every HTML response archived."""
    path = Path(path)
    if path.name.lower().endswith(".wacz"):
        yield from _read_wacz(path)
        return
    with open(path, "rb") as stream:
        yield from _read_warc(stream, path.name)


def _read_wacz(path: Path) -> Iterator[tuple[str, Article | InputError]]:
    """A WACZ is a zip whose archive/ folder holds the WARC files."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield path.name, InputError(f"not a readable WACZ (zip) file: {exc}")
        return
    with archive:
        for info in archive.infolist():
            name = info.filename
            if not (name.startswith("archive/") and name.lower().endswith((".warc", ".warc.gz"))):
                continue
            label = f"{path.name}/{name}"
            if info.file_size > MAX_WACZ_MEMBER:
                yield label, InputError("WARC inside the WACZ is too large")
                continue
            with archive.open(info) as stream:
                yield from _read_warc(stream, label)


def _records(stream: IO[bytes], label: str) -> Iterator[tuple[str, object | InputError]]:
    """Records of one WARC stream; a broken record ends the walk with an error (no resync point)."""
    iterator = iter(ArchiveIterator(stream, check_digests=False))
    number = 0
    while True:
        number += 1
        try:
            record = next(iterator)
        except StopIteration:
            return
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            yield f"{label}#{number}", InputError(f"unreadable WARC record: {_one_line(exc)}")
            return
        yield f"{label}#{number}", record


def _looks_like_warc(stream: IO[bytes]) -> bool:
    """A WARC (gzipped or not) starts with 'WARC/'; warcio would only print warnings otherwise."""
    head = stream.read(512)
    stream.seek(0)
    if head[:2] == b"\x1f\x8b":
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
    return head.startswith(b"WARC/")


def _read_warc(stream: IO[bytes], label: str) -> Iterator[tuple[str, Article | InputError]]:
    try:
        is_warc = _looks_like_warc(stream)
    except (zlib.error, OSError) as exc:
        is_warc = False
        label = f"{label} ({_one_line(exc)})"
    if not is_warc:
        yield label, InputError("not a WARC file (it does not start with a WARC record)")
        return
    for record_label, record in _records(stream, label):
        if isinstance(record, InputError):
            yield record_label, record
        elif _is_html_response(record):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            yield f"{record_label} {uri}", _record_article(record, f"{record_label} {uri}")


def _is_html_response(record) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    return content_type.startswith(_HTML_TYPES) and record.http_headers.get_statuscode() == "200"


def _record_article(record, label: str) -> Article | InputError:
    """One HTML response as an Article (or the reason it is not one)."""
    try:
        data = _read_payload(record)
        return read_html(
            data,
            path=label,
            url=record.rec_headers.get_header("WARC-Target-URI"),
            capture_date=(record.rec_headers.get_header("WARC-Date") or "")[:10] or None,
            http_charset=_charset(record.http_headers.get_header("Content-Type")),
        )
    except InputError as exc:
        return exc
    except (OSError, EOFError, ValueError) as exc:
        return InputError(f"unreadable WARC record: {_one_line(exc)}")


def _read_payload(record) -> bytes:
    """The decoded HTTP body, refusing bodies over the cap and records cut short."""
    data = record.content_stream().read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"page larger than {MAX_BYTES // (1024 * 1024)} MB")
    # The record's block reader counts down from Content-Length; bytes still owed at the end
    # of the payload mean the file stops inside this record.
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise InputError("WARC record is truncated (file ends inside it)")
    return data


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
