"""Speed at newsroom scale: Parley (Whoosh) side by side with SQLite FTS5 and, if installed, tantivy.

    python bench/speed.py --size 10000            # ~1 min; 200000 and 1000000 take much longer

Builds a corpus of --size paragraphs from real text (bench/corpus.py) under bench/out/, indexes
it with the full pipeline (indexer.ingest), re-indexes it unchanged, then times a fixed query mix
through Parley's search core (facets and highlighted snippets for a first page of 20), and the
same paragraphs and mix in SQLite FTS5 (bm25, snippet(), GROUP BY facets) and tantivy. Each
engine runs in its own subprocess so that its peak RSS is its own. Prints one table; the raw
figures go to bench/out/<size>-s<seed>/results.json. A command that prints figures, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

QUERY_TYPES = ("term", "two_terms", "phrase", "proximity", "actor_outlet", "date_range",
               "quotes_speaker")
TERMS = ["ceasefire", "hostages", "oil", "president", "prices", "humanitarian", "agreement",
         "gaza", "trade", "security"]
TWO_TERMS = [["hostage", "deal"], ["oil", "prices"], ["ceasefire", "gaza"], ["trade", "talks"],
             ["humanitarian", "aid"], ["interest", "rates"], ["security", "council"],
             ["israel", "hamas"]]
PHRASES = [["oil", "prices"], ["the", "president"], ["humanitarian", "assistance"],
           ["interest", "rates"], ["national", "security"], ["in", "gaza"], ["the", "hostages"],
           ["trade", "deficit"]]
NEAR = [["hostages", "released"], ["oil", "prices"], ["aid", "trucks"], ["trade", "deficit"],
        ["ceasefire", "agreement"], ["president", "talks"]]
RANGES = [("2024-01-01", "2024-03-31"), ("2024-06-01", "2024-06-30"), ("2023-10-07", "2023-12-31"),
          ("2024-11-05", "2025-01-20"), ("2025-01-01", "2025-06-30"), ("2024-04-15", "2024-05-15")]
SLOP = 5
PAGE = 20
FACETS = ("outlet", "actor", "topic", "speaker", "month")


# -- helpers ------------------------------------------------------------------------------


def peak_rss_mb() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own, 1), "children": round(kids, 1), "total": round(own + kids, 1)}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": statistics.median(ms), "p95": pct(ms, 95), "p99": pct(ms, 99)}


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def git_state() -> str:
    """HEAD and the files edited but not committed (other developers share this tree)."""
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%h %s"], capture_output=True,
                              text=True, cwd=ROOT).stdout.strip()[:70]
        dirty = subprocess.run(["git", "diff", "--name-only", "HEAD", "--", "indexer", "search"],
                               capture_output=True, text=True, cwd=ROOT).stdout.split()
    except OSError:
        return ""
    return head + (f"; uncommitted edits in {', '.join(dirty)}" if dirty else "")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_phase(args: list[str], timeout: float | None = None) -> dict:
    """Run this script with --phase ... in a fresh process; its last stdout line is JSON."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"phase {args[:2]} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed_runs(mix: list[dict], runs: int, fn) -> dict:
    """Warm every query once, then time `runs` executions per type, cycling its instances."""
    out = {}
    for qtype in QUERY_TYPES:
        items = [m for m in mix if m["type"] == qtype]
        if not items:
            continue
        for item in items:
            fn(item)
        ms, cpu, hits = [], [], []
        for i in range(runs):
            item = items[i % len(items)]
            t0, c0 = time.perf_counter(), time.process_time()
            total = fn(item)
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            hits.append(total)
        # CPU time (all threads of this process) does not grow with other processes' load.
        cpu_summary = {f"cpu_{k}": v for k, v in summary(cpu).items() if k != "n"}
        out[qtype] = summary(ms) | cpu_summary | {"mean_hits": round(statistics.mean(hits), 1)}
    return out


def norm_quote(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def group_quotes(rows: list[tuple[dict, dict]], speaker: str) -> list[dict]:
    """The quotes of `speaker` from (paragraph, quote) rows, one entry per distinct quotation
    (the same grouping Parley's search_quotes does)."""
    groups: dict[str, list] = {}
    for para, q in rows:
        if q.get("speaker") == speaker:
            groups.setdefault(norm_quote(q["text"]), []).append((para.get("date") or "9999", para, q))
    return [min(v, key=lambda t: t[0])[2] for v in groups.values()]


# -- the query mix ------------------------------------------------------------------------


def build_mix(top: dict) -> list[dict]:
    """Engine-neutral queries; actors, outlets and speakers are the corpus' most frequent."""
    actors = [v["value"] for v in top.get("actor", [])][:4] or ["Hamas"]
    outlets = [v["value"] for v in top.get("outlet", [])][:4] or ["Reuters"]
    speakers = [v["value"] for v in top.get("speaker", [])][:8] or ["Biden"]
    mix = [{"type": "term", "words": [w], "mode": "and"} for w in TERMS]
    mix += [{"type": "two_terms", "words": w, "mode": "and"} for w in TWO_TERMS]
    mix += [{"type": "phrase", "words": w, "mode": "phrase"} for w in PHRASES]
    mix += [{"type": "proximity", "words": w, "mode": "near"} for w in NEAR]
    for i, actor in enumerate(actors):
        for j, outlet in enumerate(outlets):
            words = [["talks"], [], ["said"], ["ceasefire"]][(i + j) % 4]
            mix.append({"type": "actor_outlet", "words": words, "mode": "and", "actor": actor,
                        "outlet": outlet})
    for i, (since, until) in enumerate(RANGES):
        mix.append({"type": "date_range", "words": [TERMS[i % 4]], "mode": "and", "since": since,
                    "until": until})
    mix += [{"type": "quotes_speaker", "words": [], "mode": "and", "speaker": s} for s in speakers]
    return mix


def parley_text(item: dict) -> str:
    words = item["words"]
    if item["mode"] == "phrase":
        return '"' + " ".join(words) + '"'
    if item["mode"] == "near":
        return '"' + " ".join(words) + f'"~{SLOP}'
    return " ".join(words)


# -- phases: each runs in its own process ---------------------------------------------------


def phase_ingest(opts) -> dict:
    from indexer import ingest

    t0 = time.perf_counter()
    report = ingest(opts.files, opts.index_dir, rebuild=opts.rebuild)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "paragraphs": report.paragraphs, "articles": report.articles,
            "quotes": report.quotes, "unchanged": report.unchanged,
            "skipped": len(report.skipped), "rss_mb": peak_rss_mb()}


def phase_parley(opts) -> dict:
    import search
    from search import SearchRequest

    index_dir = opts.index_dir
    stats = search.index_stats(index_dir)
    mix = build_mix(stats["top"])
    Path(opts.mix).write_text(json.dumps(mix, indent=1))

    def run(item: dict) -> int:
        filters = {}
        if "actor" in item:
            filters = {"actor": (item["actor"],), "outlet": (item["outlet"],)}
        if item["type"] == "quotes_speaker":
            req = SearchRequest(text="", filters={"speaker": (item["speaker"],)}, size=PAGE)
            return search.search_quotes(index_dir, req).total
        req = SearchRequest(text=parley_text(item), filters=filters, since=item.get("since"),
                            until=item.get("until"), size=PAGE)
        res = search.search(index_dir, req)
        assert len(res.hits) == min(PAGE, res.total)
        return res.total

    results = timed_runs(mix, opts.queries, run)
    return {"queries": results, "rss_mb": peak_rss_mb(),
            "paragraphs": stats["indexed_paragraphs"]}


def _iter_parley_docs(index_dir: str):
    """(docnum, stored fields) of every live paragraph in a Parley index."""
    from search.engines.embedded.schema import open_index

    ix = open_index(Path(index_dir))
    with ix.searcher() as s:
        for docnum, fields in s.reader().iter_docs():
            yield docnum, fields


def _split(v: str | None) -> list[str]:
    return [x for x in (v or "").split(",") if x]


def _speakers(fields: dict) -> list[str]:
    return list(dict.fromkeys(q["speaker"] for q in json.loads(fields.get("quotes_json") or "[]")
                              if q.get("speaker")))


FTS_SCHEMA = """
CREATE TABLE para(id INTEGER PRIMARY KEY, pid TEXT, article_id TEXT, title TEXT, outlet TEXT,
                  date TEXT, month TEXT, text TEXT, actors TEXT, topics TEXT, quotes_json TEXT);
CREATE VIRTUAL TABLE para_fts USING fts5(text, content='para', content_rowid='id',
                                         tokenize='porter unicode61');
CREATE TABLE para_actor(id INTEGER, value TEXT, PRIMARY KEY(id, value)) WITHOUT ROWID;
CREATE TABLE para_topic(id INTEGER, value TEXT, PRIMARY KEY(id, value)) WITHOUT ROWID;
CREATE TABLE para_speaker(id INTEGER, value TEXT, PRIMARY KEY(id, value)) WITHOUT ROWID;
"""
FTS_INDEXES = """
CREATE INDEX para_actor_v ON para_actor(value, id);
CREATE INDEX para_topic_v ON para_topic(value, id);
CREATE INDEX para_speaker_v ON para_speaker(value, id);
CREATE INDEX para_outlet ON para(outlet, id);
CREATE INDEX para_date ON para(date, id);
INSERT INTO para_fts(para_fts) VALUES('rebuild');
"""


def phase_fts(opts) -> dict:
    import sqlite3

    db_path = Path(opts.work) / "fts5.sqlite"
    db_path.unlink(missing_ok=True)
    docs = list(_iter_parley_docs(opts.index_dir))  # read before timing: tagging is Parley's
    db = sqlite3.connect(db_path)
    t0 = time.perf_counter()
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + FTS_SCHEMA)
    for docnum, f in docs:
        db.execute("INSERT INTO para VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (docnum, f["pid"], f["article_id"], f.get("title"), f.get("outlet") or None,
                    f.get("date") or None, (f.get("date") or "")[:7] or None, f["text"],
                    f.get("actors"), f.get("topics"), f.get("quotes_json")))
        for table, values in (("para_actor", _split(f.get("actors"))),
                              ("para_topic", _split(f.get("topics"))),
                              ("para_speaker", _speakers(f))):
            db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?,?)",
                           [(docnum, v) for v in values])
    db.executescript(FTS_INDEXES)
    db.commit()
    build = time.perf_counter() - t0
    n = len(docs)
    del docs
    db.execute("CREATE TEMP TABLE m(id INTEGER PRIMARY KEY)")
    mix = json.loads(Path(opts.mix).read_text())

    def match_expr(item: dict) -> str:
        quoted = [f'"{w}"' for w in item["words"]]
        if item["mode"] == "phrase":
            return '"' + " ".join(item["words"]) + '"'
        if item["mode"] == "near":
            return f"NEAR({' '.join(quoted)}, {SLOP})"
        return " AND ".join(quoted)

    def run(item: dict) -> int:
        where, params = [], []
        if item["words"]:
            sql = "SELECT rowid FROM para_fts WHERE para_fts MATCH ?"
            params.append(match_expr(item))
        else:
            sql = "SELECT id FROM para WHERE 1"
        # "+rowid": FTS-first plan. A bare rowid IN (...) is pushed into the FTS5 table, which
        # then runs the MATCH once per listed rowid (1.6 s instead of 19 ms at 200k).
        col = "+rowid" if item["words"] else "id"
        if "actor" in item:
            where.append(f"{col} IN (SELECT id FROM para_actor WHERE value = ?)")
            where.append(f"{col} IN (SELECT id FROM para WHERE outlet = ?)")
            params += [item["actor"], item["outlet"]]
        if "since" in item:
            where.append(f"{col} IN (SELECT id FROM para WHERE date BETWEEN ? AND ?)")
            params += [item["since"], item["until"]]
        if "speaker" in item:
            where.append(f"{col} IN (SELECT id FROM para_speaker WHERE value = ?)")
            params.append(item["speaker"])
        db.execute("DELETE FROM m")
        db.execute("INSERT INTO m " + " AND ".join([sql, *where]), params)
        total = db.execute("SELECT count(*) FROM m").fetchone()[0]
        for col_sql in ("SELECT p.outlet, count(*) FROM m CROSS JOIN para p ON p.id = m.id",
                        "SELECT p.month, count(*) FROM m CROSS JOIN para p ON p.id = m.id",
                        "SELECT a.value, count(*) FROM m CROSS JOIN para_actor a ON a.id = m.id",
                        "SELECT a.value, count(*) FROM m CROSS JOIN para_topic a ON a.id = m.id",
                        "SELECT a.value, count(*) FROM m CROSS JOIN para_speaker a ON a.id = m.id"):
            db.execute(col_sql + " GROUP BY 1 ORDER BY 2 DESC LIMIT 30").fetchall()
        if item["type"] == "quotes_speaker":
            rows = db.execute("SELECT p.date, p.quotes_json FROM para p WHERE p.id IN "
                              "(SELECT id FROM m) ORDER BY p.date DESC, p.pid").fetchall()
            pairs = [({"date": d}, q) for d, qj in rows for q in json.loads(qj or "[]")]
            return len(group_quotes(pairs, item["speaker"]))
        if item["words"]:
            db.execute("SELECT p.pid, p.title, p.outlet, p.date, p.text, p.actors, p.topics, "
                       "p.quotes_json, snippet(para_fts, 0, '<mark>', '</mark>', ' … ', 24) "
                       "FROM para_fts JOIN para p ON p.id = para_fts.rowid "
                       "WHERE para_fts MATCH ? AND +para_fts.rowid IN (SELECT id FROM m) "
                       "ORDER BY bm25(para_fts) LIMIT ?", (match_expr(item), PAGE)).fetchall()
        else:
            db.execute("SELECT p.pid, p.title, p.outlet, p.date, p.text, p.actors, p.topics, "
                       "p.quotes_json FROM para p WHERE p.id IN (SELECT id FROM m) "
                       "ORDER BY p.date DESC, p.pid LIMIT ?", (PAGE,)).fetchall()
        return total

    results = timed_runs(mix, opts.queries, run)
    db.close()
    return {"queries": results, "rss_mb": peak_rss_mb(), "build_seconds": build,
            "paragraphs": n, "size_bytes": db_path.stat().st_size}


def phase_tantivy(opts) -> dict:
    import tantivy

    path = Path(opts.work) / "tantivy"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("pid", stored=True, tokenizer_name="raw")
    for name in ("outlet", "actors", "topics", "speakers", "month"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    sb.add_integer_field("date", stored=True, indexed=True, fast=True)
    sb.add_text_field("title", stored=True)
    sb.add_bytes_field("quotes_json", stored=True)
    schema = sb.build()
    index = tantivy.Index(schema, path=str(path))
    docs = list(_iter_parley_docs(opts.index_dir))
    t0 = time.perf_counter()
    writer = index.writer(heap_size=512_000_000, num_threads=2)
    for _docnum, f in docs:
        date = f.get("date") or ""
        writer.add_document(tantivy.Document(
            text=f["text"], pid=f["pid"], outlet=f.get("outlet") or "", actors=_split(f.get("actors")),
            topics=_split(f.get("topics")), speakers=_speakers(f), month=date[:7],
            date=int(date.replace("-", "") or 0), title=f.get("title") or "",
            quotes_json=(f.get("quotes_json") or "[]").encode("utf-8")))
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - t0
    n = len(docs)
    del docs
    index.reload()
    searcher = index.searcher()
    mix = json.loads(Path(opts.mix).read_text())
    field_of = {"outlet": "outlet", "actor": "actors", "topic": "topics", "speaker": "speakers",
                "month": "month"}
    aggs = {name: {"terms": {"field": field, "size": 30}} for name, field in field_of.items()}
    must = tantivy.Occur.Must

    def build_query(item: dict):
        parts = []
        if item["words"]:
            words = item["words"]
            if item["mode"] == "phrase":
                text = '"' + " ".join(words) + '"'
            elif item["mode"] == "near":
                text = '"' + " ".join(words) + f'"~{SLOP}'
            else:
                text = " ".join("+" + w for w in words)
            parts.append(index.parse_query(text, ["text"]))
        if "actor" in item:
            parts.append(tantivy.Query.term_query(schema, "actors", item["actor"]))
            parts.append(tantivy.Query.term_query(schema, "outlet", item["outlet"]))
        if "since" in item:
            lo, hi = (int(item[k].replace("-", "")) for k in ("since", "until"))
            parts.append(tantivy.Query.range_query(schema, "date", tantivy.FieldType.Integer, lo, hi))
        if "speaker" in item:
            parts.append(tantivy.Query.term_query(schema, "speakers", item["speaker"]))
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(must, p) for p in parts])

    def run(item: dict) -> int:
        q = build_query(item)
        searcher.aggregate(q, aggs)
        if item["type"] == "quotes_speaker":
            count = searcher.search(q, 1, count=True).count
            res = searcher.search(q, max(count, 1), order_by_field="date", order=tantivy.Order.Desc)
            pairs = []
            for _score, addr in res.hits:
                doc = searcher.doc(addr)
                para = {"date": str(doc["date"][0])}
                pairs += [(para, qq) for qq in json.loads(bytes(doc["quotes_json"][0]).decode())]
            return len(group_quotes(pairs, item["speaker"]))
        if item["words"]:
            res = searcher.search(q, PAGE, count=True)
            gen = tantivy.SnippetGenerator.create(searcher, q, schema, "text")
            for _score, addr in res.hits:
                gen.snippet_from_doc(searcher.doc(addr)).to_html()
        else:
            res = searcher.search(q, PAGE, count=True, order_by_field="date",
                                  order=tantivy.Order.Desc)
            for _score, addr in res.hits:
                searcher.doc(addr)
        return res.count

    results = timed_runs(mix, opts.queries, run)
    return {"queries": results, "rss_mb": peak_rss_mb(), "build_seconds": build,
            "paragraphs": n, "size_bytes": dir_size(path)}


def cold_start(index_dir: Path, runs: int) -> dict:
    # This checkout's CLI (the cwd comes first on sys.path), not whichever `parley` is
    # installed. One untimed run first: a new process, but Python's bytecode cache and the
    # OS file cache warm, as for any installed program.
    cmd = [sys.executable, "-c", "from web.cli import cli; cli()"]
    subprocess.run([*cmd, "search", "ceasefire", "--index-dir", str(index_dir)],
                   capture_output=True, text=True, cwd=ROOT)
    ms, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([*cmd, "search", "ceasefire", "--index-dir", str(index_dir)],
                              capture_output=True, text=True, cwd=ROOT)
        ms.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"parley search failed: {proc.stderr[-2000:]}")
    return summary(ms) | {"cpu_p50": statistics.median(cpu), "cpu_p95": pct(cpu, 95)}


def api_concurrency(index_dir: Path, mix_path: Path, clients: int, requests: int) -> dict | str:
    """/api/search under `clients` concurrent clients on loopback (waitress, as `parley serve`)."""
    if not (ROOT / "web" / "api.py").is_file():
        return "skipped: web/api.py does not exist yet"
    import socket
    import threading
    import urllib.parse
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("from web import create_app; from waitress import serve; "
            f"serve(create_app({{'INDEX_DIR': {str(index_dir)!r}}}), host='127.0.0.1', port={port}, "
            f"threads={clients})")
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/api/search?"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "q=ceasefire", timeout=30).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            return "skipped: server did not start"
        mix = [m for m in json.loads(mix_path.read_text()) if m["type"] != "quotes_speaker"]
        urls = []
        for item in mix:
            params = [("q", parley_text(item))]
            if "actor" in item:
                params += [("actor", item["actor"]), ("outlet", item["outlet"])]
            if "since" in item:
                params += [("since", item["since"]), ("until", item["until"])]
            urls.append(base + urllib.parse.urlencode(params))
        for url in urls:  # warm every server thread's session a little
            urllib.request.urlopen(url, timeout=60).read()
        ms: list[float] = []
        errors = []
        lock = threading.Lock()

        def client(k: int) -> None:
            for i in range(requests):
                url = urls[(k * 7 + i) % len(urls)]
                t0 = time.perf_counter()
                try:
                    urllib.request.urlopen(url, timeout=60).read()
                except OSError as exc:
                    errors.append(str(exc))
                    continue
                with lock:
                    ms.append((time.perf_counter() - t0) * 1000)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        return summary(ms) | {"errors": len(errors), "req_per_s": round(len(ms) / wall, 1)}
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- the report ---------------------------------------------------------------------------


def fmt_q(s: dict | None) -> str:
    return "–" if not s else f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f}"


def fmt_cpu(s: dict | None) -> str:
    return "–" if not s or "cpu_p50" not in s else f"{s['cpu_p50']:.1f} / {s['cpu_p95']:.1f}"


def ratio(a: dict | None, b: dict | None, key: str = "p95") -> str:
    if not a or not b or not b.get(key):
        return "–"
    return f"{a[key] / b[key]:.2f}"


def print_table(res: dict) -> None:
    p, f, t = res["parley"], res.get("fts5") or {}, res.get("tantivy") or {}
    first, again = res["ingest"], res["reindex"]
    n = first["paragraphs"]
    print(f"\n## Parley speed, {n:,} paragraphs (--size {res['size']}, seed {res['seed']}, "
          f"{res['queries']} timed runs per query type)")
    print(f"load average before/after: {res['load_before']} / {res['load_after']}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}\n")
    print("| measure | Parley (Whoosh) | SQLite FTS5 | tantivy | Parley/FTS5 | Parley/tantivy |")
    print("|---|---:|---:|---:|---:|---:|")

    def row(name, a, b, c, r1="", r2=""):
        print(f"| {name} | {a} | {b} | {c} | {r1} | {r2} |")

    rate = n / first["seconds"]
    fts_rate = f["paragraphs"] / f["build_seconds"] if f else None
    tv_rate = t["paragraphs"] / t["build_seconds"] if t else None
    row("index build, paragraphs/s (Parley: whole pipeline; others: write only)",
        f"{rate:,.0f} ({first['seconds']:.1f} s)",
        f"{fts_rate:,.0f}" if fts_rate else "–", f"{tv_rate:,.0f}" if tv_rate else "–",
        f"{fts_rate / rate:.1f}x slower" if fts_rate else "–",
        f"{tv_rate / rate:.1f}x slower" if tv_rate else "–")
    row("re-index unchanged corpus", f"{again['seconds']:.2f} s ({first['seconds'] / again['seconds']:.0f}x faster)",
        "–", "–")
    mb = 1024 * 1024
    row("index size, MB", f"{res['index_bytes'] / mb:,.0f}",
        f"{f['size_bytes'] / mb:,.0f}" if f else "–", f"{t['size_bytes'] / mb:,.0f}" if t else "–",
        f"{res['index_bytes'] / f['size_bytes']:.2f}" if f else "–",
        f"{res['index_bytes'] / t['size_bytes']:.2f}" if t else "–")
    row("peak RSS indexing, MB (process + children)", f"{first['rss_mb']['total']:,.0f}",
        "–", "–")
    row("peak RSS querying, MB", f"{p['rss_mb']['self']:,.0f}",
        f"{f['rss_mb']['self']:,.0f}" if f else "–", f"{t['rss_mb']['self']:,.0f}" if t else "–")
    for qtype in QUERY_TYPES:
        a = p["queries"].get(qtype)
        b = (f.get("queries") or {}).get(qtype)
        c = (t.get("queries") or {}).get(qtype)
        row(f"{qtype}: ms p50 / p95 / p99", fmt_q(a), fmt_q(b), fmt_q(c),
            f"{ratio(a, b, 'p50')} / {ratio(a, b)}", f"{ratio(a, c, 'p50')} / {ratio(a, c)}")
    for qtype in QUERY_TYPES:
        a = p["queries"].get(qtype)
        b = (f.get("queries") or {}).get(qtype)
        c = (t.get("queries") or {}).get(qtype)
        if not a or "cpu_p50" not in a:
            continue
        row(f"{qtype}: CPU ms p50 / p95", fmt_cpu(a), fmt_cpu(b), fmt_cpu(c),
            f"{ratio(a, b, 'cpu_p50')} / {ratio(a, b, 'cpu_p95')}",
            f"{ratio(a, c, 'cpu_p50')} / {ratio(a, c, 'cpu_p95')}")
    cs = res["cold_start"]
    cs_cpu = f"; CPU {cs['cpu_p50']:.0f} / {cs['cpu_p95']:.0f}" if "cpu_p50" in cs else ""
    row(f"`parley search` fresh process, ms p50 / p95 (n={cs['n']})",
        f"{cs['p50']:.0f} / {cs['p95']:.0f}{cs_cpu}", "–", "–")
    api = res["api"]
    row("/api/search, 8 clients, ms p50 / p95 / p99",
        api if isinstance(api, str) else f"{fmt_q(api)} ({api['req_per_s']} req/s, "
                                         f"{api['errors']} errors)", "–", "–")
    print("\nRatios: p50 / p95 (below 1.00 = Parley faster). Every query: total count, facet counts "
          "(outlet, actor, topic, speaker, month), first page of 20 with highlighted snippets. "
          "ms = wall clock; CPU ms = the process's CPU time, which other load does not inflate.")
    if res.get("git"):
        print(f"Code: {res['git']}")
    print("Mean hits per query type (Parley / FTS5 / tantivy): " + "; ".join(
        f"{q} {p['queries'][q]['mean_hits']:.0f}/{(f.get('queries') or {}).get(q, {}).get('mean_hits', '–')}"
        f"/{(t.get('queries') or {}).get(q, {}).get('mean_hits', '–')}" for q in QUERY_TYPES
        if q in p["queries"]))
    if res.get("notes"):
        for note in res["notes"]:
            print(f"Note: {note}")


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=10000, help="paragraphs in the corpus")
    ap.add_argument("--queries", type=int, default=100, help="timed runs per query type")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=None, help="work dir (default bench/out/<size>)")
    ap.add_argument("--reuse-index", action="store_true",
                    help="skip the first build if an index exists (re-index is still timed)")
    ap.add_argument("--no-fts", action="store_true")
    ap.add_argument("--no-tantivy", action="store_true")
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--api-requests", type=int, default=25, help="per client")
    ap.add_argument("--report", type=Path, help="print the table of a saved results.json and exit")
    ap.add_argument("--phase", choices=["ingest", "parley", "fts", "tantivy"], help=argparse.SUPPRESS)
    ap.add_argument("--index-dir", help=argparse.SUPPRESS)
    ap.add_argument("--mix", help=argparse.SUPPRESS)
    ap.add_argument("--rebuild", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    if opts.phase:
        phase = {"ingest": phase_ingest, "parley": phase_parley, "fts": phase_fts,
                 "tantivy": phase_tantivy}[opts.phase]
        print(json.dumps(phase(opts)))
        return 0

    if opts.report:
        print_table(json.loads(opts.report.read_text()))
        return 0
    from corpus import build_corpus

    work = opts.work or OUT / f"{opts.size}-s{opts.seed}"
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {"size": opts.size, "seed": opts.seed, "queries": opts.queries,
                 "load_before": loadavg(), "notes": [], "git": git_state()}
    t0 = time.perf_counter()
    files, estimate = build_corpus(opts.size, opts.seed, work / "corpus")
    print(f"corpus: {len(files)} files, ~{estimate:,} paragraphs ({time.perf_counter() - t0:.1f} s)",
          file=sys.stderr)
    index_dir = work / "index"
    common = ["--index-dir", str(index_dir), "--work", str(work), "--queries", str(opts.queries)]
    if not (opts.reuse_index and (work / "ingest.json").is_file()):
        res["ingest"] = run_phase(["--phase", "ingest", "--rebuild", *common, *map(str, files)])
        (work / "ingest.json").write_text(json.dumps(res["ingest"]))
    else:
        res["ingest"] = json.loads((work / "ingest.json").read_text())
        res["notes"].append("first build figures reused from an earlier run (--reuse-index)")
    print(f"ingest: {res['ingest']}", file=sys.stderr)
    res["reindex"] = run_phase(["--phase", "ingest", *common, *map(str, files)])
    res["index_bytes"] = dir_size(index_dir)
    mix_path = work / "mix.json"
    common += ["--mix", str(mix_path)]
    res["parley"] = run_phase(["--phase", "parley", *common])
    print("parley queries done", file=sys.stderr)
    res["fts5"] = None if opts.no_fts else run_phase(["--phase", "fts", *common])
    try:
        import tantivy  # noqa: F401
        have_tantivy = True
    except ImportError:
        have_tantivy = False
        res["notes"].append("tantivy not installed (pip install tantivy): its columns are empty")
    res["tantivy"] = run_phase(["--phase", "tantivy", *common]) if have_tantivy and not opts.no_tantivy else None
    res["cold_start"] = cold_start(index_dir, opts.cold_runs)
    res["api"] = api_concurrency(index_dir, mix_path, 8, opts.api_requests)
    res["load_after"] = loadavg()
    (work / "results.json").write_text(json.dumps(res, indent=1))
    print_table(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
