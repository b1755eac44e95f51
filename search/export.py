"""CSV rows for search hits and quotations, shared by the CLI and the web export.

Spreadsheets run cells that start with = + - @ (and tab or CR) as formulas (CWE-1236), so
every such cell is prefixed with an apostrophe. Rows are produced lazily: exports stream.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from search.results import Hit, QuoteRecord

HIT_COLUMNS = ("paragraph_id", "article_id", "published", "outlet", "title", "url", "position",
               "heading", "text", "actors", "topics", "credits", "quotes", "score")
QUOTE_COLUMNS = ("text", "speaker", "verb", "via", "published", "outlet", "title", "url",
                 "article_id", "paragraph_id", "also_reported_by", "kind")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def hit_row(hit: Hit) -> list[str]:
    quotes = " | ".join(f"“{q.text}” — {q.speaker or 'unknown'}" for q in hit.quotes)
    values = (hit.paragraph_id, hit.article_id, hit.published, hit.outlet, hit.title, hit.url,
              hit.position, hit.heading, hit.text, "; ".join(hit.actors), "; ".join(hit.topics),
              "; ".join(hit.credits), quotes, hit.score)
    return [safe_cell(v) for v in values]


def quote_row(q: QuoteRecord) -> list[str]:
    also = "; ".join(f"{a.get('outlet') or '?'} {a.get('published') or ''}".strip()
                     for a in q.also_reported_by)
    values = (q.text, q.speaker, q.verb, q.via, q.published, q.outlet, q.title, q.url,
              q.article_id, q.paragraph_id, also, q.kind)
    return [safe_cell(v) for v in values]


def csv_lines(header: Iterable[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """RFC 4180 lines, one string per row, for streaming responses."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in (list(header), *rows) if not isinstance(rows, Iterator) else _chain(header, rows):
        writer.writerow(row)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()


def _chain(header, rows) -> Iterator[list[str]]:
    yield list(header)
    yield from rows
