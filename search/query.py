"""Turn query text into a Whoosh query, and explain what cannot be parsed or would cost too much.

Whoosh's parser never fails: it quietly drops an unbalanced quote or treats `foo:bar` as two
words. A journalist must know when the tool did not search what they typed, so the text is
checked first and every problem is reported in words. Filters are built in engine.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from whoosh import query as wq
from whoosh.qparser import (
    AndGroup,
    EveryPlugin,
    FieldAliasPlugin,
    PlusMinusPlugin,
    QueryParser,
    RangePlugin,
)

from indexer.errors import QuerySyntaxError, QueryTooExpensive
from search.engines.embedded.schema import SCHEMA

MAX_TERMS = 30
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
_USER_FIELDS = {alias for name, aliases in FIELD_ALIASES.items() for alias in (name, *aliases)}
_FIELD_PREFIX = re.compile(r'(?<![\w"])([A-Za-z_]+):(?=\S)')
_OPERATOR_EDGE = re.compile(r"^\s*(AND|OR)\b|\b(AND|OR|NOT)\s*$")
_FUZZY = re.compile(r'(?<=[\w*])~\d*')  # word~ or word~2 (a phrase's "..."~N is proximity)

Resolver = Callable[[str, str], list[str]]  # (field, value as typed) -> index values


def _parser(default_field: str) -> QueryParser:
    parser = QueryParser(default_field, SCHEMA, group=AndGroup)
    # No "*" match-everything, no ranges over text: both can take seconds on a large index.
    parser.remove_plugin_class(EveryPlugin)
    parser.remove_plugin_class(RangePlugin)
    parser.add_plugin(PlusMinusPlugin())
    parser.add_plugin(FieldAliasPlugin({k: v for k, v in FIELD_ALIASES.items() if v}))
    return parser


_PARSERS = {name: _parser(name) for name in ("text", "quote")}


def check_syntax(text: str) -> None:
    """Raise QuerySyntaxError / QueryTooExpensive with an explanation, or return quietly."""
    outside = re.sub(r'"[^"]*"', '""', text)
    if text.count('"') % 2:
        raise QuerySyntaxError('Unbalanced quotation mark: close the phrase with " or remove the opening ".')
    depth = 0
    for ch in outside:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            raise QuerySyntaxError("A closing bracket ')' has no opening '('.")
    if depth:
        raise QuerySyntaxError("Unbalanced brackets: an opening '(' is never closed.")
    for name in _FIELD_PREFIX.findall(outside):
        if name.lower() not in _USER_FIELDS:
            known = ", ".join(sorted(n for n in _USER_FIELDS if n in FIELD_ALIASES or n in ("actor", "speaker", "topic", "source")))
            raise QuerySyntaxError(f"Unknown field '{name}:'. Fields you can search: {known}.")
    if _OPERATOR_EDGE.search(outside):
        raise QuerySyntaxError("AND, OR and NOT need a search term on each side (NOT: after it).")
    if _FUZZY.search(outside):
        raise QueryTooExpensive("Fuzzy matching (word~) is not supported; use word* for word endings.")
    for word in re.findall(r"[^\s()\"]+", outside):
        bare = word.split(":", 1)[-1]
        if "?" in bare or "*" in bare.rstrip("*") or (bare.endswith("*") and len(bare) - 1 < MIN_PREFIX):
            raise QueryTooExpensive(
                f"'{word}': only word endings can be wildcarded, after at least {MIN_PREFIX} letters "
                "(negotiat* is fine; *tiation and ne* are not).")


def parse_query(text: str, *, default_field: str = "text", resolve: Resolver | None = None) -> wq.Query:
    """Parse checked query text; keyword fields are mapped to index values by `resolve`."""
    text = text.strip()
    if not text:
        return wq.Every()
    check_syntax(text)
    try:
        parsed = _PARSERS[default_field].parse(text)
    except (IndexError, ValueError, TypeError, AttributeError, NotImplementedError) as exc:
        # Whoosh's parser fails inside on some operator runs ("NOT NOT a": IndexError,
        # "(-AND)]+title:^": NotImplementedError).
        raise QuerySyntaxError("The query could not be read: check that AND, OR and NOT each "
                               "have a search term beside them.") from exc
    parsed = _rewrite_keywords(parsed, resolve)
    terms = [leaf for leaf in parsed.leaves()]
    if len(terms) > MAX_TERMS:
        raise QueryTooExpensive(f"The query has {len(terms)} terms; the limit is {MAX_TERMS}.")
    if parsed is wq.NullQuery or not terms:
        raise QuerySyntaxError("The query has no words to search for.")
    _refuse_expanding(terms)
    return parsed


def _refuse_expanding(leaves: list[wq.Query]) -> None:
    """What Whoosh will actually run, checked again: the text check reads `?*TO?{*?:}` as the
    field-ish word `}` and let two wildcards through (30 s on a 47k-paragraph index)."""
    for leaf in leaves:
        short_prefix = isinstance(leaf, wq.Prefix) and len(leaf.text) < MIN_PREFIX
        # Every: a bare * (e.g. "-*2quote:\\é" parses to NOT-everything: 5 s over 47k paragraphs).
        if short_prefix or isinstance(leaf, (wq.Wildcard, wq.FuzzyTerm, wq.Regex, wq.Every)):
            raise QueryTooExpensive(
                f"only word endings can be wildcarded, after at least {MIN_PREFIX} letters "
                "(negotiat* is fine; *tiation, ne* and ? are not).")


def _rewrite_keywords(q: wq.Query, resolve: Resolver | None) -> wq.Query:
    """actor:netanyahu -> Term('actors', 'Benjamin Netanyahu'); unknown values match nothing."""
    if isinstance(q, wq.Term) and q.fieldname in KEYWORD_FIELDS:
        values = resolve(q.fieldname, q.text) if resolve else [q.text]
        # Unresolved, the value as typed stays: it is in no document, so nothing matches
        # (a NullQuery would be dropped from an And and match everything else instead).
        return wq.Or([wq.Term(q.fieldname, v) for v in values]) if values else q
    if isinstance(q, wq.Phrase) and q.fieldname in KEYWORD_FIELDS:
        return _rewrite_keywords(wq.Term(q.fieldname, " ".join(q.words)), resolve)
    if q.is_leaf():
        return q
    return q.apply(lambda child: _rewrite_keywords(child, resolve))


def positive_terms(q: wq.Query, fieldnames: tuple[str, ...] = ("text", "quote", "title")) -> set[str]:
    """Indexed words the query asks for (not those under NOT), for highlighting and quote filtering."""
    found: set[str] = set()
    _collect(q, fieldnames, found, negated=False)
    return found


def _collect(q: wq.Query, fieldnames, found: set[str], negated: bool) -> None:
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        _collect(q.a, fieldnames, found, negated)
        return
    if isinstance(q, wq.Phrase) and q.fieldname in fieldnames:
        found.update(q.words)
    elif isinstance(q, (wq.Term, wq.Prefix)) and q.fieldname in fieldnames:
        found.add(q.text + ("*" if isinstance(q, wq.Prefix) else ""))
    elif not q.is_leaf():
        for child in q.children():
            _collect(child, fieldnames, found, negated)
