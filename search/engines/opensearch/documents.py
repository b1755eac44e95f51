"""What Parley stores in an OpenSearch index: the mapping, and documents made from records.

One concrete index holds everything of one build, told apart by `doc`:
- "paragraph": a paragraph with its tags, stored text and quotations;
- "quote": one quotation, with its paragraph's tags (quotation search, speakers);
- "article" and "file": the record of what was ingested (what the embedded engine keeps in
  its SQLite registry), so re-runs skip unchanged input and `check` can compare;
- "word": each distinct indexed word with its indexed form (prefix queries expand over it);
- "actor_types": the actor -> type table (person, organisation, state, ...) in chunks, each
  write session adding what it met first (readers fold them oldest first);
- "meta": the committed-generation record (id META_ID), read by id, never searched.
Readers search an alias; a rebuild writes a new concrete index and moves the alias at the end.

Tokens come from search/analyzer.py, the analyzer the embedded engine uses, and are indexed
with OpenSearch's whitespace analyzer, so both engines see identical terms. The analyzer puts
up to four forms at one position (stem, exact spelling, a compound's joined stem and joined
spelling); whitespace analysis gives one token per position, so each text field is written
as LAYERS parallel fields whose N-th token is the N-th position's form of that layer (FILLER
where a position has fewer forms). A word matches in any layer; a phrase lines layers up
with field_masking_span.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from indexer.models import TaggedParagraph
from indexer.quotes import quote_words
from indexer.registry import ArticleRow
from search import analyzer

LAYERS = 4
FILLER = "\u2205"  # not a word character: never an indexed form
TEXT_FIELDS = ("text", "quote", "title")
# Facet name -> the keyword field holding its values.
FACET_FIELD = {"outlet": "outlet", "actor": "actors", "topic": "topics", "speaker": "speakers",
               "month": "month"}
QUESTION_BOOST = 0.5
META_ID = "generation"


def layer_names(field: str) -> list[str]:
    return [f"{field}_{i}" for i in range(LAYERS)]


def layers(text: str, tokens: list[tuple[int, str]] | None = None) -> list[str]:
    """The LAYERS whitespace-joined token strings of a text (see the module doc)."""
    by_pos: list[list[str]] = []
    for pos, form in analyzer.analyse(text) if tokens is None else tokens:
        while len(by_pos) <= pos:
            by_pos.append([])
        by_pos[pos].append(form)
    return [" ".join(forms[i] if i < len(forms) else FILLER for forms in by_pos)
            for i in range(LAYERS)]


def _layered(field: str, text: str, tokens: list[tuple[int, str]] | None = None) -> dict[str, str]:
    return dict(zip(layer_names(field), layers(text, tokens), strict=True))


def settings(shards: int, replicas: int) -> dict:
    text = {"type": "text", "analyzer": "whitespace"}
    props: dict[str, dict] = {
        "doc": {"type": "keyword"},
        "pid": {"type": "keyword"},
        "article_id": {"type": "keyword"},
        "position": {"type": "integer"},
        "text": {"type": "text", "index": False},
        "title": {"type": "keyword", "index": False},
        "heading": {"type": "keyword", "index": False},
        "url": {"type": "keyword", "index": False},
        "precision": {"type": "keyword", "index": False},
        "quotes_json": {"type": "keyword", "index": False, "doc_values": False},
        "links": {"type": "keyword", "index": False, "doc_values": False},
        "outlet": {"type": "keyword"},
        "actors": {"type": "keyword"},
        "topics": {"type": "keyword"},
        "credits": {"type": "keyword"},
        "speakers": {"type": "keyword"},
        "date": {"type": "date", "format": "yyyy-MM-dd"},
        "date_num": {"type": "integer"},  # YYYYMMDD, 0 undated: sorts like the embedded engine
        "month": {"type": "keyword"},
        "has_quotes": {"type": "boolean"},
        "quote_kinds": {"type": "keyword"},  # the kinds of the paragraph's quotations
        "boost": {"type": "float"},
        # quote documents
        "qindex": {"type": "integer"},
        "qkey": {"type": "keyword"},
        "speaker": {"type": "keyword"},
        "speaker_type": {"type": "keyword"},
        "kind": {"type": "keyword"},
        # article and file records
        "record": {"type": "object", "enabled": False},
        "path": {"type": "keyword"},
        # word documents
        "word": {"type": "keyword"},
        # Visibility (engine.py): the write generation that added a document, and the one
        # that replaced or deleted it; readers see gen <= committed < superseded.
        "gen": {"type": "long"},
        "superseded": {"type": "long"},
    }
    for field in TEXT_FIELDS:
        for name in layer_names(field):
            props[name] = text
    return {
        "settings": {"index": {"number_of_shards": shards, "number_of_replicas": replicas,
                               "refresh_interval": "-1",
                               "max_result_window": 10_000}},
        # The layers are derived from the stored text: indexed, never stored a second time.
        "mappings": {"dynamic": "strict", "properties": props,
                     "_source": {"excludes": [f"{f}_*" for f in TEXT_FIELDS]}},
    }


TYPES_PER_DOC = 5000


def actor_type_docs(types: dict[str, str], written: float) -> Iterator[tuple[str, dict]]:
    """(id, source) of the documents holding an actor -> type table; `written` orders them."""
    items = sorted(types.items())
    for i in range(0, len(items), TYPES_PER_DOC):
        chunk = dict(items[i:i + TYPES_PER_DOC])
        key = hashlib.sha1(json.dumps(chunk, sort_keys=True).encode("utf-8")).hexdigest()
        yield "t:" + key, {"doc": "actor_types", "record": {"written": written, "types": chunk}}


def date_num(iso: str | None) -> int:
    if not iso:
        return 0
    parts = (iso + "-00-00")[:10].split("-")
    return int(parts[0]) * 10000 + int(parts[1] or 0) * 100 + int(parts[2] or 0)


def _full_date(iso: str | None) -> str | None:
    """The date field takes whole days only; a month or year stays in date_num and month."""
    return iso if iso and len(iso) == 10 else None


def paragraph_doc(tp: TaggedParagraph, question: bool,
                  tokens: list[tuple[int, str]] | None = None) -> dict:
    """The paragraph's document; `tokens` is analyser.analyse(text) when the caller has it."""
    a, p = tp.article, tp.paragraph
    speakers = list(dict.fromkeys(q.speaker for q in tp.quotes if q.speaker))
    quotes = [{"text": q.text, "speaker": q.speaker, "verb": q.verb, "via": q.via,
               "speaker_type": q.speaker_type, "kind": q.kind, "start": q.start, "end": q.end}
              for q in tp.quotes]
    return {
        "doc": "paragraph", "pid": tp.paragraph_id, "article_id": a.article_id,
        "position": p.position, "text": p.text, "title": a.title or "", "heading": p.heading,
        "url": a.url, "precision": a.date_precision,
        "quotes_json": json.dumps(quotes, ensure_ascii=False),
        "links": json.dumps(p.links, ensure_ascii=False) if p.links else None,
        "outlet": tp.outlet or None, "actors": list(tp.actors), "topics": list(tp.topics),
        "credits": list(tp.credits), "speakers": speakers,
        "date": _full_date(tp.date), "date_num": date_num(tp.date),
        "month": (tp.date or "")[:7] or None, "has_quotes": bool(tp.quotes),
        "boost": QUESTION_BOOST if question else 1.0,
        **_layered("text", p.text, tokens), **_layered("title", a.title or ""),
        **_layered("quote", quote_words(tp.quotes)),
        "quote_kinds": sorted({q.kind for q in tp.quotes}),
    }


def quote_docs(tp: TaggedParagraph, keys) -> Iterator[tuple[str, dict]]:
    """(id, document) of each quotation of a paragraph; `keys(text)` gives its group key."""
    base = {k: v for k, v in paragraph_doc_tags(tp).items()}
    for i, q in enumerate(tp.quotes):
        yield f"{tp.paragraph_id}:{i}", {
            **base, "doc": "quote", "qindex": i, "qkey": keys(q.text),
            "speaker": q.speaker, "speaker_type": q.speaker_type, "kind": q.kind,
            **_layered("quote", q.text)}


def paragraph_doc_tags(tp: TaggedParagraph) -> dict:
    speakers = list(dict.fromkeys(q.speaker for q in tp.quotes if q.speaker))
    return {"pid": tp.paragraph_id, "article_id": tp.article.article_id,
            "outlet": tp.outlet or None, "actors": list(tp.actors), "topics": list(tp.topics),
            "credits": list(tp.credits), "speakers": speakers, "date": _full_date(tp.date),
            "date_num": date_num(tp.date), "month": (tp.date or "")[:7] or None,
            "has_quotes": True}


def article_doc(row: ArticleRow) -> dict:
    return {"doc": "article", "article_id": row.article_id, "date_num": date_num(row.published),
            "record": {**row.__dict__, "credits": list(row.credits)}}


def row_from_doc(source: dict) -> ArticleRow:
    r = dict(source["record"])
    r["credits"] = tuple(r.get("credits") or ())
    return ArticleRow(**r)


def file_doc(path: str, sha1: str, size: int, article_ids: list[str]) -> dict:
    return {"doc": "file", "path": path,
            "record": {"path": path, "sha1": sha1, "size": size, "article_ids": article_ids}}


def words_of(tp: TaggedParagraph, tokens: list[tuple[int, str]]) -> set[str]:
    """"field:form" for every indexed form of a paragraph's text fields (`tokens` are its
    text's): what a prefix query expands over, as the embedded engine reads its term
    dictionary for it."""
    out = {"text:" + form for _, form in tokens}
    for field, text in (("title", tp.article.title or ""),
                        ("quote", quote_words(tp.quotes))):
        out.update(f"{field}:{form}" for _, form in analyzer.analyse(text))
    return out
