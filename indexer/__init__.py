"""Parley's indexer: read articles, split, tag, extract quotations, hand the records over.

Public API: `ingest(paths, index)` -> IngestReport, and the stage models. The pipeline ends
in plain records (ArticleRow and TaggedParagraph) given to an engine's writer
(search/engine_api.py: EngineWriter); nothing here knows how an engine stores them.
The one link to the search package is `_open_target`, for callers that pass a location.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import registry
from indexer.errors import ParleyError
from indexer.lexicon import Lexicon, default_lexicon
from indexer.models import Article, IngestReport, Notice, Paragraph, Quote, Skipped, TaggedParagraph

if TYPE_CHECKING:
    import multiprocessing.pool

    from search.engine_api import Engine, EngineWriter

# The pipeline's stages (readers, splitter, tagger with its quotation patterns) are imported
# inside the functions that use them: the search side imports indexer.errors, .models and
# .registry and would otherwise pay for them in every fresh `parley search`.


def __getattr__(name: str):
    if name == "iter_files":  # public (see __all__), imported on first use like the rest
        from indexer.sources import iter_files

        return iter_files
    raise AttributeError(f"module 'indexer' has no attribute {name!r}")


__all__ = ["ingest", "Article", "Paragraph", "Quote", "TaggedParagraph", "IngestReport",
           "Skipped", "ParleyError", "default_lexicon", "Lexicon", "prepare_article", "iter_files",
           "lexicon_with", "read_lexicon_files", "forked_workers", "file_sha1"]

# One engine commit per batch; the embedded engine writes one new segment per half of a large
# batch (its writer.py writes the halves in two processes). Batches grow with the run, up to
# MAX_BATCH_PARAGRAPHS, so that a large first run leaves tens of segments, not hundreds,
# without merging them (a merge costs as much as writing the paragraphs again). 80k: halves
# of 40k, as many segments as one process writing 40k batches left; with 20k halves, queries
# at 200k took 5-15% longer.
BATCH_PARAGRAPHS = 5000
MAX_BATCH_PARAGRAPHS = 80000
# Splitting and tagging (~3 ms a paragraph) run in worker processes when a file holds at least
# PARALLEL_MIN articles to prepare; the main process writes. PARLEY_INDEX_WORKERS=1 turns it off.
PARALLEL_MIN = 64
CHUNK_ARTICLES = 512


def prepare_article(article: Article, lexicon: Lexicon) -> list[TaggedParagraph]:
    """Split and tag one article: the whole pipeline short of writing."""
    from indexer.paragraphs import split_paragraphs
    from indexer.tagging import tag_article

    return tag_article(article, split_paragraphs(article), lexicon)


@dataclass
class _Run:
    """State of one ingest run: what the registry knew, and what this run has seen."""

    known_files: dict[str, str]
    known_articles: dict[str, str]
    file_articles: dict[str, list[str]]
    writer: EngineWriter
    report: IngestReport = field(default_factory=IngestReport)
    seen: set[str] = field(default_factory=set)
    _pool: multiprocessing.pool.Pool | None = None
    on_article: Callable[[IngestReport], None] | None = None  # progress, after each article

    def pool(self, lexicon: Lexicon) -> multiprocessing.pool.Pool | None:
        """Worker processes for splitting and tagging, started on first need (fork only)."""
        import multiprocessing

        if self._pool is None and (workers := forked_workers()) > 1:
            self._pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (lexicon,))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def forked_workers() -> int:
    """Processes an index run may fork (tagging workers, the embedded engine's second segment
    writer): PARLEY_INDEX_WORKERS, else the CPU count; 1 where fork is not available.
    PARLEY_INDEX_WORKERS=1 (also the tests' way) keeps indexing in one process."""
    import multiprocessing
    import os

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        return max(1, int(os.environ.get("PARLEY_INDEX_WORKERS", "") or os.cpu_count() or 1))
    except ValueError:
        return 1


def file_sha1(path: Path) -> str:
    import hashlib
    import os

    digest = hashlib.sha1()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    digest.update(str(os.path.getsize(path)).encode())
    return digest.hexdigest()


def _open_target(index: str | Path | Engine) -> Engine:
    """The engine to write to: `index` itself, or the one at that location.

    The indexer needs only engine_api's protocols; opening a location is the search
    package's (search.engines.open_engine), imported here so that `ingest(paths, folder)`
    keeps working for every caller.
    """
    if hasattr(index, "begin_write"):
        return index  # type: ignore[return-value]
    from search.engines import open_engine

    return open_engine(index)  # type: ignore[arg-type]


LEXICON_KEYS = ("actors", "media", "topics")


def read_lexicon_files(paths: Sequence[str | Path]) -> dict:
    """The user's own actors, media and topics from files shaped like indexer/data/*.json,
    as one document (checked by building the lexicon: a bad file fails here, not later)."""
    from indexer.errors import InputError

    docs = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as fh:
                docs.append(json.load(fh))
        except (OSError, ValueError) as exc:
            raise InputError(f"Cannot read the lexicon file {path}: {exc}") from exc
    try:
        extra = {key: [item for d in docs for item in d.get(key, ())] for key in LEXICON_KEYS}
        lexicon_with(extra)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"The lexicon files {', '.join(map(str, paths))} are not shaped like "
                         f"indexer/data/actors.json ({exc.__class__.__name__}: {exc}).") from exc
    return extra


def lexicon_with(extra: dict | None) -> Lexicon:
    """The shipped lexicon, plus a user's own entries when there are any."""
    if not extra or not any(extra.get(key) for key in LEXICON_KEYS):
        return default_lexicon()
    return _lexicon_of(json.dumps({k: extra.get(k, []) for k in LEXICON_KEYS}, sort_keys=True))


@lru_cache(maxsize=4)
def _lexicon_of(extra_json: str) -> Lexicon:
    # As Lexicon.load does with files: shipped entries first, the user's after them.
    from indexer.lexicon import DATA_DIR

    docs = [json.loads((DATA_DIR / f"{key}.json").read_text("utf-8")) for key in LEXICON_KEYS]
    docs.append(json.loads(extra_json))
    return Lexicon(*([item for d in docs for item in d.get(key, ())] for key in LEXICON_KEYS))


def ingest(paths: Iterable[str | Path], index_dir: str | Path | Engine, *, rebuild: bool = False,
           lexicon: Lexicon | None = None, actors_files: Sequence[str | Path] = (),
           lock_timeout: float = 10.0,
           progress: Callable[[Path], None] | None = None,
           on_article: Callable[[IngestReport], None] | None = None) -> IngestReport:
    """Index files and folders; unchanged files are skipped, changed articles replaced.

    `progress` is called with each file read, `on_article` with the report after each article.

    `index_dir` is an index location (a folder) or an engine (search.engine_api.Engine).
    `actors_files` add the user's own actors, media or topics; they are saved with the index,
    so that later runs tag with them and searches resolve their aliases. Without them, the
    ones saved before are used (`rebuild` forgets them). `lexicon` overrides both.
    """
    engine = _open_target(index_dir)
    extra = read_lexicon_files(actors_files) if actors_files else None
    from indexer.sources import iter_files

    with engine.begin_write(rebuild=rebuild, lock_timeout=lock_timeout) as writer:
        known = writer.known()
        if extra is not None:
            writer.save_lexicon(extra)
        lexicon = lexicon or lexicon_with(extra if extra is not None else known.lexicon)
        run = _Run(known.file_hashes, known.article_hashes, known.file_articles, writer,
                   on_article=on_article)
        try:
            for item in iter_files(paths, run.report.ignored):
                if isinstance(item, Skipped):
                    run.report.skipped.append(item)
                else:
                    _ingest_file(item, run, lexicon)
                    if progress:
                        progress(item)
        finally:
            run.close()
        writer.commit()
    return run.report


def _ingest_file(path: Path, run: _Run, lexicon: Lexicon) -> None:
    from indexer.sources import read_path

    key = str(path.resolve())
    try:
        sha, size = file_sha1(path), path.stat().st_size
    except OSError as exc:
        run.report.skipped.append(Skipped(str(path), f"unreadable: {exc.strerror or exc}"))
        return
    if run.known_files.get(key) == sha:
        run.report.unchanged += 1
        return
    ids: list[str] = []
    chunk: list[Article] = []
    for item in read_path(path):
        if isinstance(item, Skipped):
            run.report.skipped.append(item)
        elif isinstance(item, Notice):
            run.report.notices.append(item)
        elif item.article_id in run.seen:
            run.report.duplicates += 1
        else:
            run.seen.add(item.article_id)
            ids.append(item.article_id)
            chunk.append(item)
            if len(chunk) >= CHUNK_ARTICLES:
                _ingest_chunk(chunk, run, lexicon)
                chunk = []
    _ingest_chunk(chunk, run, lexicon)
    # An edited file without URLs gives its articles new ids: the old ones must go.
    gone = [a for a in run.file_articles.get(key, ()) if a not in ids and a not in run.seen]
    run.writer.delete(gone)
    run.report.replaced += len(gone)
    # Recorded with the batch holding the file's last article: a crash before that commit
    # makes the next run read the file again (its committed articles are then unchanged).
    run.writer.record_file(key, sha, size, ids)


def _ingest_chunk(chunk: list[Article], run: _Run, lexicon: Lexicon) -> None:
    """Prepare a file's next articles (in worker processes when worth it), add them in order."""
    from indexer.sources import content_hash

    todo = [a for a in chunk if run.known_articles.get(a.article_id) != content_hash(a)]
    pool = run.pool(lexicon) if len(todo) >= PARALLEL_MIN else None
    # imap keeps feeding the workers while this process commits a full batch.
    prepared = pool.imap(_prepare_in_worker, todo, chunksize=4) if pool is not None else None
    in_pool = {id(a) for a in todo} if pool is not None else set()
    for article in chunk:
        try:
            tagged = None
            if prepared is not None and id(article) in in_pool:
                tagged, heard = next(prepared)
                replay(heard)
            _ingest_article(article, run, lexicon, tagged)
        except Exception as exc:  # noqa: BLE001 - a stage's bug on one article costs that
            # article alone (reported with its place), never the rest of the run.
            run.report.skipped.append(Skipped(article.path, f"could not be indexed "
                                              f"({exc.__class__.__name__}: {exc})"[:300]))
        if run.writer.pending() >= _batch_limit(run.report.paragraphs):
            run.writer.commit()


def _batch_limit(written: int) -> int:
    return max(BATCH_PARAGRAPHS, min(MAX_BATCH_PARAGRAPHS, written // 2))


_WORKER_LEXICON: Lexicon | None = None
# What a worker heard while preparing one article: ("warning", message, category, filename,
# lineno) and ("log", LogRecord) entries, sent back with the article.
Heard = list[tuple]


def _init_worker(lexicon: Lexicon) -> None:
    global _WORKER_LEXICON
    _WORKER_LEXICON = lexicon
    # The parent's handlers were copied by fork and would write to copies nobody reads.
    logging.getLogger().addHandler(_WORKER_LOG)


def _prepare_in_worker(article: Article) -> tuple[list[TaggedParagraph], Heard]:
    """Prepare one article; what it warned or logged goes back to the parent with it.

    A forked worker's warnings and log records otherwise end in the worker: the parent's
    handlers (the run's log file, parley-index.log) were copied, not shared.
    """
    import warnings

    _WORKER_LOG.heard = []
    with warnings.catch_warnings(record=True) as caught:
        tagged = prepare_article(article, _WORKER_LEXICON or default_lexicon())
    heard: Heard = [("warning", str(w.message), _picklable(w.category), w.filename, w.lineno)
                    for w in caught]
    return tagged, heard + _WORKER_LOG.heard


def _picklable(category: type[Warning]) -> type[Warning]:
    import pickle

    try:
        pickle.dumps(category)
        return category
    except Exception:  # noqa: BLE001 - a class defined in a function: keep its kind only
        return RuntimeWarning if issubclass(category, RuntimeWarning) else UserWarning


def replay(heard: Heard) -> None:
    """Raise again in this process what a worker heard, so this process's warning and
    logging set-up (the run log of `parley index`) receives it as if said here."""
    import warnings

    for entry in heard:
        if entry[0] == "warning":
            _, message, category, filename, lineno = entry
            warnings.warn_explicit(message, category, filename, lineno)
        else:
            record = entry[1]
            logging.getLogger(record.name).handle(record)


class _WorkerLog(logging.Handler):
    """Log records of a worker process, made picklable and kept for the parent."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.heard: Heard = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        record.exc_info, record.exc_text = None, None
        self.heard.append(("log", record))


_WORKER_LOG = _WorkerLog()


def _ingest_article(article: Article, run: _Run, lexicon: Lexicon,
                    tagged: list[TaggedParagraph] | None = None) -> None:
    from indexer.sources import content_hash

    digest = content_hash(article)
    known = run.known_articles.get(article.article_id)
    if known == digest:
        run.report.unchanged += 1
        return
    tagged = prepare_article(article, lexicon) if tagged is None else tagged
    if not tagged:
        run.report.skipped.append(Skipped(article.path, "no story paragraphs"))
        return
    resolved = tagged[0].article
    # Quotations as `parley quotes` lists them by default: reported speech is not counted.
    quotes = sum(q.kind != "reported" for t in tagged for q in t.quotes)
    if known is not None:
        run.report.replaced += 1  # add() below replaces the article's old paragraphs
    run.writer.add(registry.ArticleRow(
        article_id=resolved.article_id, path=resolved.path, title=resolved.title,
        outlet=resolved.outlet, url=resolved.url, published=resolved.published,
        date_precision=resolved.date_precision, dateline=resolved.dateline,
        byline=resolved.byline, credits=resolved.credits, kind=resolved.kind,
        paragraphs=len(tagged), quotes=quotes, content_hash=digest), tagged)
    run.known_articles[article.article_id] = digest
    run.report.articles += 1
    run.report.paragraphs += len(tagged)
    run.report.quotes += quotes
    if run.on_article is not None:
        run.on_article(run.report)
