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
_WARC_TYPES = frozenset(("warcinfo", "response", "resource", "request", "metadata", "revisit",
                         "conversion", "continuation"))
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
    """Records of one WARC stream; a broken record ends the walk with an error (no resync point).

    A file cut short must never lose records silently: a record whose header or block stops
    early, and a gzip member that stops early, are reported with the record's number.
    """
    archive = ArchiveIterator(stream, check_digests=False)
    cut = _watch_for_a_cut(archive)
    iterator = iter(archive)
    number, previous = 0, None
    while True:
        number += 1
        try:
            record = next(iterator)
        except StopIteration:
            if previous is not None and getattr(previous.raw_stream, "limit", 0) > 0:
                if not _is_html_response(previous):  # an HTML page says so when it is read
                    yield f"{label}#{number - 1}", InputError(_TRUNCATED)
            elif previous is not None and not previous.rec_headers.get_header("Content-Length"):
                yield f"{label}#{number - 1}", InputError(
                    "WARC record header is incomplete (the file ends inside it)")
            elif cut or _unparsed_tail(stream, archive) > 4:
                yield f"{label}#{number}", InputError(
                    f"file is truncated: it ends inside the record after #{number - 1};"
                    " whatever followed is lost")
            return
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            yield f"{label}#{number}", InputError(f"unreadable WARC record: {_one_line(exc)}"
                                                  f"{_REST_LOST}")
            return
        except Exception as exc:  # noqa: BLE001 - warcio trips on damaged headers (a record
            # cut before its target URI raises AttributeError): still this file's loss alone.
            yield f"{label}#{number}", InputError(f"unreadable WARC record ({type(exc).__name__})"
                                                  f"{_REST_LOST}")
            return
        yield f"{label}#{number}", record
        previous = record


def _unparsed_tail(stream: IO[bytes], archive: ArchiveIterator) -> int:
    """Bytes read past the end of the last whole record: a header cut off by the end of the
    file, which warcio takes for the end of the archive."""
    try:
        return stream.tell() - archive.offset
    except (OSError, AttributeError, ValueError):
        return 0


_REST_LOST = "; the records after it are not read"
_TRUNCATED = "WARC record is truncated (file ends inside it)"


def _watch_for_a_cut(archive: ArchiveIterator) -> list[bool]:
    """A list that gets True when a gzipped WARC stops in the middle of a compressed member.

    warcio just sees the end of the input there, and every record after the cut would vanish
    without a word. Its reader drops the decompressor when the walk ends, so the state is
    read at that moment (test_archives pins this against warcio's internals).
    """
    cut: list[bool] = []
    reader = archive.reader
    close = reader.close_decompressor

    def close_and_tell() -> None:
        decompressor = reader.decompressor
        if decompressor is not None and not getattr(decompressor, "eof", True):
            cut.append(True)
        close()

    reader.close_decompressor = close_and_tell
    return cut


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
        elif getattr(record, "rec_type", None) not in _WARC_TYPES:
            # A damaged header: the page it introduced may be lost.
            yield record_label, InputError("WARC record header is damaged (no known WARC-Type)")
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
        raise InputError(_TRUNCATED)
    return data


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _one_line(exc: BaseException) -> str:
    """The error in one printable line. warcio quotes the bytes it could not parse ("first
    line: ..."): those are the damaged data itself, never shown on a terminal."""
    text = str(exc).split(", first line:", 1)[0]
    text = " ".join(text.split())
    text = "".join(c if c.isprintable() and ord(c) < 0x2000 else "?" for c in text)
    return text[:200] or type(exc).__name__
