"""Relevance of journalists' queries: Parley beside SQLite FTS5 (bm25, porter) and tantivy.

    python bench/relevance.py                 # P@5, nDCG@10, zero-result rate, dev | held-out
    python bench/relevance.py --pool q07      # the pooled candidates of a query, for judging

The paragraphs: the seed articles, every Reuters-21578 story about negotiations
(../shared/corpora/reuters21578/reuters21578_negotiations.jsonl) and one White House briefing
in six (chosen by a hash of its id), indexed once by Parley; FTS5 and tantivy index exactly the
paragraphs Parley stored. The gold (tests/data/relevance/queries.jsonl) was judged by hand:
for each query, the top ten of every engine were pooled and each paragraph read and graded
2 (what a reporter wants), 1 (on the subject, useful) or 0. Unjudged paragraphs count as 0.
A query that an engine refuses or cannot parse counts as returning nothing.
Tag filters (actor:, outlet:, ...) are applied to the reference engines' results from the
same tags Parley indexed, so every engine is judged on its text matching alone.
A command that prints figures; tests/test_relevance.py pins the held-out floors.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "tests" / "data" / "relevance" / "queries.jsonl"
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578" / "reuters21578_negotiations.jsonl"
BRIEFINGS = ROOT / "samples" / "whitehouse_gaza.jsonl.gz"
SEEDS = ROOT / "seeds"
DATASET = "parley-relevance"
ENGINES = ("parley", "fts5", "tantivy")
TAGS = {"actor": "actors", "outlet": "outlet", "topic": "topics", "speaker": "speakers"}

Ranker = Callable[[dict], list[str]]  # gold query -> ranked paragraph ids (top 10)


def is_held_out(dataset: str, item_id: str) -> bool:
    """The one split rule of every gold set (briefs/split.md)."""
    return int(hashlib.sha256(f"{dataset}/{item_id}".encode()).hexdigest(), 16) % 2 == 1


def briefing_sample(line: str) -> bool:
    doc_id = json.loads(line)["id"]
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 6 == 0


def build(work: Path) -> Path:
    """The Parley index of the relevance paragraphs (built once into `work`)."""
    import indexer

    index_dir = work / "parley"
    if (index_dir / "parley-index.json").exists():
        return index_dir
    work.mkdir(parents=True, exist_ok=True)
    sample = work / "briefings-sample.jsonl"
    with gzip.open(BRIEFINGS, "rt", encoding="utf-8") as fh:
        sample.write_text("".join(line for line in fh if briefing_sample(line)), encoding="utf-8")
    indexer.ingest([SEEDS, REUTERS, sample], index_dir)
    return index_dir


def paragraphs(index_dir: Path) -> list[dict]:
    from search.engines.embedded.schema import open_index

    with open_index(index_dir).searcher() as s:
        out = []
        for fields in s.all_stored_fields():
            tags = {name: [v for v in (fields.get(field) or "").split(",") if v]
                    for name, field in TAGS.items() if name != "speaker"}
            quotes = json.loads(fields.get("quotes_json") or "[]")
            tags["speaker"] = sorted({q["speaker"] for q in quotes if q.get("speaker")})
            out.append({"pid": fields["pid"], "text": fields.get("text", ""), "tags": tags})
    return sorted(out, key=lambda p: p["pid"])


def load_gold(path: Path = GOLD) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# -- engines ---------------------------------------------------------------------------------


def parley_ranker(index_dir: Path) -> Ranker:
    from indexer.errors import ParleyError
    from search import SearchRequest, search

    def rank(item: dict) -> list[str]:
        filters = {k: tuple(v) for k, v in item.get("filters", {}).items()}
        try:
            res = search(index_dir, SearchRequest(text=item["query"], filters=filters, size=10))
        except ParleyError:
            return []
        return [h.paragraph_id for h in res.hits]
    return rank


_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "„": '"'})
_FIELD = re.compile(r'\b(actor|outlet|topic|speaker):("[^"]*"|\S+)')


def split_filters(item: dict) -> tuple[str, dict[str, list[str]]]:
    """The query text without field filters, and every filter (query's and request's)."""
    text = item["query"].translate(_QUOTES)
    filters = {k: list(v) for k, v in item.get("filters", {}).items()}
    for name, value in _FIELD.findall(text):
        filters.setdefault(name, []).append(value.strip('"'))
    return _FIELD.sub(" ", text).strip(), filters


def _tagged(paras: dict[str, dict], filters: dict[str, list[str]]) -> Callable[[str], bool]:
    def ok(pid: str) -> bool:
        tags = paras[pid]["tags"]
        return all(any(v.casefold() in t.casefold() for t in tags[name] for v in values)
                   for name, values in filters.items())
    return ok


def fts_query(text: str) -> str:
    """The query as FTS5 reads it: words kept (quoted when they hold punctuation), phrases,
    OR and NOT as written, -word as NOT word, word* as a prefix."""
    must: list[str] = []
    nots: list[str] = []
    for tok in re.findall(r'"[^"]*"|[()]|[^\s()]+', text):
        neg = tok.startswith("-") and len(tok) > 1
        tok = tok[1:] if neg else tok
        if tok in ("AND", "OR", "NOT", "(", ")") or tok.startswith('"'):
            part = tok
        elif tok.endswith("*") and re.fullmatch(r"\w+\*", tok):
            part = tok
        else:
            part = '"' + tok.replace('"', "") + '"'
        (nots if neg else must).append(part)
    ops = ("AND", "OR", "NOT")
    joined: list[str] = []
    for tok in must:  # FTS5 wants an explicit AND after a bracketed group
        if joined and joined[-1] not in (*ops, "(") and tok not in (*ops, ")"):
            joined.append("AND")
        joined.append(tok)
    query = " ".join(joined).replace("( ", "(").replace(" )", ")")
    return query + "".join(f" NOT {n}" for n in nots) if nots and must else query


def fts_ranker(paras: list[dict]) -> Ranker:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE p USING fts5(pid UNINDEXED, text, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO p(pid, text) VALUES (?, ?)",
                   [(p["pid"], p["text"]) for p in paras])
    by_pid = {p["pid"]: p for p in paras}

    def rank(item: dict) -> list[str]:
        text, filters = split_filters(item)
        ok = _tagged(by_pid, filters)
        try:
            rows = db.execute("SELECT pid FROM p WHERE p MATCH ? ORDER BY bm25(p)",
                              (fts_query(text),)).fetchall() if text else [(p,) for p in by_pid]
        except sqlite3.Error:
            return []
        return [pid for (pid,) in rows if ok(pid)][:10]
    return rank


def tantivy_ranker(paras: list[dict], work: Path) -> Ranker:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", stored=False, tokenizer_name="en_stem")
    sb.add_text_field("pid", stored=True, tokenizer_name="raw")
    schema = sb.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for p in paras:
        writer.add_document(tantivy.Document(pid=p["pid"], text=p["text"]))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    by_pid = {p["pid"]: p for p in paras}

    def rank(item: dict) -> list[str]:
        text, filters = split_filters(item)
        ok = _tagged(by_pid, filters)
        if not text:
            return [pid for pid in by_pid if ok(pid)][:10]
        try:
            q = index.parse_query(text, ["text"], conjunction_by_default=True)
        except ValueError:
            try:
                q, _errors = index.parse_query_lenient(text, ["text"])
            except ValueError:
                return []
        hits = searcher.search(q, 2000).hits
        pids = (searcher.doc(addr)["pid"][0] for _score, addr in hits)
        return [pid for pid in pids if ok(pid)][:10]
    return rank


# -- measures --------------------------------------------------------------------------------


def precision_at(ranked: list[str], grades: dict[str, int], k: int = 5) -> float:
    return sum(1 for pid in ranked[:k] if grades.get(pid, 0) > 0) / k


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    gain = lambda g: 2 ** g - 1  # noqa: E731
    dcg = sum(gain(grades.get(pid, 0)) / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(gain(g) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def anchored(gold: list[dict], paras: list[dict]) -> list[dict]:
    """The gold with each judged paragraph found again by its words.

    A judgment names a paragraph id (article id and position), and the paragraph's opening
    words as judged. When ingest splits an article differently (cleaner text, a heading kept
    as a paragraph), the same words sit at another position: the judgment follows them,
    within the same article, rather than grading whatever paragraph took the old position."""
    by_article: dict[str, list[dict]] = {}
    for p in paras:
        by_article.setdefault(p["pid"].rsplit("-", 1)[0], []).append(p)
    out = []
    for item in gold:
        grades = {}
        for pid, grade in item["judgments"].items():
            words = (item.get("texts") or {}).get(pid)
            found = pid
            if words:
                same = [p["pid"] for p in by_article.get(pid.rsplit("-", 1)[0], ())
                        if " ".join(p["text"].split()).startswith(words)]
                if same and pid not in same:
                    found = same[0]
            grades[found] = grade
        out.append({**item, "judgments": grades})
    return out


def score(gold: list[dict], rankers: dict[str, Ranker]) -> dict[str, dict[str, dict[str, float]]]:
    """{engine: {"dev" | "held-out": {"P@5", "nDCG@10", "zero"}}}."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for engine, rank in rankers.items():
        halves: dict[str, list[tuple[float, float, float]]] = {"dev": [], "held-out": []}
        for item in gold:
            ranked = rank(item)
            grades = item["judgments"]
            half = "held-out" if is_held_out(item.get("dataset", DATASET), item["id"]) else "dev"
            halves[half].append((precision_at(ranked, grades), ndcg_at(ranked, grades),
                                 float(not ranked)))
        out[engine] = {
            half: {name: sum(r[i] for r in rows) / max(1, len(rows))
                   for i, name in enumerate(("P@5", "nDCG@10", "zero"))} | {"n": len(rows)}
            for half, rows in halves.items()}
    return out


def rankers(work: Path) -> dict[str, Ranker]:
    index_dir = build(work)
    paras = paragraphs(index_dir)
    return {"parley": parley_ranker(index_dir), "fts5": fts_ranker(paras),
            "tantivy": tantivy_ranker(paras, work)}


def print_table(result: dict) -> None:
    print("| engine | P@5 dev | P@5 held-out | nDCG@10 dev | nDCG@10 held-out | zero dev "
          "| zero held-out |")
    print("|---|---|---|---|---|---|---|")
    for engine, halves in result.items():
        d, h = halves["dev"], halves["held-out"]
        print(f"| {engine} | {d['P@5']:.3f} | {h['P@5']:.3f} | {d['nDCG@10']:.3f} | "
              f"{h['nDCG@10']:.3f} | {d['zero']:.3f} | {h['zero']:.3f} |")
    n = next(iter(result.values()))
    print(f"\nqueries: {n['dev']['n']} dev, {n['held-out']['n']} held-out")


def show_pool(work: Path, query_ids: list[str], gold_path: Path) -> None:
    """Each query's top ten of every engine, pooled, for judging by reading."""
    rs = rankers(work)
    paras = {p["pid"]: p for p in paragraphs(build(work))}
    items = {g["id"]: g for g in load_gold(gold_path)}
    for qid in query_ids:
        item = items[qid]
        pool: dict[str, list[str]] = {}
        for engine, rank in rs.items():
            for i, pid in enumerate(rank(item)):
                pool.setdefault(pid, []).append(f"{engine[0]}{i + 1}")
        print(f"\n=== {qid} {item['query']!r} {item.get('filters') or ''} ({len(pool)} pooled)")
        for pid, where in pool.items():
            print(f"  {pid} [{' '.join(where)}] {paras[pid]['text'][:300]!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=HERE / "out" / "relevance")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--pool", nargs="*", help="print the pooled candidates of these query ids")
    opts = ap.parse_args()
    if not REUTERS.exists():
        sys.exit(f"needs {REUTERS}")
    if opts.pool is not None:
        show_pool(opts.work, opts.pool, opts.gold)
        return
    gold = anchored(load_gold(opts.gold), paragraphs(build(opts.work)))
    print_table(score(gold, rankers(opts.work)))


if __name__ == "__main__":
    main()
