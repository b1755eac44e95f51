"""The one Whoosh schema, its field names, and how an index directory is opened or created.

Only the embedded engine's package (search/engines/embedded/) imports whoosh.
A Parley index directory carries a marker file; a directory without it is refused,
because Whoosh stores pickles and opening a stranger's index could run code.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path

from whoosh import fields, formats, index
from whoosh.analysis import (
    CommaSeparatedTokenizer,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
)
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import pack_uint

from indexer.errors import IndexCorrupt, IndexNotFound, NotParleyIndex

FORMAT = "parley-index"
# 2: c_quotes column; 3: position, date, c_date no longer indexed; 4: text_pairs;
# 5: packed text positions (PackedPositions), which an older Parley cannot unpickle.
FORMAT_VERSION = 5
# A version 4 index is still read and written as it is: it keeps the schema it was created
# with, pickled in its TOC, and so its pickled positions.
READS_VERSIONS = (4, 5)
MARKER = "parley-index.json"
SEP = "\x1f"  # joins multi-valued facet values inside one column cell
SUBSEP = "\x1e"  # joins the parts of one entry (speaker, type, key) inside a cell

_SWAP = sys.byteorder != "little"  # packed positions are little-endian on disk
_UINT32_LE = struct.Struct("<I")
_ONE_POSITION = pack_uint(1)
# Stop words are kept: journalists search exact quotations ("no progress yet").
_TEXT = StemmingAnalyzer(stoplist=None, minsize=1)
_TITLE_CACHE: dict[str, list] = {}


# Words so frequent that a phrase of them and other frequent words ("the president", "in gaza")
# made Whoosh decode positions for most of the index: 550 ms for "the president" at 200k
# paragraphs. Each of these with the word after it is also indexed as one term of text_pairs
# (like Lucene's "common grams", which also pairs a common word with the word before it: that
# doubles the pairs, 0.86 instead of 0.43 per distinct word, for phrases ending in "of" or "the").
COMMON_WORDS = frozenset(("the", "a", "an", "of", "to", "in", "on", "for", "and", "at", "by",
                          "with"))
PAIR_SEP = " "


def common_pairs(words: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(position, "w1 w2") for each common word and the word right after it."""
    return [(p, a + PAIR_SEP + b) for (p, a), (q, b) in zip(words, words[1:], strict=False)
            if a in COMMON_WORDS and q == p + 1]


def ranking_words(words) -> list[str]:
    """The words a phrase is ranked by: all but the common ones, unless it has nothing else.

    A common word's idf is near zero, yet its postings are most of what ranking would read
    ("the" is in ~90% of paragraphs): ranking "the president" by both read 160k postings.
    """
    return [w for w in words if w not in COMMON_WORDS] or list(words)


# The text analyzer's stages, checked to be its whole pipeline: words by a regex, lowercased,
# stemmed. analyse() and the snippet highlighter (search/highlight.py) run the same stages
# without Whoosh's per-word Token objects and generator chain: in a sampled profile of writing
# the 10k benchmark corpus (py-spy), analysing the text field went from 12% of the writer's
# time to ~4%. If the analyzer ever gains a stage, this fails at import rather than indexing
# or highlighting differently.
_tokenizer, _lowercase, _stemmer = _TEXT.items
assert type(_tokenizer) is RegexTokenizer and not _tokenizer.gaps
assert type(_lowercase) is LowercaseFilter and type(_stemmer) is StemFilter and not _stemmer.ignore
WORD = _tokenizer.expression
# findall over the same pattern with its group made non-capturing: the same matches, and
# findall then returns the words themselves.
_WORDS = re.compile(WORD.pattern.replace("(\\.?", "(?:\\.?"), WORD.flags)
assert _WORDS.pattern != WORD.pattern and _WORDS.groups == 0
_stemfn = _stemmer.stemfn
# word as written -> its indexed form. A plain dict, not lru_cache: the lookup is most of the
# cost of a word, and lru_cache's bookkeeping (and the lower() before it) doubled it.
STEMS: dict[str, str] = {}
_STEMS_LIMIT = 200_000  # distinct spellings; past it the dict starts again (~20 MB at most)


def indexed_form(word: str) -> str:
    """The text field's indexed form of a word its tokenizer found (a miss in STEMS)."""
    if len(STEMS) >= _STEMS_LIMIT:
        STEMS.clear()
    form = STEMS[word] = _stemfn(word.lower())
    return form


def analyse(value: str) -> list[tuple[int, str]]:
    """(position, indexed word) of each word of a text, as the text field's analyzer gives."""
    stems = STEMS
    return list(enumerate([stems.get(w) or indexed_form(w) for w in _WORDS.findall(value)]))


_LAST_TEXT: list = [None, None]  # the last text value analysed, and its (position, word)s


def _text_words(analyzer, value: str) -> list[tuple[int, str]]:
    """(position, indexed word) of a text; the pairs field reuses the text field's analysis."""
    if _LAST_TEXT[0] is value:
        return _LAST_TEXT[1]
    if analyzer is _TEXT or analyzer == _TEXT:
        words = analyse(value)
    else:  # an index created with another analyzer keeps it
        words = [(t.pos, t.text) for t in analyzer(value, positions=True, mode="index")]
    _LAST_TEXT[0], _LAST_TEXT[1] = value, words
    return words


def _position_items(fmt, pairs) -> list[tuple]:
    """What whoosh.formats.Positions.word_values yields, from (position, word) pairs."""
    poses: dict[str, list[int]] = defaultdict(list)
    for pos, word in pairs:
        poses[word].append(pos)
    fb, encode = fmt.field_boost, fmt.encode
    return [(w.encode("utf-8"), len(pl), float(len(pl)) * fb, encode(pl))
            for w, pl in poses.items()]


class PackedPositions(formats.Positions):
    """Positions as Whoosh's count followed by packed uint32 gaps, not a pickled list.

    Whoosh pickles each posting's list of positions: 13-14 bytes for a word seen once, unpickled
    one posting at a time. Packed, the same posting is 8 bytes and decodes with array.frombytes.
    The text field's values are most of the index and are also kept in the term lists
    (termdocs.py), so this shrinks both.
    """

    def encode(self, poslist):
        if len(poslist) == 1:  # most words of a paragraph: no gaps to work out
            return _ONE_POSITION + _UINT32_LE.pack(poslist[0])
        gaps = array("I", (pos - prev for prev, pos in zip([0, *poslist], poslist, strict=False)))
        if _SWAP:
            gaps.byteswap()
        return pack_uint(len(poslist)) + gaps.tobytes()

    def decode_positions(self, valuestring):
        gaps = array("I")
        gaps.frombytes(valuestring[_INT_SIZE:])
        if _SWAP:
            gaps.byteswap()
        return list(accumulate(gaps))


class PairedText(fields.TEXT):
    """The paragraph text: analysed once, its words kept for the text_pairs field."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.format = PackedPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        return _position_items(self.format, _text_words(self.analyzer, value))


class PairsText(fields.FieldType):
    """A common word and the next (see COMMON_WORDS): which paragraphs have each such pair.

    Given the same string as `text`; Whoosh adds fields in name order, so text comes first
    and its analysis is reused. Presence only, no positions or frequencies: they would add
    a quarter to the writer's time (measured: +27% CPU per paragraph with positions), and a
    pair only has to find or narrow the paragraphs a phrase can be in.
    """

    def __init__(self):
        self.format = formats.Existence()
        self.analyzer = _TEXT
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            raise ValueError("text_pairs takes the paragraph text")
        pairs = {pair for _, pair in common_pairs(_text_words(self.analyzer, value))}
        return [(pair.encode("utf-8"), 1, 1.0, b"") for pair in pairs]


class TitleText(fields.TEXT):
    """TEXT whose analysed terms are remembered for the last few thousand values.

    Every paragraph carries its article's title, so without this the same title is tokenized,
    stemmed and encoded once per paragraph (about 8% of writing time). The cache lives in the
    module, not on the field: the field is pickled into the index's TOC.
    """

    def index(self, value, **kwargs):
        if kwargs:
            return super().index(value, **kwargs)
        try:
            return _TITLE_CACHE[value]
        except KeyError:
            pass
        if len(_TITLE_CACHE) >= 4096:
            _TITLE_CACHE.clear()
        items = _TITLE_CACHE[value] = list(super().index(value))
        return items


_KEYWORDS = CommaSeparatedTokenizer()
_COMMA_PARTS = re.compile(_KEYWORDS.items[0].expression.pattern)  # [^,]+, each then stripped


def quick_indexer(field) -> Callable[[str], list[tuple]] | None:
    """A stand-in for `field.index(value)` on a str, giving the same items, for the kinds of
    field this schema has; None for any other field (Whoosh's index() is used).

    Whoosh's index() runs the analyzer's chain of generators with a Token object per word and
    a format's word_values() over them: for the quotation, id and keyword fields that was as
    much as the text field's own analysis. Each kind is matched by type and analyzer, so a
    field changed in the schema, or unpickled differently from an older index, falls back.
    The writer's test (tests/test_postwriter.py) compares the written segment byte for byte
    with Whoosh's.
    """
    fmt = field.format
    if type(field) is fields.TEXT and type(fmt) is formats.Positions and field.analyzer == _TEXT:
        return lambda value: _position_items(fmt, analyse(value))
    boost: float = getattr(fmt, "field_boost", 1.0)
    if type(field) is fields.ID and type(fmt) is formats.Existence \
            and type(field.analyzer) is IDTokenizer:
        return lambda value: [(value.encode("utf-8"), 1, boost, b"")]
    if type(field) is fields.KEYWORD and type(fmt) is formats.Frequency \
            and field.analyzer == _KEYWORDS:
        def keywords(value: str) -> list[tuple]:
            counts = Counter(part.strip() for part in _COMMA_PARTS.findall(value))
            return [(w.encode("utf-8"), n, float(n) * boost, pack_uint(n))
                    for w, n in counts.items()]
        return keywords
    return None


SCHEMA = fields.Schema(
    pid=fields.ID(stored=True, unique=True),
    article_id=fields.ID(stored=True),
    # Stored only: nothing searches by position or date term, and an indexed 32-bit NUMERIC
    # writes 8 terms per document (the writer's time went down ~10% without them).
    position=fields.STORED(),
    text=PairedText(stored=True, analyzer=_TEXT, phrase=True),
    text_pairs=PairsText(),
    title=TitleText(stored=True, analyzer=_TEXT),
    quote=fields.TEXT(analyzer=_TEXT, phrase=True),  # words inside quotation marks only
    heading=fields.STORED(),
    url=fields.STORED(),
    precision=fields.STORED(),
    quotes_json=fields.STORED(),
    outlet=fields.ID(stored=True),
    actors=fields.KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
    topics=fields.KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
    credits=fields.KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
    speakers=fields.KEYWORD(commas=True, lowercase=False, scorable=False),
    date=fields.STORED(),
    month=fields.ID(),
    has_quotes=fields.ID(),
    # Per-document columns: facet counts, date filters and sorting read these without
    # touching postings or unpickling stored fields.
    c_outlet=fields.COLUMN(VarBytesColumn()),
    c_actors=fields.COLUMN(VarBytesColumn()),
    c_topics=fields.COLUMN(VarBytesColumn()),
    c_speakers=fields.COLUMN(VarBytesColumn()),
    # One entry per quotation, in order: speaker, speaker type and a key of its words, so
    # quotations can be grouped, counted and listed without unpickling stored fields.
    c_quotes=fields.COLUMN(VarBytesColumn()),
    c_date=fields.COLUMN(NumericColumn("I")),  # YYYYMMDD: date filters and sorting
)

# Facet name (JSON key) -> (keyword field used to filter, column holding the values).
FACET_FIELDS = {
    "outlet": ("outlet", "c_outlet"),
    "actor": ("actors", "c_actors"),
    "topic": ("topics", "c_topics"),
    "speaker": ("speakers", "c_speakers"),
    "month": ("month", "c_date"),
}


def date_number(iso: str | None) -> int:
    """YYYY-MM-DD -> YYYYMMDD (0 when unknown): sortable and cheap to compare."""
    if not iso:
        return 0
    parts = (iso + "-00-00")[:10].split("-")
    return int(parts[0]) * 10000 + int(parts[1] or 0) * 100 + int(parts[2] or 0)


def length_bytes(perdoc, fieldname: str, docs: int) -> bytes | None:
    """A segment's stored field lengths, one byte per document (None: the field keeps none).

    `perdoc` is the segment's per-document reader. Whoosh encodes each length as one byte
    (whoosh.util.numeric.byte_to_length decodes it; 0 means no length). The bytes are read
    in one go (Whoosh 2.7.4's NumericColumn("B") reader keeps its file and offset in
    _dbfile/_basepos/_count) instead of a seek and read per document: 183k documents in a few
    ms instead of ~0.5 s. Used by the writer and by scoring; both rely on these internals.
    """
    lenfield = _lenfield(fieldname)
    if not perdoc.has_column(lenfield):
        return None
    column = perdoc.column_reader(lenfield, LENGTHS_COLUMN)
    try:
        raw = bytes(column._dbfile.get(column._basepos, column._count))
    except AttributeError:  # another column layout: read it value by value
        return bytes(column)
    return raw[:docs] + bytes(max(0, docs - len(raw)))


def is_parley_index(path: Path) -> bool:
    return (path / MARKER).is_file()


def create_index(path: Path) -> index.Index:
    path.mkdir(parents=True, exist_ok=True)
    # Files derived from a previous index (search's saved facet tables are keyed by
    # generation, which restarts here) must not outlive it.
    for stale in path.glob("parley-doctable-*"):
        stale.unlink(missing_ok=True)
    ix = _storage(path).create().create_index(SCHEMA)
    (path / MARKER).write_text(json.dumps({"format": FORMAT, "version": FORMAT_VERSION}))
    return ix


def open_index(path: Path, *, retries: int = 5) -> index.Index:
    """Open an existing Parley index; refuse anything else."""
    path = Path(path)
    if not path.is_dir() or not any(path.glob("*.toc")):
        if path.is_dir() and any(path.iterdir()) and not is_parley_index(path):
            raise NotParleyIndex(f"{path} is not a Parley index (no {MARKER}); "
                                 "refusing to open it.")
        raise IndexNotFound(f"No index at {path}; build one with `parley index PATH`.")
    _check_marker(path)
    for attempt in range(retries):
        try:
            return _storage(path).open_index()
        except FileNotFoundError:
            # A commit can delete the old TOC between our listing and our read; try again.
            time.sleep(0.02 * (attempt + 1))
        except Exception as exc:  # noqa: BLE001 - Whoosh raises bare pickle/struct errors
            raise IndexCorrupt(f"Index at {path} cannot be read ({exc.__class__.__name__}: {exc}); "
                               "rebuild it with `parley index --rebuild PATH`.") from exc
    return _storage(path).open_index()


def _storage(path: Path) -> FileStorage:
    # No mmap: Whoosh 2.7.4 then copies every sub-file of a compound segment into a BytesIO
    # (filedb/compound.py), so each searcher held a private copy of the whole index: +127 MB
    # per searcher on 47k paragraphs, x8 server threads. Read in place it costs ~nothing,
    # for ~20% slower queries (9.3 -> 11.4 ms on that index).
    return FileStorage(str(path), supports_mmap=False)


def _check_marker(path: Path) -> None:
    try:
        marker = json.loads((path / MARKER).read_text())
    except (OSError, ValueError):
        raise NotParleyIndex(f"{path} is not a Parley index (missing or bad {MARKER}); "
                             "refusing to open it.") from None
    if marker.get("format") != FORMAT:
        raise NotParleyIndex(f"{path} is not a Parley index; refusing to open it.")
    if marker.get("version") not in READS_VERSIONS:
        readable = " and ".join(map(str, READS_VERSIONS))
        raise IndexCorrupt(f"Index at {path} has format version {marker.get('version')}; "
                           f"this Parley reads versions {readable}. "
                           "Rebuild it with `parley index --rebuild`.")
