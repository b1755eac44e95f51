"""Where indexing's CPU goes: preparing paragraphs (split, tag, quotations) against Whoosh
writing them, each measured alone in one process.

    python bench/write_cost.py --size 10000     # ~1 min

Builds (or reuses) the speed benchmark's corpus (bench/corpus.py), prepares every article in
this process, then writes the prepared paragraphs to a fresh index in one commit
(PARLEY_INDEX_WORKERS=1: no tagging workers, no forked writer), --runs times. Prints CPU ms per
paragraph of each stage and the most paragraphs per second two cores could index if that stage
ran on both with nothing else to do. A command that prints figures, never a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ["PARLEY_INDEX_WORKERS"] = "1"  # before indexer reads it: everything in this process


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=10000, help="paragraphs in the corpus")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="timed writes (the median is printed)")
    ap.add_argument("--work", type=Path, default=None,
                    help="work dir (default bench/out/<size>-s<seed>, shared with speed.py)")
    opts = ap.parse_args()

    from corpus import build_corpus

    from indexer import Article, default_lexicon, prepare_article
    from indexer.sources import read_path
    from search.engines.embedded.writer import Batch, IndexWriter, document_for

    work = opts.work or HERE / "out" / f"{opts.size}-s{opts.seed}"
    files, _ = build_corpus(opts.size, opts.seed, work / "corpus")
    articles = [a for f in files for a in read_path(Path(f)) if isinstance(a, Article)]
    lexicon = default_lexicon()

    c0 = time.process_time()
    tagged = [prepare_article(a, lexicon) for a in articles]
    prepare = time.process_time() - c0
    docs = [document_for(tp) for paragraphs in tagged for tp in paragraphs]
    n = len(docs)

    writes = []
    for _ in range(opts.runs):
        with tempfile.TemporaryDirectory(prefix="parley-write-cost-") as tmp:
            batch = Batch()
            batch.docs.extend(docs)
            c0 = time.process_time()
            IndexWriter(Path(tmp) / "ix").commit(batch)
            writes.append(time.process_time() - c0)
            shutil.rmtree(tmp, ignore_errors=True)
    write = statistics.median(writes)

    def row(name: str, seconds: float) -> str:
        ms = seconds / n * 1000
        return f"| {name} | {seconds:.2f} | {ms:.3f} | {2000 / ms:,.0f} |"

    print(f"## Indexing CPU by stage, {n:,} paragraphs ({len(articles):,} articles), one process")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python "
          f"{sys.version.split()[0]}; write: median of {opts.runs}\n")
    print("| stage | CPU s | CPU ms / paragraph | two cores at best, paragraphs/s |")
    print("|---|---:|---:|---:|")
    print(row("prepare: split, tag, quotations (indexer.prepare_article)", prepare))
    print(row("write: Whoosh segment and Parley's term lists (IndexWriter.commit)", write))
    print(row("both", prepare + write))
    return 0


if __name__ == "__main__":
    sys.exit(main())
