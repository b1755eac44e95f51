"""Bulk posting reads: match and BM25F-score plain word queries a block at a time.

Whoosh walks a posting list one document at a time through matcher objects, and its top-N
collector calls score() per document: several microseconds of Python per posting. Ranking
"president" (26k paragraphs of the 200k benchmark) cost 50 ms that way, and matching it
another pass over the same postings. Here a term's postings are read a whole block (up to 128
postings) at a time, once per request, and scored in one list comprehension with the formula
of whoosh.scoring.bm25, operation for operation, so the scores equal Whoosh's.

Phrases and proximity ("oil prices"~5) are read the same way, positions included, and
checked with the rule of Whoosh's SpanNear2 (ordered, each next word 1..slop positions after
the previous one); a phrase scores as the AND of its words (less common ones, see
schema.ranking_words), as the engine ranks phrases anyway. Where the words' lists are long,
an AND of words or a phrase is intersected as arrays first (see "long lists as arrays").

Only word queries take this path: terms and phrases, AND / OR of them, nothing boosted, all in
one scorable field. `plan()` returns None for anything else (prefixes, negations, ranges), and
`evaluate()` returns None when the postings are not in the block format it knows; the engine
then uses Whoosh's matchers.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from heapq import nlargest
from typing import Any, TypeVar, cast

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

from search.engines.embedded import termdocs
from search.engines.embedded.schema import PackedPositions, ranking_words


@dataclass(frozen=True)
class Plan:
    """A word query: `tree` is ("term", text), ("phrase", (word, ...), slop) or
    ("and" | "or", (child, ...))."""

    fieldname: str
    tree: tuple


def plan(q: wq.Query, schema) -> Plan | None:
    fields: set[str] = set()

    def walk(node: wq.Query) -> tuple | None:
        if getattr(node, "boost", 1.0) != 1.0:
            return None
        if type(node) is wq.Term:
            fields.add(node.fieldname)
            return ("term", node.text)
        if type(node) is wq.Phrase and node.words and node.slop >= 1:
            fields.add(node.fieldname)
            return ("phrase", tuple(node.words), node.slop)
        if type(node) in (wq.And, wq.Or) and node.subqueries:
            if type(node) is wq.Or and (node.minmatch or node.scale):
                return None
            kids = [walk(c) for c in node.subqueries]
            if any(k is None for k in kids):
                return None
            return ("and" if type(node) is wq.And else "or", tuple(kids))
        return None

    tree = walk(q)
    if tree is None or len(fields) != 1:
        return None
    (fieldname,) = fields
    if fieldname not in schema or not schema[fieldname].scorable:
        return None
    return Plan(fieldname, tree)


_T = TypeVar("_T")


def _known(items: list[_T | None]) -> list[_T] | None:
    """`items`, or None when one is None (a part this path cannot answer)."""
    return None if any(item is None for item in items) else cast(list[_T], items)


# (segment reader, docnum offset, segment docnums ascending, term frequencies, encoded values)
Segment = tuple[object, int, Sequence[int], Sequence[float], Sequence[bytes] | None]


NUMPY_FROM = 5000  # postings of a word from which it is scored with numpy...
NUMPY_SEGMENT = 256  # ...in each segment holding at least this many of them
# Postings of all the words of an AND or a phrase from which they are intersected as arrays:
# the Python path costs several microseconds a posting, numpy ~0.3 ms a query.
ARRAYS_FROM = 1000

# segment reader -> its term lists file (termdocs.py), or None where it has none
ListsOf = Callable[[object], termdocs.TermLists | None]


def read_term(searcher, fieldname: str, text: str, values: bool = False,
              wanted: Callable[[], Sequence[int] | None] | None = None,
              lists_of: ListsOf | None = None) -> list[Segment] | None:
    """Every live posting of a term, per segment; None if a segment is not in block format.

    With `values`, each posting's encoded value too (its positions, for phrases). `wanted`
    may give sorted docnums: blocks holding none of them are then passed over undecoded (a
    block's header gives its last docnum; decoding its pickled data costs ~60 us a block).
    Without `values`, a segment's term lists file (`lists_of`) gives the same docnums and
    weights without decoding any block.
    """
    try:
        btext = searcher.schema[fieldname].to_bytes(text)
    except ValueError:
        return []
    out: list[Segment] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        lists = _lists(reader, fieldname, lists_of, values)
        if lists is not None:
            # The file's directory holds exactly the segment's terms: no lookup in Whoosh's.
            at = lists.find(btext)
            if at is None:
                continue
            listed = _listed(reader, lists.read(at, values))
            if listed is not None:
                out.append((reader, offset, *listed))
                continue
        if (fieldname, btext) not in reader:
            continue
        m = reader.postings(fieldname, btext)
        deleted: Collection[int] = ()
        if isinstance(m, FilterMatcher):  # how Whoosh hides a segment's deleted documents
            deleted, m = m._ids, m.child
            m.reset()  # the filter already stepped it past the first deleted documents
        if not all(hasattr(m, a) for a in ("_read_ids", "_read_weights", "_next_block")):
            return None
        ids: list[int] = []
        weights: list[float] = []
        vals: list[bytes] | None = [] if values else None
        only = wanted() if wanted is not None else None
        last = -1  # the previous block's last docnum
        while m.is_active():  # Whoosh 2.7.4 W3LeafMatcher: one whole block per step
            first, last = last + 1, m._maxid
            if only is not None and not _any_within(only, first + offset, last + offset):
                m._next_block()
                continue
            m._read_ids()
            m._read_weights()
            ids.extend(m._ids)
            weights.extend(m._weights)
            if vals is not None:
                m._read_values()
                vals.extend(m._values)
            m._next_block()
        if deleted:
            keep = [i for i, d in enumerate(ids) if d not in deleted]
            ids, weights = [ids[i] for i in keep], [weights[i] for i in keep]
            vals = [vals[i] for i in keep] if vals is not None else None
        out.append((reader, offset, ids, weights, vals))
    return out


def _lists(reader, fieldname: str, lists_of: ListsOf | None,
           values: bool) -> termdocs.TermLists | None:
    """The segment's term lists, if it has them for this field (and with values if asked)."""
    if lists_of is None or fieldname != termdocs.FIELD:
        return None
    lists = lists_of(reader)
    return None if lists is None or (values and not lists.has_values) else lists


def _listed(reader, found: tuple | None
            ) -> tuple[Sequence[int], Sequence[float], Sequence[bytes] | None] | None:
    """A term's live docnums, weights (and values) as read from the segment's term lists;
    None if the file could not give them (Whoosh's blocks are read instead)."""
    if found is None or not reader.has_deletions():
        return found
    ids, weights, vals = found
    deleted = set(reader.segment().deleted_docs())  # one set, not a reader call a posting
    keep = [i for i, d in enumerate(ids) if d not in deleted]
    return ([ids[i] for i in keep], [weights[i] for i in keep],
            [vals[i] for i in keep] if vals is not None else None)


def _any_within(wanted: Sequence[int], low: int, high: int) -> bool:
    """Some docnum of sorted `wanted` in low..high."""
    i = bisect_left(wanted, low)
    return i < len(wanted) and wanted[i] <= high


# (segment reader, field) -> each of the segment's documents' length in that field, or None
LengthsOf = Callable[[object, str], Sequence[int] | None]


def evaluate(searcher, p: Plan, lengths_of: LengthsOf, B: float, K1: float,
             within: Collection[int] | None = None,
             lists_of: ListsOf | None = None) -> dict[int, float] | None:
    """Docnum -> BM25F score of every document the plan matches (only those in `within`)."""
    cache: dict[str, dict[int, float] | None] = {}
    ordered: list[list[int]] = []

    def wanted(text: str) -> Callable[[], list[int] | None]:
        # Sorting `within` pays off when it is smaller than the word's postings: an actor and
        # an outlet next to "said" leave most of its blocks without a wanted paragraph.
        def sort() -> list[int] | None:
            if within is None or len(within) >= searcher.doc_frequency(p.fieldname, text):
                return None
            if not ordered:
                ordered.append(sorted(within))
            return ordered[0]

        return sort

    def term(text: str, segments: list[Segment] | None = None) -> dict[int, float] | None:
        if text not in cache:
            if segments is None:
                segments = read_term(searcher, p.fieldname, text, wanted=wanted(text),
                                     lists_of=lists_of)
            cache[text] = _term_scores(searcher, p.fieldname, text, lengths_of, B, K1, within,
                                       segments)
        return cache[text]

    def walk(node: tuple) -> dict[int, float] | None:
        if node[0] == "term":
            return term(node[1])
        if node[0] == "phrase":
            fmt = searcher.schema[p.fieldname].format
            if not fmt.supports("positions"):
                return None
            per_word = _known([read_term(searcher, p.fieldname, w, values=True, wanted=wanted(w),
                                         lists_of=lists_of) for w in node[1]])
            if per_word is None:
                return None
            if isinstance(fmt, PackedPositions) and _long(per_word):
                found = _phrase_arrays(searcher, p.fieldname, node, per_word, lengths_of, B, K1)
                if found is not None:
                    return _kept(found, within)
            docs = _phrase_docs(per_word, node[2], fmt.decode_positions)
            read = dict(zip(node[1], per_word, strict=True))
            scores = _known([term(w, read[w]) for w in ranking_words(node[1])])
            if scores is None:
                return None
            return {d: sum(part[d] for part in scores) for d in docs if d in scores[0]}
        words = [c[1] for c in node[1] if c[0] == "term" and c[1] not in cache]
        if node[0] == "and" and len(words) == len(node[1]) > 1:
            # Only words not read yet: a word read for another part of the query is scored.
            read = {w: read_term(searcher, p.fieldname, w, wanted=wanted(w), lists_of=lists_of)
                    for w in words}
            if all(segs is not None for segs in read.values()) and _long(list(read.values())):
                found = _and_arrays(searcher, p.fieldname, words, read, lengths_of, B, K1)
                if found is not None:
                    return _kept(found, within)
            parts = [term(w, read[w]) for w in words]
        else:
            parts = [walk(c) for c in node[1]]
        known = _known(parts)
        if known is None:
            return None
        if node[0] == "and":
            if len(known) == 1:  # a phrase ranked by its one uncommon word
                return known[0]
            first, *rest = sorted(known, key=len)
            docs = first.keys() & rest[0].keys()
            for part in rest[1:]:
                docs &= part.keys()
            return {d: sum(part[d] for part in known) for d in docs}  # Whoosh's order of sums
        out: dict[int, float] = {}
        for part in known:
            for d, s in part.items():
                out[d] = out.get(d, 0.0) + s
        return out

    return walk(p.tree)


def _phrase_docs(per_word: list[list[Segment]], slop: int, decode) -> set[int]:
    """Docnums where the words occur in order, each 1..slop positions after the one before.

    Whoosh's SpanNear2 (ordered, mindist 1) keeps for each next word the spans ending where it
    can follow; only where those spans end matters for the next step, so that is all kept here.
    """
    out: set[int] = set()
    by_offset = [{seg[1]: seg for seg in segs} for segs in per_word]
    for offset in by_offset[0]:
        segs = _known([b.get(offset) for b in by_offset])
        if segs is None:
            continue  # a word missing from a segment: no phrase there
        fewest = min(segs, key=lambda seg: len(seg[2]))
        common = set(fewest[2]).intersection(*(seg[2] for seg in segs if seg is not fewest))
        for d in common:  # positions are decoded for these paragraphs only
            ends = decode(_value(segs[0], d))
            for seg in segs[1:]:
                ends.sort()
                ends = [q for q in decode(_value(seg, d)) if _follows(ends, q, slop)]
                if not ends:
                    break
            if ends:
                out.add(d + offset)
    return out


def _value(seg: Segment, docnum: int) -> bytes:
    """The segment's posting value for `docnum` (its docnums ascend; the docnum is there)."""
    return cast(Sequence[bytes], seg[4])[bisect_left(seg[2], docnum)]


def _follows(ends: list[int], q: int, slop: int) -> bool:
    """Some e in sorted `ends` with 1 <= q - e <= slop."""
    i = bisect_left(ends, q - slop)
    return i < len(ends) and ends[i] <= q - 1


def _term_scores(searcher, fieldname: str, text: str, lengths_of: LengthsOf, B: float, K1: float,
                 within: Collection[int] | None,
                 segments: list[Segment] | None) -> dict[int, float] | None:
    if segments is None:
        return None
    if within is not None and sum(len(seg[2]) for seg in segments) >= NUMPY_FROM:
        found = _within_arrays(searcher, fieldname, text, segments, lengths_of, within, B, K1)
        if found is not None:
            return found
    idf = searcher.idf(fieldname, text)
    avgfl = searcher.avg_field_length(fieldname) or 1
    k1p, omb = K1 + 1, 1 - B
    out: dict[int, float] = {}
    # Arrays for a long list, in each segment with enough postings to repay numpy's overhead.
    arrays_from = NUMPY_SEGMENT if sum(len(seg[2]) for seg in segments) >= NUMPY_FROM else None
    for reader, offset, ids, weights, _ in segments:
        lengths = lengths_of(reader, fieldname)
        if lengths is None:
            return None
        if within is not None:
            pairs = [(d, w) for d, w in zip(ids, weights, strict=True) if d + offset in within]
            ids, weights = [d for d, _ in pairs], [w for _, w in pairs]
        if arrays_from is not None and len(ids) >= arrays_from:
            docs, scores = _bm25_arrays(ids, weights, lengths, offset, idf, avgfl, B, K1)
            out.update(zip(docs, scores, strict=True))
            continue
        # whoosh.scoring.bm25: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        scores = [idf * ((w * k1p) / (w + K1 * (omb + B * lengths[d] / avgfl)))
                  for d, w in zip(ids, weights, strict=True)]
        out.update(zip([d + offset for d in ids] if offset else ids, scores, strict=True))
    return out


def _bm25_arrays(ids, weights, lengths, offset: int, idf: float, avgfl: float, B: float,
                 K1: float) -> tuple[list[int], list[float]]:
    """The list comprehension above over whole arrays: the same float64 operations in the
    same order, so the same scores (26k postings of "president" at 200k: 8 ms -> ~2 ms).
    numpy is imported only here, for long lists: its import (~130 ms) would slow a small
    `parley search`."""
    import numpy as np

    d = np.asarray(ids, dtype=np.int64)
    scores = _bm25(idf, np.asarray(weights, dtype=np.float64),
                   np.asarray(lengths, dtype=np.float64)[d], avgfl, B, K1)
    return (d + offset).tolist(), scores.tolist()


# -- long lists as arrays ------------------------------------------------------------------
#
# Two words, a phrase or a proximity query over long lists spent most of their time in Python
# per posting: scoring every posting of both words, then intersecting dicts, or looking up and
# decoding each shared paragraph's positions. Here the lists are intersected first (numpy, in C)
# and only the shared paragraphs are scored; a phrase's positions are decoded in one pass.
# The scores are the same float64 operations in the same order, so they equal Whoosh's.


def _long(per_word: list[list[Segment]]) -> bool:
    return sum(len(seg[2]) for segs in per_word for seg in segs) >= ARRAYS_FROM


def _kept(found: dict[int, float], within: Collection[int] | None) -> dict[int, float]:
    return found if within is None else {d: s for d, s in found.items() if d in within}


@dataclass
class _Arrays:
    """One word's postings over all segments: index docnums ascending, tf, field lengths,
    and (for phrases) where each posting's packed position gaps are in `data`."""

    docs: Any  # numpy arrays (numpy is imported only where they are made)
    weights: Any
    lengths: Any
    data: Any = None
    firsts: Any = None
    stops: Any = None


def _as_arrays(segments: list[Segment], lengths_of: LengthsOf, fieldname: str,
               positions: bool) -> _Arrays | None:
    import numpy as np

    # Gathered into flat arrays first: numpy calls per segment (~1 us each, 14 segments at
    # 200k) would cost more than the work they do.
    ids, sizes, raw = array("I"), array("H"), []  # sizes: as the term lists keep them
    offsets, counts, lengths, weights = [], [], [], []
    for reader, offset, seg_ids, seg_weights, vals in segments:
        fl = lengths_of(reader, fieldname)
        if fl is None:
            return None
        local = seg_ids if isinstance(seg_ids, array) else array("I", seg_ids)
        ids.extend(local)
        weights.append(seg_weights)
        offsets.append(offset)
        counts.append(len(local))
        lengths.append(np.asarray(fl)[np.frombuffer(local, dtype=np.uint32)])
        if positions:
            if isinstance(vals, termdocs.Values):
                data, seg_sizes = vals.packed()
                sizes.extend(seg_sizes)
            else:  # Whoosh's blocks, or a segment with deletions: one value per posting
                vals = cast(Sequence[bytes], vals)  # read with values: one per posting
                seg_sizes = [len(v) for v in vals]
                if seg_sizes and max(seg_sizes) > 0xFFFF:
                    return None  # a word thousands of times in one paragraph: not worth a path
                data = b"".join(vals)
                sizes.extend(seg_sizes)
            raw.append(data)
    if not segments:
        return _Arrays(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.uint32),
                       np.zeros(0, np.int64), np.zeros(0, np.int64))
    docs = np.frombuffer(ids, dtype=np.uint32).astype(np.int64)
    docs += np.repeat(np.asarray(offsets, dtype=np.int64), counts)
    if all(isinstance(w, array) and w.typecode == "f" for w in weights):  # the term lists'
        flat = array("f")
        for w in weights:
            flat.extend(w)
        tf = np.frombuffer(flat, dtype=np.float32).astype(np.float64)
    else:
        tf = np.concatenate([np.asarray(w, dtype=np.float64) for w in weights])
    out = _Arrays(docs, tf, np.concatenate(lengths).astype(np.float64))
    if positions:
        at = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(sizes, dtype=np.uint16) // 4, out=at[1:])
        out.data = np.frombuffer(b"".join(raw), dtype="<u4")  # PackedPositions: 4-byte units
        out.firsts, out.stops = at[:-1] + 1, at[1:]  # +1: past each value's leading count
    return out


def _common(words: list[_Arrays]):
    """The docnums in every list, and for each list the indices of those postings."""
    import numpy as np

    common, idx = words[0].docs, [np.arange(len(words[0].docs))]
    for w in words[1:]:
        common, mine, theirs = np.intersect1d(common, w.docs, assume_unique=True,
                                              return_indices=True)
        idx = [i[mine] for i in idx] + [theirs]
    return common, idx


def _bm25(idf: float, weights, lengths, avgfl: float, B: float, K1: float):
    # whoosh.scoring.bm25, as in _term_scores: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) +
    # B * fl / avgfl))), the same float64 operations in the same order.
    return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))


def _summed(searcher, fieldname: str, words: list[str], arrays: dict[str, _Arrays], idx: dict,
            B: float, K1: float):
    """Each word's BM25 over the selected postings, added in the words' order from 0 as
    Python's sum() adds them."""
    avgfl = searcher.avg_field_length(fieldname) or 1
    total = 0.0
    for w in words:
        a, i = arrays[w], idx[w]
        total = total + _bm25(searcher.idf(fieldname, w), a.weights[i], a.lengths[i], avgfl, B, K1)
    return total


def _within_arrays(searcher, fieldname: str, text: str, segments: list[Segment],
                   lengths_of: LengthsOf, within: Collection[int], B: float,
                   K1: float) -> dict[int, float] | None:
    """A long list's postings in `within` (an actor and an outlet next to "said"), picked
    out in C rather than by a set lookup a posting, and scored."""
    import numpy as np

    a = _as_arrays(segments, lengths_of, fieldname, False)
    if a is None:
        return None
    keep = np.isin(a.docs, np.fromiter(within, dtype=np.int64, count=len(within)))
    scores = _summed(searcher, fieldname, [text], {text: a}, {text: keep}, B, K1)
    return dict(zip(a.docs[keep].tolist(), scores.tolist(), strict=True))


def _and_arrays(searcher, fieldname: str, words: list[str], read: dict[str, list[Segment]],
                lengths_of: LengthsOf, B: float, K1: float) -> dict[int, float] | None:
    found = {w: _as_arrays(segs, lengths_of, fieldname, False) for w, segs in read.items()}
    arrays = {w: a for w, a in found.items() if a is not None}
    if len(arrays) != len(found):
        return None
    distinct = list(arrays)
    common, idx = _common([arrays[w] for w in distinct])
    scores = _summed(searcher, fieldname, words, arrays, dict(zip(distinct, idx, strict=True)),
                     B, K1)
    return dict(zip(common.tolist(), scores.tolist(), strict=True))


def _phrase_arrays(searcher, fieldname: str, node: tuple, per_word: list[list[Segment]],
                   lengths_of: LengthsOf, B: float, K1: float) -> dict[int, float] | None:
    """_phrase_docs over arrays, scored by the phrase's ranking words as evaluate() scores it."""
    import numpy as np

    words, slop = node[1], node[2]
    arrays = _known([_as_arrays(segs, lengths_of, fieldname, True) for segs in per_word])
    if arrays is None:
        return None
    common, idx = _common(arrays)
    ends: Any = None
    for a, i in zip(arrays, idx, strict=True):
        keys = _position_keys(a, i)
        if ends is not None:
            # Whoosh's SpanNear2 step (_follows): keep a position with an end 1..slop before it.
            at = np.searchsorted(ends, keys - slop)
            ok = at < len(ends)
            ok[ok] = ends[at[ok]] <= keys[ok] - 1
            keys = keys[ok]
        ends = keys
        if not len(ends):
            break
    hit = np.unique(ends >> 32)  # indices into `common`
    first: dict[str, int] = {}
    for k, w in enumerate(words):
        first.setdefault(w, k)
    ranking = ranking_words(words)
    scores = _summed(searcher, fieldname, ranking, {w: arrays[first[w]] for w in ranking},
                     {w: idx[first[w]][hit] for w in ranking}, B, K1)
    return dict(zip(common[hit].tolist(), scores.tolist(), strict=True))


def _position_keys(a: _Arrays, i):
    """(index among the shared paragraphs) << 32 | position, for every position of the
    postings `i`: ascending, as each posting's positions ascend."""
    import numpy as np

    first, count = a.firsts[i], a.stops[i] - a.firsts[i]
    total = int(count.sum())
    if not total:
        return np.zeros(0, np.int64)
    run = np.cumsum(count) - count  # where each posting's positions start among all of them
    gaps = a.data[np.arange(total) - np.repeat(run - first, count)].astype(np.int64)
    summed = np.cumsum(gaps)
    at = np.minimum(run, total - 1)  # a posting without positions repeats nothing anyway
    positions = summed - np.repeat(summed[at] - gaps[at], count)
    return (np.repeat(np.arange(len(i), dtype=np.int64), count) << 32) | positions


def top(scores: dict[int, float], limit: int | None) -> list[tuple[float, int]]:
    """(score, docnum) best first, ties by docnum: the order of Whoosh's TopCollector."""
    items: Iterable[tuple[int, float]] = scores.items()
    if limit is not None and limit < len(scores):
        # The limit-th best score, found over bare floats (in C), keeps only the few
        # candidates at or above it for the sort by (score, docnum).
        floor = nlargest(limit, scores.values())[-1]
        items = [(d, s) for d, s in items if s >= floor]
    best = sorted(items, key=lambda item: (-item[1], item[0]))[:limit]
    return [(s, d) for d, s in best]
