"""Check the hand-made general-news quotation gold (tests/data/quotes_gold/news_*.jsonl).

The gold is only useful if an extractor can be scored on exactly the text the annotator read,
so every record stores that text, and this script checks that it still agrees with the corpus
it came from and that every annotated span is really in it:

* each record has the required fields, a known dataset and a non-empty stored `text`;
* each quote has a valid `kind` (direct, partial, reported), non-empty `text`, `speaker` and
  `verb`, and `text` occurs verbatim in the record's `text` at `start`;
* quotes are listed in document order (`start` never decreases);
* the stored text agrees with the corpus under ../shared/corpora when it is present: equal to
  the AEB `articleBody` or the Reuters `text`, and, for saved HTML pages, every paragraph occurs
  in the page's visible text (whitespace collapsed), so the page extraction cannot drift.

It prints counts per file and per kind, split into the development and held-out halves by the
one fixed rule (is_held_out), and exits 1 when any check fails.

Usage:

    python bench/validate_quotes_gold.py            # validate and print counts
    python bench/validate_quotes_gold.py --no-corpus  # skip the corpus comparison
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "data" / "quotes_gold"
CORPORA = ROOT.parent / "shared" / "corpora"
KINDS = ("direct", "partial", "reported")
DATASETS = {
    "aeb_scrapinghub": "aeb_scrapinghub",
    "webpages_trafilatura_htmldate": "webpages_trafilatura_htmldate",
    "readability_testpages": "readability_testpages",
    "reuters21578": "reuters21578",
}
RECORD_FIELDS = ("dataset", "doc_id", "file", "url", "title", "published", "text_source",
                 "quotes", "notes", "text")
QUOTE_FIELDS = ("kind", "text", "start", "speaker", "verb", "via")


def is_held_out(dataset: str, doc_id: str) -> bool:
    """The project's one fixed split rule (see the split brief): odd sha256 means held-out."""
    return int(hashlib.sha256(f"{dataset}/{doc_id}".encode()).hexdigest(), 16) % 2 == 1


def gold_files(gold_dir: Path = GOLD_DIR) -> list[Path]:
    return sorted(gold_dir.glob("news_*.jsonl"))


def load_records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _collapse(text: str) -> str:
    return " ".join(text.split())


def check_record(rec: dict[str, Any]) -> list[str]:
    """Structural checks that need nothing but the record itself."""
    errors: list[str] = []
    missing = [f for f in RECORD_FIELDS if f not in rec]
    if missing:
        return [f"missing fields {missing}"]
    if rec["dataset"] not in DATASETS:
        errors.append(f"unknown dataset {rec['dataset']!r}")
    text = rec["text"]
    if not isinstance(text, str) or not text.strip():
        return errors + ["empty text"]
    last = -1
    for i, q in enumerate(rec["quotes"]):
        where = f"quote {i}"
        absent = [f for f in QUOTE_FIELDS if f not in q]
        if absent:
            errors.append(f"{where}: missing {absent}")
            continue
        if q["kind"] not in KINDS:
            errors.append(f"{where}: bad kind {q['kind']!r}")
        for f in ("text", "speaker", "verb"):
            if not isinstance(q[f], str) or not q[f].strip():
                errors.append(f"{where}: empty {f}")
        qt, start = q["text"], q["start"]
        if not isinstance(start, int) or text[start:start + len(qt)] != qt:
            found = text.find(qt) if isinstance(qt, str) else -1
            errors.append(f"{where}: text not at start {start} (found at {found}): {qt[:50]!r}")
        elif start < last:
            errors.append(f"{where}: out of document order")
        else:
            last = start
    return errors


class Corpus:
    """Lazy access to the source texts under ../shared/corpora."""

    def __init__(self, root: Path = CORPORA) -> None:
        self.root = root
        self._aeb: dict[str, Any] | None = None
        self._reuters: dict[str, str] | None = None

    def available(self) -> bool:
        return self.root.is_dir()

    def aeb_body(self, doc_id: str) -> str | None:
        if self._aeb is None:
            with (self.root / "aeb_scrapinghub" / "ground-truth.json").open(encoding="utf-8") as fh:
                self._aeb = json.load(fh)
        item = self._aeb.get(doc_id)
        return None if item is None else str(item["articleBody"])

    def reuters_text(self, doc_id: str) -> str | None:
        if self._reuters is None:
            self._reuters = {}
            with gzip.open(self.root / "reuters21578" / "reuters21578.jsonl.gz", "rt",
                           encoding="utf-8") as fh:
                for line in fh:
                    row = json.loads(line)
                    self._reuters[row["id"]] = row["text"]
        return self._reuters.get(doc_id)

    def page_text(self, dataset: str, file: str) -> str:
        from bs4 import BeautifulSoup  # only needed for the HTML sets

        path = self.root / dataset / file
        soup = BeautifulSoup(gzip.open(path).read(), "lxml")
        for tag in soup(["script", "style", "noscript"]):
            tag.decompose()
        return _collapse(soup.get_text())


def check_against_corpus(rec: dict[str, Any], corpus: Corpus) -> list[str]:
    dataset, text = rec["dataset"], rec["text"]
    if dataset == "aeb_scrapinghub":
        body = corpus.aeb_body(rec["doc_id"])
        return [] if body == text else ["stored text differs from articleBody"]
    if dataset == "reuters21578":
        body = corpus.reuters_text(rec["doc_id"])
        return [] if body == text else ["stored text differs from reuters21578 text"]
    page = corpus.page_text(dataset, rec["file"])
    return [f"paragraph {i} not in page: {p[:50]!r}"
            for i, p in enumerate(text.split("\n\n")) if _collapse(p) not in page]


def validate(paths: list[Path], use_corpus: bool = True) -> tuple[list[str], dict[str, Any]]:
    """Return (errors, counts). Corpus checks run only when the corpora are present."""
    corpus = Corpus()
    use_corpus = use_corpus and corpus.available()
    errors: list[str] = []
    counts: dict[str, Any] = {"files": {}, "corpus_checked": use_corpus}
    seen: set[tuple[str, str]] = set()
    for path in paths:
        per: Counter[str] = Counter()
        for n, rec in enumerate(load_records(path), 1):
            label = f"{path.name}:{n} {rec.get('doc_id', '?')}"
            key = (rec.get("dataset", ""), rec.get("doc_id", ""))
            if key in seen:
                errors.append(f"{label}: duplicate record")
            seen.add(key)
            errs = check_record(rec)
            if not errs and use_corpus:
                errs = check_against_corpus(rec, corpus)
            errors.extend(f"{label}: {e}" for e in errs)
            half = "heldout" if is_held_out(str(key[0]), str(key[1])) else "dev"
            per["articles"] += 1
            per[f"articles_{half}"] += 1
            for q in rec.get("quotes", []):
                per[q.get("kind", "?")] += 1
                per[f"{q.get('kind', '?')}_{half}"] += 1
        counts["files"][path.name] = per
    return errors, counts


def print_counts(counts: dict[str, Any]) -> None:
    cols = ["articles", "direct", "partial", "reported"]
    print(f"{'file':<26}" + "".join(f"{c:>22}" for c in cols))
    print(f"{'':<26}" + "".join(f"{'all (dev/held-out)':>22}" for _ in cols))
    total: Counter[str] = Counter()
    for name, per in counts["files"].items():
        total.update(per)
        print(f"{name:<26}" + "".join(
            f"{per[c]:>10} ({per[c + '_dev']:>3}/{per[c + '_heldout']:>3})" for c in cols))
    print(f"{'total':<26}" + "".join(
        f"{total[c]:>10} ({total[c + '_dev']:>3}/{total[c + '_heldout']:>3})" for c in cols))
    print("corpus comparison:", "done" if counts["corpus_checked"] else "skipped")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-corpus", action="store_true",
                    help="skip comparing with ../shared/corpora")
    args = ap.parse_args(argv)
    errors, counts = validate(gold_files(), use_corpus=not args.no_corpus)
    print_counts(counts)
    for e in errors:
        print("ERROR", e)
    print(f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
