"""Parley's query language: text as a journalist types it -> the query tree (querytree.py).

The rules (the help page documents them):
- words are all required; AND, OR, NOT (capitals) and brackets combine them;
- a word joined by hyphens, slashes or apostrophes is one unit (Ben-Gvir, 9/11, S/RES/2735);
- a minus excludes only at the start of a word, after a space, a bracket or the start
  (`Blinken -Sullivan`); inside a word it joins (`cease-fire`);
- "straight", “curly” and «guillemet» quotes make phrases, `"a b"~5` within 5 words;
- `field:value` for the fields below; `negotiat*` for word beginnings;
- a capitalized word, or a name the actor data knows, is a name: matched unstemmed.

What cannot be read, or would cost too much, is refused with a message in words: Whoosh's old
parser never failed and quietly searched something else. No search engine is imported here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from indexer.errors import QuerySyntaxError, QueryTooExpensive, UnknownFilterValue
from indexer.lexicon import DATA_DIR
from search import analyzer
from search.querytree import (
    And,
    Every,
    Expansion,
    Filter,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Prefix,
    Word,
    leaves,
)

MAX_TERMS = 30
MAX_LISTED = 30  # tag values listed in full when none is near what was typed
MAX_DEPTH = 20  # brackets inside brackets; each level is a few frames of the parser's stack
MIN_PREFIX = 4
# What a user may write before a colon, and the index field it means.
FIELD_ALIASES = {
    "text": ["paragraph"],
    "title": ["headline"],
    "quote": ["quotes", "quotation"],
    "actors": ["actor"],
    "topics": ["topic"],
    "speakers": ["speaker"],
    "outlet": ["source"],
    "credits": ["credit", "wire"],
    "month": [],
}
KEYWORD_FIELDS = ("actors", "topics", "speakers", "outlet", "credits", "month")
TEXT_FIELDS = ("text", "title", "quote")
_FIELD_OF = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in (name, *aliases)}
# Opening quotation mark -> the marks that may close it (people mix them).
_QUOTES = {'"': '"”“', "“": "”\"", "”": "”\"", "„": "“”\"", "«": "»", "»": "«"}
_OPERATORS = ("AND", "OR", "NOT")
_FIELD = re.compile(r"([A-Za-z_]+):(.*)", re.S)
_SLOP = re.compile(r"~(\d{1,3})(?![\w~])")
_STOP = set(" \t\r\n\f\v()") | set(_QUOTES)

Resolver = Callable[[str, str], list[str]]  # (field, value as typed) -> index values
Vocabulary = Callable[[str], list[str]]  # field -> every value it holds (for suggestions)

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_OPERATOR_MESSAGE = "AND, OR and NOT need a search term on each side (NOT: after it)."


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, phrase, op, lp, rp, neg, plus, field
    text: str = ""
    slop: int = 1


def _lex(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n, boundary = 0, len(text), True
    while i < n:
        ch = text[i]
        if ch.isspace():
            i, boundary = i + 1, True
            continue
        if ch in "()":
            out.append(_Tok("lp" if ch == "(" else "rp"))
            i, boundary = i + 1, True
            continue
        if ch in _QUOTES:
            ends = (text.find(c, i + 1) for c in _QUOTES[ch])
            close = min((k for k in ends if k >= 0), default=-1)
            if close < 0:
                raise QuerySyntaxError('Unbalanced quotation mark: close the phrase with " or '
                                       'remove the opening ".')
            slop = _SLOP.match(text, close + 1)
            out.append(_Tok("phrase", text[i + 1:close], int(slop.group(1)) if slop else 1))
            i, boundary = (slop.end() if slop else close + 1), False
            continue
        after = text[i + 1] if i + 1 < n else " "
        if ch in "-+" and boundary and not after.isspace() and after not in "-+)":
            out.append(_Tok("neg" if ch == "-" else "plus"))
            i += 1
            continue
        j = i
        while j < n and text[j] not in _STOP:
            j += 1
        word, i, boundary = text[i:j], j, False
        if word in _OPERATORS:
            out.append(_Tok("op", word))
        elif (m := _FIELD.fullmatch(word)) and (m.group(2) or (i < n and text[i] in '("“„«»”')):
            out.append(_Tok("field", m.group(1)))
            if m.group(2):
                out.append(_Tok("word", m.group(2)))
        else:
            out.append(_Tok("word", word))
    return out


_FIGURE = re.compile(r"(?:[A-Za-z]{0,2}[$€£¥₪])?\d[\d,.]*%?")


@lru_cache(maxsize=1)
def _figure_words() -> tuple[tuple[str, ...], ...]:
    """The scale, share and currency words that make one quantity with a figure before them,
    each as its folded words, longest first (data: indexer/data/figure_words.json)."""
    data = json.loads((DATA_DIR / "figure_words.json").read_text(encoding="utf-8"))
    return tuple(sorted({tuple(analyzer.fold(w).split()) for w in data["words"]}, key=len,
                        reverse=True))


def _figures(toks: list[_Tok]) -> list[_Tok]:
    """A figure followed by its scale or unit words ($6 billion, 50 percent, 3 mln dlrs) is
    one quantity: a phrase, not the figure AND the word, which would match a 6 anywhere
    beside a billion anywhere."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        j = i + 1
        if tok.kind == "word" and _FIGURE.fullmatch(tok.text):
            while True:
                for words in _figure_words():
                    ahead = toks[j:j + len(words)]
                    if len(ahead) == len(words) and all(
                            t.kind == "word" and analyzer.fold(t.text.rstrip(".,;:")) == w
                            for t, w in zip(ahead, words, strict=True)):
                        j += len(words)
                        break
                else:
                    break
        if j > i + 1:
            # "US$2.5" is written beside the figure: the figure alone is what the text has.
            first = re.sub(r"^[A-Za-z]{0,2}[$€£¥₪]", "", tok.text)
            out.append(_Tok("phrase", " ".join([first, *(t.text for t in toks[i + 1:j])])))
        else:
            out.append(tok)
        i = j
    return out


def _check_brackets(toks: list[_Tok]) -> None:
    depth = 0
    for t in toks:
        depth += (t.kind == "lp") - (t.kind == "rp")
        if depth < 0:
            raise QuerySyntaxError("A closing bracket ')' has no opening '('.")
        if depth > MAX_DEPTH:
            raise QueryTooExpensive(f"Brackets nest more than {MAX_DEPTH} deep; remove the "
                                    "ones that group nothing.")
    if depth:
        raise QuerySyntaxError("Unbalanced brackets: an opening '(' is never closed.")


class _Parser:
    def __init__(self, toks: list[_Tok], default_field: str, resolve: Resolver | None,
                 vocabulary: Vocabulary | None):
        self.toks, self.i = toks, 0
        self.default_field = default_field
        self.resolve, self.vocabulary = resolve, vocabulary
        self.expansions: list[Expansion] = []

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def is_op(self, name: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "op" and tok.text == name

    def parse(self) -> Node | None:
        node = self.or_()
        if self.peek() is not None:  # only a stray operator can stop the loop early
            raise QuerySyntaxError(_OPERATOR_MESSAGE)
        return node

    def or_(self) -> Node | None:
        if self.is_op("OR") or self.is_op("AND"):
            raise QuerySyntaxError(_OPERATOR_MESSAGE)
        parts = [self.and_()]
        while self.is_op("OR"):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("rp", "op") and not self.is_op("NOT"):
                raise QuerySyntaxError(_OPERATOR_MESSAGE)
            parts.append(self.and_())
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def and_(self) -> Node | None:
        items: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind != "rp" and not self.is_op("OR"):
            if self.is_op("AND"):
                self.take()
                nxt = self.peek()
                dangling = nxt is None or nxt.kind == "rp" or (
                    nxt.kind == "op" and nxt.text != "NOT")
                if not items or dangling:
                    raise QuerySyntaxError(_OPERATOR_MESSAGE)
                continue
            node = self.unary()
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok is not None and (tok.kind == "neg" or (tok.kind == "op" and tok.text == "NOT")):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("rp", "op"):
                raise QuerySyntaxError(_OPERATOR_MESSAGE)
            inner = self.unary()
            if inner is None:
                return None
            return inner.child if isinstance(inner, Not) else Not(inner)
        if tok is not None and tok.kind == "plus":
            self.take()
            return self.unary() if self.peek() is not None else None
        return self.atom(self.default_field)

    def atom(self, fieldname: str) -> Node | None:
        tok = self.take()
        if tok.kind == "lp":
            node = self.or_()
            self.take()  # brackets were checked to balance
            return node
        if tok.kind == "field":
            return self.field(tok.text)
        if tok.kind == "phrase":
            return self.phrase(tok.text, fieldname, tok.slop)
        if tok.kind == "word":
            return self.word(tok.text, fieldname)
        raise QuerySyntaxError(_OPERATOR_MESSAGE)  # an operator or ")" where a word belongs

    def field(self, name: str) -> Node | None:
        fieldname = _FIELD_OF.get(name.lower())
        if fieldname is None:
            known = ", ".join(sorted(n for n in _FIELD_OF if n in FIELD_ALIASES
                                     or n in ("actor", "speaker", "topic", "source")))
            raise QuerySyntaxError(f"Unknown field '{name}:'. Fields you can search: {known}.")
        if self.peek() is None:
            raise QuerySyntaxError(f"'{name}:' needs a value after it.")
        if fieldname in KEYWORD_FIELDS:
            tok = self.take()
            if tok.kind not in ("word", "phrase"):
                raise QuerySyntaxError(
                    f"'{name}:' takes one value: {name}:Hamas or {name}:\"Al Jazeera\".")
            return self.filter(fieldname, tok.text.strip())
        return self.atom(fieldname)

    def filter(self, fieldname: str, typed: str) -> Filter:
        values = self.resolve(fieldname, typed) if self.resolve else [typed]
        if not values and self.vocabulary is not None:
            raise UnknownFilterValue(unknown_value_message(fieldname, typed,
                                                           self.vocabulary(fieldname)))
        return Filter(fieldname, typed, tuple(values or [typed]))

    def phrase(self, text: str, fieldname: str, slop: int) -> Node | None:
        if _has_wildcard(text):
            text = text.replace("*", " ").replace("?", " ")
        units = tuple(analyzer.units(text))
        if not units:
            return None
        if len(units) == 1 and slop == 1:
            return Word(units[0], fieldname, exact=_is_name(units[0]))
        return Phrase(units, fieldname, slop)

    def word(self, raw: str, fieldname: str) -> Node | None:
        if "~" in raw and re.search(r"[\w*]~\d*", raw):
            raise QueryTooExpensive(
                "Fuzzy matching (word~) is not supported; use word* for word endings.")
        if _has_wildcard(raw):
            return self.prefix(raw, fieldname)
        units = analyzer.units(raw)
        if not units:
            return None  # punctuation only ("&", "—")
        if len(units) > 1:  # written together with a separator the analyzer splits on
            return Phrase(tuple(units), fieldname)
        unit = units[0]
        word = Word(unit, fieldname, exact=_is_name(unit))
        return self.expand(word) if fieldname in TEXT_FIELDS else word

    def prefix(self, raw: str, fieldname: str) -> Prefix:
        bare = raw.strip(".,;:!")
        stem = bare[:-1] if bare.endswith("*") else bare
        folded = "".join(analyzer.parts(stem)) if analyzer.units(stem) == [stem] else ""
        if "*" in stem or "?" in stem or not folded or len(folded) < MIN_PREFIX:
            raise QueryTooExpensive(
                f"'{raw}': only word endings can be wildcarded, after at least {MIN_PREFIX} "
                "letters "
                "(negotiat* is fine; *tiation and ne* are not).")
        return Prefix(folded, fieldname)

    def expand(self, word: Word) -> Node:
        """A name the actor data gives other spellings of -> any of them (Haniya -> Haniyeh)."""
        entry = _names().get(analyzer.fold(word.text))
        if entry is None:
            return word
        actor, names = entry
        others = [n for n in names if analyzer.fold(n) != analyzer.fold(word.text)]
        if not others:
            return Word(word.text, word.field, exact=True)
        self.expansions.append(Expansion(word.text, actor, (word.text, *others)))
        return Or(tuple(Word(n, word.field, exact=True) for n in (word.text, *others)))


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _is_name(unit: str) -> bool:
    return analyzer.is_capitalized(unit) or analyzer.fold(unit) in _names()


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Folded one-word name of a person -> (actor, every one-word name the data gives them).

    From each person's name and aliases (not roles): the last word of each, so "Bibi" and
    "Netanyahu" both lead to Benjamin Netanyahu, and "Haniya" to Haniyeh and Haniyah.
    """
    data = json.loads((DATA_DIR / "actors.json").read_text(encoding="utf-8"))
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    shared: Counter = Counter()
    for entry in data.get("actors", ()):
        if entry.get("type", "person") != "person":
            continue
        words = [w for w in entry["name"].split() if w.rstrip(".").casefold() not in _SUFFIXES]
        first, surname = words[0], words[-1]
        # A last word that is only part of a compound surname ("Gvir" of "Ben Gvir") is no name.
        parts = {p.casefold() for p in re.split(r"[-\u2010]", surname)} - {surname.casefold()}
        # The surname, one-word aliases, and the last word of aliases that keep the first
        # name ("Ismail Haniyah"): not of titles ("Madam Vice President").
        lasts = [surname, *(a for a in entry.get("aliases", ()) if len(a.split()) == 1),
                 *(a.split()[-1] for a in entry.get("aliases", ())
                   if len(a.split()) > 1 and a.split()[0] == first)]
        names = tuple(dict.fromkeys(w for w in lasts if w[:1].isupper() and len(w) > 2
                                    and w.casefold() not in parts | _SUFFIXES))
        for name in names:
            out.setdefault(analyzer.fold(name), (entry["name"], names))
            shared[analyzer.fold(name)] += 1
    # A name several people share (Al Thani) is not widened: it would mix them.
    return {k: (actor, tuple(n for n in names if shared[analyzer.fold(n)] == 1))
            for k, (actor, names) in out.items() if shared[k] == 1}


def unknown_value_message(fieldname: str, typed: str, vocab: list[str]) -> str:
    """`No actor 'Hamass' in this index ... Nearest known: Hamas`, offering only values a
    slip of the keyboard away; when none is, saying so and where the values are listed."""
    label = {"actors": "actor", "topics": "topic", "speakers": "speaker", "credits": "credit"}.get(
        fieldname, fieldname)
    near = nearest(typed, vocab)
    if near:
        hint = f" Nearest known: {', '.join(near)}."
    elif 0 < len(vocab) <= MAX_LISTED:  # nothing close, but few enough to list them all
        hint = f" None is close; known: {', '.join(sorted(vocab))}."
    else:
        where = "`parley speakers`" if fieldname == "speakers" else "`parley stats`"
        hint = (f" No known {label} is spelled close to it; {where} and the Filters list of "
                "the search page show the known ones.")
    return f"No {label} {typed!r} in this index, so nothing can match it.{hint}"


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]


def slips(word: str) -> int:
    """How many typing slips (letters wrong, missing or extra) still leave `word` recognisable:
    one in four letters, at least one (Hamass, Kirbi, Netanyahoo). A value that shares only
    letters in order (Gandalf / Uganda) is further than that."""
    return max(1, len(word) // 4)


def nearest(typed: str, vocab: list[str], n: int = 5) -> list[str]:
    """The known values a slip away from what was typed, as a whole or by one of their words
    ("Kirbi" -> "John Kirby"), closest first."""
    key = analyzer.fold(typed)
    limit, width = slips(key), len(key.split())

    def distance(value: str) -> int:
        # The value whole, or any run of as many of its words as were typed.
        words = analyzer.fold(value).split()
        runs = {" ".join(words[i:i + width]) for i in range(max(1, len(words) - width + 1))}
        return min(edit_distance(key, run, limit) for run in runs | {" ".join(words)})

    scored = sorted(((distance(v), v) for v in vocab), key=lambda dv: dv)
    return [v for d, v in scored[:n] if d <= limit]


def parse_query(text: str, *, default_field: str = "text", resolve: Resolver | None = None,
                vocabulary: Vocabulary | None = None) -> ParsedQuery:
    """Parse query text into Parley's tree, or raise QuerySyntaxError / QueryTooExpensive.

    Tag fields (actor:, topic:, ...) are mapped to index values by `resolve`; with
    `vocabulary`, a value that maps to nothing is refused with the nearest known values.
    """
    text = text.strip()
    if not text:
        return ParsedQuery(text, Every())
    toks = _figures(_lex(text))
    _check_brackets(toks)
    parser = _Parser(toks, default_field, resolve, vocabulary)
    tree = parser.parse()
    if tree is None:
        raise QuerySyntaxError("The query has no words to search for.")
    found = leaves(tree)
    if len(found) > MAX_TERMS:
        raise QueryTooExpensive(f"The query has {len(found)} terms; the limit is {MAX_TERMS}.")
    return ParsedQuery(text, tree, tuple(parser.expansions))


def check_syntax(text: str) -> None:
    """Raise QuerySyntaxError / QueryTooExpensive with an explanation, or return quietly."""
    parse_query(text)


# -- saying how a query was read ---------------------------------------------------------

_LABELS = {"actors": "actor", "topics": "topic", "speakers": "speaker", "credits": "credit",
           "outlet": "outlet", "month": "month"}


def reading(parsed: ParsedQuery) -> str:
    """The query as Parley read it, in words:
    `"ben gvir" as a phrase; names matched exactly: Waite`."""
    if isinstance(parsed.tree, Every):
        return "every paragraph"
    notes = [_describe(parsed.tree, top=True)]
    words = [leaf for leaf in leaves(parsed.tree) if isinstance(leaf, Word)]
    alternatives = analyzer.query_alternatives
    names = sorted({w.text for w in words
                    if w.exact and alternatives(w.text, True) != alternatives(w.text, False)})
    if names:
        notes.append("names matched exactly: " + ", ".join(names))
    stemmed = [w.text for w in words
               if not w.exact and alternatives(w.text)[0] != tuple(analyzer.parts(w.text))]
    if stemmed:
        notes.append("other word forms too: " + ", ".join(dict.fromkeys(stemmed)))
    for e in parsed.expansions:
        notes.append(f"{e.typed} expanded to {' OR '.join(e.names)} ({e.actor})")
    return "; ".join(notes)


def _describe(node: Node, top: bool = False) -> str:
    if isinstance(node, Word):
        parts = analyzer.parts(node.text)
        shown = f'"{" ".join(parts)}" as a phrase' if len(parts) > 1 else node.text
        if len(parts) > 1:
            shown += f" or {''.join(parts)}"
        return _in_field(shown, node.field)
    if isinstance(node, Phrase):
        words = " ".join(" ".join(analyzer.parts(u)) for u in node.words)
        how = "as a phrase" if node.slop <= 1 else f"within {node.slop} words"
        return _in_field(f'"{words}" {how}', node.field)
    if isinstance(node, Prefix):
        return _in_field(f"words beginning {node.text}-", node.field)
    if isinstance(node, Filter):
        shown = " or ".join(node.values)
        return f"{_LABELS.get(node.field, node.field)} is {shown}"
    if isinstance(node, Not):
        return "not " + _describe(node.child)
    if isinstance(node, (And, Or)):
        joiner = " AND " if isinstance(node, And) else " OR "
        inner = joiner.join(_describe(c) for c in node.children)
        return inner if top else f"({inner})"
    return "every paragraph"


def _in_field(text: str, fieldname: str) -> str:
    return text if fieldname == "text" else f"{text} in the {fieldname}"


def did_you_mean(parsed: ParsedQuery, candidates: Callable[[str], list[tuple[str, int]]],
                 limit: int = 3) -> list[str]:
    """The query with each word the index lacks replaced by the nearest it holds, best first.

    `candidates(word)` gives (word, paragraphs) the index holds that could be meant.
    """
    import difflib

    words = [leaf for leaf in leaves(parsed.tree) if isinstance(leaf, Word)]
    fixes: dict[str, str] = {}
    for word in words:
        key = "".join(analyzer.parts(word.text))
        if key in _names():
            continue  # a name the actor list knows is spelt right, whatever the index holds
        options = dict(candidates(key))
        if options.get(key):
            continue
        close = difflib.get_close_matches(key, list(options), n=5, cutoff=0.75)
        if close:
            def score(c: str, key: str = key, options: dict = options) -> tuple[float, int]:
                return difflib.SequenceMatcher(None, key, c).ratio(), options[c]

            best = max(close, key=score)
            fixes[word.text] = _like(word.text, best)
    if not fixes:
        return []
    text = parsed.text
    for typed, fix in fixes.items():
        text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", fix, text)
    return [text][:limit]


def _like(typed: str, word: str) -> str:
    """`word` written with the capitals of `typed` (Netanyahoo -> Netanyahu)."""
    if typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def positive_forms(node: Node, fields: tuple[str, ...] = ("text", "quote", "title"),
                   expand: Callable[[Prefix], list[str]] | None = None) -> set[str]:
    """Indexed forms the tree asks for outside NOT, for highlighting and for picking the
    quotations that match. Without `expand` (no index at hand) a prefix stays "begin*" and
    "=begin*", which the highlighter matches as beginnings."""
    if isinstance(node, Not):
        return set()
    if isinstance(node, (And, Or)):
        return set().union(*(positive_forms(c, fields, expand) for c in node.children))
    if getattr(node, "field", None) not in fields:
        return set()
    if isinstance(node, Word):
        return {f for alt in analyzer.query_alternatives(node.text, node.exact) for f in alt}
    if isinstance(node, Phrase):
        return set(analyzer.phrase_forms(" ".join(node.words)))
    if isinstance(node, Prefix):
        if expand is not None:
            return set(expand(node))
        return {node.text + "*", analyzer.EXACT + node.text + "*"}
    return set()
