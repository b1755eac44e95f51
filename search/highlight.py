"""Snippets and highlighted text: everything escaped, matched words wrapped in <mark>.

This is the one place that produces HTML from indexed text; pages may mark its output safe
and nothing else. The formatter is swappable (tests use brackets for readability).

A paragraph's links ((start, end, url) spans kept by indexer/markup.py) come out as <a>
elements around their words, in snippets as on the article page: only http and https URLs,
escaped as attribute values; any other URL leaves its words as plain text. A link splits
the marks and quotations it cuts through, so elements always nest.

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

Link = tuple[int, int, str]  # start, end (offsets in the text), url

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

    def link(self, inner: str, url: str) -> str:
        """`inner` (already formatted) as a link to `url`, when the URL may be one."""
        if not is_web_url(url):
            return inner
        return (f'<a class="text-link" href="{escape(url, quote=True)}" '
                f'rel="nofollow noopener noreferrer">{inner}</a>')

    def format_fragment(self, fragment: Fragment, links: Sequence[Link] = ()) -> str:
        marks = [(m.startchar, m.endchar) for m in fragment.matches]
        return render(fragment.text, fragment.startchar, fragment.endchar, marks, (), links,
                      self)

    def format(self, fragments: Sequence[Fragment], links: Sequence[Link] = ()) -> str:
        # Say where the paragraph was cut, so a snippet is never mistaken for the whole;
        # one ellipsis between two fragments, none where only punctuation was cut.
        parts = [self.format_fragment(f, links).strip() for f in fragments]
        if not parts:
            return ""
        first, last = fragments[0], fragments[-1]
        head = "… " if _has_word(first.text[: first.startchar]) else ""
        rest = last.text[last.endchar:]
        tail = " …" if _has_word(rest) else self._text(rest.rstrip())
        return head + " … ".join(parts) + tail


def is_web_url(url: object) -> bool:
    """Whether a URL may be an href: http(s) only (no javascript:, data:, relative paths)."""
    return isinstance(url, str) and url[:8].lower().startswith(("http://", "https://"))


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class BracketFormatter(MarkFormatter):
    """[word] around matches: easy to read in tests and terminals."""

    open, close = "[", "]"

    def link(self, inner: str, url: str) -> str:
        return inner


MARK = MarkFormatter()


def snippet(text: str, words: frozenset[str], formatter: MarkFormatter = MARK,
            links: Sequence[Link] = ()) -> str:
    """A short paragraph whole, else up to two fragments around the matched words, else its
    opening. `words` are indexed forms, as an engine gives them (HitPage.words)."""
    if len(text) <= SNIPPET_CHARS:
        return mark_text(text, words, formatter=formatter, links=links)
    found = best_fragments(text, words)
    return formatter.format(found, links) if found else lead(text, formatter, links)


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


def lead(text: str, formatter: MarkFormatter = MARK, links: Sequence[Link] = ()) -> str:
    if len(text) <= SNIPPET_CHARS:
        return render(text, 0, len(text), (), (), links, formatter)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return render(text, 0, cut if cut > 0 else SNIPPET_CHARS, (), (), links, formatter) + " …"


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
              formatter: MarkFormatter = MARK, links: Sequence[Link] = ()) -> str:
    """The whole text escaped, matched words marked, quotation spans wrapped in <q>, links
    as links.

    `quotes` are (start, end) offsets of quotation text; the marks around them stay outside.
    """
    return render(text, 0, len(text), term_spans(text, terms), quotes, links, formatter)


def render(text: str, start: int, end: int, marks: Sequence[tuple[int, int]],
           quotes: Sequence[tuple[int, int]], links: Sequence[Link],
           formatter: MarkFormatter = MARK) -> str:
    """text[start:end] escaped, with marks, quotations and links as elements that nest.

    The stretch is cut at link boundaries and each piece is marked on its own (marks and
    quotations clipped to it): an <a> never cuts through a <mark> or <q>. Of two links that
    overlap, the first wins.
    """
    out, pos = [], start
    for a, b, url in sorted(links):
        a, b = max(a, start), min(b, end)
        if a < pos or a >= b:
            continue
        out.append(_marked(text, pos, a, marks, quotes, formatter))
        out.append(formatter.link(_marked(text, a, b, marks, quotes, formatter), url))
        pos = b
    out.append(_marked(text, pos, end, marks, quotes, formatter))
    return "".join(out)


def _marked(text: str, start: int, end: int, marks: Sequence[tuple[int, int]],
            quotes: Sequence[tuple[int, int]], formatter: MarkFormatter) -> str:
    """text[start:end] with marks and quotations clipped to it, always properly nested.

    Where elements overlap without nesting (a quotation ending inside a marked word), the
    inner one is closed and reopened around the other's end.
    """
    if start >= end:
        return ""
    spans = [(max(a, start), min(b, end), formatter.open, formatter.close)
             for a, b in marks if a < end and b > start]
    spans += [(max(a, start), min(b, end), '<q class="quote">', "</q>")
              for a, b in quotes if a < end and b > start]
    if not spans:
        return formatter._text(text[start:end])
    # At one offset the longer element opens first, so that it is the outer one.
    spans.sort(key=lambda s: (s[0], -s[1], s[2] == formatter.open))
    points = sorted({p for s in spans for p in s[:2]})
    out: list[str] = []
    stack: list[tuple[int, int, str, str]] = []
    pos, nxt = start, 0
    for point in points:
        out.append(formatter._text(text[pos:point]))
        pos = point
        reopen: list[tuple[int, int, str, str]] = []
        while any(s[1] <= point for s in stack):
            top = stack.pop()
            out.append(top[3])
            if top[1] > point:
                reopen.append(top)
        for s in reversed(reopen):
            out.append(s[2])
            stack.append(s)
        while nxt < len(spans) and spans[nxt][0] == point:
            if spans[nxt][1] > point:
                out.append(spans[nxt][2])
                stack.append(spans[nxt])
            nxt += 1
    out.append(formatter._text(text[pos:end]))
    out.extend(s[3] for s in reversed(stack))
    return "".join(out)
