"""The two engines on our judged journalist queries: same totals, facets and top 10?

    python bench/parity.py

Indexes the relevance paragraphs (bench/relevance.py: seeds, Reuters negotiations, a sample of
briefings) into the embedded engine and into the three-node test cluster
(scripts/opensearch-cluster, started if needed), runs every judged query (with its filters)
on both, and prints how many agree on total and on every facet count, and the mean top-10
overlap. A command that prints figures, never a test.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import relevance  # noqa: E402


def main() -> int:
    from indexer.errors import ParleyError
    from search import SearchRequest, search

    base = subprocess.run([str(ROOT / "scripts" / "opensearch-cluster"), "start"],
                          capture_output=True, text=True, check=True).stdout.split()[-1]
    work = HERE / "out" / "parity"
    embedded = relevance.build(work)
    cluster = f"opensearch+{base}/parley-parity-{uuid.uuid4().hex[:6]}"
    import indexer

    sample = work / "briefings-sample.jsonl"
    indexer.ingest([relevance.SEEDS, relevance.REUTERS, sample], cluster)
    same_total = same_facets = n = 0
    overlaps: list[float] = []
    differ: list[str] = []
    for item in relevance.load_gold():
        filters = {k: tuple(v) for k, v in item.get("filters", {}).items()}
        req = SearchRequest(text=item["query"], filters=filters, size=10)
        try:
            a, b = search(embedded, req), search(cluster, req)
        except ParleyError as exc:
            differ.append(f"{item['id']} {item['query']!r}: {exc}")
            continue
        n += 1
        same_total += a.total == b.total
        facets = lambda r: {k: [(v.value, v.count) for v in vs] for k, vs in r.facets.items()}  # noqa: E731
        same_facets += facets(a) == facets(b)
        ids_a, ids_b = [h.paragraph_id for h in a.hits], [h.paragraph_id for h in b.hits]
        if ids_a:
            overlaps.append(len(set(ids_a) & set(ids_b)) / len(ids_a))
        if a.total != b.total:
            differ.append(f"{item['id']} {item['query']!r}: {a.total} vs {b.total}")
    print(f"{n} judged queries on {sum(1 for _ in relevance.paragraphs(embedded))} paragraphs")
    print(f"identical totals: {same_total}/{n}; identical facet counts: {same_facets}/{n}; "
          f"mean top-10 overlap: {sum(overlaps) / max(1, len(overlaps)):.3f}")
    for line in differ[:15]:
        print("  differs:", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
