"""Quotation marks: which characters open and close a quote, the top-level quoted spans of a
paragraph, the paragraph with its quoted words blanked, and where its sentences start."""

from __future__ import annotations

import re

from indexer.quotes.state import _Span
from indexer.quotes.vocab import ABBREVIATIONS

# A sentence ends at . ! ? before a capital, or before a bullet ("... trophies. - Ishiba said").
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"”’']?\s+(?:[-•*]\s+)?(?=[\"“‘']?[A-Z0-9_\[])")


_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


_LINK_RE = re.compile(r"\[(?P<label>[^\]\n]{1,200})\]\((?P<url>[^)\s]{1,500})\)")


def _mark_role(text: str, i: int) -> str | None:
    """'open', 'close', 'either' or None (an apostrophe) for the mark at text[i]."""
    ch = text[i]
    prev = text[i - 1] if i else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if ch == "“":
        return "open"
    if ch == "”":
        return "close"
    opening_ctx = prev.isspace() or prev in "([{—–-/\"“‘"
    if ch == '"':
        return "open" if opening_ctx and not nxt.isspace() else "close"
    if ch == "‘" or opening_ctx:
        return "open" if nxt.isalnum() or nxt in "\"“." else None
    # ’ or ' after a character: inside a word it is an apostrophe (don't, Gaza’s).
    if prev.isalnum() and nxt.isalnum():
        return None
    return "close" if not prev.isspace() else None


_MARK_CHARS = frozenset("\"“”‘’'")


_MARK_RE = re.compile(f"[{''.join(sorted(_MARK_CHARS))}]")  # a paragraph holds few marks


def _find_spans(text: str) -> list[_Span]:
    """Top-level quoted spans; single quotes nest inside double ones."""
    spans: list[_Span] = []
    double: int | None = None  # inner start of the open double quote
    single: int | None = None  # inner start of the open single quote
    for mark in _MARK_RE.finditer(text):
        i, ch = mark.start(), mark.group()
        role = _mark_role(text, i)
        if role is None:
            continue
        if ch == '"' and role == "close" and double is None and text[i + 1 : i + 2].isupper():
            role = "open"  # 'he added."If you asked me ...': no space before the opening mark
        if ch == "”" and double is None and (i == 0 or text[i - 1] in " ([—–-\n") and (
                text[i + 1 : i + 2].isalnum()):
            role = "open"  # a reversed ” used as the opening mark
        if ch in "\"“”":
            if double is not None and role == "close":
                spans.append(_Span(double, i, True))
                double = single = None
            elif role == "open" and (double is None or single is None):
                double, single = i + 1, None
        elif role == "open" and single is None:
            single = i + 1
        elif role == "close" and single is not None:
            if double is None:
                spans.append(_Span(single, i, True))
            single = None
    if double is not None:
        end = len(text.rstrip())
        if end > double:
            spans.append(_Span(double, end, False))
    return spans


def _mask(text: str, spans: list[_Span]) -> str:
    """The paragraph with quoted words blanked, so attribution never reads inside quotes.

    A final . ! ? is kept: it ends the sentence for the sentence splitter.
    """
    parts, pos = [], 0
    for span in spans:
        inner = text[span.start : span.end]
        keep = inner[-1] if inner and inner[-1] in ".!?" else ""
        parts += [text[pos : span.start], "_" * (len(inner) - len(keep)), keep]
        pos = span.end
    parts.append(text[pos:])
    return _LINK_RE.sub(_blank_link, "".join(parts))


def _blank_link(m: re.Match[str]) -> str:
    # "[Label](https://...)" reads as " Label " plus blanks, so offsets stay exact.
    return " " + m.group("label") + " " * (len(m.group(0)) - len(m.group("label")) - 1)


def _sentence_bounds(masked: str) -> list[int]:
    """Start offsets of sentences (0 first); abbreviations such as "Oct." do not end one."""
    bounds = [0]
    for m in _BOUNDARY_RE.finditer(masked):
        word = masked[max(0, m.start() - 6) : m.start()].split()[-1:] or [""]
        token = word[0].rstrip(".\"”’'").lower()
        if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        bounds.append(m.end())
    return bounds


def _word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _reads_as_headline(text: str) -> bool:
    # A standfirst set as a headline has no sentence ending, and its single marks are the
    # headline convention for paraphrase as much as for quotation.
    bare = text.rstrip().rstrip("\"”’' ")
    return bool(bare) and bare[-1] not in ".!?…:;"
