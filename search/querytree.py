"""Parley's query tree: what a query asks for, before any engine runs it.

search/query.py builds it from the text a user typed; each engine translates it (the embedded
one in search/engines/embedded/whoosh_query.py, the cluster one in its translate.py). Words are
kept as typed and turned into indexed forms by search/analyzer.py at translation, so every
engine sees the same tokens. No engine is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Union


@dataclass(frozen=True)
class Word:
    """One unit as typed ("hostages", "Ben-Gvir", "U.S."); `exact`: a name, matched unstemmed."""

    text: str
    field: str = "text"
    exact: bool = False


@dataclass(frozen=True)
class Phrase:
    """Units in this order; `slop` 1 means next to each other, N within N words ("..."~N)."""

    words: tuple[str, ...]
    field: str = "text"
    slop: int = 1


@dataclass(frozen=True)
class Prefix:
    """Every word beginning with `text` (folded, without the "*")."""

    text: str
    field: str = "text"


@dataclass(frozen=True)
class Filter:
    """A tag field (actors, topics, ...): `values` are the index values `typed` stands for."""

    field: str
    typed: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Every:
    """The empty query: every paragraph (narrowed by the request's filters)."""


Node = Union[Word, Phrase, Prefix, Filter, And, Or, Not, Every]  # noqa: UP007 - runtime alias


@dataclass(frozen=True)
class Expansion:
    """A word the actor data names someone by, and the names it was widened to."""

    typed: str
    actor: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    tree: Node
    expansions: tuple[Expansion, ...] = field(default=())


def leaves(node: Node) -> list[Node]:
    if isinstance(node, (And, Or)):
        return [leaf for child in node.children for leaf in leaves(child)]
    if isinstance(node, Not):
        return leaves(node.child)
    return [node]


def positive_leaves(node: Node) -> list[Node]:
    """The leaves a matching paragraph can contain (not those under NOT)."""
    if isinstance(node, (And, Or)):
        return [leaf for child in node.children for leaf in positive_leaves(child)]
    if isinstance(node, Not):
        return []
    return [node]


def with_reported_speech(parsed: ParsedQuery, kinds: tuple[str, ...]) -> ParsedQuery:
    """`quote:` words asked of reported speech: the index's quote field holds words inside
    marks and transcript answers only, while reported speech is part of the paragraph text,
    so with kind "reported" asked those words are looked for in the text."""
    if "reported" not in kinds:
        return parsed
    return ParsedQuery(parsed.text, _refield(parsed.tree, "quote", "text"), parsed.expansions)


def _refield(node: Node, old: str, new: str) -> Node:
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_refield(child, old, new) for child in node.children))
    if isinstance(node, Not):
        return Not(_refield(node.child, old, new))
    if isinstance(node, (Word, Phrase, Prefix)) and node.field == old:
        return replace(node, field=new)
    return node
