"""Median and p95 latency of GET /api/search through waitress over loopback (sequential requests).

    python bench/api_latency.py --index-dir /tmp/webix --query hostages -n 50

Build the index first: `parley index seeds samples --index-dir /tmp/webix`. Each server thread
opens its own searcher on its first request (about 0.5 s here), so every thread is warmed up by
concurrent requests first; that cold figure is printed separately and left out of median and p95.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.parse
import urllib.request

from waitress.server import create_server

from web import create_app


THREADS = 4


def get(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        total = json.load(response)["total"]
    return (time.perf_counter() - start) * 1000, total


def warm_up(url: str) -> float:
    """Concurrent requests so that every server thread has opened its searcher; the slowest."""
    cold: list[float] = []
    for _ in range(2):
        workers = [threading.Thread(target=lambda: cold.append(get(url)[0])) for _ in range(THREADS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    return max(cold)


def measure(base: str, query: str, n: int) -> tuple[float, list[float], int]:
    url = f"{base}/api/search?{urllib.parse.urlencode({'q': query})}"
    cold = warm_up(url)
    results = [get(url) for _ in range(n)]
    return cold, [ms for ms, _ in results], results[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", default="/tmp/webix")
    parser.add_argument("--query", default="hostages")
    parser.add_argument("-n", type=int, default=50)
    args = parser.parse_args()
    server = create_server(create_app({"INDEX_DIR": args.index_dir}), host="127.0.0.1", port=0,
                           threads=THREADS)
    threading.Thread(target=server.run, daemon=True).start()  # dies with the process
    first, timings, total = measure(f"http://127.0.0.1:{server.effective_port}", args.query, args.n)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"GET /api/search?q={args.query}: {total} hits, n={len(timings)}, "
          f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms "
          f"(cold first request per thread: up to {first:.0f} ms)")


if __name__ == "__main__":
    main()
