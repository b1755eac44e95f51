"""The embedded engine: search.engine_api.Engine over a Whoosh-format index in a folder.

The reading machinery (per-thread sessions, the shared document table, ranking) is
engine.py's; writing is writer.py's; this module puts them behind the interface and turns
what they give (document numbers, Whoosh results) into Parley's dataclasses.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from indexer import lexicon_with, registry
from indexer.errors import IndexCorrupt
from indexer.lexicon import Lexicon
from indexer.models import TaggedParagraph
from search.engine_api import HitPage, Known, QuotePage, add_types
from search.engines.embedded import quotetable
from search.engines.embedded.engine import Engine as _Reader
from search.engines.embedded.engine import article_row, hit_from_fields
from search.engines.embedded.whoosh_query import positive_terms
from search.querytree import with_reported_speech
from search.request import SearchRequest
from search.results import ArticleSummary, CheckReport, FacetValue, Hit


class EmbeddedEngine:
    """One index folder. Safe to share between threads: each thread reads through its own
    session (engine.Session), reopened when a commit changes the index."""

    def __init__(self, location: str | Path, *, freeze_tables: bool = True):
        self.index_dir = Path(location)
        self.location = str(location)
        # freeze_tables: see engine.Engine.freeze (a server wants it; a short script need not).
        self._reader = _Reader(self.index_dir, lexicon=self.lexicon, freeze_tables=freeze_tables)
        self._lexicon: tuple[tuple, Lexicon] | None = None  # (file identity, lexicon)
        self._types: tuple[tuple, dict[str, str]] | None = None  # (file identity, table)

    def actor_types(self) -> dict[str, str]:
        path = self.index_dir / ACTOR_TYPES_FILE
        try:
            st = path.stat()
        except FileNotFoundError:
            return {}
        identity = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._types is None or self._types[0] != identity:
            self._types = (identity, read_actor_types(path))
        return self._types[1]

    def lexicon(self) -> Lexicon:
        """The shipped lexicon plus the user's entries saved with this index (if any)."""
        path = self.index_dir / LEXICON_FILE
        try:
            st = path.stat()
        except FileNotFoundError:
            return lexicon_with(None)
        identity = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._lexicon is None or self._lexicon[0] != identity:
            self._lexicon = (identity, lexicon_with(read_saved_lexicon(path)))
        return self._lexicon[1]

    # -- writing and upkeep -------------------------------------------------------------

    @contextmanager
    def begin_write(self, *, rebuild: bool = False,
                    lock_timeout: float = 10.0) -> Iterator[_Writer]:
        from search.engines.embedded import swap
        from search.engines.embedded.writer import IndexWriter, exclusive

        with exclusive(self.index_dir, lock_timeout):
            if rebuild and self.exists() and swap.can_exchange(self.index_dir):
                # Built beside the old index, which readers keep until the new one takes its
                # place in one step (swap.py); rebuilding in place showed them a growing index.
                with swap.aside(self.index_dir) as aside:
                    writer = _Writer(aside, IndexWriter(aside, rebuild=True,
                                                        lock_timeout=lock_timeout))
                    try:
                        yield writer
                    finally:
                        writer.abort()
                return
            if rebuild:  # a fresh index: the user's saved vocabulary goes too
                (self.index_dir / LEXICON_FILE).unlink(missing_ok=True)
                (self.index_dir / ACTOR_TYPES_FILE).unlink(missing_ok=True)
            writer = _Writer(self.index_dir, IndexWriter(self.index_dir, rebuild=rebuild,
                                                         lock_timeout=lock_timeout))
            try:
                yield writer
            finally:
                writer.abort()

    def exists(self) -> bool:
        return any(self.index_dir.glob("*.toc"))

    def check(self) -> CheckReport:
        from search.engines.embedded.check import check_index

        return check_index(self.index_dir)

    def stats(self) -> dict:
        session = self._reader.session()
        everything = session.matched(session.parse(""), SearchRequest())
        facets = session.facet_counts(everything, SearchRequest())
        dates = sorted(d for d in session.table.dates if d)
        size = sum(f.stat().st_size for f in self.index_dir.iterdir() if f.is_file())
        return {
            "index_dir": self.location,
            **registry.counts(self.index_dir),
            "indexed_paragraphs": len(everything),
            "first_date": _iso(dates[0]) if dates else None,
            "last_date": _iso(dates[-1]) if dates else None,
            "size_bytes": size,
            "top": {name: [v.to_dict() for v in vals[:10]] for name, vals in facets.items()},
        }

    # -- reading ------------------------------------------------------------------------

    def search(self, req: SearchRequest, *, facets: bool = True) -> HitPage:
        session = self._reader.session()
        parsed = session.understand(req.text)
        q = session.translate(with_reported_speech(parsed, req.kinds))
        docs = session.matched(q, req)
        page = HitPage(total=len(docs), hits=iter(()), words=frozenset(), parsed=parsed)
        if facets:
            # The timeline needs every month, the facets only the top ones.
            month_counts = session.count("month", docs)
            page.facets = session.facet_counts(docs, req, counted={"month": month_counts})
            page.timeline = tuple(FacetValue(m, c) for m, c in sorted(month_counts.items()))
        start = (req.page - 1) * req.size
        stop = None if req.size == 0 else start + req.size
        if docs and (stop is None or start < len(docs)):
            results = session.ranked(q, docs, req, limit=stop)
            page.words = _marked_words(results)
            page.hits = _hits(results, start, stop)
        return page

    def quotes(self, req: SearchRequest, *, facets: bool = True) -> QuotePage:
        session = self._reader.session()
        parsed = session.understand(req.text, default_field="quote")
        q = session.translate(with_reported_speech(parsed, req.kinds))
        docs = session.matched(q, replace(req, quotes_only=True))
        order = ([docnum for _, docnum in session.ranked(q, docs, req, limit=None).top_n]
                 if docs else [])
        asked = req.filters.get("speaker")
        speakers = {v for s in asked for v in session.resolve("speakers", s)} if asked else None
        groups = quotetable.group_quotes(
            session, order, speakers, positive_terms(q, ("quote", "text")),
            words_only_in_quotes=not positive_terms(q, ("text", "title")),
            kinds=set(req.kinds) or None)
        keys = list(groups)
        start = (req.page - 1) * req.size
        shown = keys[start:] if req.size == 0 else keys[start:start + req.size]
        return QuotePage(total=len(keys),
                         quotes=quotetable.records(session, (groups[k] for k in shown)),
                         facets=session.facet_counts(docs, req) if facets else {})

    def speakers(self) -> list[dict]:
        session = self._reader.session()
        docs = session.matched(session.parse(""), SearchRequest(quotes_only=True))
        return quotetable.speaker_rows(session, docs)

    def articles(self) -> list[ArticleSummary]:
        self._reader.session()  # raises IndexNotFound / NotParleyIndex as every read does
        return [_summary(r) for r in registry.list_articles(self.index_dir)]

    def article(self, article_id: str) -> tuple[ArticleSummary, list[Hit]]:
        session = self._reader.session()
        row = article_row(self.index_dir, article_id)
        docs = session.searcher.documents(article_id=article_id)
        hits = sorted((hit_from_fields(d, "", None) for d in docs), key=lambda h: h.position)
        return _summary(row), hits

    def spelled_like(self, word: str) -> list[tuple[str, int]]:
        return self._reader.session().spelled_like(word)

    def vocabulary(self, facet: str) -> list[str]:
        from search.engines.embedded.schema import FACET_FIELDS

        table = self._reader.session().table
        if facet == "month":
            return sorted(m for (m,) in table.month_cells()[1] if m)
        return table.vocabulary(FACET_FIELDS[facet][1])

    def close(self) -> None:
        self._reader.close()


class _Writer:
    """engine_api.EngineWriter: batches records into writer.Batch, one Whoosh commit each."""

    def __init__(self, index_dir: Path, writer):
        from search.engines.embedded.writer import Batch

        self._index_dir = index_dir
        self._writer = writer
        self._new_batch = Batch
        self._batch = Batch()
        self._types: dict[str, str] = {}  # actor -> type, of the paragraphs since the commit

    def known(self) -> Known:
        path = self._index_dir / LEXICON_FILE
        with registry.connect(self._index_dir) as conn:
            return Known(registry.file_hashes(conn), registry.article_hashes(conn),
                         registry.file_articles(conn),
                         read_saved_lexicon(path) if path.exists() else None)

    def save_lexicon(self, extra: dict) -> None:
        write_saved_lexicon(self._index_dir / LEXICON_FILE, extra)

    def add(self, article: registry.ArticleRow, paragraphs: Sequence[TaggedParagraph]) -> None:
        from search.engines.embedded.writer import document_for

        # writer.IndexWriter.commit deletes every batched article's old paragraphs first.
        self._batch.articles.append(article)
        self._batch.docs.extend(document_for(t) for t in paragraphs)
        for t in paragraphs:
            add_types(self._types, zip(t.actors, t.actor_types, strict=False))  # () when untyped

    def delete(self, article_ids: Sequence[str]) -> None:
        self._batch.removed.extend(article_ids)

    def record_file(self, path: str, sha1: str, size: int, article_ids: list[str]) -> None:
        self._batch.files.append((path, sha1, size, article_ids))

    def pending(self) -> int:
        return len(self._batch)

    def commit(self) -> None:
        batch, self._batch = self._batch, self._new_batch()
        types, self._types = self._types, {}
        self._writer.commit(batch)
        if types:  # after the paragraphs: a table naming more actors than the index is harmless
            path = self._index_dir / ACTOR_TYPES_FILE
            table = read_actor_types(path)
            if add_types(table, types.items()):
                write_actor_types(path, table)

    def abort(self) -> None:
        self._batch = self._new_batch()
        self._types = {}


LEXICON_FILE = "parley-lexicon.json"


def write_saved_lexicon(path: Path, extra: dict) -> None:
    """The user's lexicon entries, with a CRC-32 of them, written atomically."""
    body = json.dumps(extra, ensure_ascii=False, sort_keys=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps({"crc32": zlib.crc32(body.encode("utf-8")), "lexicon": body},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_saved_lexicon(path: Path) -> dict:
    """What write_saved_lexicon wrote; IndexCorrupt when it is not that."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        body = saved["lexicon"]
        if zlib.crc32(body.encode("utf-8")) != saved["crc32"]:
            raise ValueError("it fails its checksum")
        return json.loads(body)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorrupt(f"Index at {path.parent} is damaged: its saved lexicon {path.name} "
                           f"cannot be read ({exc}); run `parley index --rebuild` with the same "
                           "--actors-file.") from exc


ACTOR_TYPES_FILE = "parley-actor-types.json"


def write_actor_types(path: Path, table: dict[str, str]) -> None:
    """The index's actor -> type table (person, organisation, state, ...), written atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(table, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def read_actor_types(path: Path) -> dict[str, str]:
    """The table write_actor_types wrote; empty when there is none (an index written before
    types were kept) or it cannot be read: types are shown, never needed to search."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(table, dict) else {}


def _marked_words(results) -> frozenset[str]:
    """The text-field words a page of results marks: the matched terms if recorded, else the
    query's (a phrase's words are marked wherever they occur; a word the paragraph lacks is
    simply not found). Read once per page: expanding the query reads the term index."""
    if results.has_matched_terms():
        terms = (t for t in results.matched_terms() if t[0] == "text")
    else:
        terms = results.query_terms(expand=True, fieldname="text")
    return frozenset(t[1].decode("utf-8") for t in terms)


def _hits(results, start: int, stop: int | None) -> Iterator[Hit]:
    for hit in results[start:stop] if stop is not None else results:
        # Sorted by date, Whoosh puts the sort key where the score goes: no relevance then.
        score = round(hit.score, 4) if isinstance(hit.score, float) else None
        yield hit_from_fields(hit.fields(), "", score)


def _summary(row: registry.ArticleRow) -> ArticleSummary:
    return ArticleSummary(
        article_id=row.article_id, title=row.title, outlet=row.outlet, url=row.url,
        published=row.published, path=row.path, paragraphs=row.paragraphs, quotes=row.quotes,
        credits=row.credits, date_precision=row.date_precision, dateline=row.dateline,
        byline=row.byline)


def _iso(n: int) -> str:
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"
