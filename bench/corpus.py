"""Build a benchmark corpus of N paragraphs from real text, as JSONL files `parley index` reads.

Sources: Reuters-21578, the White House briefings (sample + the shared "other" file) and the
four seed articles. They are shuffled and replicated with variation until the target number of
paragraphs is reached: each copy after the first gets a new URL (so a new article id), a date
inside the ceasefire-talks period, an outlet from a fixed list, and a few word substitutions.
Everything is deterministic from the seed. Paragraph counts here are estimates (blank-line
blocks); the benchmark reports what the indexer actually split.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
SOURCES = [
    SHARED / "reuters21578" / "reuters21578.jsonl.gz",
    ROOT / "samples" / "whitehouse_gaza.jsonl.gz",
    SHARED / "whitehouse_gaza" / "whitehouse_2023-10_2025-01_other.jsonl.gz",
]
SEEDS = ROOT / "seeds"
ARTICLES_PER_FILE = 1000

OUTLETS = [
    "Reuters", "Associated Press", "AFP", "BBC", "Al Jazeera", "The Times of Israel", "Haaretz",
    "CNN", "The New York Times", "The Washington Post", "The Guardian", "NDTV", "Axios",
    "Financial Times", "Le Monde", "Der Spiegel", "Arab News", "The National", "Al-Monitor",
    "Middle East Eye", "Jerusalem Post", "Anadolu Agency", "Sky News", "France 24",
]
# Light, meaning-preserving swaps; each copy applies a random subset of them.
SUBSTITUTIONS = [
    ("said", "stated"), ("talks", "negotiations"), ("agreement", "deal"), ("officials", "sources"),
    ("percent", "pct"), ("government", "administration"), ("plans", "intends"),
    ("expected", "anticipated"), ("increase", "rise"), ("week", "weekend"), ("major", "key"),
    ("company", "firm"), ("told", "informed"), ("meeting", "session"), ("proposal", "offer"),
    ("help", "assist"), ("important", "significant"), ("people", "civilians"),
]
PERIOD_START, PERIOD_DAYS = date(2023, 10, 7), 640  # 2023-10-07 .. 2025-07


def load_base() -> list[dict]:
    """All source records as dicts with text/title/source/published/url/category."""
    records: list[dict] = []
    for path in SOURCES:
        if not path.is_file():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if isinstance(rec.get("text"), str) and rec["text"].strip():
                    records.append({k: rec.get(k) for k in
                                    ("text", "title", "source", "published", "url", "category")})
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest.get("articles", []):
        text = (SEEDS / entry["file"]).read_text(encoding="utf-8")
        records.append({"text": text, "title": entry.get("title"), "source": entry.get("outlet"),
                        "published": entry.get("published"), "url": entry.get("url"),
                        "credits": entry.get("credits") or [], "category": None})
    return records


def estimate_paragraphs(text: str) -> int:
    return max(1, sum(1 for block in re.split(r"\n\s*\n", text) if block.strip()))


def _vary(rec: dict, copy: int, index: int, rng: random.Random, pattern, table) -> dict:
    out = dict(rec)
    out["url"] = f"https://bench.parley.example/c{copy}/{index}"
    out["published"] = (PERIOD_START + timedelta(days=rng.randrange(PERIOD_DAYS))).isoformat()
    out["source"] = rng.choice(OUTLETS)
    out["text"] = pattern.sub(lambda m: table.get(m.group(0), m.group(0)), rec["text"])
    if rec.get("title"):
        out["title"] = pattern.sub(lambda m: table.get(m.group(0), m.group(0)), rec["title"])
    return out


def build_corpus(size: int, seed: int, out_dir: Path) -> tuple[list[Path], int]:
    """Write JSONL files holding about `size` paragraphs; returns (files, estimated paragraphs).

    An existing complete corpus for the same size and seed is reused.
    """
    done = out_dir / "DONE.json"
    if done.is_file():
        info = json.loads(done.read_text())
        return [out_dir / f for f in info["files"]], info["paragraphs"]
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    base = load_base()
    rng.shuffle(base)
    counts = [estimate_paragraphs(r["text"]) for r in base]
    files, written, copy, batch = [], 0, 0, []

    def flush() -> None:
        path = out_dir / f"part-{len(files):05d}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in batch)
        files.append(path)
        batch.clear()

    while written < size:
        chosen = rng.sample(SUBSTITUTIONS, k=rng.randint(2, 6)) if copy else []
        table = dict(chosen) | {a.capitalize(): b.capitalize() for a, b in chosen}
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, table)) + r")\b") if table else None
        for i, (rec, n) in enumerate(zip(base, counts, strict=True)):
            if written >= size:
                break
            batch.append(_vary(rec, copy, i, rng, pattern, table) if copy else rec)
            written += n
            if len(batch) >= ARTICLES_PER_FILE:
                flush()
        copy += 1
    if batch:
        flush()
    done.write_text(json.dumps({"files": [f.name for f in files], "paragraphs": written}))
    return files, written
