"""Parley's indexer: read articles, split, tag, extract quotations, write the index.

Public API: `ingest(paths, index_dir)` -> IngestReport, and the stage models.
Nothing here imports the search or web packages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import registry
from indexer.errors import ParleyError
from indexer.lexicon import Lexicon, default_lexicon
from indexer.models import Article, IngestReport, Paragraph, Quote, Skipped, TaggedParagraph

if TYPE_CHECKING:
    import multiprocessing.pool

    from indexer.writer import Batch, IndexWriter

# The pipeline's stages (readers, splitter, tagger with its quotation patterns, Whoosh writer)
# are imported inside the functions that use them: the search side imports indexer.errors,
# .schema and .registry and would otherwise pay for them in every fresh `parley search`.


def __getattr__(name: str):
    if name == "iter_files":  # public (see __all__), imported on first use like the rest
        from indexer.sources import iter_files

        return iter_files
    raise AttributeError(f"module 'indexer' has no attribute {name!r}")


def _new_batch() -> Batch:
    from indexer.writer import Batch

    return Batch()


__all__ = ["ingest", "Article", "Paragraph", "Quote", "TaggedParagraph", "IngestReport",
           "Skipped", "ParleyError", "default_lexicon", "Lexicon", "prepare_article", "iter_files"]

# One Whoosh commit per batch, one new segment per half of a large batch (writer.py writes the
# halves in two processes). Batches grow with the run, up to MAX_BATCH_PARAGRAPHS, so that a
# large first run leaves tens of segments, not hundreds, without merging them (a merge costs
# as much as writing the paragraphs again). 80k: halves of 40k, as many segments as one
# process writing 40k batches left; with 20k halves, queries at 200k took 5-15% longer.
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
    report: IngestReport = field(default_factory=IngestReport)
    seen: set[str] = field(default_factory=set)
    batch: Batch = field(default_factory=_new_batch)
    _pool: multiprocessing.pool.Pool | None = None

    def pool(self, lexicon: Lexicon) -> multiprocessing.pool.Pool | None:
        """Worker processes for splitting and tagging, started on first need (fork only)."""
        import multiprocessing

        from indexer.writer import forked_workers

        if self._pool is None and (workers := forked_workers()) > 1:
            self._pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (lexicon,))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def ingest(paths: Iterable[str | Path], index_dir: str | Path, *, rebuild: bool = False,
           lexicon: Lexicon | None = None, lock_timeout: float = 10.0,
           progress: Callable[[Path], None] | None = None) -> IngestReport:
    """Index files and folders; unchanged files are skipped, changed articles replaced."""
    index_dir = Path(index_dir)
    lexicon = lexicon or default_lexicon()
    from indexer.sources import iter_files
    from indexer.writer import IndexWriter, exclusive

    with exclusive(index_dir, lock_timeout):
        writer = IndexWriter(index_dir, rebuild=rebuild, lock_timeout=lock_timeout)
        with registry.connect(index_dir) as conn:
            run = _Run(registry.file_hashes(conn), registry.article_hashes(conn),
                       registry.file_articles(conn))
        try:
            for item in iter_files(paths, run.report.ignored):
                if isinstance(item, Skipped):
                    run.report.skipped.append(item)
                else:
                    _ingest_file(item, run, writer, lexicon)
                    if progress:
                        progress(item)
        finally:
            run.close()
        writer.commit(run.batch)
    return run.report


def _ingest_file(path: Path, run: _Run, writer: IndexWriter, lexicon: Lexicon) -> None:
    from indexer.sources import read_path
    from indexer.writer import file_sha1

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
        elif item.article_id in run.seen:
            run.report.duplicates += 1
        else:
            run.seen.add(item.article_id)
            ids.append(item.article_id)
            chunk.append(item)
            if len(chunk) >= CHUNK_ARTICLES:
                _ingest_chunk(chunk, run, writer, lexicon)
                chunk = []
    _ingest_chunk(chunk, run, writer, lexicon)
    # An edited file without URLs gives its articles new ids: the old ones must go.
    gone = [a for a in run.file_articles.get(key, ()) if a not in ids and a not in run.seen]
    run.batch.removed.extend(gone)
    run.report.replaced += len(gone)
    # Recorded with the batch holding the file's last article: a crash before that commit
    # makes the next run read the file again (its committed articles are then unchanged).
    run.batch.files.append((key, sha, size, ids))


def _ingest_chunk(chunk: list[Article], run: _Run, writer: IndexWriter, lexicon: Lexicon) -> None:
    """Prepare a file's next articles (in worker processes when worth it) and batch them in order."""
    from indexer.sources import content_hash

    todo = [a for a in chunk if run.known_articles.get(a.article_id) != content_hash(a)]
    pool = run.pool(lexicon) if len(todo) >= PARALLEL_MIN else None
    # imap keeps feeding the workers while this process commits a full batch.
    prepared = pool.imap(_prepare_in_worker, todo, chunksize=4) if pool is not None else None
    in_pool = {id(a) for a in todo} if pool is not None else set()
    for article in chunk:
        tagged = next(prepared) if id(article) in in_pool else None
        _ingest_article(article, run, lexicon, tagged)
        if len(run.batch) >= _batch_limit(run.report.paragraphs):
            writer.commit(run.batch)
            run.batch = _new_batch()


def _batch_limit(written: int) -> int:
    return max(BATCH_PARAGRAPHS, min(MAX_BATCH_PARAGRAPHS, written // 2))


_WORKER_LEXICON: Lexicon | None = None


def _init_worker(lexicon: Lexicon) -> None:
    global _WORKER_LEXICON
    _WORKER_LEXICON = lexicon


def _prepare_in_worker(article: Article) -> list[TaggedParagraph]:
    return prepare_article(article, _WORKER_LEXICON)


def _ingest_article(article: Article, run: _Run, lexicon: Lexicon,
                    tagged: list[TaggedParagraph] | None = None) -> None:
    from indexer.sources import content_hash
    from indexer.writer import document_for

    digest = content_hash(article)
    known = run.known_articles.get(article.article_id)
    if known == digest:
        run.report.unchanged += 1
        return
    tagged = prepare_article(article, lexicon) if tagged is None else tagged
    if not tagged:
        run.report.skipped.append(Skipped(article.path, "no story paragraphs"))
        return
    if known is not None:
        run.batch.replaced.append(article.article_id)
        run.report.replaced += 1
    resolved = tagged[0].article
    # Quotations as `parley quotes` lists them by default: reported speech is not counted.
    quotes = sum(q.kind != "reported" for t in tagged for q in t.quotes)
    run.batch.docs.extend(document_for(t) for t in tagged)
    run.batch.articles.append(registry.ArticleRow(
        article_id=resolved.article_id, path=resolved.path, title=resolved.title,
        outlet=resolved.outlet, url=resolved.url, published=resolved.published,
        date_precision=resolved.date_precision, dateline=resolved.dateline,
        byline=resolved.byline, credits=resolved.credits, kind=resolved.kind,
        paragraphs=len(tagged), quotes=quotes, content_hash=digest))
    run.known_articles[article.article_id] = digest
    run.report.articles += 1
    run.report.paragraphs += len(tagged)
    run.report.quotes += quotes
