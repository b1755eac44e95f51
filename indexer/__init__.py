"""Parley's indexer: read articles, split, tag, extract quotations, write the index.

Public API: `ingest(paths, index_dir)` -> IngestReport, and the stage models.
Nothing here imports the search or web packages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer import registry
from indexer.errors import ParleyError
from indexer.lexicon import Lexicon, default_lexicon
from indexer.models import Article, IngestReport, Paragraph, Quote, Skipped, TaggedParagraph
from indexer.paragraphs import split_paragraphs
from indexer.sources import content_hash, iter_files, read_path
from indexer.tagging import tag_article
from indexer.writer import Batch, IndexWriter, document_for, exclusive, file_sha1

__all__ = ["ingest", "Article", "Paragraph", "Quote", "TaggedParagraph", "IngestReport",
           "Skipped", "ParleyError", "default_lexicon", "Lexicon", "prepare_article", "iter_files"]

BATCH_PARAGRAPHS = 5000


def prepare_article(article: Article, lexicon: Lexicon) -> list[TaggedParagraph]:
    """Split and tag one article: the whole pipeline short of writing."""
    return tag_article(article, split_paragraphs(article), lexicon)


@dataclass
class _Run:
    """State of one ingest run: what the registry knew, and what this run has seen."""

    known_files: dict[str, str]
    known_articles: dict[str, str]
    file_articles: dict[str, list[str]]
    report: IngestReport = field(default_factory=IngestReport)
    seen: set[str] = field(default_factory=set)
    batch: Batch = field(default_factory=Batch)


def ingest(paths: Iterable[str | Path], index_dir: str | Path, *, rebuild: bool = False,
           lexicon: Lexicon | None = None, lock_timeout: float = 10.0,
           progress: Callable[[Path], None] | None = None) -> IngestReport:
    """Index files and folders; unchanged files are skipped, changed articles replaced."""
    index_dir = Path(index_dir)
    lexicon = lexicon or default_lexicon()
    with exclusive(index_dir, lock_timeout):
        writer = IndexWriter(index_dir, rebuild=rebuild, lock_timeout=lock_timeout)
        with registry.connect(index_dir) as conn:
            run = _Run(registry.file_hashes(conn), registry.article_hashes(conn),
                       registry.file_articles(conn))
        for item in iter_files(paths):
            if isinstance(item, Skipped):
                run.report.skipped.append(item)
            else:
                _ingest_file(item, run, writer, lexicon)
                if progress:
                    progress(item)
        writer.commit(run.batch)
    return run.report


def _ingest_file(path: Path, run: _Run, writer: IndexWriter, lexicon: Lexicon) -> None:
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
    for item in read_path(path):
        if isinstance(item, Skipped):
            run.report.skipped.append(item)
        elif item.article_id in run.seen:
            run.report.duplicates += 1
        else:
            run.seen.add(item.article_id)
            ids.append(item.article_id)
            _ingest_article(item, run, lexicon)
            if len(run.batch) >= BATCH_PARAGRAPHS:
                writer.commit(run.batch)
                run.batch = Batch()
    # An edited file without URLs gives its articles new ids: the old ones must go.
    gone = [a for a in run.file_articles.get(key, ()) if a not in ids and a not in run.seen]
    run.batch.removed.extend(gone)
    run.report.replaced += len(gone)
    # Recorded with the batch holding the file's last article: a crash before that commit
    # makes the next run read the file again (its committed articles are then unchanged).
    run.batch.files.append((key, sha, size, ids))


def _ingest_article(article: Article, run: _Run, lexicon: Lexicon) -> None:
    digest = content_hash(article)
    known = run.known_articles.get(article.article_id)
    if known == digest:
        run.report.unchanged += 1
        return
    tagged = prepare_article(article, lexicon)
    if not tagged:
        run.report.skipped.append(Skipped(article.path, "no story paragraphs"))
        return
    if known is not None:
        run.batch.replaced.append(article.article_id)
        run.report.replaced += 1
    resolved = tagged[0].article
    quotes = sum(len(t.quotes) for t in tagged)
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
