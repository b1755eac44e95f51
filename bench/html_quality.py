"""Extraction quality of indexer.html beside trafilatura, htmldate and newspaper4k, on gold sets.

Not a timed test: it scores Parley and, in the same run, trafilatura, htmldate and newspaper4k
used directly (default settings), and prints one table: rows = gold set, language and measure;
columns = each system on the development half, then on the held-out half (split.md's rule,
`held_out()`). The hand-checked page set (tests/data/pages_gold/) is also scored by language.
tests/test_html.py imports the loaders and scorers from here to pin Parley's held-out floors.

    python bench/html_quality.py [--sample N] [--jobs J] [--sets NAME,...]
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import json
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
PAGES_GOLD = ROOT / "tests" / "data" / "pages_gold" / "mediacloud_pages.jsonl"
SYSTEMS = ("Parley", "trafilatura", "htmldate", "newspaper4k")
HALVES = ("dev", "held-out")


def held_out(dataset: str, item_id: str) -> bool:
    """split.md: an item is held out when sha256("dataset/id") is odd."""
    return int(hashlib.sha256(f"{dataset}/{item_id}".encode()).hexdigest(), 16) % 2 == 1


@dataclass(frozen=True)
class GoldPage:
    """One page of a gold set: its bytes, URL and whatever the set annotates."""

    set_name: str
    page_id: str
    html: bytes
    url: str | None
    gold: dict = field(default_factory=dict)

    @property
    def half(self) -> str:
        return (
            "held-out"
            if held_out(self.gold.get("dataset") or self.set_name, self.page_id)
            else "dev"
        )


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
        GoldPage(
            "aeb_scrapinghub",
            key,
            _gunzip(base / "html" / f"{key}.html.gz"),
            v.get("url"),
            {"body": v["articleBody"]},
        )
        for key, v in sorted(truth.items())
    ]


def load_webpages(root: Path = CORPORA) -> list[GoldPage]:
    base = root / "webpages_trafilatura_htmldate"
    rows = [
        json.loads(line) for line in (base / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return [
        GoldPage(
            "webpages_trafilatura_htmldate",
            r["id"],
            _gunzip(base / r["file"]),
            r["url"] if str(r.get("url", "")).startswith("http") else None,
            r,
        )
        for r in rows
    ]


def load_mediacloud(root: Path = CORPORA) -> list[GoldPage]:
    base = root / "htmldate_mediacloud2020"
    rows = [
        json.loads(line) for line in (base / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return [
        GoldPage("htmldate_mediacloud2020", r["id"], _gunzip(base / r["file"]), r["url"], r)
        for r in rows
    ]


def load_readability(root: Path = CORPORA) -> list[GoldPage]:
    base = root / "readability_testpages"
    rows = [
        json.loads(line) for line in (base / "index.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    pages = []
    for r in rows:
        page_dir = base / r["dir"]
        gold = dict(r["meta"], body=_html_text(_gunzip(page_dir / "expected.html.gz")))
        pages.append(
            GoldPage(
                "readability_testpages", r["id"], _gunzip(page_dir / "source.html.gz"), None, gold
            )
        )
    return pages


def load_pages(root: Path = CORPORA) -> list[GoldPage]:
    """Our own hand-checked pages (headline, day, lead); the HTML comes from the corpora."""
    rows = [
        json.loads(line) for line in PAGES_GOLD.read_text(encoding="utf-8").splitlines() if line
    ]
    return [GoldPage("parley_pages", r["id"], _gunzip(root / r["file"]), r["url"], r) for r in rows]


LOADERS: dict[str, Callable[[Path], list[GoldPage]]] = {
    "parley_pages": load_pages,
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


def run_newspaper(page: GoldPage) -> Output:
    # Default settings, HTML given: newspaper4k fetches nothing; its NLP (NLTK data) is not used.
    import newspaper

    article = newspaper.Article(page.url or "http://example.invalid/", fetch_images=False)
    try:
        article.download(input_html=page.html.decode("utf-8", "replace"))
        article.parse()
    except Exception:  # noqa: BLE001 - a failure on one page scores as nothing extracted
        return Output(text="")
    day = article.publish_date.date().isoformat() if article.publish_date else None
    return Output(
        text=article.text or "",
        title=article.title or None,
        date=day,
        author="; ".join(article.authors) or None,
    )


RUNNERS = {
    "Parley": run_parley,
    "trafilatura": run_trafilatura,
    "htmldate": run_htmldate,
    "newspaper4k": run_newspaper,
}


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


def score(
    set_name: str, pages: list[GoldPage], out: dict[str, list[Output]]
) -> dict[str, dict[str, float]]:
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
    return (
        page.gold.get("gold_date") or page.gold.get("gold_date_htmldate") or page.gold.get("date")
    )


def score_webpages(pages, out):
    rows: dict[str, dict[str, float]] = {
        "title acc": {},
        "author acc": {},
        "date acc": {},
        "with found": {},
        "without absent": {},
    }
    dated = [dict(p.gold, date=_date_gold(p)) for p in pages]
    for s in [s for s in out if s != "htmldate"]:
        o = out[s]
        rows["title acc"][s] = _accuracy(
            pages, o, "gold_title", lambda x, g: norm(x.title) == norm(g)
        )
        rows["author acc"][s] = _accuracy(
            pages, o, "gold_author", lambda x, g: same_author(x.author, g)
        )
        found, absent = [], []
        for p, x in zip(pages, o, strict=True):
            text = " ".join((x.text or "").split())
            found += [float(" ".join(w.split()) in text) for w in p.gold.get("with", [])]
            absent += [float(" ".join(w.split()) not in text) for w in p.gold.get("without", [])]
        rows["with found"][s], rows["without absent"][s] = mean(found), mean(absent)
    for s in out:
        rows["date acc"][s] = mean(
            [float(x.date == g["date"]) for g, x in zip(dated, out[s], strict=True) if g["date"]]
        )
    return rows


def score_mediacloud(pages, out):
    return {
        "date acc": {
            s: _accuracy(pages, out[s], "gold_date", lambda x, g: x.date == g) for s in out
        }
    }


def score_readability(pages, out):
    rows = {"title acc": {}, "byline acc": {}}
    for s in [s for s in out if s != "htmldate"]:
        rows["title acc"][s] = _accuracy(
            pages, out[s], "title", lambda x, g: norm(x.title) == norm(g)
        )
        rows["byline acc"][s] = _accuracy(
            pages, out[s], "byline", lambda x, g: norm(x.author) == norm(g)
        )
    rows.update({"body F1": _body_rows(pages, out)["body F1"]})
    return rows


def score_pages(pages, out):
    """Headline exact and fuzzy, date exact and lead recall on the hand-checked page set."""
    rows: dict[str, dict[str, float]] = {
        "headline exact": {},
        "headline fuzzy": {},
        "date exact": {},
        "lead recall": {},
    }
    for s in out:
        pairs = list(zip(pages, out[s], strict=True))
        rows["date exact"][s] = mean(
            [float(o.date == p.gold["date"]) for p, o in pairs if p.gold["date"]]
        )
        if s == "htmldate":
            continue
        rows["headline exact"][s] = mean(
            [float(norm(o.title) == norm(p.gold["headline"])) for p, o in pairs]
        )
        rows["headline fuzzy"][s] = mean([fuzzy(o.title, p.gold["headline"]) for p, o in pairs])
        rows["lead recall"][s] = mean([recall(o.text, p.gold["lead"]) for p, o in pairs])
    return rows


# Scripts written without spaces between words: each character counts as one token.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def script_tokens(text: str | None) -> Counter:
    """Word tokens, casefolded; Thai, kana and Han characters one by one."""
    spaced = _UNSPACED.sub(lambda m: f" {m.group(0)} ", (text or "").casefold())
    return Counter(re.findall(r"\w+", spaced))


def recall(predicted: str | None, gold: str) -> float:
    """Share of the gold's tokens (bag) found in the prediction."""
    ref = script_tokens(gold)
    return sum((script_tokens(predicted) & ref).values()) / sum(ref.values()) if ref else 0.0


def fuzzy(predicted: str | None, gold: str) -> float:
    """Character similarity of the normalised headlines (difflib ratio, 0..1)."""
    return difflib.SequenceMatcher(None, norm(predicted), norm(gold), autojunk=False).ratio()


SCORERS = {
    "parley_pages": score_pages,
    "aeb_scrapinghub": score_aeb,
    "webpages_trafilatura_htmldate": score_webpages,
    "htmldate_mediacloud2020": score_mediacloud,
    "readability_testpages": score_readability,
}
SYSTEMS_FOR = {
    "parley_pages": SYSTEMS,
    "aeb_scrapinghub": ("Parley", "trafilatura", "newspaper4k"),
    "webpages_trafilatura_htmldate": SYSTEMS,
    "htmldate_mediacloud2020": SYSTEMS,
    "readability_testpages": ("Parley", "trafilatura", "newspaper4k"),
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


Row = tuple[
    str, str, str, dict[str, dict[str, float]]
]  # set, group, measure, half -> system -> score


def score_halves(
    set_name: str, pages: list[GoldPage], out: dict[str, list[Output]], group: str = "all"
) -> list[Row]:
    """One row per measure: the scores of each half, side by side."""
    by_half: dict[str, dict[str, dict[str, float]]] = {}
    for half in HALVES:
        keep = [i for i, p in enumerate(pages) if p.half == half]
        if keep:
            part = {s: [o[i] for i in keep] for s, o in out.items()}
            by_half[half] = score(set_name, [pages[i] for i in keep], part)
    measures = dict.fromkeys(m for h in by_half.values() for m in h)
    return [(set_name, group, m, {h: by_half[h].get(m, {}) for h in by_half}) for m in measures]


def score_set(set_name: str, pages: list[GoldPage], out: dict[str, list[Output]]) -> list[Row]:
    """All rows of one set; the page set is also scored language by language."""
    rows = score_halves(set_name, pages, out)
    if set_name == "parley_pages":
        for lang in sorted({p.gold["lang"] for p in pages}):
            keep = [i for i, p in enumerate(pages) if p.gold["lang"] == lang]
            part = {s: [o[i] for i in keep] for s, o in out.items()}
            rows += score_halves(set_name, [pages[i] for i in keep], part, lang)
    return rows


def held_out_scores(
    set_name: str, sample_n: int | None, system: str = "Parley", root: Path = CORPORA
) -> dict[tuple[str, str], float]:
    """(group, measure) -> one system's score on the held-out half (an even sample of it)."""
    pages = sample([p for p in LOADERS[set_name](root) if p.half == "held-out"], sample_n)
    out = run_set(set_name, pages, (system,))
    return {
        (group, measure): by_half["held-out"][system]
        for _, group, measure, by_half in score_set(set_name, pages, out)
        if system in by_half.get("held-out", {})
    }


def evaluate(
    sample_n: int | None,
    jobs: int,
    systems: tuple[str, ...] = SYSTEMS,
    sets: tuple[str, ...] = tuple(LOADERS),
) -> Iterator[Row]:
    for set_name in sets:
        pages = sample(LOADERS[set_name](CORPORA), sample_n)
        wanted = tuple(s for s in SYSTEMS_FOR[set_name] if s in systems)
        out = run_set(set_name, pages, wanted, jobs)
        counts = Counter(p.half for p in pages)
        label = f"{set_name} ({counts['dev']}+{counts['held-out']})"
        for _, group, measure, by_half in score_set(set_name, pages, out):
            yield label, group, measure, by_half


def _cell(by_half: dict, half: str, system: str) -> str:
    value = by_half.get(half, {}).get(system)
    return f"{value:>8.3f}" if value is not None else f"{'—':>8}"


def format_table(rows: list[Row]) -> str:
    short = {
        "Parley": "Parley",
        "trafilatura": "trafil",
        "htmldate": "htmldt",
        "newspaper4k": "news4k",
    }
    label = f"{'gold set (dev+held-out pages)':<42} {'lang':<5}{'measure':<15}"
    width = 8 * len(SYSTEMS)
    halves = "".join(f"{'| ' + h + ' half':<{width}}" for h in HALVES)
    names = "".join(f"{short[s]:>8}" for _ in HALVES for s in SYSTEMS)
    lines = [" " * len(label) + halves, label + names, "-" * (len(label) + len(names))]
    for set_label, group, measure, by_half in rows:
        cells = "".join(_cell(by_half, h, s) for h in HALVES for s in SYSTEMS)
        lines.append(f"{set_label:<42} {group:<5}{measure:<15}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sample", type=int, default=None, help="pages per gold set (default: all)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--sets", default=",".join(LOADERS), help="comma-separated gold sets")
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"gold sets not found at {CORPORA}", file=sys.stderr)
        return 1
    sets = tuple(s for s in args.sets.split(",") if s)
    unknown = [s for s in sets if s not in LOADERS]
    if unknown:
        parser.error(f"unknown gold sets: {', '.join(unknown)}; known: {', '.join(LOADERS)}")
    print(format_table(list(evaluate(args.sample, args.jobs, sets=sets))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
