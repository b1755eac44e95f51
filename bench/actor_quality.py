"""Actor recall and precision against hand-made gold, development and held-out halves.

    python bench/actor_quality.py [--errors 10] [--sample N]

Recall: tests/data/actors_gold/gold.jsonl lists, for 40 articles of three corpora
(../shared/corpora: Reuters negotiations, AEB news pages, FigNews English posts), the people
and organisations each names, written down by reading the text (alternatives "A|B" are one
actor). An actor is found when one of its forms is among the actors tagged on the
article's paragraphs (case-insensitive).

Precision: tests/data/actors_gold/judged.jsonl holds actors the tagger found (and the seed
lexicon does not know) in those articles, in every 9th Reuters negotiation story and every
9th White House item, each judged by hand: ok=true when it is a real person, organisation
or state, named in full and not cut or glued to another name (fictional characters,
programmes, places such as "Oval Office" and media are not actors).
`--sample N` prints N found actors not yet judged, for extending the set.

Split: split.md's rule on dataset/doc_id; tune on dev, report held-out.
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

from indexer import prepare_article  # noqa: E402
from indexer.lexicon import Lexicon, default_lexicon  # noqa: E402
from indexer.models import Article  # noqa: E402
from indexer.sources import build_article  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
GOLD = ROOT / "tests" / "data" / "actors_gold"
FILES = {
    "reuters21578_negotiations": CORPORA / "reuters21578" / "reuters21578_negotiations.jsonl",
    "fignews2024": CORPORA / "fignews2024" / "fignews2024_iaa.jsonl",
    "whitehouse_gaza": CORPORA / "whitehouse_gaza" / "whitehouse_gaza.jsonl",
    "aeb_scrapinghub": CORPORA / "aeb_scrapinghub" / "ground-truth.json",
}


def held_out(dataset: str, doc_id: str) -> bool:
    """split.md: odd sha256 of "dataset/doc_id" is held-out."""
    return int(hashlib.sha256(f"{dataset}/{doc_id}".encode()).hexdigest(), 16) % 2 == 1


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class Sources:
    """Corpus records by dataset and id, each file read once."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, dict]] = {}

    def _records(self, dataset: str) -> dict[str, dict]:
        if dataset not in self._cache:
            path = FILES[dataset]
            if dataset == "aeb_scrapinghub":
                truth = json.loads(path.read_text(encoding="utf-8"))
                self._cache[dataset] = {k: {"text": v["articleBody"], "url": v["url"]}
                                        for k, v in truth.items()}
            else:
                opener = gzip.open if path.suffix == ".gz" else open
                with opener(path, "rt", encoding="utf-8") as fh:
                    self._cache[dataset] = {r["id"]: r for r in map(json.loads, fh)}
        return self._cache[dataset]

    def article(self, dataset: str, doc_id: str) -> Article:
        record = self._records(dataset)[doc_id]
        return build_article(record["text"], f"{FILES[dataset]}:{doc_id}", record)


def found_actors(article: Article, lexicon: Lexicon) -> list[str]:
    return list(dict.fromkeys(a for t in prepare_article(article, lexicon) for a in t.actors))


@dataclass
class Half:
    gold: int = 0
    hit: int = 0
    judged: int = 0
    ok: int = 0
    unjudged: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.hit / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.ok / self.judged if self.judged else 0.0


def score(lexicon: Lexicon | None = None, kinds: tuple[str, ...] = ("people", "organisations")
          ) -> dict[str, Half]:
    """Recall on gold.jsonl and precision on judged.jsonl, by half ("dev", "held-out")."""
    lexicon = lexicon or default_lexicon()
    sources = Sources()
    halves = {"dev": Half(), "held-out": Half()}
    for rec in read_jsonl(GOLD / "gold.jsonl"):
        half = halves["held-out" if held_out(rec["dataset"], rec["doc_id"]) else "dev"]
        found = {a.casefold() for a in found_actors(sources.article(rec["dataset"], rec["doc_id"]),
                                                    lexicon)}
        for kind in kinds:
            for entry in rec[kind]:
                half.gold += 1
                if any(form.casefold() in found for form in entry.split("|")):
                    half.hit += 1
                else:
                    half.missed.append(f"{rec['doc_id']}: {entry}")
    # Precision is scored on what the tagger finds now: judged pairs it no longer finds drop
    # out, and found pairs nobody judged yet are counted apart (extend with --sample).
    judged: dict[tuple[str, str], dict] = {}
    for rec in read_jsonl(GOLD / "judged.jsonl"):
        judged[(rec["dataset"], rec["doc_id"])] = judged.get((rec["dataset"], rec["doc_id"]), {})
        judged[(rec["dataset"], rec["doc_id"])][rec["actor"]] = rec["ok"]
    for (dataset, doc_id), verdicts in judged.items():
        half = halves["held-out" if held_out(dataset, doc_id) else "dev"]
        for actor in found_actors(sources.article(dataset, doc_id), lexicon):
            if actor in lexicon.actors:
                continue
            if actor not in verdicts:
                half.unjudged += 1
                continue
            half.judged += 1
            half.ok += verdicts[actor]
            if not verdicts[actor]:
                half.wrong.append(f"{doc_id}: {actor}")
    return halves


def sample(n: int, lexicon: Lexicon) -> None:
    """Found actors that the lexicon does not know, not yet judged: material for judged.jsonl."""
    sources = Sources()
    done = {(r["doc_id"], r["actor"]) for r in read_jsonl(GOLD / "judged.jsonl")}
    docs = [(r["dataset"], r["doc_id"]) for r in read_jsonl(GOLD / "gold.jsonl")]
    # Beyond the gold articles: every 9th Reuters negotiation story and White House item.
    for dataset in ("reuters21578_negotiations", "whitehouse_gaza"):
        docs += [(dataset, i) for i in list(sources._records(dataset))[::9]]
    for dataset, doc_id in docs:
        for actor in found_actors(sources.article(dataset, doc_id), lexicon):
            if actor not in lexicon.actors and (doc_id, actor) not in done and n > 0:
                n -= 1
                print(json.dumps({"dataset": dataset, "doc_id": doc_id,
                                  "actor": actor, "ok": None}, ensure_ascii=False))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--errors", type=int, default=0, help="print this many dev misses/wrongs")
    ap.add_argument("--sample", type=int, default=0, help="print unjudged found actors")
    opts = ap.parse_args()
    if not FILES["reuters21578_negotiations"].exists():
        print(f"corpora not found under {CORPORA}", file=sys.stderr)
        return 1
    if opts.sample:
        sample(opts.sample, default_lexicon())
        return 0
    halves = score()
    print("| half | gold actors | recall | judged found actors | precision | unjudged |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, h in halves.items():
        print(f"| {name} | {h.gold} | {h.recall:.3f} | {h.judged} | {h.precision:.3f} "
              f"| {h.unjudged} |")
    for line in (halves["dev"].missed + halves["dev"].wrong)[: opts.errors]:
        print("  dev error:", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
