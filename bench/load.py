"""Load: concurrent clients against `parley serve` on 127.0.0.1, idle and while indexing.

    python bench/load.py                         # 16 clients, 60 s idle + 60 s while indexing
    python bench/load.py --clients 16 --seconds 15 --index-dir EXISTING_INDEX
    python bench/load.py --soak 10000 --clients 8 --index-dir IDX [--src OTHER_CHECKOUT]
    python bench/load.py --compare --index-dir /work/big/index --clients 1,8,32 --seconds 40

--compare serves the index with Parley and, beside it, the same paragraphs with Datasette over
SQLite FTS5 (pip install -e ".[bench]"), and sends both the same newsroom mix (bench/loadmix.py)
in one run, the two interleaved at each number of clients.

Loopback only, bounded in time. Clients are threads with keep-alive connections sending a mix
of page, API, quotes and CSV requests; the figure is requests/s, p50/p99 and errors (any
non-200 answer, timeout or broken connection). The writer adds Reuters stories in small
batches, so the server reopens searchers many times during the second phase.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578" / "reuters21578.jsonl.gz"
PARLEY = [sys.executable, "-c",
          "import sys, indexer; indexer.BATCH_PARAGRAPHS = int(sys.argv.pop(1)); "
          "from web.cli import cli; cli(prog_name='parley')"]

# (weight, path, params): what a journalist's session looks like, mostly searches.
MIX = [
    (30, "/api/search", {"q": "ceasefire"}),
    (10, "/api/search", {"q": '"hostage release"'}),
    (8, "/api/search", {"q": "Hamas Qatar", "actor": "Qatar"}),
    (6, "/api/search", {"q": "negotiat*", "sort": "newest"}),
    (6, "/api/search", {"q": "truce NOT Lebanon", "page": "2"}),
    (5, "/api/search", {"q": "oil prices", "limit": "50"}),
    (10, "/", {"q": "ceasefire talks"}),
    (5, "/", {"q": "prisoners", "since": "2024-01-01"}),
    (8, "/api/quotes", {"q": "ceasefire"}),
    (4, "/quotes", {"speaker": "Witkoff"}),
    (3, "/api/search", {"q": "\"\" unbalanced"}),  # a 400, counted as expected
    (3, "/export/search.csv", {"q": "hostages", "limit": "20"}),
    (2, "/api/articles", {}),
]
EXPECTED_400 = {'"" unbalanced'}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/search?q=ceasefire")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not become ready")


def run_clients(port: int, clients: int, seconds: float, seed: int, exports: bool = True) -> dict:
    latencies: list[float] = []
    by_request: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    weighted = [(p, q) for w, p, q in MIX for _ in range(w) if exports or "/export/" not in p]

    def client(n: int) -> None:
        rng = random.Random(seed + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad, named = [], [], []
        while time.monotonic() < deadline:
            path, params = rng.choice(weighted)
            url = path + ("?" + urlencode(params) if params else "")
            t0 = time.monotonic()
            try:
                conn.request("GET", url)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200 or (resp.status == 400 and params.get("q") in EXPECTED_400)
                if not ok:
                    bad.append(f"{resp.status} {url}")
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{exc!r} {url}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.monotonic() - t0)
            named.append((url, mine[-1]))
        conn.close()
        with lock:
            latencies.extend(mine)
            for url, took in named:
                by_request.setdefault(url, []).append(took)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {"requests": len(latencies), "req_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": round(1000 * latencies[-1], 1),
            "errors": len(errors), "first_errors": errors[:5],
            "slowest_p50_ms": {u: round(1000 * sorted(v)[len(v) // 2]) for u, v in sorted(
                by_request.items(), key=lambda kv: -sorted(kv[1])[len(kv[1]) // 2])[:4]}}


def get(conn: http.client.HTTPConnection, port: int, url: str
        ) -> tuple[http.client.HTTPConnection, str, bool]:
    """One GET read to the end on a keep-alive connection: (the connection to use next,
    an error line or "", whether the answer came from the response cache). A broken
    connection is replaced, as a browser would."""
    try:
        conn.request("GET", url)
        resp = conn.getresponse()
        resp.read()
        hit = resp.getheader("X-Parley-Cache") == "hit"
        return conn, "" if resp.status == 200 else f"{resp.status} {url}", hit
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return http.client.HTTPConnection("127.0.0.1", port, timeout=60), f"{exc!r} {url}", False


def run_mix(port: int, make_url, pool: list[dict], clients: int, seconds: float,
            seed: int) -> dict:
    """`clients` threads with keep-alive connections, each sending requests drawn from the
    pool (loadmix.Stream) for `seconds`; latency includes reading the whole answer."""
    from loadmix import Stream

    latencies: list[float] = []
    errors: list[str] = []
    hits = [0]
    asked: set[str] = set()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        stream = Stream(pool, seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad, urls, cached = [], [], set(), 0
        while time.monotonic() < deadline:
            url = make_url(stream.next())
            urls.add(url)
            t0 = time.monotonic()
            conn, error, hit = get(conn, port, url)
            cached += hit
            if error:
                bad.append(error)
            mine.append(time.monotonic() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)
            asked.update(urls)
            hits[0] += cached

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {"clients": clients, "requests": len(latencies),
            "req_per_s": round(len(latencies) / elapsed, 1), "p50_ms": pct(0.50),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99), "errors": len(errors),
            "distinct_urls": len(asked), "cache_hits": hits[0], "first_errors": errors[:3]}


def compare(args, work: Path, index_dir: Path) -> int:
    """Parley and Datasette+FTS5 on the same paragraphs, the same mix, interleaved."""
    sys.path.insert(0, str(ROOT / "bench"))
    import loadmix

    db = args.sqlite or work / "big.db"
    if db.name != "big.db":
        raise SystemExit("--sqlite must name a file big.db (Datasette names the database by it)")
    if not db.exists():
        t0 = time.monotonic()
        n = loadmix.export_sqlite(index_dir, db)
        print(f"exported {n} paragraphs to {db} in {time.monotonic() - t0:.0f} s", flush=True)
    meta = work / "datasette.json"
    meta.write_text(json.dumps(loadmix.datasette_metadata()))
    pool = loadmix.build_pool(db, args.pool, args.seed)
    procs = []
    try:
        pport, dport = free_port(), free_port()
        workers = ["--workers", str(args.workers)] if args.workers else []
        procs.append(subprocess.Popen(
            [*PARLEY, "5000", "serve", "--index-dir", str(index_dir), "--host", "127.0.0.1",
             "--port", str(pport), "--threads", str(args.threads), "--no-samples", *workers],
            cwd=args.src, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(db), "--host", "127.0.0.1",
             "--port", str(dport), "--metadata", str(meta),
             "--setting", "suggest_facets", "off", "--setting", "facet_time_limit_ms", "10000",
             "--setting", "sql_time_limit_ms", "10000", "--setting", "default_page_size", "20"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        wait_ready(pport)
        wait_ready_path(dport, "/big/paras.json?_size=1")
        servers = [(name, port, make) for name, port, make in
                   [("parley", pport, loadmix.parley_url),
                    ("datasette", dport, loadmix.datasette_url)] if name in args.servers]
        for name, port, make in servers:  # the first minute of a day's traffic
            warm = run_mix(port, make, pool, 4, args.warmup, args.seed + 7)
            print(f"warm-up {name}: {json.dumps(warm)}", flush=True)
        table = []
        for clients in args.clients_list:
            for name, port, make in servers:
                row = {"server": name, **run_mix(port, make, pool, clients, args.seconds,
                                                 args.seed + clients)}
                table.append(row)
                print(json.dumps(row), flush=True)
        print("\n| clients | server | req/s | p50 ms | p95 ms | p99 ms | errors | cache hits |")
        print("|---|---|---|---|---|---|---|---|")
        for r in table:
            print(f"| {r['clients']} | {r['server']} | {r['req_per_s']} | {r['p50_ms']} | "
                  f"{r['p95_ms']} | {r['p99_ms']} | {r['errors']} | "
                  f"{r['cache_hits']}/{r['requests']} |")
        print(f"pool {len(pool)} specs; load {os.getloadavg()}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for proc in procs:
            log = proc.stderr.read().decode(errors="replace")
            if "Traceback" in log:
                print(f"server {proc.args[2]} tracebacks: {log.count('Traceback')}\n{log[-1500:]}")
    return 0


def wait_ready_path(port: int, path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server on {port} did not become ready")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server's workers), in MB."""
    total = 0.0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += rss_mb(int(child))
    except (OSError, ValueError):
        pass
    return total


WORDS = ("ceasefire hostages talks truce Qatar Egypt Hamas Israel aid crossing envoy deal "
         "prisoners release Doha Cairo mediators proposal president said border strike tariff "
         "union climate summit agreement framework negotiations").split()
ACTORS = ("Hamas", "Israel", "Qatar", "Egypt", "United States", "Steve Witkoff")


def soak_requests(n: int, seed: int) -> list[str]:
    """n GETs, each with a different query or filter: distinct since= days, word pairs,
    actors, pages. Every one is new to the server's caches."""
    rng = random.Random(seed)
    start = time.mktime((2021, 1, 1, 0, 0, 0, 0, 0, -1))
    urls = []
    for i in range(n):
        day = time.strftime("%Y-%m-%d", time.localtime(start + 86400 * (i % 1900)))
        params = {"q": " ".join(rng.sample(WORDS, rng.choice((1, 1, 2)))), "since": day,
                  "limit": "5"}
        if i % 3 == 0:
            params["actor"] = rng.choice(ACTORS)
        if i % 5 == 0:  # a window after `since` (since > until is a 400, not a soak)
            later = start + 86400 * (i % 1900 + 30 + i % 400)
            params["until"] = time.strftime("%Y-%m-%d", time.localtime(later))
        path = "/api/search" if i % 4 else "/"
        urls.append(path + "?" + urlencode(params))
    return urls


def run_soak(port: int, pid: int, n: int, clients: int, seed: int) -> dict:
    """n distinct requests from `clients` threads, the server's RSS sampled every 0.25 s."""
    urls = soak_requests(n, seed)
    samples: list[tuple[float, float]] = []
    done = threading.Event()
    errors: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    t_start = time.monotonic()

    def sampler() -> None:
        while not done.is_set():
            samples.append((time.monotonic() - t_start, rss_mb(pid)))
            done.wait(0.25)

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], []
        for url in urls[k::clients]:
            t0 = time.monotonic()
            conn, error, _ = get(conn, port, url)
            if error:
                bad.append(error)
            mine.append(time.monotonic() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    before = rss_mb(pid)
    watcher = threading.Thread(target=sampler, daemon=True)
    watcher.start()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    watcher.join()
    after = rss_mb(pid)
    latencies.sort()
    tenth = max(1, len(samples) // 10)
    return {"requests": n, "clients": clients, "seconds": round(time.monotonic() - t_start, 1),
            "rss_before_mb": round(before), "rss_peak_mb": round(max(r for _, r in samples)),
            "rss_after_mb": round(after),
            "rss_growth_last_90pct_mb": round(after - max(r for _, r in samples[:tenth])),
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
            "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
            "errors": len(errors), "first_errors": errors[:3],
            "rss_curve_mb": [round(r) for _, r in samples[:: max(1, len(samples) // 12)]]}


def reuters_slice(folder: Path, n: int) -> Path:
    out = folder / f"reuters_{n}.jsonl.gz"
    with gzip.open(REUTERS, "rt") as src, gzip.open(out, "wt") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=8, help="waitress threads")
    ap.add_argument("--index-dir", type=Path, help="serve a copy of this index (default: build "
                    "one from seeds/ and samples/)")
    ap.add_argument("--reuters", type=int, default=3000, help="stories added while under load")
    ap.add_argument("--batch", type=int, default=500, help="paragraphs per commit of the writer")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-exports", action="store_true", help="leave CSV exports out of the mix "
                    "(an export streams every match: seconds on a large index)")
    ap.add_argument("--soak", type=int, default=0, metavar="N",
                    help="instead: N requests with distinct queries and filters, the server's "
                    "RSS sampled and its growth printed")
    ap.add_argument("--src", type=Path, default=ROOT,
                    help="serve from this checkout (to compare with an older one)")
    ap.add_argument("--compare", action="store_true", help="instead: Parley against Datasette "
                    "+ SQLite FTS5 on the same paragraphs with the newsroom mix (bench/loadmix.py)")
    ap.add_argument("--clients-list", type=lambda v: [int(x) for x in v.split(",")],
                    default=[1, 8, 32], help="with --compare: numbers of clients, e.g. 1,8,32")
    ap.add_argument("--workers", type=int, default=0, help="parley serve --workers (default: "
                    "its own, one per core)")
    ap.add_argument("--pool", type=int, default=3000, help="with --compare: distinct searches")
    ap.add_argument("--warmup", type=float, default=15.0, help="with --compare: seconds each")
    ap.add_argument("--servers", default="parley,datasette", help="with --compare: which to "
                    "load (PARLEY_RESPONSE_CACHE_MB=0 measures Parley without its answer cache)")
    ap.add_argument("--sqlite", type=Path, help="with --compare: reuse (or write) the FTS5 "
                    "copy here; its name must be big.db")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="parley-load-"))
    index_dir = work / "ix"
    server = writer = None
    try:
        if args.index_dir:
            shutil.copytree(args.index_dir, index_dir)
        else:
            print("building the index from seeds/ and samples/ …", flush=True)
            subprocess.run([*PARLEY, "5000", "index", str(ROOT / "seeds"), str(ROOT / "samples"),
                            "--index-dir", str(index_dir)], cwd=ROOT, check=True,
                           capture_output=True)
        if args.compare:
            return compare(args, work, index_dir)
        port = free_port()
        server = subprocess.Popen(
            [*PARLEY, "5000", "serve", "--index-dir", str(index_dir), "--host", "127.0.0.1",
             "--port", str(port), "--threads", str(args.threads), "--no-samples"],
            cwd=args.src, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_ready(port)
        if args.soak:
            soak = run_soak(port, server.pid, args.soak, args.clients, args.seed)
            print(json.dumps({"soak": soak, "src": str(args.src)}))
            return 0
        figures = {"clients": args.clients, "seconds": args.seconds,
                   "waitress_threads": args.threads, "cores": os.cpu_count()}
        figures["idle"] = run_clients(port, args.clients, args.seconds, args.seed,
                                      not args.no_exports)
        print("idle:", json.dumps(figures["idle"]), flush=True)
        corpus = reuters_slice(work, args.reuters)
        before = _articles(port)
        writer = subprocess.Popen([*PARLEY, str(args.batch), "index", str(corpus), "--index-dir",
                                   str(index_dir), "--wait", "30"], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        figures["while_indexing"] = run_clients(port, args.clients, args.seconds,
                                                  args.seed + 100, not args.no_exports)
        figures["while_indexing"]["writer_still_running"] = writer.poll() is None
        figures["while_indexing"]["articles_added_during_run"] = _articles(port) - before
        print("while indexing:", json.dumps(figures["while_indexing"]), flush=True)
        print(json.dumps(figures))
    finally:
        for proc in (writer, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if server is not None:
            log = server.stderr.read().decode(errors="replace")
            tracebacks = log.count("Traceback")
            print(f"server tracebacks: {tracebacks}")
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _articles(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/articles")
    return json.loads(conn.getresponse().read())["total"]


if __name__ == "__main__":
    sys.exit(main())
