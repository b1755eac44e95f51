"""How long the quotations page (/quotes) takes on an index: p50/p95 per typical request.

    PYTHONPATH=. python bench/quotes_page.py --index /work/big/index --runs 7

Requests go through the Flask app in this process (the page as a reader gets it, templates
included), each --runs times after one warm-up; the first request of all (opening the index,
reading its column tables) is printed apart. --profile NAME prints where that request's time
goes. A command that prints figures, never a test.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

REQUESTS = {
    "start": "/quotes",
    "word": "/quotes?q=ceasefire",
    "word newest": "/quotes?q=hostages&sort=newest",
    "everything newest": "/quotes?sort=newest",
    "date range": "/quotes?q=talks&since=2024-01-01&until=2024-12-31",
    "range oldest": "/quotes?q=negotiations&sort=oldest&since=2023-10-07",
    "phrase": "/quotes?q=%22prime+minister%22",
    "reported": "/quotes?q=tariffs&kind=reported",
    "deep page": "/quotes?q=said&page=20",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--profile", default=None, help="one of: " + ", ".join(REQUESTS))
    ap.add_argument("--speaker", default=None,
                    help="also time /quotes?speaker=NAME (default: the most quoted speaker)")
    opts = ap.parse_args()

    import search as core
    from web import create_app

    client = create_app({"INDEX_DIR": str(opts.index)}).test_client()
    requests = dict(REQUESTS)
    t0 = time.perf_counter()
    first = client.get("/quotes?q=ceasefire")
    print(f"first request (opens the index): {1000 * (time.perf_counter() - t0):.0f} ms "
          f"[{first.status_code}]")
    speaker = opts.speaker or core.list_speakers(opts.index)[0]["speaker"]
    requests["one speaker"] = f"/quotes?speaker={speaker.replace(' ', '+')}"
    requests["speaker + word"] = f"/quotes?speaker={speaker.replace(' ', '+')}&q=ceasefire"
    if opts.profile:
        url = requests[opts.profile]
        client.get(url)
        prof = cProfile.Profile()
        prof.enable()
        client.get(url)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        return 0
    print(f"{'request':<20} {'p50 ms':>8} {'p95 ms':>8} {'status':>6}  url")
    all_times = []
    for name, url in requests.items():
        response = client.get(url)  # warm-up
        times = []
        for _ in range(opts.runs):
            t = time.perf_counter()
            response = client.get(url)
            times.append(1000 * (time.perf_counter() - t))
        all_times += times
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{name:<20} {statistics.median(times):>8.0f} {p95:>8.0f} "
              f"{response.status_code:>6}  {url}")
    all_times.sort()
    print(f"{'all':<20} {statistics.median(all_times):>8.0f} "
          f"{all_times[round(0.95 * (len(all_times) - 1))]:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
