"""Parley's query tree -> a Whoosh query for the embedded engine.

The only module of the query language that imports whoosh. Words become indexed forms through
search/analyzer.py, the analyzer the index was written with:
- a word: its stem; a name: its exact form; a compound (Ben-Gvir): the phrase of its parts or
  its joined spelling;
- a prefix: every indexed word that begins so, each as the query of that word would be (its
  stem), so `negotiat*` finds at least what `negotiations` finds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from whoosh import query as wq

from indexer.errors import QueryTooExpensive
from search import analyzer
from search.analyzer import EXACT
from search.querytree import And, Every, Filter, Node, Not, Or, Phrase, Prefix, Word

MAX_PREFIX_EXPANSION = 300
# (field, beginning) -> the indexed words of that field that begin so
Expander = Callable[[str, str], Iterable[str]]


def to_whoosh(node: Node, expand: Expander | None = None) -> wq.Query:
    """The Whoosh query for a tree; without `expand` (no index at hand) prefixes stay prefixes."""
    if isinstance(node, Every):
        return wq.Every()
    if isinstance(node, Word):
        return _any([_sequence(node.field, alt, 1)
                     for alt in analyzer.query_alternatives(node.text, node.exact)])
    if isinstance(node, Phrase):
        return _sequence(node.field, analyzer.phrase_forms(" ".join(node.words)), node.slop)
    if isinstance(node, Prefix):
        return _prefix(node, expand)
    if isinstance(node, Filter):
        return wq.Or([wq.Term(node.field, v) for v in node.values])
    if isinstance(node, Or):
        return _any([to_whoosh(c, expand) for c in node.children])
    if isinstance(node, Not):
        return wq.Not(to_whoosh(node.child, expand))
    if isinstance(node, And):
        keep = [to_whoosh(c, expand) for c in node.children if not isinstance(c, Not)]
        drop = [to_whoosh(c.child, expand) for c in node.children if isinstance(c, Not)]
        if not keep:
            return wq.Not(_any(drop))
        positive = keep[0] if len(keep) == 1 else wq.And(keep)
        # AndNot rather than And([.., Not(..)]): Whoosh runs it as one matcher subtracting
        # the other, where a Not inside an And walks every document of the index.
        return wq.AndNot(positive, _any(drop)) if drop else positive
    raise TypeError(f"not a query node: {node!r}")


def _any(queries: list[wq.Query]) -> wq.Query:
    unique = list(dict.fromkeys(queries))
    if not unique:
        return wq.NullQuery
    return unique[0] if len(unique) == 1 else wq.Or(unique)


def _sequence(fieldname: str, forms: Iterable[str], slop: int) -> wq.Query:
    words = [f for f in forms if f]
    if len(words) == 1:
        return wq.Term(fieldname, words[0])
    return wq.Phrase(fieldname, words, slop=slop)


def _prefix(node: Prefix, expand: Expander | None) -> wq.Query:
    if expand is None:
        return wq.Or([wq.Prefix(node.field, node.text), wq.Prefix(node.field, EXACT + node.text)])
    # Words whose stem is their spelling are indexed only as that; the others also by their
    # exact form, whose stem is what a query of that word asks for.
    plain = [t for t in expand(node.field, node.text) if not t.startswith(EXACT)]
    spelled = [t[1:] for t in expand(node.field, EXACT + node.text)]
    covered = len(set(plain) | set(spelled))
    if covered > MAX_PREFIX_EXPANSION:
        raise QueryTooExpensive(f"'{node.text}*' matches {covered} different words; make the "
                                "beginning longer.")
    terms = sorted(set(plain) | {analyzer.stem(w) for w in spelled})
    # A prefix nothing begins with still needs a leaf that matches nothing.
    if not terms:
        return wq.Term(node.field, node.text)
    return _any([wq.Term(node.field, t) for t in terms])


def positive_terms(q: wq.Query,
                   fieldnames: tuple[str, ...] = ("text", "quote", "title")) -> set[str]:
    """Indexed words the query asks for (not those under NOT): for highlighting, and for
    picking the quotations that match."""
    found: set[str] = set()
    _collect(q, fieldnames, found)
    return found


def _collect(q: wq.Query, fieldnames: tuple[str, ...], found: set[str]) -> None:
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        _collect(q.a, fieldnames, found)
        return
    if isinstance(q, wq.Phrase) and q.fieldname in fieldnames:
        found.update(q.words)
    elif isinstance(q, (wq.Term, wq.Prefix)) and q.fieldname in fieldnames:
        found.add(q.text + ("*" if isinstance(q, wq.Prefix) else ""))
    elif not q.is_leaf():
        for child in q.children():
            _collect(child, fieldnames, found)
