"""The shape of a line of text in any script: does it end a sentence, how long is it in words?

Heading and crosshead tests written for English ("short, no full stop, mostly capitalised") fail
elsewhere: Japanese and Chinese end sentences with "。" and put no spaces between words, Thai
separates phrases rather than words, and Arabic, Hebrew, Devanagari and CJK have no capital
letters at all. These helpers give those tests script-aware answers; the punctuation lists are
data (indexer/data/page_text.json).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "page_text.json"
# Thai, Lao, Khmer, Burmese, kana and Han: written without spaces between words.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
CHARS_PER_WORD = 2  # a CJK word is about two characters; Thai about four letters (close enough)


@cache
def _endings() -> tuple[frozenset[str], str]:
    marks = json.loads(DATA.read_text(encoding="utf-8"))["sentence_endings"]
    closing = marks.pop("closing_marks")
    return frozenset("".join(marks.values())), closing


def ends_sentence(text: str) -> bool:
    """True when the text ends with a sentence's final mark, in any script, before any
    closing quotes or brackets ("…said.”", "…です。」", "…؟")."""
    endings, closing = _endings()
    bare = text.rstrip().rstrip(closing + " ")
    return bool(bare) and bare[-1] in endings


def word_count(text: str) -> int:
    """Words, counting runs of unspaced scripts by their length."""
    unspaced = len(_UNSPACED.findall(text))
    spaced = len(_UNSPACED.sub(" ", text).split())
    return spaced + unspaced // CHARS_PER_WORD


def is_cased(word: str) -> bool:
    """True when the word's first letter has two cases (Latin, Greek, Cyrillic, Armenian...)."""
    first = next((ch for ch in word if ch.isalpha()), "")
    return bool(first) and first.upper() != first.lower()
