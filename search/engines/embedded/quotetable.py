"""Quotations as rows in memory: grouping across outlets, counting, listing speakers.

Every paragraph's quotations are summarised in the `c_quotes` column as (speaker, speaker
type, key of the words, kind); indexes written before kinds were stored read as "direct".
Reading that column once per index generation lets quotation search group and count every
match without unpickling stored paragraphs; stored fields are read only for the quotations
on the page being shown.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter

from search import budget
from search.engines.embedded.schema import SEP, SUBSEP
from search.highlight import term_spans
from search.results import QuoteRecord


@dataclass(slots=True, eq=False)
class QuoteRef:
    """One quotation of one paragraph, as its `c_quotes` entry gives it.

    Not frozen: a frozen dataclass sets each field through object.__setattr__, and making
    the refs of every quotation in the index was the largest part of a cold quotations
    request (the first after any change to the index).
    """

    docnum: int
    index: int  # position among the paragraph's quotations (quotes_json order)
    speaker: str
    speaker_type: str
    key: str  # all the words
    head: str = ""  # first eight words (long quotations only)
    tail: str = ""  # last eight words
    kind: str = "direct"  # direct | partial | reported | turn (indexer.models.Quote.kind)
    # Its group among all the index's quotations (see _families), and among its speaker's;
    # the same two among the quotations listed by default (DEFAULT_KINDS; -1: not one).
    family: int = -1
    own_family: int = -1
    family_listed: int = -1
    own_family_listed: int = -1

    @property
    def keys(self) -> tuple:
        return _group_keys(self)


def _group_keys(ref: QuoteRef) -> tuple:
    """The same words; or, for one speaker, the same first or last eight words."""
    keys: tuple = (("w", ref.key),)
    if ref.speaker and ref.head:
        keys += (("h", ref.speaker, ref.head),)
    if ref.speaker and ref.tail:
        keys += (("t", ref.speaker, ref.tail),)
    return keys


def quote_refs(table) -> list[tuple[QuoteRef, ...]]:
    """Per document, its quotations' refs; cached on the (shared) DocTable."""

    def compute():
        rows: list[tuple[QuoteRef, ...]] = []
        for docnum, cell in enumerate(table.reader.column_reader("c_quotes")):
            if not cell:
                rows.append(())
                continue
            entries = cell.decode("utf-8").split(SEP)
            rows.append(tuple(QuoteRef(docnum, i, *_parts(e)) for i, e in enumerate(entries)))
        return rows

    return table.cached("quote_refs", compute)


Families = dict[str, list[int]]  # QuoteRef attribute -> the size of each of its families


def family_sizes(table, listed_only: bool) -> Families:
    """The refs' families numbered (see _families), among the quotations listed by default or
    among all; each set made on first need, once per index generation."""

    def compute():
        every = itertools.chain.from_iterable(quote_refs(table))
        if listed_only:
            return _families([r for r in every if r.kind in DEFAULT_KINDS], "family_listed",
                             "own_family_listed")
        return _families(list(every), "family", "own_family")

    return table.cached("quote_families_listed" if listed_only else "quote_families", compute)


def _families(refs: list[QuoteRef], attribute: str, own_attribute: str) -> Families:
    """Number the families of `refs` (the groups they form when all of them are grouped)
    into `attribute`, and the families of each speaker's refs into `own_attribute`; return
    each family's size.

    A request lists some quotations: its groups are their families, except where a family is
    only partly listed and the quotation that linked its parts is left out. Only such
    families are grouped afresh (group_quotes). A request for one speaker uses the families
    of that speaker's quotations: the same words said by another speaker, which link
    families across speakers, are never listed with them.

    Families are the connected parts of "shares a key" (what _Grouper merges), found by
    union-find over ref numbers: a speaker's own families first (the words key taken per
    speaker), then those joined across speakers by the same words.
    """
    parent = list(range(len(refs)))

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def join(keyed: Iterable[tuple[tuple, int]]) -> None:
        owner: dict[tuple, int] = {}
        for k, i in keyed:
            j = owner.setdefault(k, i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)

    def own_keys() -> Iterator[tuple[tuple, int]]:
        for i, ref in enumerate(refs):
            yield ("w", ref.speaker, ref.key), i
            if ref.speaker and ref.head:
                yield ("h", ref.speaker, ref.head), i
            if ref.speaker and ref.tail:
                yield ("t", ref.speaker, ref.tail), i

    out: Families = {}
    join(own_keys())
    out[own_attribute] = _number(refs, own_attribute, find)
    join((("w", ref.key), i) for i, ref in enumerate(refs))
    out[attribute] = _number(refs, attribute, find)
    return out


def _number(refs: list[QuoteRef], attribute: str, find) -> list[int]:
    ids: dict[int, int] = {}
    sizes: list[int] = []
    for i, ref in enumerate(refs):
        root = find(i)
        family = ids.get(root)
        if family is None:
            family = ids[root] = len(sizes)
            sizes.append(0)
        sizes[family] += 1
        setattr(ref, attribute, family)
    return sizes


def _parts(entry: str) -> tuple[str, str, str, str, str, str]:
    speaker, speaker_type, key, head, tail, kind = (entry.split(SUBSEP) + [""] * 6)[:6]
    return speaker, speaker_type or "unknown", key, head, tail, kind or "direct"


# Listed unless a request names kinds: quotations in marks and transcript answers, as before
# reported speech was extracted (it is asked for with kind=reported).
DEFAULT_KINDS = frozenset({"direct", "partial", "turn"})


def group_quotes(session, order: Iterable[int], speakers: set[str] | None,
                 terms: set[str], *, words_only_in_quotes: bool = False,
                 kinds: set[str] | None = None) -> dict[int, list[QuoteRef]]:
    """Matching quotations grouped, groups in order of first appearance.

    Two quotations are one group when their words are the same, or when the same speaker's
    quotations share their first or last eight words (a rewrite trimmed one of them).
    With `words_only_in_quotes` (the query asked for words in the quote field only), a
    paragraph that matched and holds one quotation needs no check: its quote field is that
    quotation. Only paragraphs with several quotations are read to see which one matched.
    """
    order = list(order)
    refs = quote_refs(session.table)
    one_speaker = speakers is not None and len(speakers) == 1
    # Families among the quotations listed by default when the request lists no others: a
    # family that a reported quotation joins is then whole, not grouped afresh each time.
    listed_only = not (kinds or DEFAULT_KINDS) - DEFAULT_KINDS
    attribute = ("own_family" if one_speaker else "family") + ("_listed" if listed_only else "")
    family_of = attrgetter(attribute)
    sizes = family_sizes(session.table, listed_only)[attribute]
    listed: dict[int, list[QuoteRef]] = {}  # family -> its listed quotations, in order
    for seen, docnum in enumerate(order):
        if seen % 256 == 0:  # each check reads stored fields: the server's time budget holds
            budget.check()
        needs_check = terms and not (words_only_in_quotes and len(refs[docnum]) == 1)
        texts = _texts(session, docnum) if needs_check else None
        for ref in refs[docnum]:
            if speakers is not None and ref.speaker not in speakers:
                continue
            if ref.kind not in (kinds or DEFAULT_KINDS):
                continue
            if texts is not None and not term_spans(texts[ref.index]["text"], terms):
                continue
            listed.setdefault(family_of(ref), []).append(ref)
    groups: list[list[QuoteRef]] = []
    regrouped = False
    for family, members in listed.items():
        if len(members) == 1 or len(members) == sizes[family]:  # a whole family is one group
            groups.append(members)
            continue
        # Part of a family: its listed members may not be linked without the others.
        grouper = _Grouper()
        for ref in members:
            grouper.add(ref)
        groups += grouper.groups.values()
        regrouped = True
    if regrouped:  # groups in order of first appearance, as one _Grouper pass gives them
        # (a group's first member is its earliest: listed in order, and _Grouper keeps the
        # earlier group's members first when it merges two)
        place = {docnum: i for i, docnum in enumerate(order)}
        groups.sort(key=lambda members: (place[members[0].docnum], members[0].index))
    return dict(enumerate(groups))


class _Grouper:
    """Union of quotation groups by shared keys; a group keeps its first member's place."""

    def __init__(self) -> None:
        self.groups: dict[int, list[QuoteRef]] = {}
        self._owner: dict[tuple, int] = {}
        self._next = itertools.count()  # increasing ids: a lower id is an earlier group

    def add(self, ref: QuoteRef) -> None:
        keys, owner = ref.keys, self._owner
        found = [owner[k] for k in keys if k in owner]
        if len(found) > 1:  # a quotation seen before: its keys may name several groups
            found = sorted(set(found))
        if not found:
            gid = next(self._next)
            self.groups[gid] = members = []
        else:
            gid = found[0]
            members = self.groups[gid]
        for other in found[1:]:  # this quotation links two groups: merge the later one
            for moved in self.groups.pop(other):
                members.append(moved)
                for k in moved.keys:
                    owner[k] = gid
        members.append(ref)
        for k in keys:
            owner[k] = gid


def _texts(session, docnum: int) -> list[dict]:
    return json.loads(session.searcher.stored_fields(docnum).get("quotes_json") or "[]")


def records(session, groups: Iterable[list[QuoteRef]]) -> Iterator[QuoteRecord]:
    """One QuoteRecord per group, led by the earliest publication, others as 'also reported by'."""
    dates, outlets = session.table.dates, session.table.values("c_outlet")
    for members in groups:
        ordered = sorted(members, key=lambda r: (dates[r.docnum] or 99999999, outlets[r.docnum],
                                                 r.docnum))
        lead_fields = session.searcher.stored_fields(ordered[0].docnum)
        also = []
        for ref in ordered[1:]:
            if ref.docnum == ordered[0].docnum:
                continue
            f = session.searcher.stored_fields(ref.docnum)
            entry = {"outlet": f.get("outlet") or None, "published": f.get("date") or None,
                     "url": f.get("url"), "article_id": f["article_id"], "paragraph_id": f["pid"]}
            if ref.key != ordered[0].key:  # a trimmed or reworded variant: show its words
                entry["text"] = json.loads(f.get("quotes_json") or "[]")[ref.index]["text"]
            also.append(entry)
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
            if not ref.speaker or ref.kind not in DEFAULT_KINDS:
                continue  # a speaker's count is of quotations, not of reported speech
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
