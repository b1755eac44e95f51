"""Read files from disk into Articles: .txt with manifest.json, JSON/JSONL(.gz), HTML, WARC/WACZ.

Every file yields Articles or `Skipped` entries with a one-line reason; nothing here raises
for bad input, so one bad file never stops a run. Splitting and tagging come later.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from indexer.errors import InputError
from indexer.models import Article, Notice, Skipped

MAX_TEXT_BYTES = 20 * 1024 * 1024  # one article file; larger ones are not articles
MAX_RECORD_BYTES = 5 * 1024 * 1024  # one JSONL line
MAX_DECOMPRESSED = 2 * 1024 * 1024 * 1024  # a .jsonl.gz may be large, but not a bomb
MANIFEST = "manifest.json"
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".wacz", ".arc.gz")
JSON_SUFFIXES = (".json", ".jsonl", ".jsonl.gz", ".ndjson", ".json.gz")
TEXT_SUFFIXES = (".txt",)
SUPPORTED = TEXT_SUFFIXES + JSON_SUFFIXES + HTML_SUFFIXES + ARCHIVE_SUFFIXES

Item = Article | Skipped | Notice


def article_id_for(url: str | None, text: str) -> str:
    """Stable identity: the URL when known (so a re-fetched page replaces itself), else the text."""
    if url:
        key = url.strip().split("#", 1)[0].rstrip("/").lower()
        return "u" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return "t" + hashlib.sha1(text.strip().encode("utf-8", "surrogatepass")).hexdigest()[:16]


def content_hash(article: Article) -> str:
    """Changes when anything we index about the article changes."""
    parts = [article.text, article.title or "", article.outlet or "", article.published or "",
             article.url or "", "|".join(article.credits), article.dateline or ""]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def iter_files(paths: Iterable[str | Path], ignored: list[str] | None = None) -> Iterator[Path | Skipped]:
    """Files under the given paths, folders recursively, in a stable order.

    Inside folders, files of other types (licences, READMEs, images) are passed over and
    listed in `ignored`; a file named explicitly is always tried, and reported if unreadable.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or name == MANIFEST:
                        continue
                    if suffix_of(Path(name)) not in SUPPORTED:
                        if ignored is not None:
                            ignored.append(str(Path(root) / name))
                    elif reason := _not_regular(Path(root) / name):
                        yield Skipped(str(Path(root) / name), reason)
                    else:
                        yield Path(root) / name
        elif path.is_file():
            yield path
        elif reason := _not_regular(path):
            yield Skipped(str(path), reason)
        else:
            yield Skipped(str(path), "no such file or folder")


def _not_regular(path: Path) -> str | None:
    """Why a path that is neither file nor folder cannot be read: opening a FIFO or a device
    blocks (or never ends) while the run holds the index's write lock."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"{kind}, not a regular file: not read"


def read_path(path: Path) -> Iterator[Item]:
    """Articles in one file, or the reason it was skipped."""
    suffix = suffix_of(path)
    try:
        if reason := _not_regular(path):
            raise InputError(reason)
        if suffix not in SUPPORTED:
            raise InputError(f"unsupported file type {suffix or '(none)'!r}")
        if suffix in TEXT_SUFFIXES:
            notices: list[Notice] = []
            article = read_text_file(path, notices)
            yield from notices
            yield article
        elif suffix in JSON_SUFFIXES:
            yield from read_json_file(path)
        elif suffix in HTML_SUFFIXES:
            yield read_html_file(path)
        else:
            yield from read_archive_file(path)
    except InputError as exc:
        yield Skipped(str(path), str(exc))
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeError) as exc:
        yield Skipped(str(path), f"unreadable: {exc.__class__.__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - a reader's bug (e.g. warcio on a record without
        # a target URI) must cost this file, not the whole run; the reason names the error.
        yield Skipped(str(path), f"could not be read ({exc.__class__.__name__}: {exc})"[:300])


# -- plain text with a manifest ---------------------------------------------------------------


def _manifest_for(folder: Path) -> dict[str, dict]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: manifest is not valid JSON ({exc})") from None
    entries = data.get("articles", data) if isinstance(data, dict) else data
    return {e["file"]: e for e in entries if isinstance(e, dict) and "file" in e}


_manifest_cache: dict[Path, dict[str, dict]] = {}


def read_text_file(path: Path, notices: list[Notice] | None = None) -> Article:
    text = decode_text(_read_capped(path), str(path))
    folder = path.parent.resolve()
    if folder not in _manifest_cache:
        _manifest_cache[folder] = _manifest_for(folder)
    meta = _manifest_cache[folder].get(path.name, {})
    return build_article(text, str(path), meta, notices)


def _read_capped(path: Path) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file")
    if size > MAX_TEXT_BYTES:
        raise InputError(f"too large for one article ({size / 1e6:.0f} MB > {MAX_TEXT_BYTES / 1e6:.0f} MB)")
    return path.read_bytes()


def decode_text(data: bytes, label: str = "") -> str:
    """UTF-8 (with or without BOM), else cp1252; binary data is refused."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise InputError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise InputError("undecodable text (neither UTF-8 nor cp1252)")
    return text


_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\x1b")


def looks_binary(data: bytes) -> bool:
    """More than 1% control bytes in the first 64 KB: an executable, image or archive, whose
    random '<' bytes would otherwise read as absurd markup. UTF-16 (BOM, or NULs filling one
    byte of each pair) is text."""
    head = data[:65536]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    half = len(head) // 2
    if half and max(head[0::2].count(0), head[1::2].count(0)) > 0.3 * half:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > max(8, len(head) // 100)


def build_article(text: str, path: str, meta: dict, notices: list[Notice] | None = None) -> Article:
    """An Article from text plus metadata keys (manifest or JSON record vocabulary).

    A bad field never costs the record: it is left out (or mended) and, when `notices` is
    given, reported there as `path: reason`.
    """
    said: list[str] = []
    text = _mend(text, "text", said).strip()
    if not text:
        raise InputError("no text")
    url = web_url(_field(meta, "url", said))
    raw_date = meta.get("published") or meta.get("date")
    published = valid_date(raw_date)
    if raw_date and published is None:
        said.append(f"published {_shown(raw_date)} is not a date (YYYY-MM-DD); indexed as undated")
    credits = meta.get("credits") or ()
    article = Article(
        article_id=_field(meta, "article_id", said) or article_id_for(url, text),
        text=text,
        path=path,
        title=_field(meta, "title", said),
        outlet=_field(meta, "outlet", said) or _field(meta, "source", said),
        url=url,
        published=published,
        date_precision=_precision(meta, published),
        dateline=_field(meta, "dateline", said),
        credits=tuple(_mend(str(c), "credits", said) for c in credits if c)
        if isinstance(credits, list | tuple) else (),
        byline=_field(meta, "byline", said) or _field(meta, "author", said),
        kind=_kind(meta),
    )
    if notices is not None:
        notices.extend(Notice(path, reason) for reason in dict.fromkeys(said))
    return article


def _str(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _field(meta: dict, name: str, said: list[str]) -> str | None:
    value = _str(meta.get(name))
    return _mend(value, name, said) if value else value


# json.loads turns "\ud800" into a lone surrogate, which no UTF-8 encoder (hashing, SQLite,
# the index) accepts: one such character would otherwise cost the rest of the file.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _mend(value: str, name: str, said: list[str]) -> str:
    if _SURROGATE.search(value) is None:
        return value
    said.append(f"{name}: lone UTF-16 surrogate replaced with U+FFFD")
    return _SURROGATE.sub("\ufffd", value)


def _shown(value) -> str:
    return _SURROGATE.sub("\ufffd", repr(value) if not isinstance(value, str) else repr(value[:40]))


_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ]\S.*)?|(\d{4})(\d{2})(\d{2})")
MIN_YEAR, MAX_YEAR = 1800, 2200  # a news date outside these is a typo or a placeholder


def valid_date(value: object) -> str | None:
    """An ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY, or the basic YYYYMMDD, optionally with a
    time) as YYYY-MM-DD / YYYY-MM / YYYY when it names a real day; None for anything else.

    Anything looser ("yesterday", "12/31/2024") is ambiguous or relative: guessing would file
    the article under a wrong month, which is worse than leaving it undated.
    """
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.fullmatch(value.strip())
    if not match:
        return _rfc2822_day(value)
    year, month, day = match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)
    try:
        if not MIN_YEAR <= int(year) <= MAX_YEAR:
            return None
        if day:
            return date(int(year), int(month), int(day)).isoformat()
        if month:
            return f"{year}-{month}" if 1 <= int(month) <= 12 else None
    except ValueError:
        return None
    return year


def _rfc2822_day(value: str) -> str | None:
    """Feeds (RSS) date items as "Tue, 01 May 2024 10:00:00 GMT": unambiguous, so taken."""
    from email.utils import parsedate_to_datetime

    try:
        day = parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return day.isoformat() if MIN_YEAR <= day.year <= MAX_YEAR else None


def _precision(meta: dict, published: str | None) -> str:
    if not published:
        return "unknown"
    stated = str(meta.get("date_precision") or "")
    for level in ("day", "month", "year"):
        if stated.startswith(level):
            return level
    return {10: "day", 7: "month", 4: "year"}.get(len(published), "day")


def _kind(meta: dict) -> str:
    category = str(meta.get("category") or meta.get("kind") or "")
    if category in ("press-briefings",) or "briefing" in category:
        return "transcript"
    if category in ("statements-releases", "statement"):
        return "statement"
    return "article" if category not in ("transcript", "statement") else category


# -- JSON and JSONL ---------------------------------------------------------------------------


def read_json_file(path: Path) -> Iterator[Item]:
    if path.stat().st_size == 0:
        raise InputError("empty file")
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        yield from _read_jsonl(path)
        return
    raw = _read_maybe_gz(path)
    try:
        data = json.loads(decode_text(raw, str(path)))
    except ValueError as exc:
        raise InputError(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise InputError("JSON nested too deeply to read") from None
    records = data.get("articles", [data]) if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InputError("JSON holds neither an article object nor a list of them")
    for i, record in enumerate(records):
        yield from _record_items(record, f"{path}#{i + 1}")


def _read_maybe_gz(path: Path) -> bytes:
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            data = fh.read(MAX_TEXT_BYTES + 1)
        if len(data) > MAX_TEXT_BYTES:
            raise InputError("decompressed JSON is larger than one article file may be")
        return data
    return _read_capped(path)


MAX_SKIPS_IN_A_ROW = 10_000  # a JSONL file with this many bad records in a row is not a feed
MAX_GZ_RATIO = 100  # real .jsonl.gz expand 3-6 times; zeros or repeated lines, 1000 times


def _read_jsonl(path: Path) -> Iterator[Item]:
    gz = path.name.lower().endswith(".gz")
    cap = min(MAX_DECOMPRESSED, max(64 << 20, MAX_GZ_RATIO * path.stat().st_size)) if gz else None
    in_a_row = 0
    with (gzip.open(path, "rb") if gz else open(path, "rb", buffering=0)) as raw, \
            io.BufferedReader(_CappedReader(raw, cap) if gz else raw) as reader:
        for lineno, line in enumerate(_bounded_lines(reader), 1):
            label = f"{path}#{lineno}"
            if in_a_row >= MAX_SKIPS_IN_A_ROW:
                yield Skipped(str(path), f"gave up after {in_a_row} bad records in a row")
                return
            if line is None or len(line) > MAX_RECORD_BYTES:
                in_a_row += 1
                yield Skipped(label, "record too large")
                continue
            if not line.strip():
                continue
            in_a_row += 1  # reset below once a record reads as an article
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM (Windows editors)
                line = line[3:]
            try:
                record = json.loads(line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # [[[[… 100k deep
                yield Skipped(label, f"malformed JSON line ({exc.__class__.__name__})")
                continue
            for item in _record_items(record, label):
                in_a_row = 0 if isinstance(item, Article) else in_a_row
                yield item


def _bounded_lines(reader: io.BufferedReader) -> Iterator[bytes | None]:
    """Lines of at most MAX_RECORD_BYTES; a longer one is read through in pieces, given as None
    (a gzip of zeros has no newline: reading it as one line would hold gigabytes)."""
    while line := reader.readline(MAX_RECORD_BYTES + 1):
        if len(line) <= MAX_RECORD_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while (rest := reader.readline(1 << 20)) and not rest.endswith(b"\n"):
            pass
        yield None


def _record_items(record, label: str) -> list[Item]:
    """The record's Article (after the notices on its bad fields), or why it was skipped."""
    if not isinstance(record, dict):
        return [Skipped(label, "record is not a JSON object")]
    text = record.get("text") or record.get("body") or record.get("content")
    if not isinstance(text, str) or not text.strip():
        return [Skipped(label, "record has no text")]
    notices: list[Notice] = []
    try:
        article = build_article(text, label, record, notices)
    except InputError as exc:
        return [Skipped(label, str(exc))]
    except Exception as exc:  # noqa: BLE001 - one odd record costs itself, never the file's rest
        return [Skipped(label, f"could not be read ({exc.__class__.__name__}: {exc})"[:300])]
    return [*notices, article]


class _CappedReader(io.RawIOBase):
    """Reads through to a stream but stops with InputError past `cap` bytes (gzip bombs)."""

    def __init__(self, raw, cap: int):
        self._raw, self._cap, self._seen = raw, cap, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        self._seen += len(data)
        if self._seen > self._cap:
            raise InputError(f"decompressed data exceeds {self._cap / 1e6:.0f} MB (a gzip bomb?); "
                             "not read further")
        buffer[: len(data)] = data
        return len(data)


# -- HTML pages and web archives (extraction itself lives in html.py / archives.py) ----------


def read_html_file(path: Path) -> Article:
    from indexer.html import read_html  # imported lazily: trafilatura takes ~0.3 s to import

    data = _read_capped(path)
    if data[:2] != b"\x1f\x8b" and looks_binary(data):
        raise InputError("binary data (control bytes), not an HTML page")
    article = read_html(data, path=str(path))
    return _with_id(article)


def read_archive_file(path: Path) -> Iterator[Item]:
    from indexer.archives import read_archive

    for label, result in read_archive(path):
        if isinstance(result, Exception):
            yield Skipped(label, str(result))
        else:
            yield _with_id(result)


def _with_id(article: Article) -> Article:
    from dataclasses import replace

    if article.url != web_url(article.url):
        article = replace(article, url=None)
    if article.article_id:
        return article
    return replace(article, article_id=article_id_for(article.url, article.text))


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s); pages link it, so javascript: or data: must never get through."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


# -- reporting -------------------------------------------------------------------------------


def grouped(entries: Iterable[Skipped | Notice]) -> list[str]:
    """`place: reason` lines, with a run of records of one file sharing a reason folded into one
    line that counts them (a binary .jsonl would otherwise print thousands of lines)."""
    lines: list[str] = []
    run: list[Skipped | Notice] = []

    def flush() -> None:
        if len(run) == 1:
            lines.append(f"{run[0].path}: {run[0].reason}")
        elif run:
            first, last = run[0].path, run[-1].path.rpartition("#")[2]
            lines.append(f"{first}..#{last} ({len(run)} records): {run[0].reason}")

    for entry in entries:
        last = run[-1] if run else None
        if last and not (_file_of(entry.path) == _file_of(last.path) and entry.reason == last.reason
                         and _line_of(entry.path) == _line_of(last.path) + 1 > 0):
            flush()
            run = []
        run.append(entry)
    flush()
    return lines


def _file_of(place: str) -> str:
    return place.rpartition("#")[0] or place


def _line_of(place: str) -> int:
    number = place.rpartition("#")[2]
    return int(number) if "#" in place and number.isdigit() else -1
