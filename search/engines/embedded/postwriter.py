"""A new segment's postings, grouped by term as they arrive, written in Whoosh's own format.

Whoosh's writer puts every posting (~60 a paragraph) in its pool as a 5-tuple, sorts them all
at commit, then hands them one by one to its field writer, which dispatches each through
start_term/add/add_posting with type checks, and Parley's term-list collector looked at each
once more: ~40% of the writer's time in a profile of the 10k benchmark corpus (cProfile, which
overstates per-call costs). Here a document's postings go straight into one list per term, only
the distinct terms are sorted, and a term's blocks are encoded in one loop.

The files are byte for byte those Whoosh writes from the same documents, but for small blocks
left uncompressed (RAW_BELOW), which Whoosh's reader reads as it reads its own: a test compares
them, merges and deletions included, byte for byte with RAW_BELOW at 0 and posting for posting
as written. Only Whoosh's default codec settings are supported (blocks of 128, zlib level 3,
nothing inlined), which is what every Parley index uses.
"""

from __future__ import annotations

import zlib
from array import array
from collections import defaultdict
from hashlib import md5
from pickle import dumps

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.filedb.filetables import _lengths as _KEY_VALUE_LENGTHS
from whoosh.filedb.filetables import md5_hash
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from search.engines.embedded import termdocs

# A block whose pickle is shorter than this is stored as it is: zlib made such blocks longer
# (10k benchmark corpus: 14 -> 22 bytes under 16, 37 -> 41 under 48, 56 -> 52 under 64), and
# they are ~40% of all blocks, each costing a compress here and a decompress in every query.
# Whoosh meant to do the same under 20 bytes, but its check is overwritten by the next line
# (W3PostingsWriter._write_block); its reader takes each block's level from the block's info.
RAW_BELOW = 64
_TERMINFO = W3TermInfo._struct  # "!BfIBBfII": flags, weight, df, min/max length, max weight, ids


def supported(codec) -> bool:
    """Whether postings of `codec` can be written here: Whoosh's default W3 settings."""
    return (type(codec) is W3Codec and codec._blocklimit > 0 and codec._inlinelimit <= 1
            and codec._compression in range(10))


class TermPool:
    """Stands in for Whoosh's PostingPool as a SegmentWriter's `pool`.

    Each term's postings are one flat list, docnum, weight, value, docnum, ...: appending three
    items to a list is cheaper than keeping a tuple each, and takes less memory. Postings of a
    term arrive in ascending docnum order (documents are numbered as they are added, and a
    merged segment's after them); `sorted_fields` checks and sorts where they do not.
    """

    def __init__(self):
        self.fields: dict[str, defaultdict[bytes, list]] = {}

    def field(self, fieldname: str) -> defaultdict[bytes, list]:
        try:
            return self.fields[fieldname]
        except KeyError:
            terms = self.fields[fieldname] = defaultdict(list)
            return terms

    def add_items(self, fieldname: str, docnum: int, items, boost: float) -> int:
        """A document's (term, freq, weight, value) items of one field; returns their freqs' sum."""
        terms = self.field(fieldname)
        length = 0
        for tbytes, freq, weight, value in items:
            terms[tbytes] += (docnum, weight * boost, value)
            length += freq
        return length

    def add(self, item: tuple) -> None:
        """Whoosh's pool interface, which a merge (SegmentWriter.add_reader) feeds."""
        fieldname, tbytes, docnum, weight, value = item
        if docnum >= 0:  # -1 marks spelling words, which Whoosh's field writer drops too
            self.field(fieldname)[tbytes] += (docnum, weight, value)

    def sorted_fields(self):
        """(fieldname, terms) in Whoosh's order, by field, then term; each term as
        (term, docnums, weights, values), docnums ascending."""
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            if not terms:
                continue
            out = []
            for tbytes in sorted(terms):
                flat = terms[tbytes]
                ids, weights, values = flat[0::3], flat[1::3], flat[2::3]
                if any(a >= b for a, b in zip(ids, ids[1:], strict=False)):
                    triples = sorted(zip(ids, weights, values, strict=True))
                    ids, weights, values = ([t[k] for t in triples] for k in range(3))
                out.append((tbytes, ids, weights, values))
            yield fieldname, out

    def cleanup(self) -> None:
        self.fields.clear()


def write_postings(fieldwriter, schema, pool: TermPool, lengths,
                   collector: termdocs.Collector | None) -> None:
    """Write `pool`'s postings through Whoosh's W3FieldWriter's files, as its add_postings would.

    `lengths(fieldname)` gives the segment's list of a field's length per document (None
    where a document has no length), or None for a field without lengths.
    """
    codec = fieldwriter._codec
    blocklimit, comp = codec._blocklimit, codec._compression
    tindex, fieldmap, postfile = fieldwriter._tindex, fieldwriter._fieldmap, fieldwriter._postfile
    pos = postfile.tell()
    # The term index (Whoosh's OrderedHashWriter) is appended to as its add() does, but with
    # the file position counted here: add() asked the file for it twice a term (~3% of the
    # writer's CPU). Keys arrive in order: fields sorted, numbered in that order, terms sorted.
    tpos, tindex_file, positions, buckets = (tindex.dbfile.tell(), tindex.dbfile, tindex.index,
                                             tindex.buckets)
    hashfn = _md5_low32 if tindex.hashfn is md5_hash else tindex.hashfn
    if tindex.lastkey:
        raise RuntimeError("the term index already holds terms")
    key = b""
    for fieldname, terms in pool.sorted_fields():
        fieldid = fieldmap.setdefault(fieldname, len(fieldmap))
        prefix = pack_ushort(fieldid)
        fixed = schema[fieldname].format.fixed_value_size()
        column = lengths(fieldname)
        collect = collector if collector is not None and fieldname == collector.field else None
        entries = []
        for tbytes, ids, weights, values in terms:
            if collect is not None:
                collect.add_term(tbytes, ids, weights, values)
            start = pos
            parts = [WHOOSH3_HEADER_MAGIC]
            pos += len(WHOOSH3_HEADER_MAGIC)
            n = len(ids)
            total_weight, maxweight, minlength, maxlength = 0, 0, None, 0
            for b in range(0, n, blocklimit):
                bids = ids[b:b + blocklimit]
                bweights = weights[b:b + blocklimit]
                f32 = array("f", bweights)  # what Whoosh stores; its statistics use the doubles
                bmaxweight = max(bweights)
                if not bmaxweight > 0:
                    bmaxweight = 0
                if column is None:
                    bmin, bmax = None, 0
                else:
                    blens = [length for length in (column[d] for d in bids) if length]
                    bmin, bmax = (min(blens), max(blens)) if blens else (None, 0)
                # The term's statistics, as W3TermInfo.add_block accumulates them
                total_weight += sum(f32)
                minlength = bmin if minlength is None else min(minlength, bmin)
                maxlength = max(maxlength, bmax)
                maxweight = max(maxweight, bmaxweight)
                # The block, as W3PostingsWriter._write_block encodes it
                deltas = [bids[0], *(y - x for x, y in zip(bids, bids[1:], strict=False))]
                if all(w == 1.0 for w in f32):
                    wmini = None
                elif all(w == f32[0] for w in f32):
                    wmini = f32[0]
                else:
                    wmini = tuple(f32)
                bvalues = [v for v in values[b:b + blocklimit] if v]
                vmini: tuple | bytes | None
                if fixed is None or fixed < 0:
                    vmini = tuple(bvalues)
                elif fixed == 0:
                    vmini = None
                else:
                    vmini = b"".join(bvalues)
                data = dumps((tuple(deltas), wmini, vmini), 2)
                level = comp if len(data) >= RAW_BELOW else 0
                if level:
                    data = zlib.compress(data, level)
                info = dumps((len(bids), bids[-1], bmaxweight, level, length_to_byte(bmin),
                              length_to_byte(bmax)), 2)
                size = len(info) + len(data)
                parts += (pack_int(-size if b + blocklimit >= n else size), info, data)
                pos += 4 + size
            postfile.write(b"".join(parts))
            key = prefix + tbytes
            info = _TERMINFO.pack(
                False, total_weight, n, 0 if minlength is None else length_to_byte(minlength),
                length_to_byte(maxlength), maxweight, ids[0], ids[-1]) \
                + pack_long(start) + pack_int(pos - start)
            positions.append(tpos)
            h = hashfn(key)
            buckets[h & 255].append((h, tpos))
            entry = _KEY_VALUE_LENGTHS.pack(len(key), len(info)) + key + info
            entries.append(entry)
            tpos += len(entry)
        tindex_file.write(b"".join(entries))
    tindex.lastkey = key
    if postfile.tell() != pos or tindex_file.tell() != tpos:  # offsets would be wrong
        raise RuntimeError(f"postings file at {postfile.tell()}, expected {pos}; term index "
                           f"at {tindex_file.tell()}, expected {tpos}")


def _md5_low32(key: bytes) -> int:
    """whoosh.filedb.filetables.md5_hash (the digest as an integer, its low 32 bits), without
    the hex string."""
    return int.from_bytes(md5(key).digest()[-4:], "big")

