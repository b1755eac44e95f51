"""From a value a user typed (a filter, a field:value in a query) to the values an index holds.

Engine-neutral: each engine supplies its own vocabulary of a field and the lexicon the index
was tagged with, and every engine resolves the same typed value to the same indexed values.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from indexer.lexicon import Lexicon


def resolve_value(fieldname: str, value: str, vocabulary: Callable[[], Collection[str]],
                  lexicon: Callable[[], Lexicon]) -> list[str]:
    """The indexed values `value` stands for, most precise rule first: the value as indexed;
    its canonical name in the lexicon ("netanyahu" -> "Benjamin Netanyahu"); the same value
    in another case; else every indexed value containing it. Empty: nothing matches.

    A month is taken as typed (a month nobody wrote about is a true zero, not a typo).
    `vocabulary` and `lexicon` are called only when needed: reading them can cost a query.
    """
    value = value.strip()
    if fieldname == "month":
        return [value]
    vocab = vocabulary()
    if value in vocab:
        return [value]
    canonical = lexicon().canonical_or_none(value)
    if canonical is not None and canonical in vocab:
        return [canonical]
    folded = value.casefold()
    exact = [v for v in vocab if v.casefold() == folded]
    return exact or [v for v in vocab if folded in v.casefold()]
