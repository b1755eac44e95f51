"""Parley's query tree -> OpenSearch query DSL, the twin of search/whoosh_query.py.

Words become indexed forms through search/analyzer.py exactly as for the embedded engine; see
documents.py for the layered fields a form can sit in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from indexer.errors import QueryTooExpensive
from search import analyzer
from search.analyzer import EXACT
from search.engines.opensearch.documents import layer_names
from search.querytree import And, Every, Filter, Node, Not, Or, Phrase, Prefix, Word

MAX_PREFIX_EXPANSION = 300
Expander = Callable[[str, str], Iterable[str]]
NOTHING: dict = {"bool": {"must_not": [{"match_all": {}}]}}
# Tag fields as the tree names them (the embedded schema's names) -> document fields.
TAG_FIELDS = {"actors": "actors", "topics": "topics", "speakers": "speakers", "outlet": "outlet",
              "credits": "credits", "month": "month"}


def to_dsl(node: Node, expand: Expander) -> dict:
    if isinstance(node, Every):
        return {"match_all": {}}
    if isinstance(node, Word):
        return _any([_sequence(node.field, alt, 1)
                     for alt in analyzer.query_alternatives(node.text, node.exact)])
    if isinstance(node, Phrase):
        return _sequence(node.field, analyzer.phrase_forms(" ".join(node.words)), node.slop)
    if isinstance(node, Prefix):
        return _any([_term(node.field, t) for t in prefix_forms(node, expand)]) \
            or _term(node.field, node.text)
    if isinstance(node, Filter):
        return {"terms": {TAG_FIELDS.get(node.field, node.field): list(node.values)}} \
            if node.values else NOTHING
    if isinstance(node, Or):
        return _any([to_dsl(c, expand) for c in node.children])
    if isinstance(node, Not):
        return {"bool": {"must_not": [to_dsl(node.child, expand)]}}
    if isinstance(node, And):
        keep = [to_dsl(c, expand) for c in node.children if not isinstance(c, Not)]
        drop = [to_dsl(c.child, expand) for c in node.children if isinstance(c, Not)]
        return {"bool": {"must": keep or [{"match_all": {}}], "must_not": drop}}
    raise TypeError(f"not a query node: {node!r}")


def prefix_forms(node: Prefix, expand: Expander) -> list[str]:
    """The indexed forms a prefix stands for, as the embedded engine finds them."""
    plain = [t for t in expand(node.field, node.text) if not t.startswith(EXACT)]
    spelled = [t[1:] for t in expand(node.field, EXACT + node.text)]
    covered = len(set(plain) | set(spelled))
    if covered > MAX_PREFIX_EXPANSION:
        raise QueryTooExpensive(f"'{node.text}*' matches {covered} different words; make the "
                                "beginning longer.")
    return sorted(set(plain) | {analyzer.stem(w) for w in spelled})


def _any(queries: list[dict]) -> dict:
    unique = list({repr(q): q for q in queries}.values())
    if not unique:
        return NOTHING
    return unique[0] if len(unique) == 1 else {"bool": {"should": unique,
                                                        "minimum_should_match": 1}}


def _term(field: str, form: str) -> dict:
    """A form in any layer (a form sits in one layer at a position, so one clause scores)."""
    return {"bool": {"should": [{"term": {n: form}} for n in layer_names(field)],
                     "minimum_should_match": 1}}


def _span(field: str, form: str) -> dict:
    names = layer_names(field)
    return {"span_or": {"clauses": [{"span_term": {names[0]: form}}] + [
        {"span_field_masking": {"query": {"span_term": {n: form}}, "field": names[0]}}
        for n in names[1:]]}}


def _sequence(field: str, forms: Iterable[str], slop: int) -> dict:
    words = [f for f in forms if f]
    if not words:
        return NOTHING
    if len(words) == 1:
        return _term(field, words[0])
    # Whoosh's slop 1 is "next to each other"; Lucene counts the words moved, so 0.
    return {"span_near": {"clauses": [_span(field, w) for w in words], "slop": slop - 1,
                          "in_order": True}}
