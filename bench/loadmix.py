"""A newsroom's query mix, drawn from the index itself, and the same paragraphs in SQLite FTS5.

Nothing here is picked by hand: the words, names, phrases and outlets come from paragraphs
sampled (seeded) from the index under test, so the mix holds on any corpus.

- `export_sqlite(index_dir, db)`: every paragraph's stored fields into a table `para`, an
  FTS5 index over text and title, and a view `paras` that Datasette serves (a view pages by
  offset, so page 2 and 3 are asked the same way as from Parley).
- `build_pool(db, n, seed)`: n distinct query specs: popular single words, pairs of words,
  names (actors), two-word phrases, a word with an outlet / actor / date filter, a prefix;
  pages 1-3, sometimes newest first; as the JSON API, the HTML page or the quotations API.
- `Stream`: requests drawn from the pool with Zipf-like popularity (rank r has weight
  1/(r+1)), which gives what a newsroom sends: a few searches asked again and again and a long
  tail asked once.
- `parley_url(spec)` and `datasette_url(spec)`: the same request for each server.
"""

from __future__ import annotations

import bisect
import json
import random
import re
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

STOP = frozenset("""a about above after again against all also am an and any are as at be
because been before being below between both but by can could did do does doing down during
each few for from further had has have having he her here hers him his how i if in into is it
its itself just me more most my no nor not now of off on once only or other our out over own
said same says she should so some such than that the their them then there these they this
those through to too under until up very was we were what when where which while who whom why
will with would you your year years new one two three told mr ms also people""".split())
WORD = re.compile(r"[^\W\d_]{3,}")

FACETS_DS = [("_facet", "outlet"), ("_facet", "month"), ("_facet_array", "actors")]


def export_sqlite(index_dir: Path, db: Path) -> int:
    """Write the index's paragraphs into db (replaced); return how many."""
    from search.engines.embedded.engine import engine_for

    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.executescript("""
        create table para (id integer primary key, pid text, article_id text, title text,
            outlet text, published text, month text, actors text, topics text, quotes integer,
            text text);
        create view paras as select * from para;
    """)
    reader = engine_for(index_dir).session().searcher.reader()
    rows = []
    n = 0
    for _docnum, f in reader.iter_docs():
        date = f.get("date") or None
        actors = [a for a in (f.get("actors") or "").split(",") if a]
        quotes = len(json.loads(f.get("quotes_json") or "[]"))
        rows.append((f["pid"], f["article_id"], f.get("title"), f.get("outlet"), date,
                     date[:7] if date else None, json.dumps(actors), f.get("topics"), quotes,
                     f.get("text", "")))
        n += 1
        if len(rows) >= 5000:
            conn.executemany("insert into para (pid, article_id, title, outlet, published, month,"
                             " actors, topics, quotes, text) values (?,?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
    conn.executemany("insert into para (pid, article_id, title, outlet, published, month,"
                     " actors, topics, quotes, text) values (?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executescript("""
        create virtual table para_fts using fts5(text, title, content='para', content_rowid='id',
                                                 tokenize='porter unicode61');
        insert into para_fts(para_fts) values ('rebuild');
        create index para_outlet on para(outlet);
        create index para_published on para(published);
        create index para_month on para(month);
    """)
    conn.commit()
    conn.close()
    tmp.replace(db)
    return n


def datasette_metadata() -> dict:
    return {"databases": {"big": {"tables": {"paras": {"fts_table": "para_fts", "fts_pk": "id"}}}}}


def build_pool(db: Path, n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    top = conn.execute("select max(id) from para").fetchone()[0] or 0
    ids = [rng.randint(1, top) for _ in range(min(4000, top))]
    sample = [r for i in ids for r in conn.execute(
        "select text, actors, outlet, published from para where id = ?", (i,))]
    conn.close()
    words: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    phrases: list[str] = []
    dates: list[str] = []
    for text, acts, outlet, published in sample:
        found = [w.lower() for w in WORD.findall(text or "")]
        content = [w for w in found if w not in STOP]
        words.update(set(content))
        for a, b in zip(found, found[1:], strict=False):
            if a not in STOP and b not in STOP and rng.random() < 0.05:
                phrases.append(f"{a} {b}")
        actors.update(json.loads(acts or "[]"))
        if outlet:
            outlets[outlet] += 1
        if published:
            dates.append(published[:10])
    popular = [w for w, _ in words.most_common(400)]
    names = [a for a, _ in actors.most_common(150) if WORD.search(a)]
    outs = [o for o, _ in outlets.most_common(30)]
    dates.sort()
    shapes = [(30, "word"), (15, "pair"), (20, "name"), (10, "phrase"), (20, "filtered"),
              (5, "prefix")]
    pool: list[dict] = []
    seen: set[str] = set()
    tries = 0
    while len(pool) < n and tries < 50 * n:
        tries += 1
        shape = _weighted(rng, shapes)
        spec: dict = {"terms": [], "phrase": None, "prefix": None, "filters": {}}
        if shape == "word":
            spec["terms"] = [_zipf_pick(rng, popular)]
        elif shape == "pair":
            spec["terms"] = rng.sample(popular[:200], 2)
        elif shape == "name" and names:
            spec["phrase"] = _zipf_pick(rng, names)
        elif shape == "phrase" and phrases:
            spec["phrase"] = rng.choice(phrases)
        elif shape == "filtered":
            spec["terms"] = [_zipf_pick(rng, popular)]
            kind = rng.choice(("outlet", "actor", "since"))
            if kind == "outlet" and outs:
                spec["filters"]["outlet"] = _zipf_pick(rng, outs)
            elif kind == "actor" and names:
                spec["filters"]["actor"] = _zipf_pick(rng, names[:40])
            elif dates:
                spec["filters"]["since"] = dates[rng.randrange(len(dates))]
        else:
            word = rng.choice([w for w in popular if len(w) >= 7] or popular)
            spec["prefix"] = word[:5]
        spec["page"] = _weighted(rng, [(75, 1), (17, 2), (8, 3)])
        spec["sort"] = "newest" if rng.random() < 0.15 else "relevance"
        spec["view"] = _weighted(rng, [(55, "api"), (35, "page"), (10, "quotes")])
        key = json.dumps(spec, sort_keys=True)
        if key not in seen:
            seen.add(key)
            pool.append(spec)
    rng.shuffle(pool)  # popularity rank is independent of the shape
    return pool


def _weighted(rng: random.Random, choices):
    total = sum(w for w, _ in choices)
    x = rng.uniform(0, total)
    for w, value in choices:
        x -= w
        if x <= 0:
            return value
    return choices[-1][1]


def _zipf_pick(rng: random.Random, items: list[str]) -> str:
    return items[min(len(items) - 1, int(rng.paretovariate(1.0)) - 1)]


class Stream:
    """Specs drawn with weight 1/(rank+1): repeats of popular searches and a long tail."""

    def __init__(self, pool: list[dict], seed: int):
        self.pool = pool
        self.rng = random.Random(seed)
        acc = 0.0
        self.cum = []
        for r in range(len(pool)):
            acc += 1.0 / (r + 1)
            self.cum.append(acc)

    def next(self) -> dict:
        x = self.rng.uniform(0, self.cum[-1])
        return self.pool[min(len(self.pool) - 1, bisect.bisect_left(self.cum, x))]


def parley_url(spec: dict) -> str:
    parts = list(spec["terms"])
    if spec["phrase"]:
        parts.append(f'"{spec["phrase"]}"')
    if spec["prefix"]:
        parts.append(spec["prefix"] + "*")
    params = [("q", " ".join(parts))]
    params += sorted(spec["filters"].items())
    if spec["sort"] != "relevance":
        params.append(("sort", spec["sort"]))
    if spec["page"] > 1:
        params.append(("page", str(spec["page"])))
    path = {"api": "/api/search", "page": "/", "quotes": "/api/quotes"}[spec["view"]]
    return path + "?" + urlencode(params)


def datasette_url(spec: dict) -> str:
    """The same request to Datasette: an FTS5 match (terms ANDed, the phrase, the prefix),
    the filters as column filters, counts of outlet, month and actors, 20 rows at an offset.
    Datasette neither ranks by relevance nor highlights: it does less work per request."""
    parts = [_fts_quote(t) for t in spec["terms"]]
    if spec["phrase"]:
        parts.append(_fts_quote(spec["phrase"]))
    if spec["prefix"]:
        parts.append(_fts_quote(spec["prefix"]) + " *")
    params = [("_search", " ".join(parts)), ("_searchmode", "raw"), *FACETS_DS, ("_size", "20")]
    f = spec["filters"]
    if "outlet" in f:
        params.append(("outlet", f["outlet"]))
    if "actor" in f:
        params.append(("actors__arraycontains", f["actor"]))
    if "since" in f:
        params.append(("published__gte", f["since"]))
    if spec["view"] == "quotes":
        params.append(("quotes__gt", "0"))
    if spec["sort"] == "newest":
        params.append(("_sort_desc", "published"))
    if spec["page"] > 1:
        params.append(("_next", str(20 * (spec["page"] - 1))))
    path = "/big/paras" if spec["view"] == "page" else "/big/paras.json"
    return path + "?" + urlencode(params)


def _fts_quote(text: str) -> str:
    return '"' + " ".join(WORD.findall(text) or [text.replace('"', "")]) + '"'
