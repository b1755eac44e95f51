"""The record of what was ingested: files (with content hashes) and articles, in SQLite.

The embedded engine's index is derived data; this registry is what `parley articles`, the
article view and `parley check` read, and what lets a re-run skip unchanged files. It is
written only after the matching index commit, so it never claims an article the index lacks.

Each row carries a CRC-32 of its values (row_sum): SQLite checks its own page structure but
not the values in it, so a flipped byte in a title or a paragraph count would otherwise be
read as true. Reading a row whose sum does not match raises IndexCorrupt. Rows written
before the column existed (row_sum NULL) are read unchecked.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexCorrupt, IndexUnreadable

REGISTRY = "registry.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, sha1 TEXT NOT NULL, size INTEGER, article_ids TEXT NOT NULL,
    row_sum INTEGER);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, path TEXT, title TEXT, outlet TEXT, url TEXT, published TEXT,
    date_precision TEXT, dateline TEXT, byline TEXT, credits TEXT, kind TEXT,
    paragraphs INTEGER, quotes INTEGER, content_hash TEXT, row_sum INTEGER);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
"""


@dataclass(frozen=True)
class ArticleRow:
    article_id: str
    path: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    date_precision: str
    dateline: str | None
    byline: str | None
    credits: tuple[str, ...]
    kind: str
    paragraphs: int
    quotes: int
    content_hash: str


@contextmanager
def connect(index_dir: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to the registry; reading never writes (the index may be on a read-only disk)."""
    path = Path(index_dir) / REGISTRY
    try:
        if write:
            conn = sqlite3.connect(path, timeout=30)
            # Rollback journal, not WAL: a WAL file makes even read-only readers create
            # -wal/-shm files, and one writer with small batches needs no WAL.
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(_SCHEMA)
            _add_row_sums(conn)
        elif path.exists():
            conn = _read_only(path)
        else:
            # An index without a registry (older or partial): behave as empty.
            conn = sqlite3.connect(":memory:")
            conn.executescript(_SCHEMA)
    except sqlite3.Error as exc:
        raise IndexUnreadable(f"The registry of {index_dir} cannot be opened ({exc}).") from exc
    try:
        yield conn
        conn.commit()
    except sqlite3.Error as exc:
        raise IndexUnreadable(f"The registry of {index_dir} cannot be read or written ({exc}); "
                              "if the disk is full, free space and try again.") from exc
    finally:
        conn.close()


def _read_only(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("SELECT 1 FROM articles LIMIT 1").fetchall()
        return conn
    except sqlite3.OperationalError:
        # On a read-only file system SQLite cannot create the WAL index (-shm) a reader
        # needs; as no one can be writing there, reading it as immutable is safe.
        conn.close()
        return sqlite3.connect(f"{uri}?immutable=1", uri=True)


_COLUMNS = {"files": 5, "articles": 15}  # with row_sum


def _add_row_sums(conn: sqlite3.Connection) -> None:
    """Give a registry made before row checksums its row_sum columns (NULL: unchecked)."""
    for table in ("files", "articles"):
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if "row_sum" not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN row_sum INTEGER")


def row_sum(values: Iterable) -> int:
    """CRC-32 of a row's values, as stored."""
    return zlib.crc32(json.dumps(list(values), ensure_ascii=False).encode("utf-8"))


def _checked(values: tuple, table: str, index_dir: Path | str = "") -> tuple:
    """A row's values without its row_sum, which must match them when there is one."""
    if len(values) < _COLUMNS[table]:  # a registry made before row sums, read as it is
        return values
    *row, stored = values
    if stored is not None and row_sum(row) != stored:
        where = f" of {index_dir}" if index_dir else ""
        raise IndexCorrupt(f"The registry{where} is damaged: a row of {table} ({row[0]!r}) is "
                           "not as written; rebuild it with `parley index --rebuild PATH...`.")
    return tuple(row)


def damaged_rows(index_dir: Path) -> list[str]:
    """Problems `parley check` reports: SQLite's own integrity check, then every row's sum."""
    problems: list[str] = []
    with connect(index_dir) as conn:
        verdict = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            problems.append("the registry's SQLite file is damaged: " + "; ".join(verdict[:3]))
        for table in ("files", "articles"):
            for values in conn.execute(f"SELECT * FROM {table}"):
                try:
                    _checked(values, table)
                except IndexCorrupt as exc:
                    problems.append(str(exc))
    return problems


def clear(index_dir: Path) -> None:
    with connect(index_dir, write=True) as conn:
        conn.execute("DELETE FROM files")
        conn.execute("DELETE FROM articles")


def _files(conn: sqlite3.Connection) -> list[tuple]:
    return [_checked(values, "files") for values in conn.execute("SELECT * FROM files")]


def file_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    return {path: sha for path, sha, *_ in _files(conn)}


def file_articles(conn: sqlite3.Connection) -> dict[str, list[str]]:
    return {path: json.loads(ids) for path, _, _, ids in _files(conn)}


def forget(conn: sqlite3.Connection, article_ids: Iterable[str]) -> None:
    conn.executemany("DELETE FROM articles WHERE article_id = ?", [(a,) for a in article_ids])


def article_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    rows = (_checked(values, "articles") for values in conn.execute("SELECT * FROM articles"))
    return {row[0]: row[13] for row in rows}


def record(conn: sqlite3.Connection, rows: Iterable[ArticleRow],
           files: Iterable[tuple[str, str, int, list[str]]]) -> None:
    articles = [(r.article_id, r.path, r.title, r.outlet, r.url, r.published, r.date_precision,
                 r.dateline, r.byline, json.dumps(list(r.credits)), r.kind, r.paragraphs,
                 r.quotes, r.content_hash) for r in rows]
    conn.executemany("INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     [(*a, row_sum(a)) for a in articles])
    listed = [(p, sha, size, json.dumps(ids)) for p, sha, size, ids in files]
    conn.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                     [(*f, row_sum(f)) for f in listed])


def _row(values: tuple, index_dir: Path) -> ArticleRow:
    row = list(_checked(values, "articles", index_dir))
    row[9] = tuple(json.loads(row[9] or "[]"))
    return ArticleRow(*row)


def list_articles(index_dir: Path) -> list[ArticleRow]:
    with connect(index_dir) as conn:
        rows = conn.execute(
            "SELECT * FROM articles ORDER BY published IS NULL, published DESC, title").fetchall()
    return [_row(r, index_dir) for r in rows]


def get_article(index_dir: Path, article_id: str) -> ArticleRow | None:
    with connect(index_dir) as conn:
        row = conn.execute("SELECT * FROM articles WHERE article_id = ?", (article_id,)).fetchone()
    return _row(row, index_dir) if row else None


def counts(index_dir: Path) -> dict[str, int]:
    with connect(index_dir) as conn:
        files, = conn.execute("SELECT COUNT(*) FROM files").fetchone()
        rows = conn.execute("SELECT * FROM articles").fetchall()
    counted = [_row(r, index_dir) for r in rows]  # checked: a paragraph count is a row value
    return {"files": files, "articles": len(counted),
            "paragraphs": sum(r.paragraphs for r in counted),
            "quotes": sum(r.quotes for r in counted)}
