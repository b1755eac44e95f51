"""The cluster engine: search.engine_api.Engine over an OpenSearch index (documents.py).

Reading: Parley's query tree is translated (translate.py), facets are terms aggregations, the
timeline a terms aggregation on the month, quotation groups a collapse on the quotation key.
Writing: bulk requests in bounded batches, an article's documents routed to one shard; a
rebuild fills a new index and moves the alias at the end.

Visibility does not rest on refreshes: OpenSearch refreshes on its own too (a replica's
recovery, a relocation, a flush), which would show part of a batch. Each commit of a write
session is a generation. Documents carry the generation that wrote them (`gen`) and, once
replaced or deleted, the one that did so (`superseded`); a replaced article's new documents
have new ids, its old ones are only marked. One small record, read by id (a realtime get,
no refresh needed) and cached for GEN_CACHE_SECONDS, holds the last committed generation C,
and every read filters to gen <= C < superseded. Commit = send, refresh, then write C: an
article flips from its old version to its new one at that write, whole. Old documents are
deleted physically once no reader can still hold the previous C; whatever an interrupted
session left (uncommitted documents, marks) is undone when the next one begins.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as osx

from indexer.errors import (
    EngineUnavailable,
    IndexBusy,
    IndexNotFound,
    IndexWriteError,
    NotFound,
    UnknownFilterValue,
)
from indexer.lexicon import Lexicon
from indexer.models import TaggedParagraph
from indexer.registry import ArticleRow
from search import analyzer
from search.engine_api import HitPage, Known, QuotePage, add_types
from search.engines.opensearch import documents as D
from search.engines.opensearch.location import Location, parse_location
from search.engines.opensearch.translate import MAX_PREFIX_EXPANSION, prefix_forms, to_dsl
from search.query import parse_query, positive_forms, unknown_value_message
from search.querytree import with_reported_speech
from search.request import SearchRequest
from search.resolve import resolve_value
from search.results import (
    FACET_LIMIT,
    FACET_NAMES,
    ArticleSummary,
    CheckReport,
    FacetValue,
    Hit,
    QuoteHit,
    QuoteRecord,
    top_values,
)

# Listed unless a request names kinds, as the embedded engine lists them.
DEFAULT_KINDS = frozenset({"direct", "partial", "turn"})
BATCH_ACTIONS = 500
BATCH_BYTES = 8 * 1024 * 1024
SCROLL_PAGE = 1000
FAILOVER_SECONDS = 15  # how long a search waits for replicas to take over a lost node's shards
WORDS_PER_DOC = 5000
BULK_ATTEMPTS = 6  # sends of documents a shard refused for a moment (about a minute in all)
LOCK_ID = "parley-writer-lock"
LOCK_STALE_SECONDS = 600
# How long a reader trusts the committed generation it read; old documents outlive a commit
# by twice that before they are deleted, so a reader's stale view is still whole.
GEN_CACHE_SECONDS = 1.0
_QUESTION = re.compile(r"^\s*Q[\s.:]")


class OpenSearchEngine:
    """One Parley index on a cluster: an alias, and the concrete index it points to."""

    def __init__(self, location: str, *, shards: int | None = None,
                 replicas: int | None = None):
        self.loc: Location = parse_location(location)
        self.location = self.loc.display
        self.alias = self.loc.index
        # Used when an index is created (first run or rebuild); see docs/scaling.md.
        self.shards = shards or int(os.environ.get("PARLEY_OPENSEARCH_SHARDS", "3"))
        self.replicas = replicas if replicas is not None else \
            int(os.environ.get("PARLEY_OPENSEARCH_REPLICAS", "1"))
        auth = (self.loc.user, self.loc.password or "") if self.loc.user else None
        self.client = OpenSearch(
            hosts=[{"host": h, "port": p} for h, p in self.loc.hosts],
            use_ssl=self.loc.scheme == "https", verify_certs=True, http_auth=auth,
            # Another node answers when one is down; 429 and 5xx are retried with backoff.
            retry_on_status=(429, 502, 503, 504), retry_on_timeout=True, max_retries=5,
            timeout=30, http_compress=True,
            # One engine serves all of a web server's threads: a connection each, kept.
            pool_maxsize=32)
        self._vocab: dict[str, tuple[float, list[str]]] = {}
        self._vocab_lock = threading.Lock()
        self._gens: dict[str, tuple[float, str, int]] = {}

    # -- plumbing -----------------------------------------------------------------------

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except osx.NotFoundError as exc:
            if "index_not_found" in str(exc):
                raise IndexNotFound(f"No Parley index {self.alias!r} on {self.location}; run "
                                    "`parley index` first.") from None
            raise
        except (osx.ConnectionError, osx.ConnectionTimeout) as exc:
            raise EngineUnavailable(f"The search cluster at {self.location} did not answer "
                                    f"({exc.__class__.__name__}).") from None
        except osx.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 0
            if status in (429,) or status >= 500:
                raise EngineUnavailable(f"The search cluster at {self.location} is unavailable "
                                        f"(HTTP {status}) after retries.") from None
            raise

    def view(self, index: str | None = None, *, fresh: bool = False) -> tuple[str, int]:
        """The concrete index readers search (the alias's unless named) and its last
        committed generation (0 before the first commit). Read together and cached
        together: a reader keeps searching the index its generation belongs to for a
        moment after a rebuild moves the alias (the old index outlives the move as long)."""
        key = index or self.alias
        now = time.monotonic()
        cached = self._gens.get(key)
        if cached and not fresh and now - cached[0] < GEN_CACHE_SECONDS:
            return cached[1], cached[2]
        try:
            # A read by id goes to one shard: while a node is going down it answers 503 until
            # a replica takes over, so it waits for failover as a search does.
            found = self._failing_over(self.client.get, index=key, id=D.META_ID)
            concrete, value = found["_index"], int(found["_source"]["record"]["committed"])
        except osx.NotFoundError:  # the index exists, nothing committed yet
            concrete, value = key, 0
        self._gens[key] = (now, concrete, value)
        return concrete, value

    def committed(self, index: str | None = None, *, fresh: bool = False) -> int:
        return self.view(index, fresh=fresh)[1]

    def _visible(self, query: dict | None, index: str | None = None,
                 committed: int | None = None) -> dict:
        """`query` restricted to committed, not superseded documents. The restriction is a
        filter: scores are the query's own. Documents without a generation were committed
        by an engine version before generations, which refreshed only at commit."""
        c = self.committed(index) if committed is None else committed
        return {"bool": {"must": [query or {"match_all": {}}],
                         "must_not": [{"range": {"gen": {"gt": c}}},
                                      {"range": {"superseded": {"lte": c}}}]}}

    def _search(self, body: dict, **params) -> dict:
        """A search that answers from every shard or not at all.

        OpenSearch's default is to answer from the shards it reaches: while a node is going
        down, before its replicas are promoted, that is a silently short total. Parley asks
        for all or nothing and tries again for a few seconds (failover takes that long),
        then says the cluster is unavailable.
        """
        index, c = self.view(params.pop("index", None))
        body = dict(body, query=self._visible(body.get("query"), committed=c))
        return self._failing_over(self.client.search, index=index, body=body,
                                  allow_partial_search_results=False, **params)

    def _failing_over(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """`fn(**kwargs)`, tried again for FAILOVER_SECONDS while shards are in trouble (a
        node going down before its replicas are promoted: 5xx; back-pressure: 429); any
        other error as _call says it (a missing document stays a NotFoundError)."""
        deadline = time.monotonic() + FAILOVER_SECONDS
        while True:
            try:
                return fn(**kwargs)
            except osx.TransportError as exc:
                status = exc.status_code if isinstance(exc.status_code, int) else 0
                shard_trouble = status == 429 or status >= 500
                if not shard_trouble or time.monotonic() >= deadline:
                    # Unreachable, a missing index, a refused request, or failover that
                    # did not end in time: said as _call says it.
                    return self._call(_raise, exc)
                time.sleep(0.5)

    def exists(self) -> bool:
        return bool(self._call(self.client.indices.exists_alias, name=self.alias))

    def _require(self) -> None:
        if not self.exists():
            raise IndexNotFound(f"No Parley index {self.alias!r} on {self.location}; run "
                                "`parley index` first.")

    def close(self) -> None:
        self.client.close()

    # -- mapping what users type to what the index holds --------------------------------

    def lexicon(self) -> Lexicon:
        """The shipped lexicon plus the user's entries saved with this index (if any)."""
        from indexer import lexicon_with

        with self._vocab_lock:
            cached = self._vocab.get("\0lexicon")
            if cached and time.monotonic() - cached[0] < 30:
                return cached[1]  # type: ignore[return-value]
        saved = None
        if self.exists():
            found = self._search({"size": 1, "query": {"term": {"doc": "lexicon"}}})
            hits = found["hits"]["hits"]
            saved = hits[0]["_source"]["record"] if hits else None
        lexicon = lexicon_with(saved)
        with self._vocab_lock:
            self._vocab["\0lexicon"] = (time.monotonic(), lexicon)  # type: ignore[assignment]
        return lexicon

    def vocabulary(self, facet: str) -> list[str]:
        field = D.FACET_FIELD.get(facet, facet)
        with self._vocab_lock:
            cached = self._vocab.get(field)
            if cached and time.monotonic() - cached[0] < 30:
                return cached[1]
        body = {"size": 0, "query": {"term": {"doc": "paragraph"}},
                "aggs": {"v": {"terms": {"field": field, "size": 65_000}}}}
        values = sorted(b["key"] for b in self._search(body)["aggregations"]["v"]["buckets"])
        with self._vocab_lock:
            self._vocab[field] = (time.monotonic(), values)
        return values

    def resolve(self, fieldname: str, value: str) -> list[str]:
        """Index values for a typed value (search/resolve.py, shared by every engine)."""
        return resolve_value(fieldname, value, lambda: self.vocabulary(fieldname), self.lexicon)

    def _expand(self, field: str, beginning: str, *, exact: bool = False,
                limit: int = MAX_PREFIX_EXPANSION + 1) -> list[str]:
        key = f"{field}:{beginning}"
        body = {"size": 0, "query": {"term": {"doc": "word"}},
                "aggs": {"w": {"terms": {"field": "word", "size": limit,
                                         "include": _literal(key) + ("" if exact else ".*")}}}}
        buckets = self._search(body)["aggregations"]["w"]["buckets"]
        return [b["key"].split(":", 1)[1] for b in buckets]

    def spelled_like(self, word: str) -> list[tuple[str, int]]:
        """Indexed words spelled close to `word` with their paragraph counts, as the embedded
        engine finds them: only words sharing its first two letters are compared."""
        import difflib

        key = analyzer.fold(word)
        if len(key) < 3 or not self.exists():
            return []
        for form in (key, analyzer.EXACT + key):
            if self._expand("text", form, exact=True):
                return [(key, self._paragraphs_with(form))]
        seen: dict[str, str] = {}
        for start in (key[:2], analyzer.EXACT + key[:2]):
            for form in self._expand("text", start, limit=20_000):
                seen.setdefault(form.lstrip(analyzer.EXACT), form)
        close = difflib.get_close_matches(key, list(seen), n=8, cutoff=0.75)
        return [(w, self._paragraphs_with(seen[w])) for w in close]

    def _paragraphs_with(self, form: str) -> int:
        body = {"query": self._visible({"bool": {"filter": [{"term": {"doc": "paragraph"}}, {
            "bool": {"should": [{"term": {n: form}} for n in D.layer_names("text")],
                     "minimum_should_match": 1}}]}})}
        return int(self._call(self.client.count, index=self.view()[0], body=body)["count"])

    # -- reading ------------------------------------------------------------------------

    def _filters(self, req: SearchRequest) -> list[dict]:
        out: list[dict] = []
        for facet, values in req.filters.items():
            field = D.FACET_FIELD[facet]
            resolved = [self.resolve(field, v) for v in values]
            for value, found in zip(values, resolved, strict=True):
                if not found and facet != "month":
                    # Never a silent zero: the value is unknown; say what is near it.
                    raise UnknownFilterValue(unknown_value_message(field, value,
                                                                   self.vocabulary(facet)))
            if facet in ("outlet", "month"):
                out.append({"terms": {field: [v for vs in resolved for v in vs]}})
            else:
                out += [{"terms": {field: vs}} for vs in resolved]
        if req.since or req.until:
            lo = D.date_num(req.since or "0001-01-01")
            hi = D.date_num(req.until or "9999-12-31")
            out.append({"range": {"date_num": {"gte": lo, "lte": hi}}})
        if req.quotes_only:
            out.append({"term": {"has_quotes": True}})
        if req.kinds:
            out.append({"terms": {"quote_kinds": sorted(req.kinds)}})
        return out

    def _query(self, req: SearchRequest, doc: str, default_field: str = "text"):
        parsed = parse_query(req.text, default_field=default_field, resolve=self.resolve,
                             vocabulary=self.vocabulary)
        # Quote documents hold their own words, reported speech too; paragraphs do not.
        tree = parsed.tree if doc == "quote" else with_reported_speech(parsed, req.kinds).tree
        text_query = to_dsl(tree, self._expand)
        scored = {"function_score": {"query": text_query, "boost_mode": "multiply",
                                     "functions": [{"field_value_factor": {
                                         "field": "boost", "missing": 1.0}}]}}
        query = {"bool": {"must": [scored],
                          "filter": [{"term": {"doc": doc}}, *self._filters(req)]}}
        return parsed, query

    def _sort(self, req: SearchRequest, relevance_ok: bool) -> list:
        if req.sort == "relevance" and relevance_ok:
            return ["_score", {"pid": "asc"}]
        order = "asc" if req.sort == "oldest" else "desc"
        return [{"date_num": order}, {"pid": "asc"}]

    def search(self, req: SearchRequest, *, facets: bool = True) -> HitPage:
        self._require()
        parsed, query = self._query(req, "paragraph")
        body: dict[str, Any] = {"query": query, "track_total_hits": True,
                                "sort": self._sort(req, bool(req.text.strip()))}
        if facets:
            body["aggs"] = _facet_aggs(req)
        start = (req.page - 1) * req.size
        if req.size:
            body.update(size=req.size, **({"from": start} if start else {}))
            res = self._search(body)
            hits: Iterator[Hit] = iter([_hit(h) for h in res["hits"]["hits"]])
        else:
            body["size"] = 0
            res = self._search(body)
            hits = self._every(dict(body, aggs={}) if facets else body)
        words = frozenset(positive_forms(parsed.tree, ("text", "quote", "title"),
                                         lambda node: prefix_forms(node, self._expand)))
        total = res["hits"]["total"]["value"]
        page = HitPage(total=total, hits=hits, words=words, parsed=parsed)
        if facets:
            page.facets, page.timeline = _facets(res["aggregations"], req, self.resolve)
        return page

    def _every(self, body: dict) -> Iterator[Hit]:
        """Every hit in order, page by page (search_after: no deep-paging window)."""
        body = {k: v for k, v in body.items() if k != "aggs"}
        body["size"] = SCROLL_PAGE
        after = None
        while True:
            if after is not None:
                body["search_after"] = after
            hits = self._search(body)["hits"]["hits"]
            yield from (_hit(h) for h in hits)
            if len(hits) < SCROLL_PAGE:
                return
            after = hits[-1]["sort"]

    def quotes(self, req: SearchRequest, *, facets: bool = True) -> QuotePage:
        self._require()
        _parsed, query = self._query(req, "quote", default_field="quote")
        query["bool"]["filter"].append({"terms": {"kind": sorted(req.kinds or DEFAULT_KINDS)}})
        if "speaker" in req.filters:  # the quotation's own speaker, not its paragraph's
            for value in req.filters["speaker"]:
                query["bool"]["filter"].append(
                    {"terms": {"speaker": self.resolve("speakers", value)}})
        body: dict[str, Any] = {
            "query": query, "sort": self._sort(req, bool(req.text.strip())),
            "collapse": {"field": "qkey", "inner_hits": {
                "name": "others", "size": 20, "_source": ["pid"],
                "sort": [{"date_num": "asc"}, {"outlet": "asc"}, {"pid": "asc"}]}},
            "aggs": {"groups": {"cardinality": {"field": "qkey", "precision_threshold": 40000}},
                     **(_facet_aggs(req) if facets else {})},
            "_source": ["pid", "qindex"]}
        start = (req.page - 1) * req.size
        body.update(size=req.size or SCROLL_PAGE, **({"from": start} if start else {}))
        res = self._search(body)
        total = res["aggregations"]["groups"]["value"]
        page = QuotePage(total=total, quotes=iter(self._quote_records(res["hits"]["hits"])))
        if facets:
            page.facets, _ = _facets(res["aggregations"], req, self.resolve)
        return page

    def _quote_records(self, groups: list[dict]) -> list[QuoteRecord]:
        pids = {h["_source"]["pid"] for g in groups
                for h in g["inner_hits"]["others"]["hits"]["hits"]}
        paragraphs = self._paragraphs(pids)
        out = []
        for g in groups:
            members = [h["_source"] for h in g["inner_hits"]["others"]["hits"]["hits"]]
            lead_ref = g["_source"]
            lead = paragraphs[members[0]["pid"]] if members else paragraphs[lead_ref["pid"]]
            quotes = json.loads(lead.get("quotes_json") or "[]")
            q = quotes[lead_ref.get("qindex", 0)] if quotes else {}
            also = [_also(paragraphs[m["pid"]]) for m in members[1:]
                    if m["pid"] != members[0]["pid"]]
            out.append(QuoteRecord(
                text=q.get("text", ""), speaker=q.get("speaker"), verb=q.get("verb"),
                via=q.get("via"), article_id=lead["article_id"], paragraph_id=lead["pid"],
                title=lead.get("title") or None, outlet=lead.get("outlet"), url=lead.get("url"),
                published=_iso(lead.get("date_num")), speaker_type=q.get("speaker_type",
                                                                          "unknown"),
                kind=q.get("kind", "direct"), also_reported_by=tuple(also)))
        return out

    def _paragraphs(self, pids: set[str]) -> dict[str, dict]:
        if not pids:
            return {}
        body = {"size": len(pids), "query": {"bool": {"filter": [
            {"term": {"doc": "paragraph"}}, {"terms": {"pid": sorted(pids)}}]}}}
        return {h["_source"]["pid"]: h["_source"] for h in self._search(body)["hits"]["hits"]}

    def speakers(self) -> list[dict]:
        self._require()
        # A speaker's count is of quotations, not of reported speech (as quotation listings).
        body = {"size": 0, "query": {"bool": {"filter": [
                    {"term": {"doc": "quote"}}, {"terms": {"kind": sorted(DEFAULT_KINDS)}}]}},
                "aggs": {"s": {"terms": {"field": "speaker", "size": 65_000},
                               "aggs": {"type": {"terms": {"field": "speaker_type", "size": 1}},
                                        "dated": {"filter": {"range": {"date_num": {"gt": 0}}},
                                                  "aggs": {
                                                      "first": {"min": {"field": "date_num"}},
                                                      "last": {"max": {"field": "date_num"}}}}}}}}
        rows = []
        for b in self._search(body)["aggregations"]["s"]["buckets"]:
            types = b["type"]["buckets"]
            rows.append({"speaker": b["key"], "type": types[0]["key"] if types else "unknown",
                         "quotes": b["doc_count"], "first": _iso(b["dated"]["first"]["value"]),
                         "last": _iso(b["dated"]["last"]["value"])})
        return sorted(rows, key=lambda r: (-r["quotes"], r["speaker"]))

    def actor_types(self) -> dict[str, str]:
        with self._vocab_lock:
            cached = self._vocab.get("\0types")
            if cached and time.monotonic() - cached[0] < 30:
                return cached[1]  # type: ignore[return-value]
        table = fold_actor_types(s["record"] for s in self._scan({"term": {"doc": "actor_types"}}))
        with self._vocab_lock:
            self._vocab["\0types"] = (time.monotonic(), table)  # type: ignore[assignment]
        return table

    def articles(self) -> list[ArticleSummary]:
        self._require()
        rows = [D.row_from_doc(s) for s in self._scan({"term": {"doc": "article"}})]
        rows.sort(key=lambda r: (r.published or "", r.article_id), reverse=True)
        return [_summary(r) for r in rows]

    def article(self, article_id: str) -> tuple[ArticleSummary, list[Hit]]:
        self._require()
        body = {"size": 1, "query": {"bool": {"filter": [
            {"term": {"doc": "article"}}, {"term": {"article_id": article_id}}]}}}
        found = self._search(body)["hits"]["hits"]
        if not found:
            raise NotFound(f"No article {article_id!r}.")
        row = D.row_from_doc(found[0]["_source"])
        body = {"size": 10_000, "sort": [{"position": "asc"}],
                "query": {"bool": {"filter": [{"term": {"doc": "paragraph"}},
                                              {"term": {"article_id": article_id}}]}}}
        hits = [_hit(h, score=False) for h in self._search(body)["hits"]["hits"]]
        return _summary(row), hits

    def _scan(self, query: dict, source: Any = True, index: str | None = None,
              committed: int | None = None) -> Iterator[dict]:
        concrete, c = self.view(index)
        c = c if committed is None else committed
        for h in self._scan_hits(self._visible(query, committed=c), source, concrete):
            yield h["_source"]

    def _scan_hits(self, query: dict, source: Any = True,
                   index: str | None = None) -> Iterator[dict]:
        """Every hit of a query as it is (no visibility filter), in no particular order."""
        try:
            yield from helpers.scan(self.client, index=index or self.alias, size=SCROLL_PAGE,
                                    query={"query": query, "_source": source})
        except osx.NotFoundError:
            return
        except (osx.ConnectionError, osx.ConnectionTimeout):
            raise EngineUnavailable(f"The search cluster at {self.location} did not answer.") \
                from None

    def stats(self) -> dict:
        self._require()
        everything = self.search(SearchRequest(size=1))
        body = {"size": 0, "query": {"bool": {"filter": [{"term": {"doc": "paragraph"}},
                                                         {"range": {"date_num": {"gt": 0}}}]}},
                "aggs": {"first": {"min": {"field": "date_num"}},
                         "last": {"max": {"field": "date_num"}}}}
        dates = self._search(body)["aggregations"]
        counts = self._counts()
        size = self._call(self.client.indices.stats, index=self.alias, metric="store")
        return {
            "index_dir": self.location, **counts,
            "indexed_paragraphs": everything.total,
            "first_date": _iso(dates["first"]["value"]),
            "last_date": _iso(dates["last"]["value"]),
            "size_bytes": size["_all"]["primaries"]["store"]["size_in_bytes"],
            "top": {name: [v.to_dict() for v in vals[:10]]
                    for name, vals in everything.facets.items()},
        }

    def _counts(self) -> dict:
        body = {"size": 0, "aggs": {
            "files": {"filter": {"term": {"doc": "file"}}},
            "articles": {"filter": {"term": {"doc": "article"}}},
            "paragraphs": {"filter": {"term": {"doc": "paragraph"}}},
            # Counted as the embedded engine's record counts them: reported speech aside.
            "quotes": {"filter": {"bool": {"filter": [
                {"term": {"doc": "quote"}}, {"terms": {"kind": sorted(DEFAULT_KINDS)}}]}}}}}
        aggs = self._search(body)["aggregations"]
        return {"files": aggs["files"]["doc_count"], "articles": aggs["articles"]["doc_count"],
                "paragraphs": aggs["paragraphs"]["doc_count"],
                "quotes": aggs["quotes"]["doc_count"]}

    def check(self) -> CheckReport:
        report = CheckReport(index_dir=self.location)
        if not self.exists():
            report.problems.append("no index: run `parley index` first")
            return report
        health = self._call(self.client.cluster.health, index=self.alias)
        if health["status"] == "red":
            report.problems.append("cluster health is red: some paragraphs are unreachable")
        report.segments = health.get("active_primary_shards", 0)
        rows = {r["article_id"]: r["record"]["paragraphs"]
                for r in self._scan({"term": {"doc": "article"}}, ["article_id", "record"])}
        body = {"size": 0, "query": {"term": {"doc": "paragraph"}},
                "aggs": {"a": {"terms": {"field": "article_id", "size": 65_000}}}}
        indexed = {b["key"]: b["doc_count"]
                   for b in self._search(body)["aggregations"]["a"]["buckets"]}
        report.articles_registry, report.articles_index = len(rows), len(indexed)
        report.paragraphs_registry = sum(rows.values())
        report.paragraphs_index = report.documents = sum(indexed.values())
        report.orphan_articles = sorted(set(indexed) - set(rows))
        report.missing_articles = sorted(a for a in set(rows) - set(indexed) if rows[a])
        report.miscounted_articles = sorted(a for a in set(rows) & set(indexed)
                                            if rows[a] != indexed[a])
        for label, items in (("articles in the index but not the record", report.orphan_articles),
                             ("articles recorded but not indexed", report.missing_articles),
                             ("articles with a different number of paragraphs",
                              report.miscounted_articles)):
            if items:
                report.problems.append(f"{len(items)} {label}")
        return report

    # -- writing ------------------------------------------------------------------------

    @contextmanager
    def begin_write(self, *, rebuild: bool = False,
                    lock_timeout: float = 10.0) -> Iterator[OpenSearchWriter]:
        # The lock comes first: two first runs must not each create an index for the alias.
        self._lock(lock_timeout)
        try:
            target = self._target(rebuild)
            writer = OpenSearchWriter(self, target, switch_alias=not rebuild and not self.exists())
            done = False
            try:
                yield writer
                done = True
            finally:
                writer.abort()
                if rebuild:
                    # A rebuild shows nothing until it is whole: the alias moves once, at the
                    # end of a session that committed; otherwise the new index goes.
                    if done and writer.committed:
                        writer._point_alias()
                    else:
                        try:
                            self.client.indices.delete(index=target, ignore_unavailable=True)
                        except osx.TransportError:
                            pass  # the cluster is down: an index without alias, never read
        finally:
            self._unlock()
            with self._vocab_lock:
                self._vocab.clear()

    def _target(self, rebuild: bool) -> str:
        """The concrete index to write: the alias's, or a new one for a rebuild."""
        if not rebuild and self.exists():
            return next(iter(self._call(self.client.indices.get_alias, name=self.alias)))
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        self._call(self.client.indices.create, index=name,
                   body=D.settings(self.shards, self.replicas))
        return name

    @property
    def _lock_index(self) -> str:
        return f"{self.alias}-writer-lock"

    def _lock(self, timeout: float) -> None:
        """One writer per index: a document only one request can create, in an index of its
        own (the alias's index may not exist yet, or be replaced by a rebuild)."""
        if not self._call(self.client.indices.exists, index=self._lock_index):
            try:
                self.client.indices.create(index=self._lock_index, body={"settings": {
                    "index": {"number_of_shards": 1, "number_of_replicas": 1}}})
            except osx.RequestError:
                pass  # created meanwhile by another writer
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._call(self.client.index, index=self._lock_index, id=LOCK_ID,
                           op_type="create", body={"since": int(time.time())}, refresh=True)
                return
            except osx.ConflictError:
                held = self._call(self.client.get, index=self._lock_index, id=LOCK_ID)
                if time.time() - held["_source"].get("since", 0) > LOCK_STALE_SECONDS:
                    self._unlock()  # a writer that died without releasing it
                    continue
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"Index {self.alias!r} on {self.location} is busy: another "
                                    f"`parley index` is writing to it.") from None
                time.sleep(0.5)

    def _unlock(self) -> None:
        try:
            self.client.delete(index=self._lock_index, id=LOCK_ID, refresh=True)
        except osx.TransportError:
            pass  # the cluster is down: the lock goes stale after LOCK_STALE_SECONDS


class OpenSearchWriter:
    """One write session: bulk actions buffered, sent in bounded batches, visible at commit
    (each commit a generation: see the module doc)."""

    def __init__(self, engine: OpenSearchEngine, target: str, switch_alias: bool):
        self.engine, self.client, self.target = engine, engine.client, target
        self.switch_alias = switch_alias
        self._actions: list[dict] = []
        self._bytes = 0
        self._pending = 0
        self._words: set[str] = set()
        self._files: list[dict] = []
        self._existing: set[str] = set()
        self._sent_words: set[str] = set()
        # Documents of the last committed generation (id -> routing) replaced by this one.
        self._records: dict[str, tuple[str, str | None]] = {}
        self._types: dict[str, str] = {}  # actor -> type: the stored table plus this session's
        self._new_types: dict[str, str] = {}  # what this session adds to it
        self._superseded: list[tuple[str, str | None]] = []
        # An index made before generations gets their fields (a no-op on a new index).
        engine._call(self.client.indices.put_mapping, index=target, body={"properties": {
            "gen": {"type": "long"}, "superseded": {"type": "long"}}})
        self.committed = engine.committed(target, fresh=True)
        self.gen = self.committed + 1
        self._undo_interrupted()

    def _undo_interrupted(self) -> None:
        """What an interrupted session left: its uncommitted documents go, its marks on
        older documents are lifted, and documents superseded by a commit whose session died
        before deleting them are deleted now. Readers never saw any of it."""
        c = self.committed
        self.engine._call(self.client.indices.refresh, index=self.target)
        actions: list[dict] = []
        for h in self.engine._scan_hits({"bool": {"should": [
                {"range": {"gen": {"gt": c}}}, {"range": {"superseded": {"lte": c}}}]}},
                False, self.target):
            actions.append(self._op("delete", h))
        for h in self.engine._scan_hits({"bool": {"filter": [
                {"range": {"superseded": {"gt": c}}}, {"range": {"gen": {"lte": c}}}]}},
                False, self.target):
            actions.append(dict(self._op("update", h), doc={"superseded": None}))
        self._send(actions)

    def _op(self, op: str, hit: dict) -> dict:
        action = {"_op_type": op, "_index": self.target, "_id": hit["_id"]}
        if hit.get("_routing"):
            action["_routing"] = hit["_routing"]
        return action

    def known(self) -> Known:
        known, lexicon = Known(), None
        stored: list[dict] = []
        for h in self.engine._scan_hits(
                self.engine._visible({"terms": {"doc": ["file", "article", "lexicon",
                                                        "actor_types"]}},
                                     committed=self.committed), True, self.target):
            s, r = h["_source"], h["_source"]["record"]
            if s["doc"] == "lexicon":
                lexicon = r
                self._records["\0lexicon"] = (h["_id"], None)
            elif s["doc"] == "actor_types":
                stored.append(r)
            elif s["doc"] == "file":
                known.file_hashes[r["path"]] = r["sha1"]
                known.file_articles[r["path"]] = list(r["article_ids"])
                self._records[r["path"]] = (h["_id"], None)
            else:
                known.article_hashes[r["article_id"]] = r["content_hash"]
        self._existing = set(known.article_hashes)
        self._types = fold_actor_types(stored)
        return Known(known.file_hashes, known.article_hashes, known.file_articles, lexicon)

    def add(self, article: ArticleRow, paragraphs: Sequence[TaggedParagraph]) -> None:
        aid = article.article_id
        if aid in self._existing:
            # The old version stays visible until the commit of this generation.
            self._supersede(aid)
        # Ids carry the generation: the new version never overwrites the old one in place.
        g = self.gen
        for tp in paragraphs:
            tokens = analyzer.analyse(tp.paragraph.text)
            self._queue(f"p:{tp.paragraph_id}@{g}", aid,
                        D.paragraph_doc(tp, bool(_QUESTION.match(tp.paragraph.text)), tokens))
            for qid, doc in D.quote_docs(tp, _quote_key):
                self._queue(f"q:{qid}@{g}", aid, doc)
            self._words |= D.words_of(tp, tokens)
            for actor, kind in zip(tp.actors, tp.actor_types, strict=False):
                if add_types(self._types, [(actor, kind)]):
                    self._new_types[actor] = kind
        self._queue(f"a:{aid}@{g}", aid, D.article_doc(article))
        self._pending += len(paragraphs)
        if len(self._actions) >= BATCH_ACTIONS or self._bytes >= BATCH_BYTES:
            self._flush()

    def _supersede(self, aid: str) -> None:
        # The cluster distribution Parley tests against has no delete-by-query (a module it
        # leaves out), so an article's documents are listed, marked, and later deleted by id.
        body = {"size": 10_000, "_source": False,
                "query": self.engine._visible({"term": {"article_id": aid}},
                                              committed=self.committed)}
        res = self.engine._call(self.client.search, index=self.target, routing=aid, body=body)
        self._mark([(h["_id"], aid) for h in res["hits"]["hits"]])
        self._existing.discard(aid)

    def _mark(self, docs: list[tuple[str, str | None]]) -> None:
        for doc_id, routing in docs:
            action = {"_op_type": "update", "_index": self.target, "_id": doc_id,
                      "doc": {"superseded": self.gen}}
            if routing:
                action["_routing"] = routing
            self._actions.append(action)
        self._superseded += docs

    def delete(self, article_ids: Sequence[str]) -> None:
        for aid in article_ids:
            self._supersede(aid)

    def record_file(self, path: str, sha1: str, size: int, article_ids: list[str]) -> None:
        # In the generation of the file's last article: a file is never "known" before its
        # articles are searchable, so an interrupted run redoes it.
        self._record(path, "f:" + _digest(path), D.file_doc(path, sha1, size, article_ids))

    def save_lexicon(self, extra: dict) -> None:
        self._record("\0lexicon", "lexicon", {"doc": "lexicon", "record": extra})

    def _record(self, key: str, doc_id: str, source: dict) -> None:
        old = self._records.pop(key, None)
        if old:
            self._mark([old])
        self._records[key] = (f"{doc_id}@{self.gen}", None)
        self._files.append({"_op_type": "index", "_index": self.target,
                            "_id": f"{doc_id}@{self.gen}",
                            "_source": dict(source, gen=self.gen)})

    def pending(self) -> int:
        return self._pending

    def _queue(self, doc_id: str, routing: str, source: dict) -> None:
        source["gen"] = self.gen
        self._actions.append({"_op_type": "index", "_index": self.target, "_id": doc_id,
                              "_routing": routing, "_source": source})
        self._bytes += len(source.get("text") or "") + 512

    def _flush(self) -> None:
        actions, self._actions, self._bytes = self._actions, [], 0
        self._send(actions)
        if self._words:
            # Words go in a few documents of many words each: a prefix query lists its words
            # with a terms aggregation, which needs each word once in the field, not a
            # document per word (a document per word was most of the bulk traffic).
            words = sorted(self._words - self._sent_words)
            self._sent_words |= self._words
            self._words = set()
            self._send([{"_op_type": "index", "_index": self.target,
                         "_id": f"w:{_digest(chr(10).join(chunk))}@{self.gen}",
                         "_source": {"doc": "word", "word": chunk, "gen": self.gen}}
                        for chunk in (words[i:i + WORDS_PER_DOC]
                                      for i in range(0, len(words), WORDS_PER_DOC))])

    def _send(self, actions: list[dict]) -> None:
        """Send actions in bounded bulk requests. Documents a shard refused for a moment (a
        node going down before its replicas are promoted: 5xx per document; back-pressure:
        429) are sent again with backoff; every action is idempotent (explicit ids, marks
        that set one value), so sending one twice changes nothing."""
        todo = actions
        for attempt in range(BULK_ATTEMPTS):
            if not todo:
                return
            by_key = {(a["_op_type"], a["_id"]): a for a in todo}
            failed: list[dict] = []
            retry: list[dict] = []
            try:
                for ok, item in helpers.streaming_bulk(
                        self.client, todo, chunk_size=BATCH_ACTIONS,
                        max_chunk_bytes=BATCH_BYTES, max_retries=6, initial_backoff=1,
                        max_backoff=30, raise_on_error=False, raise_on_exception=True):
                    if ok:
                        continue
                    op_type, op = next(iter(item.items()))
                    status = op.get("status") or 0
                    if status == 404 and op_type == "delete":
                        continue  # already gone
                    action = by_key.get((op_type, op.get("_id")))
                    if action is not None and (status == 429 or status >= 500):
                        retry.append(action)
                    else:
                        failed.append(op)
            except (osx.ConnectionError, osx.ConnectionTimeout, osx.TransportError) as exc:
                status = getattr(exc, "status_code", None)
                if not isinstance(exc, osx.ConnectionError) and isinstance(status, int) and \
                        status < 500 and status != 429:
                    raise IndexWriteError(f"The cluster refused a bulk request (HTTP {status}: "
                                          f"{exc.error}).") from None
                raise EngineUnavailable(f"The search cluster at {self.engine.location} stopped "
                                        "answering during indexing; run the same command "
                                        "again to resume.") from None
            if failed:
                first = failed[0]
                raise IndexWriteError(f"The cluster refused {len(failed)} documents (first: "
                                      f"{first.get('_id')}: {first.get('error')}); run again.")
            todo = retry
            if todo and attempt + 1 < BULK_ATTEMPTS:
                time.sleep(min(30, 2 ** attempt))
        if todo:
            raise EngineUnavailable(f"The search cluster at {self.engine.location} kept "
                                    f"refusing {len(todo)} documents (shards unavailable); run "
                                    "the same command again to resume.")

    def commit(self) -> None:
        self._flush()
        types, self._new_types = self._new_types, {}
        # The table grows by chunks that are never replaced, shown from this commit on.
        self._send(self._files + [{"_op_type": "index", "_index": self.target, "_id": i,
                                   "_source": dict(doc, gen=self.gen)}
                                  for i, doc in D.actor_type_docs(types, time.time())])
        self._files = []
        # Everything of this generation, and every mark on what it replaces, searchable...
        self.engine._call(self.client.indices.refresh, index=self.target)
        # ...but shown only from here: one write flips readers from the old to the new.
        self.engine._call(self.client.index, index=self.target, id=D.META_ID,
                          body={"doc": "meta", "record": {"committed": self.gen}})
        flipped = time.monotonic()
        self.engine._gens.pop(self.target, None)
        self.engine._gens.pop(self.engine.alias, None)
        self.committed, self.gen = self.gen, self.gen + 1
        if self.switch_alias:
            self._point_alias()
            self.switch_alias = False
        self._pending = 0
        if self._superseded:
            # A reader may still filter with the previous generation for GEN_CACHE_SECONDS:
            # the old documents stay until it cannot.
            time.sleep(max(0.0, flipped + 2 * GEN_CACHE_SECONDS - time.monotonic()))
            gone, self._superseded = self._superseded, []
            self._send([self._op("delete", {"_id": i, "_routing": r}) for i, r in gone])

    def _point_alias(self) -> None:
        alias = self.engine.alias
        old = list(self.engine._call(self.client.indices.get_alias, name=alias)) \
            if self.client.indices.exists_alias(name=alias) else []
        actions: list[dict] = [{"add": {"index": self.target, "alias": alias}}]
        actions += [{"remove": {"index": i, "alias": alias}} for i in old if i != self.target]
        self.engine._call(self.client.indices.update_aliases, body={"actions": actions})
        self.engine._gens.pop(alias, None)
        if any(i != self.target for i in old):
            # Readers that read the old index's generation keep searching it a moment.
            time.sleep(2 * GEN_CACHE_SECONDS)
        for index in old:
            if index != self.target:
                self.engine._call(self.client.indices.delete, index=index)

    def abort(self) -> None:
        """Drop what was not committed. Sent batches stay, invisible (their generation was
        never committed), until the next session undoes them."""
        self._actions, self._files, self._words = [], [], set()
        self._superseded = []
        for actor in self._new_types:
            self._types.pop(actor, None)
        self._new_types = {}
        self._pending = 0


def fold_actor_types(records: Iterable[dict]) -> dict[str, str]:
    """The actor -> type table from its stored chunks, oldest first (engine_api.add_types)."""
    table: dict[str, str] = {}
    for r in sorted(records, key=lambda r: r.get("written", 0)):
        add_types(table, (r.get("types") or {}).items())
    return table


def _raise(exc: Exception):
    raise exc


def _literal(text: str) -> str:
    """Text as a Lucene regular expression matching it literally."""
    return "".join(c if c.isalnum() else "\\" + c for c in text)


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _quote_key(text: str) -> str:
    words = re.findall(r"\w+", text.casefold())
    return _digest(" ".join(words))[:16]


def _facet_aggs(req: SearchRequest) -> dict:
    aggs: dict[str, Any] = {}
    for facet in FACET_NAMES:
        field = D.FACET_FIELD[facet]
        size = 10_000 if facet == "month" else FACET_LIMIT + len(req.filters.get(facet, ()))
        # Counting every value, like the embedded engine, needs the shard size raised.
        aggs[facet] = {"terms": {"field": field, "size": size, "shard_size": 10_000,
                                 "order": [{"_count": "desc"}, {"_key": "asc"}]}}
    return aggs


def _facets(aggs: dict, req: SearchRequest, resolve: Callable[[str, str], list[str]]):
    out: dict[str, tuple[FacetValue, ...]] = {}
    months: list[tuple[str, int]] = []
    for facet in FACET_NAMES:
        counts = {b["key"]: b["doc_count"] for b in aggs[facet]["buckets"]}
        if facet == "month":
            months = sorted(counts.items())
        out[facet] = top_values(facet, counts, req.filters.get(facet, ()),
                                partial(resolve, D.FACET_FIELD[facet]))
    return out, tuple(FacetValue(m, c) for m, c in months)


def _iso(n) -> str | None:
    n = int(n or 0)
    if not n:
        return None
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"


def _hit(h: dict, score: bool = True) -> Hit:
    s = h["_source"]
    quotes = tuple(QuoteHit(q["text"], q.get("speaker"), q.get("verb"), q.get("via"),
                            q.get("speaker_type", "unknown"), q.get("kind", "direct"),
                            q.get("start", 0), q.get("end", 0))
                   for q in json.loads(s.get("quotes_json") or "[]"))
    value = h.get("_score")
    links = tuple((int(a), int(b), str(u)) for a, b, u in json.loads(s.get("links") or "[]"))
    return Hit(paragraph_id=s["pid"], article_id=s["article_id"], title=s.get("title") or None,
               outlet=s.get("outlet"), url=s.get("url"), published=_published(s),
               position=s.get("position", 0), text=s.get("text", ""), snippet="",
               actors=tuple(s.get("actors") or ()), topics=tuple(s.get("topics") or ()),
               credits=tuple(s.get("credits") or ()), quotes=quotes,
               score=round(value, 4) if score and isinstance(value, float) else None,
               heading=s.get("heading"), links=links)


def _published(s: dict) -> str | None:
    n = s.get("date_num") or 0
    if not n:
        return None
    iso = _iso(n) or ""
    # A month- or year-precise date is stored with zero day/month, shown as written.
    return iso.replace("-00", "") if "-00" in iso else iso


def _also(p: dict) -> dict:
    return {"outlet": p.get("outlet"), "published": _published(p), "url": p.get("url"),
            "article_id": p["article_id"], "paragraph_id": p["pid"]}


def _summary(row: ArticleRow) -> ArticleSummary:
    return ArticleSummary(
        article_id=row.article_id, title=row.title, outlet=row.outlet, url=row.url,
        published=row.published, path=row.path, paragraphs=row.paragraphs, quotes=row.quotes,
        credits=row.credits, date_precision=row.date_precision, dateline=row.dateline,
        byline=row.byline)
