"""The one text analyzer: the words of a text as indexing, querying and highlighting see them.

Every engine gets its tokens here, so a word typed in a query and the same word in a paragraph
always meet. A "unit" is what a reader takes for one word: letters and digits, joined by
hyphens, slashes or apostrophes (Ben-Gvir, 9/11, S/RES/2735, don't), a dotted acronym (U.S.)
or a figure with thousands separators (1,200). Each unit gives:

- one position per part, each part folded (NFKC, case, accents and Arabic marks) and stemmed
  (Porter, as Whoosh's StemmingAnalyzer did, so "hostages" = "hostage");
- beside a part whose stem differs from its folded spelling, that spelling marked with
  EXACT ("=waite" beside "wait"): a name typed in a query matches it and not the common word;
- for a unit of several parts, the parts joined into one word at the first part's position
  (cease-fire also gives "ceasefire"), so the closed spelling finds the hyphenated one.

A possessive 's is dropped (Israel's = Israel). This module imports no search engine.
"""

from __future__ import annotations

import re
import unicodedata

import Stemmer

EXACT = "="  # marks an unstemmed form; "=" never occurs inside a token
# Word characters, plus the combining marks that decomposed text (e + U+0301, Arabic
# harakat) puts inside a word: they must not split it.
_CH = r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"
# A unit: word characters, continued over a joiner or an inner dot by more of them (2.5,
# gaza.com, U.S), over a comma by a group of three digits (1,200), and over the dot closing a
# dotted acronym (U.S.-brokered, U.N.). One pass and no alternation at the start: a third
# faster than trying number, acronym and word in turn (measured on 80 briefings, same units).
_JOINERS = "-\u2010\u2011/'\u2019\u02bc"
_ACRONYM_DOT = r"(?<=\.[^\W\d_])\."
UNIT = re.compile(rf"{_CH}+(?:[{_JOINERS}.]{_CH}+|(?<=\d),\d{{3}}(?!\d)"
                  rf"|{_ACRONYM_DOT}(?=[{_JOINERS}]{_CH}))*(?:{_ACRONYM_DOT})?")
_SPLIT = re.compile(rf"([{_JOINERS}])")
_APOSTROPHES = "'\u2019\u02bc"
# Marks stripped after decomposition: Latin/Greek/Cyrillic accents, Hebrew points, Arabic
# harakat and the hamza/madda that NFD splits off alef, waw and yeh.
_STRIP = re.compile("[\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_LETTERS = str.maketrans({
    "\u0640": None,  # tatweel (kashida): stretches a word, means nothing
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0649": "\u064a",  # alef maqsura -> yeh
    "\u06cc": "\u064a",  # Farsi yeh -> yeh
    "\u0629": "\u0647",  # teh marbuta -> heh
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
    **{chr(0x06f0 + i): str(i) for i in range(10)},  # Persian digits
})
_STEMMER = Stemmer.Stemmer("porter")

# unit as written -> (positions it takes, ((offset, form), ...)); a plain dict: the lookup is
# most of the cost of a word at index time.
_UNITS: dict[str, tuple[int, tuple[tuple[int, str], ...]]] = {}
_UNITS_LIMIT = 200_000


def fold(word: str) -> str:
    """A word's spelling without case, accents or Arabic letter variants (Sánchez -> sanchez)."""
    word = unicodedata.normalize("NFKC", word).casefold()
    if not word.isascii():
        word = unicodedata.normalize("NFC", _STRIP.sub("", unicodedata.normalize("NFD", word)))
        word = word.translate(_LETTERS)
    return word


def stem(folded: str) -> str:
    # Two letters or fewer stay as they are (Porter's own rule, which Snowball's "porter"
    # drops: it made "us" "u" and "s" "").
    return folded if len(folded) <= 2 else _STEMMER.stemWord(folded)


def parts(unit: str) -> list[str]:
    """The folded parts of a unit: Ben-Gvir -> [ben, gvir]; U.S. -> [us]; Israel's -> [israel]."""
    pieces = _SPLIT.split(unit)
    words, joiners = pieces[0::2], pieces[1::2]
    if len(words) > 1 and joiners[-1] in _APOSTROPHES and words[-1].lower() == "s":
        words = words[:-1]  # possessive
    out = []
    for w in words:
        if "." in w and all(len(p) == 1 for p in w.rstrip(".").split(".")) and not w[0].isdigit():
            w = w.replace(".", "")  # dotted acronym
        elif "," in w:
            w = w.replace(",", "")  # 1,200
        out.append(fold(w))
    return [w for w in out if w]


def forms(folded: str) -> tuple[str, ...]:
    """The indexed forms of one folded part: its stem, and its exact form when that differs."""
    stemmed = stem(folded)
    return (stemmed,) if stemmed == folded else (stemmed, EXACT + folded)


def _learn(unit: str) -> tuple[int, tuple[tuple[int, str], ...]]:
    # Most units are one plain ASCII word: no joiners to split, nothing to normalize.
    words = [unit.lower()] if unit.isascii() and unit.isalnum() else parts(unit)
    out = [(i, f) for i, w in enumerate(words) for f in forms(w)]
    if len(words) > 1:
        out[1:1] = [(0, f) for f in forms("".join(words))]
    entry = (len(words), tuple(out))
    if len(_UNITS) >= _UNITS_LIMIT:
        _UNITS.clear()
    _UNITS[unit] = entry
    return entry


def analyse(text: str) -> list[tuple[int, str]]:
    """(position, indexed form) of every token of a text, positions ascending."""
    out: list[tuple[int, str]] = []
    append, get, pos = out.append, _UNITS.get, 0
    for unit in UNIT.findall(text):
        width, toks = get(unit) or _learn(unit)
        if len(toks) == 1:  # most words: one form, no exact form beside it
            append((pos, toks[0][1]))
        else:
            for offset, form in toks:
                append((pos + offset, form))
        pos += width
    return out


def spans(text: str) -> list[tuple[int, int, int, tuple[tuple[int, str], ...]]]:
    """(start, end, positions taken, ((offset, form), ...)) of each unit of a text."""
    get = _UNITS.get
    out = []
    for m in UNIT.finditer(text):
        unit = m.group()
        width, toks = get(unit) or _learn(unit)
        if toks:  # a stray combining mark folds to nothing
            start, end = m.span()
            out.append((start, end, width, toks))
    return out


def units(text: str) -> list[str]:
    """The units of a text as written (what a query word is made of), those that fold to
    something (not a stray combining mark)."""
    return [u for u in UNIT.findall(text) if (_UNITS.get(u) or _learn(u))[1]]


def is_capitalized(unit: str) -> bool:
    """Written with a capital first letter: a name, to be matched exactly."""
    first = next((c for c in unit if c.isalpha()), "")
    return first.isupper()


def query_alternatives(unit: str, exact: bool = False) -> list[tuple[str, ...]]:
    """What one typed unit matches: each alternative is a sequence of indexed forms that must
    be adjacent (one form: a word). `exact` matches unstemmed forms (names).

    "hostages" -> [("hostag",)]; "Waite" (exact) -> [("=waite",)];
    "Ben-Gvir" -> [("ben", "gvir"), ("bengvir",)].
    """
    words = parts(unit)
    if not words:
        return []
    pick = (lambda w: forms(w)[-1]) if exact else (lambda w: forms(w)[0])
    alternatives = [tuple(pick(w) for w in words)]
    if len(words) > 1:
        alternatives.append((pick("".join(words)),))
    return alternatives


def phrase_forms(text: str, exact_names: bool = True) -> list[str]:
    """The forms of a quoted phrase, one per position: capitalized words exactly."""
    out: list[str] = []
    for unit in units(text):
        exact = exact_names and is_capitalized(unit)
        for w in parts(unit):
            out.append(forms(w)[-1] if exact else forms(w)[0])
    return out
