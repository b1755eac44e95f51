"""Extraction quality of indexer.html against trafilatura and htmldate, on the shared gold sets.

Not a timed test: it scores Parley and, in the same run, trafilatura and htmldate used
directly (default settings), and prints one table (rows = gold set and measure, columns =
Parley, trafilatura, htmldate). tests/test_html.py imports the loaders and scorers from here
to pin Parley's floors on a sample.

    python bench/html_quality.py [--sample N] [--jobs J]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
SYSTEMS = ("Parley", "trafilatura", "htmldate")


@dataclass(frozen=True)
class GoldPage:
    """One page of a gold set: its bytes, URL and whatever the set annotates."""

    set_name: str
    page_id: str
    html: bytes
    url: str | None
    gold: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Output:
    """What one system extracted from one page (None: the system does not do that)."""

    text: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None


# ---------------------------------------------------------------------------------------------
# Gold sets


def _gunzip(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def _html_text(html: bytes) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "lxml").get_text(" ")


def load_aeb(root: Path = CORPORA) -> list[GoldPage]:
    base = root / "aeb_scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        GoldPage("aeb_scrapinghub", key, _gunzip(base / "html" / f"{key}.html.gz"), v.get("url"),
                 {"body": v["articleBody"]})
        for key, v in sorted(truth.items())
    ]


def load_webpages(root: Path = CORPORA) -> list[GoldPage]:
    base = root / "webpages_trafilatura_htmldate"
    rows = [json.loads(line) for line in (base / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    return [
        GoldPage("webpages_trafilatura_htmldate", r["id"], _gunzip(base / r["file"]),
                 r["url"] if str(r.get("url", "")).startswith("http") else None, r)
        for r in rows
    ]


def load_mediacloud(root: Path = CORPORA) -> list[GoldPage]:
    base = root / "htmldate_mediacloud2020"
    rows = [json.loads(line) for line in (base / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    return [GoldPage("htmldate_mediacloud2020", r["id"], _gunzip(base / r["file"]), r["url"], r) for r in rows]


def load_readability(root: Path = CORPORA) -> list[GoldPage]:
    base = root / "readability_testpages"
    rows = [json.loads(line) for line in (base / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    pages = []
    for r in rows:
        page_dir = base / r["dir"]
        gold = dict(r["meta"], body=_html_text(_gunzip(page_dir / "expected.html.gz")))
        pages.append(GoldPage("readability_testpages", r["id"], _gunzip(page_dir / "source.html.gz"), None, gold))
    return pages


LOADERS: dict[str, Callable[[Path], list[GoldPage]]] = {
    "aeb_scrapinghub": load_aeb,
    "webpages_trafilatura_htmldate": load_webpages,
    "htmldate_mediacloud2020": load_mediacloud,
    "readability_testpages": load_readability,
}


def sample(pages: list[GoldPage], n: int | None) -> list[GoldPage]:
    """n pages spread evenly over the set (deterministic), or all of them."""
    if not n or n >= len(pages):
        return pages
    step = len(pages) / n
    return [pages[int(i * step)] for i in range(n)]


# ---------------------------------------------------------------------------------------------
# Systems


def run_parley(page: GoldPage) -> Output:
    from indexer.errors import InputError
    from indexer.html import read_html

    try:
        art = read_html(page.html, path=page.page_id, url=page.url)
    except InputError:
        return Output(text="")
    return Output(text=art.text, title=art.title, author=art.byline, date=art.published)


def run_trafilatura(page: GoldPage) -> Output:
    import trafilatura

    doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if doc is None:
        return Output(text="")
    return Output(text=doc.text or "", title=doc.title, author=doc.author, date=doc.date)


def run_htmldate(page: GoldPage) -> Output:
    import htmldate

    try:
        return Output(date=htmldate.find_date(page.html, url=page.url))
    except ValueError:
        return Output()


RUNNERS = {"Parley": run_parley, "trafilatura": run_trafilatura, "htmldate": run_htmldate}


def run_page(args: tuple[str, GoldPage]) -> Output:
    system, page = args
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RUNNERS[system](page)


# ---------------------------------------------------------------------------------------------
# Measures


def tokens(text: str | None) -> Counter:
    return Counter(re.findall(r"\w+", (text or "").casefold()))


def prf(predicted: str | None, gold: str) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall and F1 (the Scrapinghub benchmark's measure)."""
    pred, ref = tokens(predicted), tokens(gold)
    common = sum((pred & ref).values())
    p = common / sum(pred.values()) if pred else 0.0
    r = common / sum(ref.values()) if ref else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def norm(value: str | None) -> str:
    value = re.sub(r"^\s*by\s+", "", value or "", flags=re.I)
    return " ".join(re.findall(r"\w+", value.casefold()))


def same_author(predicted: str | None, gold: str) -> bool:
    """Equal as name sets (gold joins several authors with '; ')."""
    split = lambda s: {norm(a) for a in re.split(r";|,|\band\b|&", s or "") if norm(a)}  # noqa: E731
    return bool(predicted) and split(predicted) == split(gold)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score(set_name: str, pages: list[GoldPage], out: dict[str, list[Output]]) -> dict[str, dict[str, float]]:
    """Measure name -> system -> score, for the systems that do that measure."""
    return SCORERS[set_name](pages, out)


def _body_rows(pages, out) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {"body P": {}, "body R": {}, "body F1": {}}
    for s in out:
        scores = [prf(o.text, p.gold["body"]) for p, o in zip(pages, out[s], strict=True)]
        for i, name in enumerate(("body P", "body R", "body F1")):
            rows[name][s] = mean([sc[i] for sc in scores])
    return rows


def _as_text(value: object) -> str | None:
    """Gold values are strings, lists of strings (several authors) or empty."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v) or None
    return value or None


def _accuracy(pages, outputs, key, same) -> float:
    pairs = [(_as_text(p.gold.get(key)), o) for p, o in zip(pages, outputs, strict=True)]
    judged = [same(o, g) for g, o in pairs if g]
    return mean([float(j) for j in judged])


def score_aeb(pages, out):
    return _body_rows(pages, out)


def _date_gold(page: GoldPage) -> str | None:
    return page.gold.get("gold_date") or page.gold.get("gold_date_htmldate") or page.gold.get("date")


def score_webpages(pages, out):
    rows: dict[str, dict[str, float]] = {"title acc": {}, "author acc": {}, "date acc": {}, "with found": {},
                                          "without absent": {}}
    dated = [dict(p.gold, date=_date_gold(p)) for p in pages]
    for s in [s for s in ("Parley", "trafilatura") if s in out]:
        o = out[s]
        rows["title acc"][s] = _accuracy(pages, o, "gold_title", lambda x, g: norm(x.title) == norm(g))
        rows["author acc"][s] = _accuracy(pages, o, "gold_author", lambda x, g: same_author(x.author, g))
        found, absent = [], []
        for p, x in zip(pages, o, strict=True):
            text = " ".join((x.text or "").split())
            found += [float(" ".join(w.split()) in text) for w in p.gold.get("with", [])]
            absent += [float(" ".join(w.split()) not in text) for w in p.gold.get("without", [])]
        rows["with found"][s], rows["without absent"][s] = mean(found), mean(absent)
    for s in out:
        rows["date acc"][s] = mean([float(x.date == g["date"]) for g, x in zip(dated, out[s], strict=True)
                                    if g["date"]])
    return rows


def score_mediacloud(pages, out):
    return {"date acc": {s: _accuracy(pages, out[s], "gold_date", lambda x, g: x.date == g) for s in out}}


def score_readability(pages, out):
    rows = {"title acc": {}, "byline acc": {}}
    for s in [s for s in ("Parley", "trafilatura") if s in out]:
        rows["title acc"][s] = _accuracy(pages, out[s], "title", lambda x, g: norm(x.title) == norm(g))
        rows["byline acc"][s] = _accuracy(pages, out[s], "byline", lambda x, g: norm(x.author) == norm(g))
    rows.update({"body F1": _body_rows(pages, out)["body F1"]})
    return rows


SCORERS = {
    "aeb_scrapinghub": score_aeb,
    "webpages_trafilatura_htmldate": score_webpages,
    "htmldate_mediacloud2020": score_mediacloud,
    "readability_testpages": score_readability,
}
SYSTEMS_FOR = {
    "aeb_scrapinghub": ("Parley", "trafilatura"),
    "webpages_trafilatura_htmldate": SYSTEMS,
    "htmldate_mediacloud2020": SYSTEMS,
    "readability_testpages": ("Parley", "trafilatura"),
}


def run_set(set_name: str, pages: list[GoldPage], systems: tuple[str, ...], jobs: int = 1):
    """Outputs of each system on each page, in page order."""
    out: dict[str, list[Output]] = {}
    for s in systems:
        work = [(s, p) for p in pages]
        if jobs > 1:
            with ProcessPoolExecutor(jobs) as pool:
                out[s] = list(pool.map(run_page, work, chunksize=4))
        else:
            out[s] = [run_page(w) for w in work]
    return out


def evaluate(sample_n: int | None, jobs: int, systems: tuple[str, ...] = SYSTEMS) -> Iterator[tuple[str, str, dict]]:
    for set_name, loader in LOADERS.items():
        pages = sample(loader(CORPORA), sample_n)
        wanted = tuple(s for s in SYSTEMS_FOR[set_name] if s in systems)
        out = run_set(set_name, pages, wanted, jobs)
        for measure, by_system in score(set_name, pages, out).items():
            yield f"{set_name} (n={len(pages)})", measure, by_system


def format_table(rows: list[tuple[str, str, dict]]) -> str:
    head = f"{'gold set':<40} {'measure':<15}" + "".join(f"{s:>12}" for s in SYSTEMS)
    lines = [head, "-" * len(head)]
    for set_label, measure, by_system in rows:
        cells = "".join(f"{by_system[s]:>12.3f}" if s in by_system else f"{'—':>12}" for s in SYSTEMS)
        lines.append(f"{set_label:<40} {measure:<15}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=None, help="pages per gold set (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"gold sets not found at {CORPORA}", file=sys.stderr)
        return 1
    print(format_table(list(evaluate(args.sample, args.jobs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
