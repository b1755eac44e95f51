"""Term -> (documents, weights) lists of the text field, one file per segment beside Whoosh's.

Whoosh keeps a word's postings in blocks of up to 128, each a zlib-compressed pickle of
(docnums, weights, positions). Ranking a word needs only docnums and weights, yet reading a
block decodes its positions too: ~60 us a block, 25-30 ms to rank "president" (26k paragraphs
of the 200k benchmark). Lucene and tantivy keep positions apart from document lists for this
reason. This file is that document list: as a segment's postings are written
(postwriter.py), the text field's (docnum, weight) pairs are copied here, so they are the
values Whoosh's blocks hold; a word's list is then one read of two flat arrays.

Phrases and proximity need positions: each posting's value (its positions, as Whoosh encodes
them) is kept too, in a section of its own, so a phrase decodes the positions of only the
paragraphs that hold all its words.

Layout, little-endian: magic, term count n, posting count, whether values follow, CRC-32 of
the directory; the directory: n+1 byte offsets of each term in the term blob, n+1 offsets of
each term's first posting, the blob (terms, sorted as Whoosh writes them), each term's CRC-32
of its docnums and weights, each term's CRC-32 of its value sizes and values (0 without
values); docnums (uint32); weights (float32, as Whoosh stores them); then, if values follow,
n+1 byte offsets of each term's values (uint64), each posting's value length (uint16) and
the values.

Checksums: the directory is verified when the file is opened, a term's lists when they are
read (CRC-32 runs at over 1 GB/s: ~0.2 ms for the 26k postings of "president"), so a
damaged file raises IndexCorrupt instead of ranking with wrong numbers. `verify()` reads
every list (`parley check`). A file of the previous layout (PTD2, no checksums) is still read.

The file is named after its segment ("<segment id>.tdl"), so Whoosh deletes it with the
segment. A segment without one (an index written before it existed) is read from Whoosh's
blocks, as before.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
import zlib
from array import array
from bisect import bisect_left
from collections import OrderedDict
from itertools import accumulate
from pathlib import Path

from indexer.errors import IndexCorrupt

FIELD = "text"
EXTENSION = ".tdl"
_MAGIC = b"PTD3"
_HEADER = struct.Struct("<4sIQ?I")
_OLD_MAGIC = b"PTD2"  # the layout without checksums
_OLD_HEADER = struct.Struct("<4sIQ?")
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
        """One term's postings, in docnum order (postwriter.py writes them this way)."""
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
        parts: list[array] = [ends, starts, self.ids, self.weights]
        parts += [value_starts, self.value_sizes] if has_values else []
        if _SWAP:
            parts = [array(a.typecode, a) for a in parts]
            for a in parts:
                a.byteswap()
        list_sums, value_sums = self._checksums(parts, starts, value_starts, has_values)
        directory = b"".join((parts[0].tobytes(), parts[1].tobytes(), blob,
                              list_sums.tobytes(), value_sums.tobytes()))
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as fh:
            fh.write(_HEADER.pack(_MAGIC, len(self.terms), len(self.ids), has_values,
                                  zlib.crc32(directory)))
            fh.write(directory)
            for part in parts[2:]:
                fh.write(part.tobytes())
            if has_values:
                fh.write(self.values)
        os.replace(tmp, path)  # never a half-written list under the final name

    def _checksums(self, parts: list[array], starts: array, value_starts: array,
                   has_values: bool) -> tuple[array, array]:
        """Each term's CRC-32 of its docnums and weights, and of its value sizes and values,
        over the bytes as written (parts are already little-endian)."""
        ids, weights = memoryview(parts[2]).cast("B"), memoryview(parts[3]).cast("B")
        sizes = memoryview(parts[5]).cast("B") if has_values else None
        values = memoryview(self.values)
        list_sums, value_sums = array("I"), array("I")
        crc32 = zlib.crc32
        for i in range(len(self.terms)):
            a, b = 4 * starts[i], 4 * starts[i + 1]
            list_sums.append(crc32(weights[a:b], crc32(ids[a:b])))
            if sizes is not None:
                sized = crc32(sizes[a // 2:b // 2])
                value_sums.append(crc32(values[value_starts[i]:value_starts[i + 1]], sized))
            else:
                value_sums.append(0)
        if _SWAP:
            list_sums.byteswap()
            value_sums.byteswap()
        return list_sums, value_sums


class TermLists:
    """One segment's file: the term directory in memory, each list read when asked for.

    The file stays open while the lists are kept (see ListsCache): once Whoosh merges the
    segment away and deletes the file, a searcher still reading that segment reads the same
    lists through the open file, as Whoosh reads its own segment files.
    """

    def __init__(self, path: Path):
        self.path = path
        self._list_sums: array | None = None
        self._value_sums: array | None = None
        with open(path, "rb") as fh:
            head = fh.read(_HEADER.size)
            if head[:4] == _OLD_MAGIC:
                fh.seek(_OLD_HEADER.size)
                magic, n, postings, self.has_values = _OLD_HEADER.unpack(head[:_OLD_HEADER.size])
                crc = 0
            else:
                magic, n, postings, self.has_values, crc = _HEADER.unpack(head)
            if magic not in (_MAGIC, _OLD_MAGIC):
                raise ValueError(f"{path} is not a term list file")
            self._ends = _read_array(fh, "I", n + 1)
            self._starts = _read_array(fh, "I", n + 1)
            self._blob = fh.read(self._ends[-1])
            if magic == _MAGIC:
                self._list_sums = _read_array(fh, "I", n)
                self._value_sums = _read_array(fh, "I", n)
                directory = b"".join((_le(self._ends), _le(self._starts), self._blob,
                                      _le(self._list_sums), _le(self._value_sums)))
                if zlib.crc32(directory) != crc:
                    raise _damaged(path, "its directory fails its checksum")
            directory_end = fh.tell()
            end = directory_end + 8 * postings
            if self.has_values:
                fh.seek(end)
                self._value_starts = _read_array(fh, "Q", n + 1)
                end = fh.tell() + 2 * postings + self._value_starts[-1]
            size = os.fstat(fh.fileno()).st_size
        self._n = n
        self._ids_at = directory_end
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
            raw_ids = _pread(self._fd, 4 * (end - start), self._ids_at + 4 * start)
            raw_weights = _pread(self._fd, 4 * (end - start), self._weights_at + 4 * start)
            vals = self._values(self._fd, i, start, end) if values else None
        except OSError:
            return None
        sums = self._list_sums
        if sums is not None and zlib.crc32(raw_weights, zlib.crc32(raw_ids)) != sums[i]:
            raise _damaged(self.path, f"the list of term {self._term(i)!r} fails its checksum")
        return _array("I", raw_ids), _array("f", raw_weights), vals

    def _values(self, fd: int, i: int, start: int, end: int) -> Values:
        raw_sizes = _pread(fd, 2 * (end - start), self._sizes_at + 2 * start)
        first, last = self._value_starts[i], self._value_starts[i + 1]
        data = _pread(fd, last - first, self._values_at + first)
        sums = self._value_sums
        if sums is not None and zlib.crc32(data, zlib.crc32(raw_sizes)) != sums[i]:
            raise _damaged(self.path,
                           f"the positions of term {self._term(i)!r} fail their checksum")
        return Values(data, _array("H", raw_sizes))

    def verify(self) -> None:
        """Read every term's lists and values, checking each checksum (IndexCorrupt if one
        fails). A file of the old layout has none to check."""
        for i in range(self._n):
            if self.read(i, values=self.has_values) is None:
                raise _damaged(self.path, f"the list of term {self._term(i)!r} cannot be read")


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


def _pread(fd: int, size: int, offset: int) -> bytes:
    data = os.pread(fd, size, offset)
    if len(data) != size:
        raise OSError(f"term list file ends early at offset {offset}")
    return data


def _array(typecode: str, data: bytes) -> array:
    out = array(typecode)
    out.frombytes(data)
    if _SWAP:
        out.byteswap()
    return out


def _le(values: array) -> bytes:
    """An array's bytes as written to disk (little-endian)."""
    if not _SWAP:
        return values.tobytes()
    swapped = array(values.typecode, values)
    swapped.byteswap()
    return swapped.tobytes()


def _damaged(path: Path, what: str) -> IndexCorrupt:
    return IndexCorrupt(f"Index at {path.parent} is damaged: the term list file {path.name} "
                        f"is not as written ({what}); rebuild it with "
                        "`parley index --rebuild PATH...`.")


def path_for(folder: str | Path, segment_id: str) -> Path:
    return Path(folder) / f"{segment_id}{EXTENSION}"


class ListsCache:
    """The open term list files of one index folder, the most recently used kept.

    Held by the engine reading that folder (engine.Engine), for as long as it lives.
    Segments never change, so a directory once read stays valid.
    """

    LIMIT = 128  # segments (an open file each); a directory is ~1-2 MB for 40k paragraphs

    def __init__(self, folder: str | Path):
        self.folder = folder
        self._open: OrderedDict[str, TermLists | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, segment_id: str) -> TermLists | None:
        """The segment's term lists, or None when it has none (an index written before they
        existed: the caller reads Whoosh's blocks). IndexCorrupt when its file is damaged."""
        with self._lock:
            if segment_id in self._open:
                self._open.move_to_end(segment_id)
                return self._open[segment_id]
        path = path_for(self.folder, segment_id)
        try:
            lists = TermLists(path)
        except FileNotFoundError:
            lists = None
        except (OSError, ValueError, struct.error) as exc:  # there, but truncated or unreadable
            raise _damaged(path, str(exc)) from exc
        with self._lock:
            self._open[segment_id] = lists
            while len(self._open) > self.LIMIT:
                self._open.popitem(last=False)
        return lists

    def clear(self) -> None:
        with self._lock:
            self._open.clear()
