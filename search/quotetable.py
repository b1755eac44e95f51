"""Quotations as rows in memory: grouping across outlets, counting, listing speakers.

Every paragraph's quotations are summarised in the `c_quotes` column as (speaker, speaker
type, key of the words). Reading that column once per index generation lets quotation
search group and count every match without unpickling stored paragraphs; stored fields
are read only for the quotations on the page being shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from indexer.schema import SEP, SUBSEP
from search.highlight import term_spans
from search.results import QuoteRecord


@dataclass(frozen=True)
class QuoteRef:
    docnum: int
    index: int  # position among the paragraph's quotations (quotes_json order)
    speaker: str
    speaker_type: str
    key: str


def quote_refs(table) -> list[tuple[QuoteRef, ...]]:
    """Per document, its quotations' refs; cached on the session's DocTable."""
    if "quote_refs" not in table._cache:
        rows = []
        for docnum, cell in enumerate(table.reader.column_reader("c_quotes")):
            entries = cell.decode("utf-8").split(SEP) if cell else ()
            rows.append(tuple(QuoteRef(docnum, i, *_parts(e)) for i, e in enumerate(entries)))
        table._cache["quote_refs"] = rows
    return table._cache["quote_refs"]


def _parts(entry: str) -> tuple[str, str, str]:
    speaker, kind, key = (entry.split(SUBSEP) + ["", "", ""])[:3]
    return speaker, kind or "unknown", key


def group_quotes(session, order: Iterable[int], speakers: set[str] | None,
                 terms: set[str]) -> dict[str, list[QuoteRef]]:
    """Matching quotations grouped by their words, groups in order of first appearance."""
    refs = quote_refs(session.table)
    groups: dict[str, list[QuoteRef]] = {}
    for docnum in order:
        texts = _texts(session, docnum) if terms else None
        for ref in refs[docnum]:
            if speakers is not None and ref.speaker not in speakers:
                continue
            if texts is not None and not term_spans(texts[ref.index]["text"], terms):
                continue
            groups.setdefault(ref.key, []).append(ref)
    return groups


def _texts(session, docnum: int) -> list[dict]:
    return json.loads(session.searcher.stored_fields(docnum).get("quotes_json") or "[]")


def records(session, groups: Iterable[list[QuoteRef]]) -> Iterator[QuoteRecord]:
    """One QuoteRecord per group, led by the earliest publication, others as 'also reported by'."""
    dates, outlets = session.table.dates, session.table.values("c_outlet")
    for members in groups:
        ordered = sorted(members, key=lambda r: (dates[r.docnum] or 99999999, outlets[r.docnum], r.docnum))
        lead_fields = session.searcher.stored_fields(ordered[0].docnum)
        also = []
        for ref in ordered[1:]:
            if ref.docnum == ordered[0].docnum:
                continue
            f = session.searcher.stored_fields(ref.docnum)
            also.append({"outlet": f.get("outlet") or None, "published": f.get("date") or None,
                         "url": f.get("url"), "article_id": f["article_id"], "paragraph_id": f["pid"]})
        yield _record(lead_fields, ordered[0], tuple(also))


def _record(fields: dict, ref: QuoteRef, also: tuple[dict, ...]) -> QuoteRecord:
    q = json.loads(fields.get("quotes_json") or "[]")[ref.index]
    return QuoteRecord(
        text=q["text"], speaker=q.get("speaker"), verb=q.get("verb"), via=q.get("via"),
        article_id=fields["article_id"], paragraph_id=fields["pid"],
        title=fields.get("title") or None, outlet=fields.get("outlet") or None,
        url=fields.get("url"), published=fields.get("date") or None,
        speaker_type=q.get("speaker_type", "unknown"), kind=q.get("kind", "direct"),
        also_reported_by=also)


def speaker_rows(session, docs: Iterable[int]) -> list[dict]:
    """Every speaker in `docs` with number of quotations and first/last dates."""
    refs, dates = quote_refs(session.table), session.table.dates
    stats: dict[str, dict] = {}
    for docnum in docs:
        date = dates[docnum]
        for ref in refs[docnum]:
            if not ref.speaker:
                continue
            row = stats.setdefault(ref.speaker, {"speaker": ref.speaker, "type": ref.speaker_type,
                                                 "quotes": 0, "first": 0, "last": 0})
            row["quotes"] += 1
            if date:
                row["first"] = min(row["first"] or date, date)
                row["last"] = max(row["last"], date)
    for row in stats.values():
        row["first"], row["last"] = _iso(row["first"]), _iso(row["last"])
    return sorted(stats.values(), key=lambda r: (-r["quotes"], r["speaker"]))


def _iso(n: int) -> str | None:
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}" if n else None
