"""Write tagged paragraphs into the Whoosh index, in batches, one writer at a time.

Each batch is one Whoosh commit followed by the registry update for the same articles, so a
crash leaves the last committed batch searchable and the next run redoes only the rest.
A second `parley index` on the same directory waits a bounded time, then reports it busy.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import multiprocessing
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length
from whoosh.writing import LockError, SegmentWriter

from indexer import forked_workers, registry
from indexer.errors import IndexBusy, IndexWriteError
from indexer.models import TaggedParagraph
from indexer.quotes import quote_words
from search.engines.embedded import postwriter, termdocs
from search.engines.embedded.schema import (
    SEP,
    SUBSEP,
    create_index,
    date_number,
    length_bytes,
    open_index,
    quick_indexer,
)

LOCK_FILE = "parley-write.lock"
QUESTION_BOOST = 0.5
VARIANT_WORDS = 8  # words at each end that identify a trimmed variant of a quotation
VARIANT_MIN_WORDS = 10
_QUESTION = re.compile(r"Q[:.]?\s")


@contextmanager
def exclusive(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the directory's write lock (flock: the kernel drops it if we are killed)."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fh = open(index_dir / LOCK_FILE, "a+")
    except OSError as exc:  # read-only or full file system: a message, not a traceback
        raise IndexWriteError(_write_error(index_dir, exc)) from exc
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"Index at {index_dir} is busy: another `parley index` is "
                                    f"writing to it (waited {timeout:.0f} s).") from None
                time.sleep(0.2)
        yield
    finally:
        fh.close()


def _join(values) -> bytes:
    return SEP.join(values).encode("utf-8")


def _keyword(values) -> str:
    # Keyword fields split on commas; a comma inside a name would split it in two.
    return ",".join(v.replace(",", " ") for v in values)


def document_for(tp: TaggedParagraph) -> dict:
    """The Whoosh document of one paragraph."""
    a, p = tp.article, tp.paragraph
    speakers = [q.speaker for q in tp.quotes if q.speaker]
    quotes = [{"text": q.text, "speaker": q.speaker, "verb": q.verb, "via": q.via,
               "speaker_type": q.speaker_type, "kind": q.kind, "start": q.start, "end": q.end}
              for q in tp.quotes]
    return dict(
        # A reporter's question in a transcript ("Q  Is there a deal?") is context, not a
        # statement: it still matches, but ranks below answers and news paragraphs.
        _boost=QUESTION_BOOST if _QUESTION.match(p.text) else 1.0,
        pid=tp.paragraph_id, article_id=a.article_id, position=p.position, text=p.text,
        text_pairs=p.text,  # the same string: schema.PairsText reuses the text's analysis
        title=a.title or "", quote=quote_words(tp.quotes),
        heading=p.heading, url=a.url, precision=a.date_precision,
        quotes_json=json.dumps(quotes, ensure_ascii=False),
        outlet=tp.outlet or "", actors=_keyword(tp.actors), topics=_keyword(tp.topics),
        credits=_keyword(tp.credits), speakers=_keyword(dict.fromkeys(speakers)),
        date=tp.date or "", month=(tp.date or "")[:7], has_quotes="1" if tp.quotes else "0",
        c_outlet=(tp.outlet or "").encode("utf-8"), c_actors=_join(tp.actors),
        c_topics=_join(tp.topics), c_speakers=_join(dict.fromkeys(speakers)),
        c_date=date_number(tp.date),
        **({"links": json.dumps(p.links, ensure_ascii=False)} if p.links else {}),
        c_quotes=_join(SUBSEP.join((q.speaker or "", q.speaker_type, *quote_keys(q.text), q.kind))
                       for q in tp.quotes),
    )


def quote_keys(text: str) -> tuple[str, str, str]:
    """Keys of a quotation's words: all of them, and (for long ones) the first and last eight.

    The same words in any case or punctuation give the same first key (syndicated copies);
    a rewrite that trims a quotation usually keeps its opening or its ending.
    """
    words = re.findall(r"\w+", text.casefold())
    whole = _digest(words)
    if len(words) < VARIANT_MIN_WORDS:
        return whole, "", ""
    return whole, _digest(words[:VARIANT_WORDS]), _digest(words[-VARIANT_WORDS:])


def _digest(words: list[str]) -> str:
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:16]


@dataclass
class Batch:
    """What goes into one commit: documents, and the registry rows to write after it."""

    articles: list[registry.ArticleRow] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # article ids whose old paragraphs go
    removed: list[str] = field(default_factory=list)  # article ids gone from their file
    docs: list[dict] = field(default_factory=list)
    files: list[tuple[str, str, int, list[str]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.docs)


class IndexWriter:
    """Opens (or creates) the index and commits batches of articles."""

    def __init__(self, index_dir: Path, *, rebuild: bool = False, lock_timeout: float = 10.0):
        self.index_dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        if rebuild or not any(self.index_dir.glob("*.toc")):
            try:
                self.ix = create_index(self.index_dir)
                registry.clear(self.index_dir)
            except OSError as exc:  # a full or read-only disk before anything was written
                raise IndexWriteError(_write_error(self.index_dir, exc)) from exc
        else:
            self.ix = open_index(self.index_dir)

    def commit(self, batch: Batch) -> None:
        if not batch.docs and not batch.files and not batch.replaced and not batch.removed:
            return
        try:
            writer = _SegmentWriter(self.ix, timeout=self.lock_timeout)
        except LockError:
            raise IndexBusy(f"Index at {self.index_dir} is locked by another writer.") from None
        except OSError as exc:  # a new segment's files cannot be created (full, read-only)
            _release_half_built_writer(exc)
            raise IndexWriteError(_write_error(self.index_dir, exc)) from exc
        try:
            # Every article in the batch, not only known replacements: a run killed after a
            # Whoosh commit but before the registry write left these paragraphs in the
            # index unrecorded, and the re-run would otherwise add them twice.
            gone = dict.fromkeys((*batch.replaced, *batch.removed,
                                  *(row.article_id for row in batch.articles)))
            with writer.searcher() as searcher:  # one searcher: Whoosh opens one per delete
                for article_id in gone:
                    writer.delete_by_term("article_id", article_id, searcher=searcher)
            split = _split_point(batch.docs)
            helper = (_ForkedSegment(self.ix, writer, batch.docs[split:])
                      if split < len(batch.docs) else None)
            try:
                for doc in batch.docs[:split]:
                    writer.add_document(**doc)
                if helper is None:
                    writer.commit(mergetype=merge_small_segments)
                else:
                    _commit_with(writer, helper)
            finally:
                if helper is not None:
                    helper.close()
        except OSError as exc:
            if not writer.is_closed:
                writer.cancel()
            raise IndexWriteError(_write_error(self.index_dir, exc)) from exc
        except BaseException:
            if not writer.is_closed:  # release Whoosh's lock and temporary files
                writer.cancel()
            raise
        try:
            with registry.connect(self.index_dir, write=True) as conn:
                registry.forget(conn, batch.removed)
                registry.record(conn, batch.articles, batch.files)
        except Exception as exc:  # sqlite3.OperationalError on a full or read-only disk
            raise IndexWriteError(_write_error(self.index_dir, exc)) from exc


SMALL_SEGMENT = 2000  # documents
# A batch of at least this many paragraphs is written as two segments at once: the second
# half by a forked process. Writing is ~2/3 of indexing's CPU and ran on one core.
PARALLEL_WRITE_MIN = 4000


def _split_point(docs: list[dict]) -> int:
    """Where the forked writer's half starts: the first article boundary from the middle on,
    so each article's paragraphs stay in one segment, in order. len(docs): no split."""
    if len(docs) < PARALLEL_WRITE_MIN or forked_workers() < 2:
        return len(docs)
    for i in range(len(docs) // 2, len(docs)):
        if docs[i]["article_id"] != docs[i - 1]["article_id"]:
            return i
    return len(docs)


class _ForkedSegment:
    """A forked process writing `docs` as one more new segment beside the parent's writer.

    Fork, not spawn: the child reads the documents from the memory it inherits instead of
    having them pickled over. It writes no TOC and takes no lock (the parent holds both);
    the parent lists the segment in its commit. Should either side fail, the segment's files
    are in no TOC and the next commit deletes them (Whoosh's clean_files).
    """

    def __init__(self, ix, parent: SegmentWriter, docs: list[dict]):
        ctx = multiprocessing.get_context("fork")
        self._conn, child_conn = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_write_segment, args=(ix, parent, docs, child_conn),
                                 daemon=True)
        self._answered = False
        self._proc.start()
        child_conn.close()

    def segment(self):
        try:
            kind, value = self._conn.recv()
        except EOFError:
            raise OSError(errno.EIO, "the forked segment writer died") from None
        finally:
            self._answered = True
        if kind == "error":
            raise OSError(value[0], value[1]) if value[0] else RuntimeError(value[1])
        return value

    def close(self) -> None:
        self._conn.close()
        if not self._answered:  # the parent failed first: the segment will not be used
            self._proc.kill()
        self._proc.join(timeout=60)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()


def _die_with_parent() -> None:
    # A parent killed mid-commit leaves nobody to list this segment: stop too (Linux only;
    # elsewhere the orphan's files are in no TOC and the next commit deletes them).
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _write_segment(ix, parent: SegmentWriter, docs: list[dict], conn) -> None:
    try:
        _die_with_parent()
        # Postings stay in memory (postwriter.TermPool): the only file this writer puts in
        # Whoosh's temporary folder, shared with the parent, is its columns', deleted once read.
        writer = _SegmentWriter(ix, _lk=False)
        for doc in docs:
            writer.add_document(**doc)
        segment = writer._finalize_segment()
        conn.send(("segment", segment))
    except BaseException as exc:  # reported to the parent, which raises it there
        conn.send(("error", (getattr(exc, "errno", None), f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def _commit_with(writer: SegmentWriter, helper: _ForkedSegment) -> None:
    """SegmentWriter.commit, with the forked writer's segment listed after the writer's own.

    The writer finishes its own segment before waiting for the forked one: finishing (writing
    the postings) is a third of a segment's CPU, and done after the wait it ran on one core
    while the other idled (10 s of a 200k build's 80k-paragraph batch).
    """
    finalsegments = writer._merge_segments(merge_small_segments, False, True)
    if writer._added:
        finalsegments.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc([*finalsegments, helper.segment()])
    writer._finish()


def merge_small_segments(writer, segments):
    """Merge policy: fold small segments, and mostly deleted ones, into the new segment.

    Whoosh's default (MERGE_SMALL) decides by a Fibonacci rule that, with 5,000-paragraph
    commits, let ~20 segments pile up and then rewrote them all in one commit. A merge costs
    as much CPU as writing the paragraphs afresh (1.3 ms each: an optimize of the 183k-paragraph
    benchmark index took 238 s), while searching 16 segments measured only 5-10% slower than
    one. So large segments stay as they are; the small ones that small runs leave behind, and
    segments whose documents are mostly deleted (replaced articles), are merged.
    """
    keep = []
    for segment in segments:
        docs = segment.doc_count_all()
        if docs < SMALL_SEGMENT or segment.deleted_count() * 3 > docs:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            keep.append(segment)
    return keep


class _SegmentWriter(SegmentWriter):
    """Whoosh's writer, with postings grouped by term as documents arrive (postwriter.py)
    and the new segment's field lengths read once per field.

    Whoosh asks the length of the field in the posting's document for every posting it
    writes, and each ask checks on disk whether that field has a length column (one stat() per
    posting for unscored fields) and seeks into the column: 13% of the writer's time on the
    10k benchmark corpus. Same lengths, read in one pass.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        if not postwriter.supported(self.codec) or any(
                field.vector or field.separate_spelling() for _, field in self.schema.items()):
            self.cancel()
            raise RuntimeError("Parley writes Whoosh's default codec, without term vectors or "
                               "separate spelling words, which no Parley schema has")
        self.pool = postwriter.TermPool()
        self._quick = {name: quick_indexer(field) for name, field in self.schema.items()}

    def add_document(self, **fields):
        # Whoosh's SegmentWriter.add_document, but a field's postings go to the pool in one
        # call, most fields analysed by schema.quick_indexer (no vectors or spelling words:
        # checked in __init__).
        self._check_state()
        perdocwriter, schema, docnum, pool = self.perdocwriter, self.schema, self.docnum, self.pool
        quick = self._quick
        docboost = self._doc_boost(fields)
        if "links" in fields and "links" not in schema:  # an index made before links were kept
            del fields["links"]
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                index = quick[fieldname] if isinstance(value, str) else None
                items = field.index(value) if index is None else index(value)
                freqs = pool.add_items(fieldname, docnum, items, boost)
                if field.scorable:
                    length = freqs
            stored = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdocwriter.add_column_value(fieldname, field.column_type,
                                              field.to_column_value(stored))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def per_document_reader(self):
        return _Lengths(super().per_document_reader())

    def _flush_segment(self):
        # Whoosh's own _flush_segment, writing the pool's postings (postwriter.py); the text
        # field's document lists are written beside the segment (termdocs.py).
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        self._term_lists = termdocs.Collector()
        postwriter.write_postings(self.fieldwriter, self.schema, self.pool,
                                  pdr.column if pdr else lambda fieldname: None,
                                  self._term_lists)
        self.fieldwriter.close()
        if pdr:
            pdr.close()

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        self._term_lists.write(termdocs.path_for(self.storage.folder, segment.segment_id()))
        return segment


_LENGTH_OR_NONE = [byte_to_length(b) if b else None for b in range(256)]


class _Lengths:
    def __init__(self, pdr):
        self._pdr = pdr
        self._columns: dict[str, list | None] = {}

    def column(self, fieldname: str) -> list | None:
        """The field's length in each document (None where it has none), or None: no lengths."""
        try:
            return self._columns[fieldname]
        except KeyError:
            column = self._columns[fieldname] = self._read(fieldname)
            return column

    def _read(self, fieldname: str) -> list | None:
        raw = length_bytes(self._pdr, fieldname, self._pdr.doc_count_all())
        # Whoosh's own reader answers None for a stored length byte of 0; so does this.
        return None if raw is None else [_LENGTH_OR_NONE[b] for b in raw]

    def close(self) -> None:
        self._pdr.close()


def _release_half_built_writer(exc: BaseException) -> None:
    """Whoosh keeps its write lock (an open descriptor) when creating a writer fails half-way,
    which would leave the index locked until this process exits; release it."""
    tb = exc.__traceback__
    while tb is not None:
        lock = getattr(tb.tb_frame.f_locals.get("self"), "writelock", None)
        if lock is not None and getattr(lock, "fd", None) is not None:
            lock.release()
            return
        tb = tb.tb_next


def _write_error(index_dir: Path, exc: Exception) -> str:
    why = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
           errno.EACCES: "permission denied"}.get(getattr(exc, "errno", None) or 0, str(exc))
    return (f"Could not write the index at {index_dir}: {why}. Articles committed before this "
            "batch are intact; free space or fix permissions and run the same command again.")
