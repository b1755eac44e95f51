"""Split an Article's text into story Paragraphs. Tagging happens later, in tagging.py.

What is not a story paragraph is dropped here: repeated headlines and the standfirst above
them, "Also Read | ..." link lines, syndication notes, a dateline standing alone, and
paragraphs repeated (verbatim, or as a summary block) elsewhere in the article. Short
crossheads become the `heading` of the paragraph that follows.
"""

from __future__ import annotations

import re

from indexer.html_text import ends_sentence, is_cased, word_count
from indexer.markup import Link, clean_inline, strip_line_markup
from indexer.models import Article, Paragraph

_BLANK = re.compile(r"\n[ \t\u00a0]*\n")
_TERMINAL = tuple('.!?"”’\'):;…')
_BOILERPLATE = re.compile(
    r"^\s*(also read|read more|read also|related|recommended|watch|click here|follow us|"
    r"subscribe|sign up|advertisement\b|share this)\b\s*[|:\-–—]?",
    re.I,
)
SYNDICATION = re.compile(
    r"this story has not been edited by (?P<outlet>[\w .&-]+?) staff and is "
    r"(?:auto-generated|published) from a syndicated feed",
    re.I,
)
# A dateline on a line of its own: "Cairo, Egypt:", "Washington DC [US]:" (the place goes to
# the article's tags). Every word capitalised: "On particular issues of discussion:" opens a
# list and stays a paragraph.
DATELINE_ALONE = re.compile(
    r"^[A-Z][\w.'’()-]*(?:,?\s+(?:[A-Z]|\[|\()[\w.'’()\[\]-]*){0,5},?\s*:\s*$")
# The credit line under an embedded post: "— Tottenham Hotspur (@SpursOfficial) November 20,
# 2019". It names who posted, it heads nothing, and it is the only place some pages give a
# speaker's full name.
POST_CREDIT = re.compile(
    r"^\s*[—–-]\s*(?P<name>[^()@\n]{1,80}?)\s*\(@\w{1,30}\)"
    r"\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})?\s*$")
_TOKEN = re.compile(r"\w+")
MIN_DUP_TOKENS = 6
SUMMARY_BLOCKS = 8  # summary blocks that the body repeats sit at the top of a page
DUP_CONTAINMENT = 0.9
MAX_HEADING_WORDS = 14
MAX_UNCASED_HEADING_WORDS = 8  # scripts without capitals (CJK, Arabic, Hebrew...): length alone


def split_blocks(text: str) -> list[str]:
    """Blank-line blocks; a block whose lines each look complete is split into its lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in _BLANK.split(text) if b.strip()]
    if len(blocks) == 1 and "\n" in blocks[0]:
        # No blank lines at all: one paragraph per line, as in plain feeds.
        return [line.strip() for line in blocks[0].split("\n") if line.strip()]
    out: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        out.extend(lines if _lines_are_paragraphs(lines) else [" ".join(lines)])
    return out


def _lines_are_paragraphs(lines: list[str]) -> bool:
    # Hard-wrapped prose breaks mid-sentence: the line ends without punctuation and the next
    # one carries on in lower case. Paragraph-per-line text (and headlines) does not.
    if len(lines) < 2:
        return True
    mid_sentence = sum(
        not prev.endswith(_TERMINAL) and nxt[:1].islower()
        for prev, nxt in zip(lines, lines[1:], strict=False)
    )
    return mid_sentence * 2 < len(lines) - 1


def _norm(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold()))


def is_boilerplate(line: str) -> bool:
    """Link lines, promos and syndication notes: never story text."""
    return bool(_BOILERPLATE.match(line) or SYNDICATION.search(line))


def is_heading(line: str) -> bool:
    """A crosshead: short, no sentence ending, mostly capitalised or set in quotes."""
    bare = line.strip().strip("'\"‘’“”").strip()
    words = bare.split()
    if not words or word_count(bare) > MAX_HEADING_WORDS or bare.endswith(_TERMINAL + (",",)):
        return False
    if ends_sentence(bare) or POST_CREDIT.match(line):  # "。", "؟", "।"; a post's credit line
        return False
    quoted = line.strip()[:1] in "'\"‘“" and line.strip()[-1:] in "'\"’”"
    letters = [ch for ch in bare if ch.isalpha()]
    if sum(is_cased(ch) for ch in letters) * 2 < len(letters):  # mostly a script without capitals
        return quoted or word_count(bare) <= MAX_UNCASED_HEADING_WORDS
    capitalised = sum(w[:1].isupper() or not w[:1].isalpha() for w in words) / len(words)
    return quoted or capitalised >= 0.6


def _drop_headline_and_standfirst(blocks: list[str], title: str | None) -> list[str]:
    if not title:
        return blocks
    key = _norm(title)
    hits = [i for i, b in enumerate(blocks[:4]) if _norm(b) == key]
    start = hits[0] + 1 if hits else 0
    # Lines above the first printed headline are the standfirst; repeats of it are dropped too.
    return [b for b in blocks[start:] if _norm(b) != key]


def _drop_repeats(blocks: list[str]) -> list[str]:
    """Keep one copy of repeated text: verbatim repeats, and summary lines the body repeats."""
    words = [_TOKEN.findall(b.casefold()) for b in blocks]
    tokens = [set(w) for w in words]
    keep: list[str] = []
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        key = " ".join(words[i])  # _norm(block), from the words already found
        # Crossheads echo the paragraph below them by design; they are not repeats.
        if key in seen or (not is_heading(block) and _repeated_later(i, tokens)):
            continue
        seen.add(key)
        keep.append(block)
    return keep


def _repeated_later(i: int, tokens: list[set[str]]) -> bool:
    mine = tokens[i]
    if i >= SUMMARY_BLOCKS or len(mine) < MIN_DUP_TOKENS:
        return False
    for j in range(i + 1, len(tokens)):
        window = tokens[j] | (tokens[j + 1] if j + 1 < len(tokens) else set())
        if len(mine & window) >= DUP_CONTAINMENT * len(mine) and len(window) >= len(mine):
            return True
    return False


def clean_blocks(text: str) -> tuple[list[str], dict[str, tuple[Link, ...]]]:
    """Blocks as clean text (markup.py), and the links of each block by its text."""
    blocks: list[str] = []
    links: dict[str, tuple[Link, ...]] = {}
    for raw in split_blocks(strip_line_markup(text)):
        block, found = clean_inline(raw)
        if block:
            blocks.append(block)
            if found:
                links.setdefault(block, found)
    return blocks, links


def split_paragraphs(article: Article) -> list[Paragraph]:
    """The article's story paragraphs, numbered from 0, crossheads attached as headings."""
    blocks, links = clean_blocks(article.text)
    blocks = [b for b in blocks if not is_boilerplate(b)]
    blocks = _drop_headline_and_standfirst(blocks, article.title)
    blocks = _drop_repeats([b for b in blocks if not DATELINE_ALONE.match(b)])
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    pending = ""  # the heading's line as printed
    for i, block in enumerate(blocks):
        if is_heading(block) and i + 1 < len(blocks):
            if heading is not None:  # two heading-like lines in a row: the first is text too
                paragraphs.append(Paragraph(article.article_id, len(paragraphs), pending, None))
            heading, pending = block.strip().strip("'\"‘’“”").strip(), block
            continue
        paragraphs.append(Paragraph(article.article_id, len(paragraphs), block, heading,
                                    links.get(block, ())))
        heading = None
    return paragraphs
