"""Server memory and latency under concurrent clients: `parley serve` on loopback, N clients.

Prints requests, wall time, p50/p95 latency of /api/search and the server's resident memory
after the run. Loopback only; bounded by the number of requests. A figure, never a test.

    python bench/server_memory.py --index-dir IDX [--clients 8] [--requests 12] [--src DIR]

--src runs another checkout's code (e.g. a `git worktree` of an older commit) for a
before/after comparison on the same index.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

QUERIES = ["hostages", "ceasefire Qatar", "Kirby", "humanitarian aid", '"hostage deal"', "Rafah",
           "Sinwar", "Egypt"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(src: Path, index_dir: str, port: int) -> subprocess.Popen:
    code = f"import sys; sys.path.insert(0, {str(src)!r}); from web.cli import cli; cli()"
    args = [sys.executable, "-c", code, "serve", "--index-dir", index_dir, "--port", str(port),
            "--no-samples", "--threads", "8"]
    server = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    for _ in range(100):  # wait until it answers, at most ~20 s
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/articles", timeout=5).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("server did not start")


def rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def run(port: int, clients: int, requests: int) -> tuple[list[float], float]:
    latencies: list[float] = []

    def client(i: int) -> None:
        for j in range(requests):
            q = urllib.parse.quote(QUERIES[(i + j) % len(QUERIES)])
            start = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={q}", timeout=120).read()
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=12, help="per client")
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    port = free_port()
    server = start_server(args.src, args.index_dir, port)
    try:
        latencies, wall = run(port, args.clients, args.requests)
        memory = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(f"{args.src}: {len(latencies)} requests from {args.clients} clients in {wall:.1f} s, "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"server RSS {memory} MB (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
