"""The record of what was ingested: files (with content hashes) and articles, in SQLite.

The Whoosh index is derived data; this registry is what `parley articles`, the article view
and `parley check` read, and what lets a re-run skip unchanged files. It is written only
after the matching Whoosh commit, so it never claims an article the index lacks.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexUnreadable

REGISTRY = "registry.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, sha1 TEXT NOT NULL, size INTEGER, article_ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, path TEXT, title TEXT, outlet TEXT, url TEXT, published TEXT,
    date_precision TEXT, dateline TEXT, byline TEXT, credits TEXT, kind TEXT,
    paragraphs INTEGER, quotes INTEGER, content_hash TEXT);
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
        conn.close()
    journal = path.with_name(path.name + "-journal")
    if journal.exists() and os.access(path.parent, os.W_OK):
        # A writer killed mid-transaction left a hot journal, which a read-only connection
        # cannot play back: read as immutable, the file is torn ("database disk image is
        # malformed", or rows of half a batch). A read-write connection rolls it back on its
        # first read (SQLite does so only if no live writer holds the journal).
        rw = sqlite3.connect(path, timeout=30)
        try:
            rw.execute("SELECT 1 FROM articles LIMIT 1").fetchall()
        finally:
            rw.close()
        return sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
    # On a read-only file system SQLite cannot create the WAL index (-shm) a reader needs;
    # as no one can be writing there, reading it as immutable is safe.
    return sqlite3.connect(f"{uri}?immutable=1", uri=True)


def clear(index_dir: Path) -> None:
    with connect(index_dir, write=True) as conn:
        conn.execute("DELETE FROM files")
        conn.execute("DELETE FROM articles")


def file_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT path, sha1 FROM files"))


def file_articles(conn: sqlite3.Connection) -> dict[str, list[str]]:
    return {p: json.loads(ids) for p, ids in conn.execute("SELECT path, article_ids FROM files")}


def forget(conn: sqlite3.Connection, article_ids: Iterable[str]) -> None:
    conn.executemany("DELETE FROM articles WHERE article_id = ?", [(a,) for a in article_ids])


def article_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT article_id, content_hash FROM articles"))


def record(conn: sqlite3.Connection, rows: Iterable[ArticleRow], files: Iterable[tuple[str, str, int, list[str]]]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(r.article_id, r.path, r.title, r.outlet, r.url, r.published, r.date_precision,
          r.dateline, r.byline, json.dumps(list(r.credits)), r.kind, r.paragraphs, r.quotes,
          r.content_hash) for r in rows],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO files VALUES (?,?,?,?)",
        [(p, sha, size, json.dumps(ids)) for p, sha, size, ids in files],
    )


def _row(values: tuple) -> ArticleRow:
    values = list(values)
    values[9] = tuple(json.loads(values[9] or "[]"))
    return ArticleRow(*values)


def list_articles(index_dir: Path) -> list[ArticleRow]:
    with connect(index_dir) as conn:
        rows = conn.execute(
            "SELECT * FROM articles ORDER BY published IS NULL, published DESC, title").fetchall()
    return [_row(r) for r in rows]


def get_article(index_dir: Path, article_id: str) -> ArticleRow | None:
    with connect(index_dir) as conn:
        row = conn.execute("SELECT * FROM articles WHERE article_id = ?", (article_id,)).fetchone()
    return _row(row) if row else None


def counts(index_dir: Path) -> dict[str, int]:
    with connect(index_dir) as conn:
        files, = conn.execute("SELECT COUNT(*) FROM files").fetchone()
        articles, paragraphs, quotes = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(paragraphs),0), COALESCE(SUM(quotes),0) FROM articles"
        ).fetchone()
    return {"files": files, "articles": articles, "paragraphs": paragraphs, "quotes": quotes}
