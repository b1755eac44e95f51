"""Markdown and HTML remnants in article text turned into clean text, links kept aside.

Exports and scrapes (the White House briefings among them) carry `**bold**`,
`[words](https://...)`, `# headings`, list dashes and stray tags such as `<s>struck</s>`.
Shown as they are, they clutter the page; indexed as they are, every URL becomes words
(a misspelling inside a link was the only hit for "ceasfire"). Here:

- `strip_line_markup(text)` removes line-level Markdown (headings, list markers, quote
  marks, rules) before the text is split into paragraphs;
- `clean_inline(block)` turns one paragraph's inline Markdown and HTML remnants into plain
  text and returns its links as (start, end, url) spans of that text.

Only web and mail links are kept; their URLs never enter the text. A bare URL becomes a link
whose words are its host name. A small hand-written reader rather than a Markdown library:
news text that is not Markdown must come through unchanged, and a full CommonMark parser
reads indented lines as code, "2024. " as a list item and "---" under a line as a heading.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

Link = tuple[int, int, str]  # start, end (offsets in the clean text), url

_LINE_RULES = (
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M), r"\1"),  # ATX heading
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # blockquote marker
    (re.compile(r"^[ \t]{0,3}[-*+][ \t]+(?=\S)", re.M), ""),  # bullet
    (re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # horizontal rule
)
# Struck-out words are the transcript's correction: "<s>Parker</s> [Parks]" reads "[Parks]".
_STRUCK = re.compile(r"<(s|strike|del)\b[^>]*>.*?</\1\s*>\s?", re.I | re.S)
_ANCHOR = re.compile(r"<a\b[^>]*?\bhref\s*=\s*([\"'])(.*?)\1[^>]*>(.*?)</a\s*>", re.I | re.S)
# Formatting tags only: anything else (<script>, <img ...>) is quoted text, and the pages
# escape it like any other text.
_INLINE_TAG = re.compile(
    r"</?(?:b|i|u|em|strong|span|font|sup|sub|small|big|mark|ins|abbr|cite|code|tt|q|a)\b[^<>]*>",
    re.I)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|blockquote|center|section|article|figure|figcaption|picture|"
    r"source|img|iframe|video|audio|embed|table|tr|td|th|tbody|thead)\b[^<>]*>|<[bh]r\s*/?>",
    re.I)
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
# Stars are taken off the whole paragraph (bold often wraps a link); underscores only outside
# links, as URLs hold them.
_STARS = re.compile(r"\*\*(?=\S)(.+?)\*\*|"
                    r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_UNDERSCORES = re.compile(r"(?<![\w\\])__?(?=[^\s_])([^_\n]+?)(?<=[^\s_])__?(?![\w])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|])")
_BARE_URL = re.compile(r"(?<![\w/\"'=\[])(?:https?://|www\.)[^\s<>\"]+", re.I)
_TRAILING = ".,;:!?)]}'\"”’"
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.I)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def strip_line_markup(text: str) -> str:
    """Headings, list markers, quote markers and rules removed from the starts of lines."""
    if not any(mark in text for mark in ("#", ">", "- ", "* ", "+ ", "---", "***", "___")):
        return text
    for pattern, repl in _LINE_RULES:
        text = pattern.sub(repl, text)
    return text


def clean_inline(block: str) -> tuple[str, tuple[Link, ...]]:
    """One paragraph without inline Markdown or HTML remnants, and its links."""
    if not _has_markup(block):
        return block, ()
    text = _STRUCK.sub("", block)
    text = _IMAGE.sub("", text)
    if "<" in text:  # before links are found: an <img> tag's URLs are no links
        text = _BLOCK_TAG.sub(" ", text)
    if "*" in text:
        # Exports also leave "**opened **" and lone "**": a pair of stars is never prose.
        text = _STARS.sub(lambda m: m.group(1) or m.group(2), text).replace("**", "")
    out: list[str] = []
    links: list[Link] = []
    _emit(text, out, links)
    clean = "".join(out)
    stripped = clean.strip()
    if stripped != clean:  # keep offsets right when the ends are trimmed
        shift = len(clean) - len(clean.lstrip())
        links = [(s - shift, e - shift, u) for s, e, u in links]
        clean = stripped
    return _collapse(clean, links)


def _has_markup(block: str) -> bool:
    return any(c in block for c in "*_[<&\\") or "http" in block or "www." in block


def _emit(text: str, out: list[str], links: list[Link]) -> None:
    """Append the clean text to `out`, recording links at their offsets."""
    pos = 0
    for _kind, start, end, words, url in _link_spans(text):
        out.append(_plain(text[pos:start]))
        here = sum(map(len, out))
        words = _plain(words).strip() or (_host(url) if url else "")
        out.append(words)
        if url and words:
            links.append((here, here + len(words), url))
        pos = end
    out.append(_plain(text[pos:]))


def _link_spans(text: str):
    """(kind, start, end, words, url) of Markdown links, HTML anchors and bare URLs, in order."""
    spans = []
    for m in _ANCHOR.finditer(text):
        spans.append(("a", m.start(), m.end(), m.group(3), _web_url(html.unescape(m.group(2)))))
    i = 0
    while (i := text.find("](", i)) != -1:
        found = _markdown_link(text, i)
        if found:
            spans.append(found)
        i += 2
    taken = sorted((s, e) for _, s, e, _, _ in spans)
    for m in _BARE_URL.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        start, end = m.start(), m.start() + len(url)
        if not any(s <= start < e for s, e in taken):
            full = url if url.lower().startswith("http") else "https://" + url
            spans.append(("url", start, end, _host(full), _web_url(full)))
    spans.sort(key=lambda s: s[1])
    kept, last = [], -1
    for span in spans:  # an anchor inside another link's words is that link
        if span[1] >= last:
            kept.append(span)
            last = span[2]
    return kept


def _markdown_link(text: str, mid: int):
    """The `[words](url "title")` around the "](" at `mid`, brackets and parentheses balanced."""
    depth, start = 0, -1
    for j in range(mid - 1, max(-1, mid - 2000), -1):
        c = text[j]
        if c == "]" and (j == 0 or text[j - 1] != "\\"):
            depth += 1
        elif c == "[" and (j == 0 or text[j - 1] != "\\"):
            if depth == 0:
                start = j
                break
            depth -= 1
    if start < 0:
        return None
    depth, end = 0, -1
    for j in range(mid + 2, min(len(text), mid + 2 + 2000)):
        c = text[j]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                end = j + 1
                break
            depth -= 1
        elif c in " \n" and depth == 0 and not text[j + 1:].lstrip().startswith('"'):
            return None
    if end < 0:
        return None
    target = text[mid + 2:end - 1].strip()
    target = target.split(' "', 1)[0].strip("<> ")
    return ("md", start, end, text[start + 1:mid], _web_url(target))


def _web_url(url: str) -> str | None:
    url = url.strip()
    return url if url.lower().startswith(("http://", "https://", "mailto:")) else None


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _plain(text: str) -> str:
    """Inline text without emphasis marks, escapes, formatting tags or entities."""
    if "<" in text:
        text = _INLINE_TAG.sub("", text)
    if "_" in text:
        text = _UNDERSCORES.sub(r"\1", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return text


def _collapse(text: str, links: list[Link]) -> tuple[str, tuple[Link, ...]]:
    """Runs of spaces left by removed markup made single, link offsets moved to match."""
    if not _SPACES.search(text):
        return text, tuple(links)
    out, mapping, pos = [], [0] * (len(text) + 1), 0
    for m in _SPACES.finditer(text):
        out.append(text[pos:m.start()])
        out.append(" ")
        pos = m.end()
    out.append(text[pos:])
    # Map each old offset to its new one by walking both strings once.
    new_len, j = 0, 0
    for m in _SPACES.finditer(text):
        while j < m.start():
            mapping[j] = new_len
            j += 1
            new_len += 1
        for k in range(m.start(), m.end()):
            mapping[k] = new_len
        j = m.end()
        new_len += 1
    while j <= len(text):
        mapping[j] = new_len
        j += 1
        new_len += 1
    clean = "".join(out)
    return clean, tuple((mapping[s], mapping[e], u) for s, e, u in links)


def with_links_marked(text: str, links: tuple[Link, ...]) -> tuple[str, list[int]]:
    """The text with its links written back as `[words](url)`, and each offset's clean offset.

    For readers that use a link's target: the quotation extractor names the outlet a
    "[China](https://english.news.cn/...): “...”" line links to as its source. `back[i]` is
    the clean-text offset of offset i of the marked text (inserted characters map to the
    offset where they were inserted).
    """
    parts: list[str] = []
    back: list[int] = []
    pos = 0
    for start, end, url in sorted(links):
        if start < pos:
            continue
        for piece, clean_at in ((text[pos:start], pos), ("[", None), (text[start:end], start),
                                (f"]({url})", None)):
            parts.append(piece)
            back.extend(range(clean_at, clean_at + len(piece)) if clean_at is not None
                        else [start if piece == "[" else end] * len(piece))
        pos = end
    parts.append(text[pos:])
    back.extend(range(pos, len(text) + 1))
    return "".join(parts), back
