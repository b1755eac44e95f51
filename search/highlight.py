"""Snippets and highlighted text: everything escaped, matched words wrapped in <mark>.

This is the one place that produces HTML from indexed text; pages may mark its output safe
and nothing else. The formatter is swappable (tests use brackets for readability).

Snippets are cut the way Whoosh's highlighter cuts them (ContextFragmenter, BasicFragmentScorer),
but the words are found in one loop over regex matches: Whoosh's chain of generators built a
Token object per word and took 5-10 ms for a page of 20 paragraphs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from heapq import nsmallest
from html import escape

from search.analyzer import spans

SNIPPET_CHARS = 320
SURROUND = 90  # characters of context before the first and after the last matched word
CHARLIMIT = 2**15  # words past this offset are not looked at (Whoosh's default limit)


@dataclass(frozen=True)
class Match:
    """A matched word: its indexed form and where it is in the text."""

    text: str
    startchar: int
    endchar: int


@dataclass
class Fragment:
    """A passage of `text` from startchar to endchar with its matched words."""

    text: str
    matches: list[Match]
    startchar: int
    endchar: int
    matched_terms: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.matched_terms = {m.text for m in self.matches}


class MarkFormatter:
    """<mark>word</mark> around matches; all other text HTML-escaped."""

    open, close = "<mark>", "</mark>"

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_fragment(self, fragment: Fragment) -> str:
        out, index, text = [], fragment.startchar, fragment.text
        for m in fragment.matches:
            if m.startchar < index:
                continue
            out.append(self._text(text[index:m.startchar]))
            out.append(f"{self.open}{self._text(text[m.startchar:m.endchar])}{self.close}")
            index = m.endchar
        out.append(self._text(text[index:fragment.endchar]))
        return "".join(out)

    def format(self, fragments: Sequence[Fragment]) -> str:
        # Say where the paragraph was cut, so a snippet is never mistaken for the whole;
        # one ellipsis between two fragments, none where only punctuation was cut.
        parts = [self.format_fragment(f).strip() for f in fragments]
        if not parts:
            return ""
        first, last = fragments[0], fragments[-1]
        head = "… " if _has_word(first.text[: first.startchar]) else ""
        rest = last.text[last.endchar:]
        tail = " …" if _has_word(rest) else self._text(rest.rstrip())
        return head + " … ".join(parts) + tail


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class BracketFormatter(MarkFormatter):
    """[word] around matches: easy to read in tests and terminals."""

    open, close = "[", "]"


MARK = MarkFormatter()


def snippet(text: str, words: frozenset[str], formatter: MarkFormatter = MARK) -> str:
    """A short paragraph whole, else up to two fragments around the matched words, else its
    opening. `words` are indexed forms, as an engine gives them (HitPage.words)."""
    if len(text) <= SNIPPET_CHARS:
        return mark_text(text, words, formatter=formatter)
    found = best_fragments(text, words)
    return formatter.format(found) if found else lead(text, formatter)


def _words(text: str, words: Iterable[str] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, form) of each unit of the text, as search/analyzer.py indexes it: the
    first of its forms found in `words`, else its stem."""
    if not words:
        return [(start, end, toks[0][1]) for start, end, _, toks in spans(text)]
    out = []
    for start, end, _, toks in spans(text):
        form = toks[0][1]
        if len(toks) > 1 and form not in words:  # its exact form or compound may be asked for
            form = next((f for _, f in toks if f in words), form)
        out.append((start, end, form))
    return out


def fragments(text: str, words: frozenset[str]) -> list[Fragment]:
    """Passages around the matched words, cut as Whoosh's ContextFragmenter cuts them.

    A passage opens up to SURROUND characters before a match, stays open for SURROUND
    characters after the last match, and closes before it would pass SNIPPET_CHARS.
    """
    out: list[Fragment] = []
    first: int | None = None
    firsts: deque[int] = deque()
    matches: list[Match] = []
    countdown, length, end = -1, 0, 0
    for start, end, word in _words(text, words):
        if end > CHARLIMIT:
            break  # the passage left open still ends at this word, as in Whoosh
        size, matched = end - start, word in words
        if countdown < 0 and not matched:
            firsts.append(start)  # where a passage opened by a later match may begin
            while firsts and end - firsts[0] > SURROUND:
                firsts.popleft()
        elif length + size > SNIPPET_CHARS:
            countdown = 0
        elif matched:
            countdown = SURROUND
            if first is None:
                first = firsts[0] if firsts else start
                countdown += 0 if firsts else SURROUND  # no context before: more after
            matches.append(Match(word, start, end))
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                if matches and first is not None:  # Whoosh also closed passages without
                    out.append(Fragment(text, matches, first, end))  # a match, then dropped them
                first, firsts, matches, length = None, deque(), [], 0
    if matches and first is not None:
        out.append(Fragment(text, matches, first, end))
    return out


def best_fragments(text: str, words: frozenset[str], top: int = 2) -> list[Fragment]:
    """The `top` passages with the most distinct matched words, then the most matches, in text
    order. Whoosh's BasicFragmentScorer ranks so; where two passages tie Whoosh picked one by
    object address, here the earlier wins, so a snippet is the same on every run."""
    found = fragments(text, words)

    def rank(i: int) -> tuple[int, int]:
        f = found[i]
        return -len(f.matches) * (len(f.matched_terms) * 100 or 1), i

    return [found[i] for i in sorted(nsmallest(top, range(len(found)), key=rank))]


def lead(text: str, formatter: MarkFormatter = MARK) -> str:
    if len(text) <= SNIPPET_CHARS:
        return formatter._text(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return formatter._text(text[: cut if cut > 0 else SNIPPET_CHARS]) + " …"


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of the units of `text` with one of `terms` among their indexed forms
    (stem, exact form, joined compound), or a form starting with a `terms` entry ending in "*"."""
    exact = {t for t in terms if not t.endswith("*")}
    prefixes = tuple(t[:-1] for t in terms if t.endswith("*"))
    if not exact and not prefixes:
        return []
    if not prefixes:
        return [(start, end) for start, end, _, toks in spans(text)
                if toks[0][1] in exact or (len(toks) > 1 and any(f in exact for _, f in toks))]
    return [(start, end) for start, end, _, toks in spans(text)
            if any(f in exact or f.startswith(prefixes) for _, f in toks)]


def mark_text(text: str, terms: Iterable[str] = (), quotes: Sequence[tuple[int, int]] = (),
              formatter: MarkFormatter = MARK) -> str:
    """The whole text escaped, matched words marked, quotation spans wrapped in <q>.

    `quotes` are (start, end) offsets of quotation text; the marks around them stay outside.
    """
    events: list[tuple[int, int, str]] = []  # (offset, order, html)
    for start, end in term_spans(text, terms):
        events += [(start, 1, formatter.open), (end, 0, formatter.close)]
    for start, end in quotes:
        events += [(start, 2, '<q class="quote">'), (end, -1, "</q>")]
    out, pos = [], 0
    for offset, _order, tag in sorted(events):
        out.append(formatter._text(text[pos:offset]))
        out.append(tag)
        pos = offset
    out.append(formatter._text(text[pos:]))
    return "".join(out)
