"""Verify an index directory: every segment, every stored document, the registry against the index.

Whoosh keeps no checksums, so this reads everything it can: it opens each segment, unpickles
every stored document, walks every field's term list, reads every column, runs one query per
field, then compares the articles and paragraphs found with what the registry recorded.
A truncated or missing file is found; a flipped byte inside Whoosh's stored text may not be.
The files Parley writes itself (term lists, doc tables, registry rows) carry checksums, and
every one is verified.
Repair is `parley index --rebuild PATH...`; this module only reports. It imports whoosh
because it reads segments one by one, below the level the search engine works at.
"""

from __future__ import annotations

import gc
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import query as wq
from whoosh.reading import SegmentReader

from indexer import registry
from indexer.errors import IndexCorrupt
from search.engines.embedded import termdocs
from search.engines.embedded.embedded import LEXICON_FILE, read_saved_lexicon
from search.engines.embedded.engine import table_damage
from search.engines.embedded.schema import open_index
from search.results import MAX_LISTED, REBUILD_HINT, CheckReport  # noqa: F401 - REBUILD_HINT: old import path


def check_index(index_dir: str | Path) -> CheckReport:
    """Read the whole index and compare it with the registry.

    Raises IndexNotFound or NotParleyIndex (the directory is refused before anything is
    unpickled); every other fault is listed in the report's `problems`.
    """
    with _whoosh_leaks_ignored():
        return _check(Path(index_dir))


@contextmanager
def _whoosh_leaks_ignored() -> Iterator[None]:
    """Whoosh leaves files open when a damaged segment fails to load; close them quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        finally:
            gc.collect()


def _check(index_dir: Path) -> CheckReport:
    report = CheckReport(str(index_dir))
    try:
        ix = open_index(index_dir)
    except Exception as exc:  # noqa: BLE001 - IndexCorrupt or anything Whoosh throws
        if exc.__class__.__name__ in ("IndexNotFound", "NotParleyIndex"):
            raise
        report.problems.append(f"the index cannot be opened: {_describe(exc)}")
        return report
    per_article: Counter = Counter()
    pids: Counter = Counter()
    segments = ix._segments()
    report.segments = len(segments)
    for segment in segments:
        _check_segment(ix, segment, report, per_article, pids)
        _check_term_lists(index_dir, segment.segment_id(), report)
    lexicon = index_dir / LEXICON_FILE
    if lexicon.exists():
        try:
            read_saved_lexicon(lexicon)
        except IndexCorrupt as exc:
            report.problems.append(str(exc))
    for table in sorted(index_dir.glob("parley-doctable-*.bin")):
        if (why := table_damage(table)) is not None:
            report.problems.append(f"doc table {table.name} is damaged: {why} (delete it: "
                                   "the next search makes it again)")
    if report.healthy:
        _check_queries(ix, report)
    _compare_registry(index_dir, report, per_article, pids)
    return report


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:300]


def _check_segment(ix, segment, report: CheckReport, per_article: Counter, pids: Counter) -> None:
    name = f"segment {segment.segment_id()}"
    try:
        reader = SegmentReader(ix.storage, ix.schema, segment)
    except Exception as exc:  # noqa: BLE001 - missing file, struct/pickle errors
        report.problems.append(f"{name} cannot be opened: {_describe(exc)}")
        return
    try:
        for docnum in range(reader.doc_count_all()):
            if reader.is_deleted(docnum):
                continue
            fields = reader.stored_fields(docnum)
            if not fields.get("pid") or not fields.get("article_id"):
                raise ValueError(f"document {docnum} lacks its paragraph or article id")
            pids[fields["pid"]] += 1
            per_article[fields["article_id"]] += 1
            report.documents += 1
        for fieldname in ix.schema.names():
            fieldtype = ix.schema[fieldname]
            if fieldtype.indexed:
                _walk_terms(reader, fieldname)
            if fieldtype.column_type and reader.has_column(fieldname):
                for _ in reader.column_reader(fieldname):
                    pass
    except Exception as exc:  # noqa: BLE001
        report.problems.append(f"{name} is damaged: {_describe(exc)}")
    finally:
        reader.close()


def _check_term_lists(index_dir: Path, segment_id: str, report: CheckReport) -> None:
    """Every list of the segment's term list file against its checksum (no file: an index
    written before they existed, read from Whoosh's blocks)."""
    path = termdocs.path_for(index_dir, segment_id)
    if not path.exists():
        return
    try:
        termdocs.TermLists(path).verify()
    except Exception as exc:  # noqa: BLE001 - IndexCorrupt, or a file that is not one at all
        report.problems.append(f"term list file {path.name} is damaged: {_describe(exc)}")


def _walk_terms(reader, fieldname: str) -> None:
    """Every term of the field and every posting of it (ids, and positions where stored)."""
    for term in reader.lexicon(fieldname):
        matcher = reader.postings(fieldname, term)
        while matcher.is_active():
            matcher.value()
            matcher.next()


def _check_queries(ix, report: CheckReport) -> None:
    """One query per indexed field through the normal searcher, as a search would run it."""
    try:
        with ix.searcher() as searcher:
            for fieldname in ix.schema.names():
                if not ix.schema[fieldname].indexed:
                    continue
                term = next(iter(searcher.lexicon(fieldname)), None)
                if term is not None:
                    text = ix.schema[fieldname].from_bytes(term)
                    searcher.search(wq.Term(fieldname, text), limit=1)
    except Exception as exc:  # noqa: BLE001
        report.problems.append(f"searching the index fails: {_describe(exc)}")


def _compare_registry(index_dir: Path, report: CheckReport, per_article: Counter,
                      pids: Counter) -> None:
    try:
        damaged = registry.damaged_rows(index_dir)
        with registry.connect(index_dir) as conn:
            recorded = dict(conn.execute("SELECT article_id, paragraphs FROM articles"))
    except Exception as exc:  # noqa: BLE001 - sqlite3.DatabaseError on a damaged registry
        report.problems.append(f"the registry cannot be read: {_describe(exc)}")
        return
    report.problems += damaged[:MAX_LISTED]
    report.articles_index, report.paragraphs_index = len(per_article), sum(per_article.values())
    report.articles_registry, report.paragraphs_registry = len(recorded), sum(recorded.values())
    report.duplicate_paragraphs = sum(n - 1 for n in pids.values() if n > 1)
    report.orphan_articles = sorted(set(per_article) - set(recorded))
    report.missing_articles = sorted(set(recorded) - set(per_article))
    report.miscounted_articles = sorted(a for a, n in recorded.items()
                                        if a in per_article and per_article[a] != n)
    if report.problems:
        return  # counts from a damaged index say nothing more
    for label, ids in (("in the index but not in the registry (an interrupted `parley index` "
                        "leaves these; running it again also fixes them)", report.orphan_articles),
                       ("in the registry but missing from the index", report.missing_articles),
                       ("with a paragraph count that differs from the registry",
                        report.miscounted_articles)):
        if ids:
            shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
            report.problems.append(f"{len(ids)} articles {label}: {shown}")
    if report.duplicate_paragraphs:
        report.problems.append(f"{report.duplicate_paragraphs} paragraphs are indexed twice")
