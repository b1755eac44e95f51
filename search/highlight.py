"""Snippets and highlighted text: everything escaped, matched words wrapped in <mark>.

This is the one place that produces HTML from indexed text; pages may mark its output safe
and nothing else. The formatter is swappable (tests use brackets for readability).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from whoosh import highlight

from indexer.schema import SCHEMA

SNIPPET_CHARS = 320
_ANALYZER = SCHEMA["text"].analyzer


class MarkFormatter(highlight.Formatter):
    """<mark>word</mark> around matches; all other text HTML-escaped."""

    between = " "
    open, close = "<mark>", "</mark>"

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return f"{self.open}{escape(highlight.get_text(text, token, replace), quote=False)}{self.close}"

    def format(self, fragments, replace=False):
        # Say where the paragraph was cut, so a snippet is never mistaken for the whole;
        # one ellipsis between two fragments, none where only punctuation was cut.
        parts = [self.format_fragment(f, replace=replace).strip() for f in fragments]
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


def configure(results, formatter: highlight.Formatter = MARK) -> None:
    """Set up Whoosh's highlighter on a Results object: short, sentence-aware fragments."""
    results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=90)
    results.formatter = formatter
    results.scorer = highlight.BasicFragmentScorer()


def snippet(hit, text: str, formatter: MarkFormatter = MARK) -> str:
    """A short paragraph whole, else up to two fragments around the matched words, else its opening."""
    if len(text) <= SNIPPET_CHARS:
        return mark_text(text, _text_terms(hit), formatter=formatter)
    marked = hit.highlights("text", text=text, top=2) if text else ""
    return marked or lead(text, formatter)


def _text_terms(hit) -> set[str]:
    """Words of the text field the hit matched (or, when not recorded, that the query asks for:
    a word the query names but the paragraph lacks is simply not found in its text)."""
    if hit.results.has_matched_terms():
        return {t.decode("utf-8") for f, t in (hit.matched_terms() or ()) if f == "text"}
    return {t.decode("utf-8") for _f, t in hit.results.query_terms(expand=True, fieldname="text")}


def lead(text: str, formatter: highlight.Formatter = MARK) -> str:
    if len(text) <= SNIPPET_CHARS:
        return formatter._text(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return formatter._text(text[: cut if cut > 0 else SNIPPET_CHARS]) + " …"


def _matches(stem: str, terms: Iterable[str]) -> bool:
    return any(stem == t or (t.endswith("*") and stem.startswith(t[:-1])) for t in terms)


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of the words in `text` whose indexed (stemmed) form is one of `terms`."""
    terms = set(terms)
    if not terms:
        return []
    return [(t.startchar, t.endchar) for t in _ANALYZER(text, chars=True)
            if _matches(t.text, terms)]


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
