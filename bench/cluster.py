"""The cluster engine beside the embedded one, on the same paragraphs, in one run.

    python bench/cluster.py --corpus reuters          # Reuters-21578 (~105k paragraphs)
    python bench/cluster.py --size 1000000            # a replicated corpus (bench/corpus.py)
    python bench/cluster.py --size 1000000 --index-until 20:10   # stop growing at 20:10 UTC

Starts the three-node test cluster (scripts/opensearch-cluster) if it is not running, indexes
the corpus into both engines with the full pipeline (indexer.ingest), step by step and
interleaved (each step of files into one engine, then the other, so both see the same load of
a shared machine; with --index-until, no new step starts after that time and the figures are
for the size reached, said in the output), then serves each with
`create_app` under waitress in its own process and sends a query mix to /api/search (facets
and highlighted snippets, first page of 20) from 1, 8 and 32 concurrent clients, then again
at 8 clients with one node stopped. Prints one table; raw figures go to
bench/out/cluster-<corpus>.json. A command that prints figures, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
SCRIPT = ROOT / "scripts" / "opensearch-cluster"
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578" / "reuters21578.jsonl.gz"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

MIX = ["oil prices", "trade talks", '"interest rates"', "Japan tariffs", "OPEC negotiat*",
       "ceasefire", "hostages Qatar", "strike union", '"trade deficit"', "Baker Miyazawa",
       "dollar -yen", "wheat OR corn", "said", "agreement", "bank"]
FILTERS = [{}, {"sort": "newest"}, {"since": "1987-03-01", "until": "1987-03-31"},
           {"outlet": "Reuters"}]
SERVER = """
import sys
from waitress import serve
from web import create_app
serve(create_app({"INDEX_DIR": sys.argv[1]}), host="127.0.0.1", port=int(sys.argv[2]),
      threads=int(sys.argv[3]), ident="bench", asyncore_use_poll=True)
"""


def cluster(*args: str) -> str:
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def corpus_paths(name: str, size: int) -> list[Path]:
    if name == "reuters":
        return [REUTERS]
    from corpus import build_corpus

    files, _ = build_corpus(size, 1, OUT / f"{size}-s1")
    return files


def index_both(paths: list[Path], locations: dict[str, str], until: str | None,
               step_files: int) -> dict:
    """Index `paths` into every location, step_files files at a time, engine after engine."""
    import indexer

    stats = {name: {"paragraphs": 0, "seconds": 0.0} for name in locations}
    done_files = 0
    for first in range(0, len(paths), step_files):
        if until and first and time.strftime("%H:%M", time.gmtime()) >= until:
            break
        step = paths[first:first + step_files]
        for name, location in locations.items():
            start = time.perf_counter()
            report = indexer.ingest(step, location, rebuild=first == 0)
            stats[name]["seconds"] += time.perf_counter() - start
            stats[name]["paragraphs"] += report.paragraphs
        done_files += len(step)
        print(f"  {time.strftime('%H:%M:%S')} {done_files}/{len(paths)} files: " + ", ".join(
            f"{n} {s['paragraphs']} paragraphs in {s['seconds']:.0f} s"
            for n, s in stats.items()), flush=True)
    return {name: {"paragraphs": s["paragraphs"], "seconds": round(s["seconds"], 1),
                   "per_second": round(s["paragraphs"] / s["seconds"]) if s["seconds"] else 0,
                   "files": done_files, "of_files": len(paths)}
            for name, s in stats.items()}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(location: str, threads: int = 16) -> tuple[subprocess.Popen, int]:
    port = free_port()
    OUT.mkdir(exist_ok=True)
    log = open(OUT / f"server-{port}.log", "w")  # noqa: SIM115 - the server's lifetime
    proc = subprocess.Popen([sys.executable, "-c", SERVER, location, str(port), str(threads)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=x", timeout=5).read()
            return proc, port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the server for {location} did not start")


def load(port: int, clients: int, requests: int) -> dict:
    rng = random.Random(clients)
    urls = []
    for _ in range(requests):
        params = {"q": rng.choice(MIX), **rng.choice(FILTERS)}
        urls.append(f"http://127.0.0.1:{port}/api/search?{urllib.parse.urlencode(params)}")
    times: list[float] = []
    errors = [0]
    why: dict[str, int] = {}
    lock = threading.Lock()

    def client(mine: list[str]) -> None:
        for url in mine:
            start = time.perf_counter()
            try:
                urllib.request.urlopen(url, timeout=60).read()
            except OSError as exc:
                with lock:
                    errors[0] += 1
                    key = str(getattr(exc, "code", None) or exc)[:80]
                    why[key] = why.get(key, 0) + 1
                continue
            with lock:
                times.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=client, args=(urls[i::clients],)) for i in range(clients)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    times.sort()
    pick = (lambda p: round(times[min(len(times) - 1, int(p * len(times)))], 1)) if times \
        else (lambda p: None)
    return {"clients": clients, "requests": len(times), "errors": errors[0],
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": pick(0.95), "req_per_s": round(len(times) / wall, 1),
            **({"why": why} if why else {})}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", choices=("reuters", "replicated"), default="reuters")
    ap.add_argument("--size", type=int, default=1_000_000, help="paragraphs (replicated)")
    ap.add_argument("--requests", type=int, default=400, help="requests per load step")
    ap.add_argument("--shards", type=int, default=3)
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--index-until", metavar="HH:MM", help="UTC time after which no new "
                    "indexing step starts (the load steps run on the size reached)")
    ap.add_argument("--load-only", nargs=2, metavar=("EMBEDDED_DIR", "OPENSEARCH_LOCATION"),
                    help="skip indexing: run the load steps on two indexes made before")
    # The embedded engine holds each segment's files open in every server thread, so a large
    # archive added to in many runs holds thousands of descriptors; the server watches its
    # sockets with poll() as `parley serve` does (select() fails past descriptor 1024).
    ap.add_argument("--embedded-threads", type=int, default=16)
    ap.add_argument("--step-files", type=int, default=10, help="files per indexing step "
                    "(a file of bench/corpus.py holds 1000 articles, a few thousand paragraphs)")
    args = ap.parse_args(argv)
    if args.corpus == "replicated" or "--size" in (argv or sys.argv):
        args.corpus = "replicated"
    base = cluster("start")
    os.environ["PARLEY_OPENSEARCH_SHARDS"] = str(args.shards)
    os.environ["PARLEY_OPENSEARCH_REPLICAS"] = str(args.replicas)
    paths = corpus_paths(args.corpus, args.size)
    label = "reuters" if args.corpus == "reuters" else str(args.size)
    embedded = str(OUT / f"cluster-embedded-{label}")
    remote = f"opensearch+{base}/parley-bench-{label}-{uuid.uuid4().hex[:6]}"
    results: dict = {"corpus": label, "engines": {}}
    locations = {"embedded": embedded, "opensearch": remote}
    print(f"load {os.getloadavg()[0]:.1f} at the start", flush=True)
    if args.load_only:
        locations = dict(zip(locations, args.load_only, strict=True))
        before = json.loads((OUT / f"cluster-{label}.json").read_text())["engines"]
        indexed = {name: before[name]["index"] for name in locations}
    else:
        indexed = index_both(paths, locations, args.index_until, args.step_files)
    for name, location in locations.items():
        row: dict = {"index": indexed[name]}
        proc, port = serve(location, args.embedded_threads if name == "embedded" else 16)
        row["server_threads"] = args.embedded_threads if name == "embedded" else 16
        try:
            load(port, 4, 40)  # warm caches and connections
            row["load"] = [load(port, c, args.requests) for c in (1, 8, 32)]
            print(f"  {name}: {row['load']}", flush=True)
            if name == "opensearch":
                cluster("stop-node", "2")
                try:
                    row["node_down"] = load(port, 8, args.requests)
                finally:
                    cluster("start-node", "2")
        finally:
            proc.terminate()
            proc.wait(10)
        results["engines"][name] = row
    OUT.mkdir(exist_ok=True)
    (OUT / f"cluster-{label}.json").write_text(json.dumps(results, indent=2))
    first = results["engines"]["embedded"]["index"]
    print(f"corpus {label}: {first['paragraphs']} paragraphs indexed "
          f"({first['files']} of {first['of_files']} files), load "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"{'engine':<11} {'index p/s':>9} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'req/s':>7} {'errors':>6}")
    for name, row in results["engines"].items():
        steps = [*row["load"], *([dict(row["node_down"], clients="8*")] if "node_down" in row
                                 else [])]
        for i, step in enumerate(steps):
            ips = row["index"]["per_second"] if i == 0 else ""
            print(f"{name if i == 0 else '':<11} {ips:>9} {step['clients']:>7} "
                  f"{step['p50_ms']!s:>8} {step['p95_ms']!s:>8} {step['req_per_s']:>7} "
                  f"{step['errors']:>6}")
    print("8* = 8 clients with one of the three nodes stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
