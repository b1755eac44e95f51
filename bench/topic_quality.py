"""Topic precision and recall per topic against hand-judged paragraphs, dev and held-out.

    python bench/topic_quality.py [--errors 10]

tests/data/topics_gold/gold.jsonl holds 320 paragraphs of four corpora (../shared/corpora:
Reuters negotiation stories, White House items that are not about Gaza, FigNews English
posts, AEB news pages), each with the topics of indexer/data/topics.json that truly apply,
judged by reading the paragraph (see tests/data/topics_gold/README.md). About 60% were
drawn among paragraphs the tagger gave a topic (so that each topic's precision has
material), the rest among paragraphs it gave none (for recall). A paragraph's text is read
from the corpus: the gold keeps its position and first 40 characters, as a check.

Split: split.md's rule on dataset and "<doc_id>#<paragraph>"; tune on dev, report held-out.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.lexicon import Lexicon, default_lexicon  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
GOLD = ROOT / "tests" / "data" / "topics_gold" / "gold.jsonl"
FILES = {
    "reuters21578_negotiations": CORPORA / "reuters21578" / "reuters21578_negotiations.jsonl",
    "whitehouse_2023-10_2025-01_other":
        CORPORA / "whitehouse_gaza" / "whitehouse_2023-10_2025-01_other.jsonl.gz",
    "fignews2024": CORPORA / "fignews2024" / "fignews2024_iaa.jsonl",
    "aeb_scrapinghub": CORPORA / "aeb_scrapinghub" / "ground-truth.json",
    # The whole 1987 wire (commodity pacts, strikes, sanctions, the Gulf war), without the
    # negotiation subset's stories: each paragraph sits in one dataset, so in one half.
    "reuters21578": CORPORA / "reuters21578" / "reuters21578.jsonl.gz",
    "whitehouse_gaza": CORPORA / "whitehouse_gaza" / "whitehouse_gaza.jsonl",
}


def held_out(dataset: str, item_id: str) -> bool:
    """split.md: odd sha256 of "dataset/id" is held-out."""
    return int(hashlib.sha256(f"{dataset}/{item_id}".encode()).hexdigest(), 16) % 2 == 1


def _texts(dataset: str) -> dict[str, str]:
    path = FILES[dataset]
    if dataset == "aeb_scrapinghub":
        return {k: v["articleBody"] for k, v in json.loads(path.read_text("utf-8")).items()}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        # FigNews: the English posts only (the taxonomy's words are English).
        texts = {r["id"]: r["text"] for r in map(json.loads, fh)
                 if r.get("lang", "English") == "English"}
    if dataset == "reuters21578":
        for doc_id in _texts("reuters21578_negotiations"):
            texts.pop(doc_id, None)
    return texts


def gold_paragraphs() -> list[tuple[dict, str]]:
    """Each gold record with its paragraph's text, read from the corpus and checked."""
    with open(GOLD, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    cache: dict[str, dict[str, str]] = {}
    out = []
    for rec in records:
        texts = cache.setdefault(rec["dataset"], _texts(rec["dataset"])) \
            if rec["dataset"] not in cache else cache[rec["dataset"]]
        text = texts[rec["doc_id"]].split("\n\n")[rec["paragraph"]].strip()
        if not text.startswith(rec["starts"]):
            raise ValueError(f"gold {rec['id']} no longer points at its paragraph")
        out.append((rec, text))
    return out


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def score(lexicon: Lexicon | None = None) -> dict[str, dict[str, Counts]]:
    """{half: {topic: Counts}}, with "all" the micro-average over topics."""
    lexicon = lexicon or default_lexicon()
    halves: dict[str, dict[str, Counts]] = {"dev": {}, "held-out": {}}
    for rec, text in gold_paragraphs():
        half = halves["held-out" if held_out(rec["dataset"], rec["id"]) else "dev"]
        predicted, truth = set(lexicon.find_topics(text)), set(rec["topics"])
        for topic in predicted | truth:
            for key in (topic, "all"):
                c = half.setdefault(key, Counts())
                if topic in predicted and topic in truth:
                    c.tp += 1
                elif topic in predicted:
                    c.fp += 1
                    if key != "all":
                        c.errors.append(f"FP {rec['id']}: {lexicon.explain_topics(text)[topic]}"
                                        f" :: {text[:160]}")
                else:
                    c.fn += 1
    return halves


def sample(dataset: str, n: int, *, topics: frozenset[str] = frozenset(), words: str = "",
           untagged: bool = False, seed: int = 20) -> None:
    """Print n paragraphs of 80-600 characters not yet in the gold, for judging by hand: among
    those the tagger gives one of `topics`, or whose text matches the regex `words`, or (with
    `untagged`) those it gives none. Seeded: the same call prints the same paragraphs."""
    import random
    import re

    lexicon = default_lexicon()
    with open(GOLD, encoding="utf-8") as fh:
        done = {json.loads(line)["id"] for line in fh if line.strip()}
    pattern = re.compile(words, re.I) if words else None
    pool = []
    for doc_id, text in sorted(_texts(dataset).items()):
        for i, para in enumerate(text.split("\n\n")):
            para = para.strip()
            if not 80 <= len(para) <= 600 or f"{doc_id}#{i}" in done:
                continue
            if pattern is not None and not pattern.search(para):
                continue
            predicted = set(lexicon.find_topics(para))
            if topics and not predicted & topics or untagged and predicted:
                continue
            pool.append({"dataset": dataset, "doc_id": doc_id, "paragraph": i,
                         "id": f"{doc_id}#{i}", "tagged": sorted(predicted), "starts": para[:40],
                         "text": para})
    for rec in random.Random(seed).sample(pool, min(n, len(pool))):
        print(json.dumps(rec, ensure_ascii=False))


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--errors", type=int, default=0, help="print this many dev false positives")
    ap.add_argument("--sample", metavar="DATASET", help="print paragraphs to judge (see sample())")
    ap.add_argument("-n", type=int, default=20, help="with --sample: how many")
    ap.add_argument("--topics", default="", help="with --sample: comma-separated tagged topics")
    ap.add_argument("--words", default="", help="with --sample: a regex the paragraph matches")
    ap.add_argument("--untagged", action="store_true", help="with --sample: no topic tagged")
    ap.add_argument("--seed", type=int, default=20)
    opts = ap.parse_args()
    if opts.sample:
        sample(opts.sample, opts.n, topics=frozenset(filter(None, opts.topics.split(","))),
               words=opts.words, untagged=opts.untagged, seed=opts.seed)
        return 0
    if not FILES["reuters21578_negotiations"].exists():
        print(f"corpora not found under {CORPORA}", file=sys.stderr)
        return 1
    halves = score()
    topics = sorted({t for h in halves.values() for t in h} - {"all"}) + ["all"]
    print("| topic | dev P | dev R | dev n | held-out P | held-out R | held-out n |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for t in topics:
        d, h = halves["dev"].get(t, Counts()), halves["held-out"].get(t, Counts())
        print(f"| {t} | {_fmt(d.precision)} | {_fmt(d.recall)} | {d.tp + d.fp}/{d.tp + d.fn} "
              f"| {_fmt(h.precision)} | {_fmt(h.recall)} | {h.tp + h.fp}/{h.tp + h.fn} |")
    print("(n = tagged/true paragraphs)")
    errors = [e for t, c in halves["dev"].items() if t != "all" for e in c.errors]
    for e in errors[: opts.errors]:
        print("  dev", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
