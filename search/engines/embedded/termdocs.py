"""Term -> (documents, weights) lists of the text field, one file per segment beside Whoosh's.

Whoosh keeps a word's postings in blocks of up to 128, each a zlib-compressed pickle of
(docnums, weights, positions). Ranking a word needs only docnums and weights, yet reading a
block decodes its positions too: ~60 us a block, 25-30 ms to rank "president" (26k paragraphs
of the 200k benchmark). Lucene and tantivy keep positions apart from document lists for this
reason. This file is that document list: as a segment's postings are written
(search/engines/embedded/postwriter.py), the text field's (docnum, weight) pairs are copied here, so they are
the values Whoosh's blocks hold; a word's list is then one read of two flat arrays.

Phrases and proximity need positions: each posting's value (its positions, as Whoosh encodes
them) is kept too, in a section of its own, so a phrase decodes the positions of only the
paragraphs that hold all its words.

Layout, little-endian: magic, term count n, posting count, whether values follow; n+1 byte
offsets of each term in the term blob; n+1 offsets of each term's first posting; the blob
(terms, sorted as Whoosh writes them); docnums (uint32); weights (float32, as Whoosh stores
them); then, if values follow, n+1 byte offsets of each term's values (uint64), each
posting's value length (uint16) and the values.

The file is named after its segment ("<segment id>.tdl"), so Whoosh deletes it with the
segment. A segment without one (an index written before it existed) is read from Whoosh's
blocks, as before.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from itertools import accumulate
from pathlib import Path

FIELD = "text"
EXTENSION = ".tdl"
_MAGIC = b"PTD2"
_HEADER = struct.Struct("<4sIQ?")
_MAX_VALUE = 0xFFFF  # a longer value (a word thousands of times in one paragraph): no values
_SWAP = sys.byteorder != "little"


class Collector:
    """The text field's postings, handed over term by term as the segment is written."""

    def __init__(self, field: str = FIELD):
        self.field = field
        self.terms: list[bytes] = []
        self.starts = array("I")  # index of each term's first posting
        self.ids = array("I")
        self.weights = array("f")
        self.value_starts = array("Q")  # byte offset of each term's first value
        self.value_sizes = array("H")
        self.values = bytearray()

    def add_term(self, term: bytes, ids: list[int], weights: list[float], values: list) -> None:
        """One term's postings, in docnum order (search/engines/embedded/postwriter.py writes them this way)."""
        self.terms.append(term)
        self.starts.append(len(self.ids))
        self.value_starts.append(len(self.values))
        self.ids.extend(ids)
        self.weights.extend(weights)
        values = [v or b"" for v in values]
        self.value_sizes.extend([min(len(v), _MAX_VALUE) for v in values])
        self.values += b"".join(values)

    def _has_values(self) -> bool:
        return _MAX_VALUE not in self.value_sizes

    def write(self, path: Path) -> None:
        blob = b"".join(self.terms)
        ends = array("I", [0])
        for term in self.terms:
            ends.append(ends[-1] + len(term))
        starts = array("I", self.starts)
        starts.append(len(self.ids))
        value_starts = array("Q", self.value_starts)
        value_starts.append(len(self.values))
        has_values = self._has_values()
        parts = [ends, starts, self.ids, self.weights]
        parts += [value_starts, self.value_sizes] if has_values else []
        if _SWAP:
            parts = [array(a.typecode, a) for a in parts]
            for a in parts:
                a.byteswap()
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as fh:
            fh.write(_HEADER.pack(_MAGIC, len(self.terms), len(self.ids), has_values))
            fh.write(parts[0].tobytes())
            fh.write(parts[1].tobytes())
            fh.write(blob)
            for part in parts[2:]:
                fh.write(part.tobytes())
            if has_values:
                fh.write(self.values)
        os.replace(tmp, path)  # never a half-written list under the final name


class TermLists:
    """One segment's file: the term directory in memory, each list read when asked for.

    The file stays open while the lists are kept (see lists_for): once Whoosh merges the
    segment away and deletes the file, a searcher still reading that segment reads the same
    lists through the open file, as Whoosh reads its own segment files.
    """

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as fh:
            magic, n, postings, self.has_values = _HEADER.unpack(fh.read(_HEADER.size))
            if magic != _MAGIC:
                raise ValueError(f"{path} is not a term list file")
            self._ends = _read_array(fh, "I", n + 1)
            self._starts = _read_array(fh, "I", n + 1)
            self._blob = fh.read(self._ends[-1])
            end = fh.tell() + 8 * postings
            if self.has_values:
                fh.seek(end)
                self._value_starts = _read_array(fh, "Q", n + 1)
                end = fh.tell() + 2 * postings + self._value_starts[-1]
            size = os.fstat(fh.fileno()).st_size
        self._n = n
        self._ids_at = _HEADER.size + 8 * (n + 1) + len(self._blob)
        self._weights_at = self._ids_at + 4 * postings
        self._sizes_at = self._weights_at + 4 * postings + 8 * (n + 1)
        self._values_at = self._sizes_at + 2 * postings
        if size != end or self._starts[-1] != postings:
            raise ValueError(f"{path} is truncated or damaged")
        self._fd = os.open(path, os.O_RDONLY)  # an open and a close per list cost ~10 us

    def __del__(self):
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def _term(self, i: int) -> bytes:
        return self._blob[self._ends[i]:self._ends[i + 1]]

    def find(self, term: bytes) -> int | None:
        """The term's place in the directory (in memory), or None if the segment lacks it."""
        i = bisect_left(range(self._n), term, key=self._term)
        return i if i < self._n and self._term(i) == term else None

    def get(self, term: bytes, values: bool = False) -> tuple[array, array, Values | None] | None:
        """The term's docnums (ascending), weights and, with `values`, each posting's value.

        None if the segment lacks the term, holds no values when asked for them, or its file
        cannot be read.
        """
        i = self.find(term)
        return None if i is None else self.read(i, values)

    def read(self, i: int, values: bool = False) -> tuple[array, array, Values | None] | None:
        """get() for the term at place `i` of the directory."""
        if values and not self.has_values:
            return None
        start, end = self._starts[i], self._starts[i + 1]
        try:
            ids = _pread_array(self._fd, "I", end - start, self._ids_at + 4 * start)
            weights = _pread_array(self._fd, "f", end - start, self._weights_at + 4 * start)
            vals = self._values(self._fd, i, start, end) if values else None
        except OSError:
            return None
        return ids, weights, vals

    def _values(self, fd: int, i: int, start: int, end: int) -> Values:
        sizes = _pread_array(fd, "H", end - start, self._sizes_at + 2 * start)
        first, last = self._value_starts[i], self._value_starts[i + 1]
        data = os.pread(fd, last - first, self._values_at + first)
        if len(data) != last - first:
            raise OSError(f"term list file ends early at offset {self._values_at + first}")
        return Values(data, sizes)


class Values:
    """A term's posting values, sliced out of one read when asked for (a phrase decodes only
    the few paragraphs that hold all its words)."""

    def __init__(self, data: bytes, sizes: array):
        self._data = data
        self._sizes = sizes
        self._offsets: array | None = None  # summed on first use: the arrays path never needs it

    def __len__(self) -> int:
        return len(self._sizes)

    def __getitem__(self, i: int) -> bytes:
        if self._offsets is None:
            self._offsets = array("I", [0])
            self._offsets.extend(accumulate(self._sizes))
        return self._data[self._offsets[i]:self._offsets[i + 1]]

    def packed(self) -> tuple[bytes, array]:
        """All the values in one string, and each one's size in bytes."""
        return self._data, self._sizes


def _read_array(fh, typecode: str, count: int) -> array:
    out = array(typecode)
    out.frombytes(fh.read(out.itemsize * count))
    if len(out) != count:
        raise ValueError(f"{fh.name} is truncated")
    if _SWAP:
        out.byteswap()
    return out


def _pread_array(fd: int, typecode: str, count: int, offset: int) -> array:
    out = array(typecode)
    data = os.pread(fd, out.itemsize * count, offset)
    out.frombytes(data)
    if len(out) != count:
        raise OSError(f"term list file ends early at offset {offset}")
    if _SWAP:
        out.byteswap()
    return out


def path_for(folder: str | Path, segment_id: str) -> Path:
    return Path(folder) / f"{segment_id}{EXTENSION}"


_OPEN: OrderedDict[tuple[str | Path, str], TermLists | None] = OrderedDict()
_OPEN_LIMIT = 128  # segments (an open file each); a directory is ~1-2 MB for 40k paragraphs
_LOCK = threading.Lock()


def lists_for(folder: str | Path, segment_id: str) -> TermLists | None:
    """The segment's term lists, or None when it has none (or they cannot be read: the
    caller then reads Whoosh's blocks). Segments never change, so directories are kept."""
    key = (folder, segment_id)  # a Path built per call cost more than the lookup it keys
    with _LOCK:
        if key in _OPEN:
            _OPEN.move_to_end(key)
            return _OPEN[key]
    try:
        lists = TermLists(path_for(folder, segment_id))
    except (OSError, ValueError, struct.error):
        lists = None
    with _LOCK:
        _OPEN[key] = lists
        while len(_OPEN) > _OPEN_LIMIT:
            _OPEN.popitem(last=False)
    return lists
