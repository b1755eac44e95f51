"""Run requests against the index: searchers, filters, facet counts, hits, quotes, articles.

Threading: a Whoosh Searcher must not be shared between threads (measured: pickle errors
under load), so each thread keeps its own, and reopens it when a commit has changed the
index. `Searcher.refresh()` is never used (forks double-count after merges).
Facet values, dates and speakers are read from per-document columns once per index
generation and kept in memory, so counting facets is a loop over the matched docnums.
"""

from __future__ import annotations

import bisect
import gc
import json
import os
import threading
import weakref
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from heapq import nsmallest
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh import scoring
from whoosh.matching import ListMatcher, NullMatcher, RequireMatcher
from whoosh.reading import EmptyReader
from whoosh.searching import Results, Searcher
from whoosh.util.numeric import byte_to_length

from indexer import registry
from indexer.errors import (
    IndexCorrupt,
    NotFound,
    QueryTooExpensive,
    SearchError,
    UnknownFilterValue,
)
from indexer.lexicon import Lexicon, default_lexicon
from search import budget
from search import cache as filter_cache
from search.engines.embedded import postings, quotetable, termdocs
from search.engines.embedded.schema import (
    FACET_FIELDS,
    SEP,
    common_pairs,
    length_bytes,
    open_index,
    ranking_words,
)
from search.engines.embedded.whoosh_query import to_whoosh
from search.query import KEYWORD_FIELDS, parse_query, unknown_value_message
from search.querytree import ParsedQuery
from search.request import SearchRequest
from search.resolve import resolve_value
from search.results import FACET_NAMES, FacetValue, Hit, QuoteHit, top_values

MAX_PREFIX_EXPANSION = 300
# A filter this many times smaller than the query's postings is intersected by skipping through
# them (DocSet) instead of reading every posting and intersecting sets afterwards.
SKIP_RATIO = 4
# Ranking reads a word query's postings in bulk (postings.py, about 1 us a posting) unless
# they outnumber the documents to rank this many times; then Whoosh's matcher skipping to
# those documents (about 20 us each) reads less.
RANK_SKIP_RATIO = 16
NUMPY_FROM = 5000  # matched paragraphs from which facets are counted and dates sorted by numpy
# Index field -> the column holding its per-document values (month has no column of its own).
_COLUMN_OF = {field: column for field, column in FACET_FIELDS.values() if field != "month"}


SAVED_COLUMNS = ("c_outlet", "c_actors", "c_topics", "c_speakers")
# Saved with them: each document's month, derived from its date (~250 ms at 1M paragraphs in
# every new process when it was derived on first use).
_SAVED_CELLS = (*SAVED_COLUMNS, "month")
_TABLE_FILE = "parley-doctable-{gen}.bin"


def _table_path(index_dir: Path | None, reader) -> Path | None:
    gen = reader.generation() if index_dir else None
    if index_dir is None or not isinstance(gen, int) or gen < 0:
        return None
    return index_dir / _TABLE_FILE.format(gen=gen)


_TABLE_VERSION = 3  # 3: a CRC-32 of the whole file at its end


def table_damage(path: Path) -> str | None:
    """Why a saved table is not as it was written, or None (it is, or is of an older version,
    which is never read). `parley check` reports it; a search reads the columns instead."""
    try:
        data = path.read_bytes()
        size = int.from_bytes(data[:8], "little")
        if json.loads(data[8:8 + size]).get("version") != _TABLE_VERSION:
            return None
    except (OSError, ValueError) as exc:
        return f"it cannot be read ({exc.__class__.__name__})"
    if zlib.crc32(data[:-4]) != int.from_bytes(data[-4:], "little"):
        return "it fails its checksum"
    return None


def _load_table(path: Path, docs: int) -> dict | None:
    """The saved table (JSON header with distinct values, then uint32 arrays, then a CRC-32),
    or None: absent, of another generation or version, or damaged.

    A damaged table is a derived file: the columns it was made from are read again (and the
    table saved again) rather than counting facets from wrong numbers.
    Columns come back as (each document's cell number, the distinct cells): see DocTable.cells.
    """
    try:
        data = path.read_bytes()
        if zlib.crc32(data[:-4]) != int.from_bytes(data[-4:], "little"):
            return None
        size = int.from_bytes(data[:8], "little")
        header = json.loads(data[8:8 + size])
        if header.get("docs") != docs or header.get("version") != _TABLE_VERSION:
            return None
        out: dict[str, Any] = {}
        pos = 8 + size
        for name in ("dates", *_SAVED_CELLS):
            codes = array("I")
            codes.frombytes(data[pos:pos + 4 * docs])
            pos += 4 * docs
            if len(codes) != docs:
                return None
            if name == "dates":
                out[name] = codes.tolist()
            else:
                cells = [tuple(v) for v in header["values"][name]]
                if docs and max(codes) >= len(cells):
                    return None
                out[name] = (codes, cells)
        return out
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def _encode(values: list[tuple[str, ...]]) -> tuple[array, list[tuple[str, ...]]]:
    """Each document's cell number and the distinct cells, in order of first appearance."""
    ids: dict[tuple[str, ...], int] = {}
    codes = array("I", (ids.setdefault(v, len(ids)) for v in values))
    return codes, list(ids)


def _months(dates: list[int]) -> tuple[array, list[tuple[str, ...]]]:
    """Each document's month number and the months ("" when undated), from yyyymmdd dates."""
    # An impossible month (dates are validated at ingest since issue 23; older indexes may
    # hold "2024-13") counts as undated: a month facet every page links to must parse.
    month_of = {d: d // 100 if 1 <= d // 100 % 100 <= 12 else 0 for d in set(dates)}
    months = sorted(set(month_of.values()))
    number = {m: i for i, m in enumerate(months)}
    codes = array("I", (number[month_of[d]] for d in dates))
    return codes, [(f"{m // 100:04d}-{m % 100:02d}" if m else "",) for m in months]


def _save_table(path: Path, table: dict) -> None:
    """Write atomically next to the index; drop other generations' tables. Best effort."""
    try:
        header: dict = {"version": _TABLE_VERSION, "docs": len(table["dates"]), "values": {}}
        arrays = [array("I", table["dates"])]
        for name in _SAVED_CELLS:
            codes, cells = table[name]
            arrays.append(codes)
            header["values"][name] = [list(v) for v in cells]
        head = json.dumps(header, ensure_ascii=False).encode("utf-8")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        with open(tmp, "wb") as fh:
            first = len(head).to_bytes(8, "little") + head
            fh.write(first)
            crc = zlib.crc32(first)
            for arr in arrays:
                fh.write(arr.tobytes())
                crc = zlib.crc32(arr, crc)
            fh.write(crc.to_bytes(4, "little"))
        os.replace(tmp, path)
        gen = int(path.stem.rsplit("-", 1)[1])
        for old in path.parent.glob(_TABLE_FILE.format(gen="*")):
            if old.stem.rsplit("-", 1)[1].isdigit() and int(old.stem.rsplit("-", 1)[1]) < gen:
                old.unlink(missing_ok=True)
    except OSError:
        pass


@dataclass
class DocTable:
    """Per-document facet values of one index generation, read from columns on first use.

    One table serves every thread searching that generation (see `shared_table`), so each
    value is computed once under the lock and read without it afterwards.
    """

    reader: Any  # a Whoosh IndexReader
    _cache: dict = field(default_factory=dict)
    saved_in: Path | None = None  # index directory: where this generation's table is kept
    lock: threading.RLock = field(default_factory=threading.RLock)
    filled: Callable[[], None] | None = None  # told when a value was computed (Engine.freeze)

    def cached(self, key, compute):
        """The value under `key`, computed once even when several threads ask at once."""
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self.lock:
            if key not in self._cache:
                self._cache[key] = compute()
                if self.filled is not None:
                    self.filled()
            return self._cache[key]

    def values(self, column: str) -> list[tuple[str, ...]]:
        if column in SAVED_COLUMNS:
            codes, cells = self.cells(column)
            return self.cached(column, lambda: list(map(cells.__getitem__, codes.tolist())))
        return self.cached(column, lambda: self._decode(column))

    def cells(self, column: str) -> tuple[array, list[tuple[str, ...]]]:
        """Each document's cell number in a facet column, and the distinct cells (value tuples).

        Facets count cell numbers, then spread each distinct cell's count over its values
        (see Session.count).
        """
        self._fill()
        return self._cache[("cells", column)]

    def month_cells(self) -> tuple[array, list[tuple[str, ...]]]:
        """Each document's month number and the months ("" when undated), as `cells`."""
        return self.cells("month")

    def _decode(self, column: str) -> list[tuple[str, ...]]:
        raw = list(self.reader.column_reader(column))
        # Few distinct cells (outlets, actor sets) repeat across many paragraphs: decode each
        # once and share the tuple (less time, and one tuple per value instead of per doc).
        decoded = {v: tuple(v.decode("utf-8").split(SEP)) if v else () for v in set(raw)}
        return list(map(decoded.__getitem__, raw))

    @property
    def dates(self) -> list[int]:
        self._fill()
        return self._cache["dates"]

    def date_array(self):
        """The dates as a numpy array of int64, made on first use (sorting large sets)."""
        import numpy as np

        return self.cached("date_array", lambda: np.array(self.dates, dtype=np.int64))

    def _fill(self) -> None:
        """Facet columns and dates: from this generation's saved table, else read and saved.

        Reading columns costs ~1.5 us per document and column (1.5 s at 200k paragraphs) in
        every new process and after every commit; the saved table loads in a few ms.
        """
        if "dates" in self._cache:
            return
        with self.lock:
            if "dates" in self._cache:
                return
            path = _table_path(self.saved_in, self.reader)
            loaded = _load_table(path, self.reader.doc_count_all()) if path else None
            if loaded is None:
                loaded = {"dates": list(self.reader.column_reader("c_date"))}
                for column in SAVED_COLUMNS:
                    loaded[column] = _encode(self._decode(column))
                loaded["month"] = _months(loaded["dates"])
                if path:
                    _save_table(path, loaded)
            # "dates" last: its presence tells other threads the whole fill is done.
            self._cache.update({("cells", k): v for k, v in loaded.items() if k != "dates"})
            self._cache["dates"] = loaded["dates"]

    @property
    def _by_date(self) -> tuple[list[int], list[int]]:
        def compute():
            order = sorted(range(len(self.dates)), key=self.dates.__getitem__)
            return [self.dates[i] for i in order], order
        return self.cached("by_date", compute)

    def docs_between(self, lo: int, hi: int) -> set[int]:
        """Docnums dated lo..hi inclusive (YYYYMMDD numbers); undated documents never match."""
        keys, order = self._by_date
        return set(order[bisect.bisect_left(keys, max(lo, 1)): bisect.bisect_right(keys, hi)])

    def field_lengths(self, reader, fieldname: str) -> array | None:
        """Every document's length in `fieldname` for one segment (None: not available).

        Segments never change their lengths, so the key is the segment, not the reader.
        """
        perdoc = getattr(reader, "_perdoc", None)  # Whoosh 2.7.4 SegmentReader internals
        if perdoc is None or not reader.is_atomic():
            return None
        key = ("lengths", reader.segment().segment_id(), fieldname)

        def compute():
            raw = length_bytes(perdoc, fieldname, reader.doc_count_all())
            return None if raw is None else array("I", map(_LENGTH_OF_BYTE.__getitem__, raw))
        return self.cached(key, compute)

    def vocabulary(self, column: str) -> list[str]:
        def compute():
            cells = self.cells(column)[1] if column in SAVED_COLUMNS else set(self.values(column))
            return sorted({v for vals in cells for v in vals})
        return self.cached(("vocab", column), compute)


class _NothingIndexed(EmptyReader):
    """The reader of an index with no paragraphs yet (a run that skipped everything, a kill
    before the first commit, the start of a rebuild): Whoosh's EmptyReader, with the columns
    every facet and quotation table reads, empty. Such an index is valid and answers nothing."""

    def has_column(self, fieldname) -> bool:
        return True

    def column_reader(self, fieldname, column=None, reverse=False, translate=False):
        return iter(())


def _reader_of(ix):
    reader = ix.reader()
    return _NothingIndexed(reader.schema) if type(reader) is EmptyReader else reader


# Whoosh stores a field length as one byte (a log scale); 0 means none, scored as 1.
_LENGTH_OF_BYTE = [byte_to_length(b) if b else 1 for b in range(256)]


class Session:
    """One thread's open searcher on one index generation."""

    def __init__(self, index_dir: Path, owner: Engine | None = None):
        self.index_dir = index_dir
        # Names typed in queries and filters resolve with the lexicon the index was tagged
        # with, read again when `parley index --actors-file` saves another.
        self._lexicon = owner.lexicon if owner is not None else default_lexicon
        self._lists = owner.lists if owner is not None else termdocs.ListsCache(index_dir)
        self.ix = open_index(index_dir)
        # BM25F with milder length normalisation (B 0.75 -> 0.25): at 0.75 one-line
        # paragraphs that merely repeat the query words outranked substantive ones.
        weighting = self.weighting = _BM25F(B=0.25, K1=1.2)
        self.searcher = Searcher(_reader_of(self.ix), weighting=weighting, fromindex=self.ix)
        self.toc = self._toc_identity()
        reader = self.searcher.reader()
        self.table = (owner.shared_table(self.toc, self.ix, reader) if owner is not None
                      else DocTable(reader, saved_in=index_dir))
        weighting.table = self.table
        # A thread that ends (server threads, test threads) drops its session without close();
        # the finalizer closes the searcher then, or at close(), whichever comes first.
        self._closer = weakref.finalize(self, self.searcher.close)
        # The request's query and its matches' scores: matched() computes them from bulk-read
        # postings, ranked() of the same request reuses them instead of reading them again.
        self._scored: tuple | None = None
        self._docs_array: tuple | None = None

    def close(self) -> None:
        self._closer()

    def is_current(self) -> bool:
        # `up_to_date()` compares generation numbers only, and a rebuilt index counts them
        # from the start again; the TOC file's identity tells a rebuild apart.
        try:
            return (self.ix.latest_generation() == self._generation()
                    and self._toc_identity() == self.toc)
        except FileNotFoundError:
            return False

    def _generation(self) -> int:
        """The generation this session reads. An index with no segments (nothing indexed yet,
        or everything skipped) gets Whoosh's EmptyReader, which knows no generation: it is
        the latest TOC's, once that TOC is seen to list no segments either."""
        gen = self.searcher.reader().generation()
        if gen is None:
            from whoosh.index import TOC

            gen = self.ix.latest_generation()
            if TOC.read(self.ix.storage, self.ix.indexname, gen).segments:
                raise FileNotFoundError("a first commit landed while opening")  # retried
        return gen

    def _toc_identity(self) -> tuple[int, int, int]:
        st = os.stat(self.index_dir / f"_MAIN_{self._generation()}.toc")
        return st.st_ino, st.st_mtime_ns, st.st_size

    # -- mapping what users type to what the index holds --------------------------------

    def resolve(self, fieldname: str, value: str) -> list[str]:
        """Index values for a typed value (search/resolve.py, shared by every engine)."""
        def vocabulary() -> list[str]:
            if fieldname == "credits":  # no column: credits are filtered, never faceted
                return [t.decode("utf-8") for t in self.searcher.lexicon("credits")]
            return self.table.vocabulary(_COLUMN_OF[fieldname])
        return resolve_value(fieldname, value, vocabulary, self._lexicon)

    # -- filters ------------------------------------------------------------------------

    def filter_docs(self, req: SearchRequest) -> set[int] | None:
        key = (tuple(sorted((k, v) for k, v in req.filters.items())), req.since, req.until,
               req.quotes_only, req.kinds)
        # One byte-bounded cache for all threads (search/cache.py), keyed by this generation.
        return filter_cache.FILTERS.get_or_compute((self.index_dir, self.toc, key),
                                                   lambda: self._compute_filter(req))

    def _compute_filter(self, req: SearchRequest) -> set[int] | None:
        sets: list[set[int]] = []
        for facet, values in req.filters.items():
            sets.append(self._facet_docs(facet, values))
        if req.since or req.until:
            lo = int((req.since or "0001-01-01").replace("-", ""))
            hi = int((req.until or "9999-12-31").replace("-", ""))
            sets.append(self.table.docs_between(lo, hi))
        if req.quotes_only:
            sets.append(set(self.searcher.docs_for_query(wq.Term("has_quotes", "1"))))
        if req.kinds:  # paragraphs holding a quotation of an asked kind (the c_quotes column)
            kinds = set(req.kinds)
            sets.append({docnum for docnum, refs in enumerate(quotetable.quote_refs(self.table))
                         if any(ref.kind in kinds for ref in refs)})
        if not sets:
            return None
        sets.sort(key=len)
        return set.intersection(*sets)

    def _facet_docs(self, facet: str, values: tuple[str, ...]) -> set[int]:
        fieldname = FACET_FIELDS[facet][0]
        per_value = []
        for value in values:
            resolved = self.resolve(fieldname, value)
            if not resolved and facet != "month":
                # Never a silent zero: say the value is unknown, and what is near it.
                raise UnknownFilterValue(unknown_value_message(fieldname, value,
                                                               self.known_values(fieldname)))
            terms = [wq.Term(fieldname, v) for v in resolved]
            per_value.append(set(self.searcher.docs_for_query(wq.Or(terms))) if terms else set())
        if facet in ("outlet", "month"):
            # One outlet or month per paragraph: several selected values widen (either/or).
            return set().union(*per_value)
        # Actors, topics, speakers: a paragraph can have many, so each selected value narrows.
        return set.intersection(*per_value)

    # -- query --------------------------------------------------------------------------

    def parse(self, text: str, default_field: str = "text") -> wq.Query:
        return self.translate(self.understand(text, default_field))

    def understand(self, text: str, default_field: str = "text") -> ParsedQuery:
        """Parley's reading of the query; a tag value the index lacks is refused with the
        nearest known ones."""
        return parse_query(text, default_field=default_field, resolve=self.resolve,
                           vocabulary=self.known_values)

    def translate(self, parsed: ParsedQuery) -> wq.Query:
        q = to_whoosh(parsed.tree, self.expand_prefix)
        self._check_cost(q)
        return q

    def expand_prefix(self, fieldname: str, prefix: str) -> list[str]:
        if fieldname not in self.searcher.schema:
            return []
        reader = self.searcher.reader()
        return filter_cache.PREFIXES.get_or_compute(
            (self.index_dir, self.toc, fieldname, prefix),
            lambda: [t.decode("utf-8") for t in reader.expand_prefix(fieldname, prefix)])

    def spelled_like(self, word: str) -> list[tuple[str, int]]:
        """Words of the text field spelled close to `word`, with their paragraph counts (for
        "did you mean"). Only words sharing its first two letters are compared: the whole
        vocabulary would take seconds."""
        import difflib

        from search.analyzer import EXACT, fold

        key = fold(word)
        if len(key) < 3:
            return []
        reader = self.searcher.reader()
        for form in (key, EXACT + key):
            if (known := reader.doc_frequency("text", form)):
                return [(key, known)]  # in the index as typed: no need to read its neighbours
        seen: dict[str, str] = {}
        for start in (key[:2], EXACT + key[:2]):
            for t in reader.expand_prefix("text", start):
                term = t.decode("utf-8")
                seen.setdefault(term.lstrip(EXACT), term)
        close = difflib.get_close_matches(key, list(seen), n=8, cutoff=0.75)
        if key in seen and key not in close:
            close.append(key)
        return [(w, reader.doc_frequency("text", seen[w])) for w in close]

    def known_values(self, fieldname: str) -> list[str]:
        """Every value of a tag field in this index (for suggestions)."""
        if fieldname == "month":
            return sorted({c[0] for c in self.table.month_cells()[1] if c[0]})
        if fieldname == "credits":
            return [t.decode("utf-8") for t in self.searcher.lexicon("credits")]
        return self.table.vocabulary(_COLUMN_OF[fieldname])

    def _check_cost(self, q: wq.Query) -> None:
        """Refuse what would cost too much before reading a posting: wide word beginnings,
        and phrases whose words (summed) have too many postings to read with positions."""
        reader = self.searcher.reader()
        for leaf in q.leaves():
            if isinstance(leaf, wq.Phrase) and len(leaf.words) > 1:
                budget.check_phrase(leaf.words, sum(reader.doc_frequency(leaf.fieldname, w)
                                                    for w in leaf.words))
            if isinstance(leaf, wq.Prefix):
                n = sum(1 for _ in self.searcher.reader().expand_prefix(leaf.fieldname, leaf.text))
                if n > MAX_PREFIX_EXPANSION:
                    raise QueryTooExpensive(
                        f"'{leaf.text}*' matches {n} different words; make the beginning longer.")

    def matched(self, q: wq.Query, req: SearchRequest) -> set[int]:
        self._scored = None  # a new request: scores are kept for its ranked() call only
        budget.check()
        if isinstance(self.searcher.reader(), _NothingIndexed):
            return set()  # (scoring would divide by the number of documents)
        asked, q = q, _phrases_by_pairs(q)
        flt = self.filter_docs(req)
        reader = self.searcher.reader()
        if isinstance(q, wq.Every):
            if flt is None:
                return set(reader.all_doc_ids())
            # Date filters come from columns, which still hold deleted paragraphs.
            if not reader.has_deletions():
                return set(flt)
            return {d for d in flt if not reader.is_deleted(d)}
        plan = postings.plan(q, self.searcher.schema)
        if flt is not None:
            if not flt:
                return set()
            # Bulk reads (word queries) cost ~1 us a posting, Whoosh's matchers several:
            # skipping pays off at a smaller filter next to them.
            ratio = RANK_SKIP_RATIO if plan else SKIP_RATIO
            # Term lists read a whole list for less than Whoosh's matchers skip through it.
            # Never for phrases: Whoosh's span matchers cost ~10 times the bulk position
            # reads (30 x "the" in quotations: 6.8 s against 0.6 s at 47k paragraphs).
            if (len(flt) * ratio < q.estimate_size(reader) and not self._listed(plan)
                    and not (plan and _has_phrase(plan.tree))):
                # "said" with one outlet and one actor: skip through the common word's postings
                # to the few filtered paragraphs (whole blocks are passed over).
                return self._skip_through(q, flt)
        scores = self._word_scores(plan, flt) if plan else None
        if scores is None:
            docs = self._docs(q)
            return docs if flt is None else docs & flt
        self._scored = (asked, scores)
        return set(scores)

    def _docs(self, q: wq.Query) -> set[int]:
        # A two-word phrase with a common word is one term of the unscored text_pairs field:
        # its postings read in blocks, not a matcher step per paragraph (12.7k for "the
        # president" at 200k: ~15 ms).
        if isinstance(q, wq.Term) and q.fieldname in self.searcher.schema:
            segments = postings.read_term(self.searcher, q.fieldname, q.text)
            if segments is not None:
                return {d + offset for _, offset, ids, _, _ in segments for d in ids}
        # Stepped here rather than docs_for_query(): the request's time budget is checked
        # as the matcher goes (a matcher over very common words can run for seconds).
        out: set[int] = set()
        for leaf, offset in self.searcher.leaf_searchers():
            out.update(_stepped(q.matcher(leaf, leaf.boolean_context()), offset))
        return out

    def _word_scores(self, plan: postings.Plan, within: set[int] | None) -> dict[int, float] | None:
        """Scores of every match of a word query (see postings.py); None if it cannot tell."""
        w = self.weighting
        return postings.evaluate(self.searcher, plan, self.table.field_lengths, w.B, w.K1, within,
                                 self.term_lists)

    def _listed(self, plan: postings.Plan | None) -> bool:
        """Whether every segment has term lists for the plan's field."""
        return (plan is not None and plan.fieldname == termdocs.FIELD
                and all(self.term_lists(leaf.reader()) is not None
                        for leaf, _ in self.searcher.leaf_searchers()))

    def term_lists(self, reader) -> termdocs.TermLists | None:
        # An empty index's reader has no segment, and so no term lists.
        segment = reader.segment()
        return self._lists.get(segment.segment_id()) if segment is not None else None

    def _skip_through(self, q: wq.Query, flt: set[int]) -> set[int]:
        # Stepping the matcher, not all_ids(): Whoosh's intersection all_ids() decodes every
        # posting of both sides, which is the cost this path exists to avoid.
        within, out = Within(q, DocSet(flt)), set[int]()
        for leaf, offset in self.searcher.leaf_searchers():
            out.update(_stepped(within.matcher(leaf, leaf.boolean_context()), offset))
        return out

    def facet_counts(self, docs: set[int], req: SearchRequest,
                     counted: dict[str, Counter] | None = None,
                     ) -> dict[str, tuple[FacetValue, ...]]:
        """Top values per facet; `counted` passes counts the caller already has (the timeline's)."""
        out = {}
        for facet in FACET_NAMES:
            counts = (counted or {}).get(facet) or self.count(facet, docs)
            out[facet] = top_values(facet, counts, req.filters.get(facet, ()),
                                    partial(self.resolve, FACET_FIELDS[facet][0]))
        return out

    def count(self, facet: str, docs: set[int]) -> Counter:
        if facet == "month":
            codes, cells = self.table.month_cells()
        else:
            codes, cells = self.table.cells(FACET_FIELDS[facet][1])
        counts: Counter = Counter()
        for cell, n in self._cell_counts(codes, len(cells), docs):
            for value in cells[cell]:
                counts[value] += n
        counts.pop("", None)
        return counts

    def _docs_np(self, docs: set[int]):
        """`docs` as a numpy array of docnums, made once per matched set."""
        if self._docs_array is None or self._docs_array[0] is not docs:
            import numpy as np

            self._docs_array = (docs, np.fromiter(docs, dtype=np.intp, count=len(docs)))
        return self._docs_array[1]

    def _cell_counts(self, codes: array, ncells: int, docs: set[int]):
        """(cell, documents) for the cells of `docs`.

        Large sets are counted by numpy's bincount: five facets over the 26k paragraphs that
        match "president" (200k benchmark) took 14 ms in a Python loop, 5 ms so. Numpy is
        imported only then: its import (~130 ms) would double a small `parley search`.
        """
        if len(docs) < NUMPY_FROM:
            return Counter(map(codes.__getitem__, docs)).items()
        import numpy as np

        per_cell = np.bincount(np.frombuffer(codes, dtype=np.uint32)[self._docs_np(docs)],
                               minlength=ncells)
        nonzero = np.flatnonzero(per_cell)
        return zip(nonzero.tolist(), per_cell[nonzero].tolist(), strict=True)

    def ranked(self, q: wq.Query, docs: set[int], req: SearchRequest, limit: int | None):
        """Whoosh Results for the page, in the requested order, restricted to `docs`."""
        budget.check()
        if req.sort != "relevance" or isinstance(q, wq.Every):
            return self._by_date(q, docs, req.sort == "oldest", limit)
        if self._scored is not None and self._scored[0] is q and len(self._scored[1]) == len(docs):
            return self._page(q, self._scored[1], limit)  # matched() scored exactly these
        # Without filters `docs` is exactly what q matches: no need to check every hit against it.
        # No terms=True: recording matched terms for every hit doubled the cost of collecting;
        # the words to mark are taken from the query (embedded._marked_words).
        unfiltered = self.filter_docs(req) is None
        # `docs` already passed the phrase check: rank a phrase's words over exactly those
        # documents rather than reading positions a second time.
        asked = q
        if (swapped := _phrases_as_terms(q)) is not q:
            q, unfiltered = swapped, False
        if (page := self._ranked_words(asked, q, docs, limit)) is not None:
            return page
        if not unfiltered:
            # Score only the matched paragraphs: a `filter=` set would still walk every posting
            # of every word, scoring and then discarding what is not in the set.
            q = Within(q, DocSet(docs))
        return self.searcher.search(q, limit=limit)

    def _ranked_words(self, asked: wq.Query, q: wq.Query, docs: set[int],
                      limit: int | None) -> Results | None:
        """The page of a word query ranked from bulk-read postings, or None to use Whoosh's."""
        plan = postings.plan(q, self.searcher.schema)
        if plan is None:
            return None
        reader = self.searcher.reader()
        if len(docs) * RANK_SKIP_RATIO < sum(leaf.estimate_size(reader) for leaf in q.leaves()):
            return None  # few documents: Whoosh's matcher skips to them, reading far less
        scores = self._word_scores(plan, docs)
        if scores is None:
            return None
        if len(scores) != len(docs):  # a phrase's words match more often than the phrase
            scores = {d: scores[d] for d in docs if d in scores}
        return self._page(asked, scores, limit)

    def _by_date(self, q: wq.Query, docs: set[int], oldest: bool, limit: int | None) -> Results:
        """Newest (or oldest) first, ties in docnum order (article, then paragraph position).

        The order Whoosh's FieldFacet("c_date") sort gives, from the dates already in memory:
        Whoosh walked every document of the index to sort an empty query's 7k matches (90 ms).
        """
        whole = limit is None or limit >= len(docs)
        if len(docs) >= NUMPY_FROM:
            # Sorting a speaker's 30k paragraphs by a Python key took ~30 ms of the 85 ms of a
            # quotations query at 1M paragraphs; numpy's lexsort (stable: ties by docnum) ~2.
            import numpy as np

            ids = self._docs_np(docs)
            dates = self.table.date_array()[ids]
            ranked = np.lexsort((ids, dates if oldest else -dates))
            order = ids[ranked if whole else ranked[:limit]].tolist()
        else:
            dates = self.table.dates
            key = (lambda d: (dates[d], d)) if oldest else (lambda d: (-dates[d], d))
            order = sorted(docs, key=key) if limit is None or whole \
                else nsmallest(limit, docs, key=key)
        return Results(self.searcher, q, [(None, d) for d in order])

    def _page(self, q: wq.Query, scores: dict[int, float], limit: int | None) -> Results:
        # The query as asked, for the highlighter: it marks a phrase's words where they occur.
        return Results(self.searcher, q, postings.top(scores, limit))


class _BM25F(scoring.BM25F):
    """BM25F taking document lengths from the shared table instead of the index files.

    Whoosh reads a scored document's field length from the segment's length column, a seek and
    a read per document and field: 70% of the time spent ranking the 26k paragraphs that
    match "president" in the 200k benchmark index. The scores are the same.
    """

    table: DocTable | None = None

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer) and self.table is not None:
            lengths = self.table.field_lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer


class Within(wq.Require):
    """Documents of `a` that are also in `b`, scored by `a` alone.

    Whoosh 2.7.4's own Require builds an AndNotMatcher, i.e. returns the documents *not* in b,
    when it ranks (its `docs()` is right); this one builds the RequireMatcher it meant.
    """

    def matcher(self, searcher, context=None):
        return _RequireMatcher(self.a.matcher(searcher, context),
                               self.b.matcher(searcher, searcher.boolean_context()))


class _RequireMatcher(RequireMatcher):
    # Its skip_to_quality() trips an assertion in IntersectionMatcher._find_next() when both
    # sides land on the same document; without block quality the collector never calls it.
    # Little is lost: the required side is already the exact set of matched paragraphs.
    def supports_block_quality(self):
        return False


class DocSet(wq.Query):
    """A fixed set of documents as a query, so Whoosh can intersect it by skipping.

    Used inside `Within(q, DocSet(...))`: it takes part in matching, never in scoring or
    highlighting (it has no terms).
    """

    fieldname = None  # no field, no terms: highlighting and term listings pass it by

    def __init__(self, docs):
        self.docs = sorted(docs)

    def __eq__(self, other):
        return isinstance(other, DocSet) and self.docs == other.docs

    def __hash__(self):  # cheap: Whoosh hashes queries it collects in sets
        return hash((len(self.docs), self.docs[:1], self.docs[-1:]))

    def __repr__(self):
        return f"DocSet({len(self.docs)} docs)"

    def estimate_size(self, ixreader):
        return len(self.docs)

    def matcher(self, searcher, context=None):
        offset = 0
        if searcher.has_parent():  # a segment's searcher: its document numbers start at 0
            offset = searcher.get_parent()._offset_for_subsearcher(searcher) or 0
        lo = bisect.bisect_left(self.docs, offset)
        hi = bisect.bisect_left(self.docs, offset + searcher.doc_count_all())
        ids = [d - offset for d in self.docs[lo:hi]]
        return ListMatcher(ids) if ids else NullMatcher()


def _walk(q: wq.Query) -> Iterator[wq.Query]:
    yield q
    if not q.is_leaf():
        for child in q.children():
            yield from _walk(child)


def _has_phrase(tree: tuple) -> bool:
    return tree[0] == "phrase" or (tree[0] in ("and", "or") and any(map(_has_phrase, tree[1])))


def _stepped(m, offset: int) -> Iterator[int]:
    """A matcher's docnums (plus the segment's offset), the request's deadline checked every
    4,096 documents."""
    n = 0
    while m.is_active():
        yield m.id() + offset
        m.next()
        n += 1
        if not n & 4095:
            budget.check()


def _phrases_by_pairs(q: wq.Query) -> wq.Query:
    """q with each exact text phrase that has a common word pair looked up in text_pairs.

    Matches the same paragraphs: a pair term is two adjacent words somewhere in a paragraph.
    A two-word phrase is its pair.
    """
    def swap(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Phrase):
            # Longer phrases are read word by word with positions (postings.py, in numpy):
            # 10-30 times faster than intersecting them with their pairs through Whoosh's span
            # matchers ("the president of the united states": 31 ms against 345 ms at 47k).
            if node.fieldname != "text" or node.slop != 1 or len(node.words) != 2:
                return node
            pairs = [pair for _, pair in common_pairs(list(enumerate(node.words)))]
            return wq.Term("text_pairs", pairs[0], boost=node.boost) if pairs else node
        return node if node.is_leaf() else node.apply(swap)

    return swap(q)


def _phrases_as_terms(q: wq.Query) -> wq.Query:
    """q with each phrase as the AND of its words; q itself when it has no phrase, or has a
    negation (there the swap would change which documents match, not only how they rank)."""
    nodes = list(_walk(q))
    if not any(isinstance(n, wq.Phrase) for n in nodes) or any(
            isinstance(n, (wq.Not, wq.AndNot)) for n in nodes):
        return q

    def swap(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Phrase):
            words = ranking_words(node.words)
            return wq.And([wq.Term(node.fieldname, w, boost=node.boost) for w in words])
        return node if node.is_leaf() else node.apply(swap)

    return swap(q)


class Engine:
    """Sessions for one index directory, one per thread, reopened after commits."""

    def __init__(self, index_dir: str | Path, lexicon: Callable[[], Lexicon] = default_lexicon,
                 *, freeze_tables: bool = True):
        self.index_dir = Path(index_dir)
        self.freeze_tables = freeze_tables
        self._frozen = False
        self.lexicon = lexicon
        self.lists = termdocs.ListsCache(self.index_dir)
        self._local = threading.local()
        # The current generation's DocTable (with its TOC identity), shared by every thread.
        self._table: tuple[tuple, DocTable] | None = None
        self._table_lock = threading.Lock()

    def shared_table(self, toc: tuple, ix, session_reader) -> DocTable:
        """The one DocTable of this index generation, shared by all threads' sessions.

        It reads through a reader of its own (a session's searcher is closed when its thread
        moves to a newer generation). Should a commit land between the session opening its
        searcher and this reader, the generations differ and the session gets a private table.
        """
        with self._table_lock:
            known = self._table
            if known and known[0] == toc:
                return known[1]
            reader = _reader_of(ix)
            if reader.generation() != session_reader.generation():
                reader.close()
                return DocTable(session_reader, saved_in=self.index_dir)
            table = DocTable(reader, saved_in=self.index_dir, filled=self.freeze)
            weakref.finalize(table, reader.close)  # file handles go when the last session does
            if known:
                # The previous generation's tables were frozen: give them back to the
                # collector, or their cycles and file handles would outlive them.
                self.unfreeze()
            self._table = (toc, table)
            # Filters of older generations can no longer be asked for: give their bytes back.
            for cache in (filter_cache.FILTERS, filter_cache.PREFIXES):
                cache.drop(lambda key: key[0] != self.index_dir or key[1] == toc)  # type: ignore[index]
            return table

    def freeze(self) -> None:
        """Leave what is in memory now out of the cyclic garbage collector's passes.

        The shared tables live as long as their index generation: hundreds of thousands of
        objects at 1M paragraphs (quotation refs, cells) that every full collection would
        otherwise walk, a 300+ ms pause in whichever request triggers it. gc.freeze() acts on
        the whole process, so it is this engine's choice (freeze_tables), undone when its
        generation goes or the engine closes; frozen objects are still freed by reference
        counting.
        """
        if self.freeze_tables:
            gc.freeze()
            self._frozen = True

    def unfreeze(self) -> None:
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def session(self) -> Session:
        current: Session | None = getattr(self._local, "session", None)
        if current is not None and current.is_current():
            return current
        if current is not None:
            current.close()
        self._local.session = None
        session = _open_session(self)
        self._local.session = session
        return session

    def close(self) -> None:
        """Close this thread's session (other threads' close when their threads end)."""
        current: Session | None = getattr(self._local, "session", None)
        self._local.session = None
        if current is not None:
            current.close()
        with self._table_lock:
            self._table = None
            self.unfreeze()
        self.lists.clear()


def _open_session(engine: Engine) -> Session:
    index_dir = engine.index_dir
    last: Exception | None = None
    for _ in range(5):
        try:
            return Session(index_dir, engine)
        except FileNotFoundError as exc:  # a commit removed files between listing and reading
            last = exc
    raise IndexCorrupt(f"Index at {index_dir} keeps changing under the reader ({last}); try again.")


def engine_for(index_dir: str | Path) -> Engine:
    """The reader of the embedded engine open on `index_dir` (internals and their tests)."""
    from search.engines import open_engine

    return open_engine(index_dir)._reader  # type: ignore[attr-defined]


# -- building result objects -------------------------------------------------------------


def quotes_of(fields: dict) -> tuple[QuoteHit, ...]:
    raw = json.loads(fields.get("quotes_json") or "[]")
    return tuple(QuoteHit(q["text"], q.get("speaker"), q.get("verb"), q.get("via"),
                          q.get("speaker_type", "unknown"), q.get("kind", "direct"),
                          q.get("start", 0), q.get("end", 0)) for q in raw)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


def hit_from_fields(fields: dict, snippet: str, score: float | None) -> Hit:
    return Hit(
        paragraph_id=fields["pid"], article_id=fields["article_id"],
        title=fields.get("title") or None, outlet=fields.get("outlet") or None,
        url=fields.get("url"), published=fields.get("date") or None,
        position=fields.get("position", 0), text=fields.get("text", ""), snippet=snippet,
        actors=_split(fields.get("actors")), topics=_split(fields.get("topics")),
        credits=_split(fields.get("credits")), quotes=quotes_of(fields), score=score,
        heading=fields.get("heading"), links=_links(fields.get("links")),
    )


def _links(value: str | None) -> tuple[tuple[int, int, str], ...]:
    return tuple((int(s), int(e), str(u)) for s, e, u in json.loads(value)) if value else ()


def article_row(index_dir: Path, article_id: str) -> registry.ArticleRow:
    if not article_id or len(article_id) > 64 or not article_id.isalnum():
        raise NotFound(f"No article {article_id!r}.")
    row = registry.get_article(index_dir, article_id)
    if row is None:
        raise NotFound(f"No article {article_id!r}.")
    return row


__all__ = ["Engine", "Session", "engine_for", "hit_from_fields", "article_row",
           "SearchError", "KEYWORD_FIELDS"]
