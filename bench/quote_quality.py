"""Quote extraction quality: Parley's real pipeline scored against the hand-made gold set.

Each gold article (tests/data/quotes_gold/*.jsonl) is loaded the way `parley index` would load
it (seeds via read_path, Reuters / White House records via build_article, AEB via its gold
articleBody, trafilatura pages via read_html on the saved HTML), then split, tagged and
quote-extracted by `prepare_article`. Direct quotes are scored against gold quotes:

* exact: normalised text equal (edge punctuation and spaces stripped, curly/straight marks unified);
* overlap: >= 0.5 of the gold quote's tokens found in the predicted quote, one-to-one, greedy;
* speaker accuracy: matched (overlap) gold quotes whose predicted speaker is the gold one
  (case-insensitive, so typed anonymous sources compare on their words; two aliases of one
  lexicon actor, such as "US State Department" and "State Department", or of one outlet,
  such as "Bloomberg News" and "Bloomberg", are the same speaker);
* turns (transcripts): each paragraph of a gold turn must carry a "turn" Quote with the gold
  speaker, or none at all for reporters' "Q" turns (the extractor does not index questions).

Split: every gold article is development or held-out, fixed once by the rule of
/work/briefs/split.md (`held_out(dataset, doc_id)`: sha256 of "dataset/doc_id", odd is held-out).
Tune on the development half only: `--errors` lists development errors only. The held-out
figures are the result, pinned as floors in tests/test_quote_quality.py.

Kinds: a gold quote's `kind` is direct, partial (both inside marks) or reported (indirect
speech, its content as the span); gold without `kind` is marked speech. Marked gold is matched
against predicted direct/partial quotes, reported gold against predicted reported ones, and the
table gives a row per kind class. A reported span matches when >= 0.5 of the gold's tokens are
in the prediction AND >= 0.5 of the prediction's tokens are in the gold (a whole sentence
must not match a clause of it).

Gold sets: tests/data/quotes_gold/*.jsonl, plus any `--gold-dir` (another branch's news_* files).

Repeated quotes: the gold lists a quote once per occurrence, but the pipeline keeps one copy of
a repeated paragraph (indexer/paragraphs.py). A gold occurrence is "deduped", and left out of
recall, when its text occurs fewer times in the pipeline's paragraphs than in the gold; only as
many occurrences as the paragraphs still hold are scored.

LitBank (fiction, a second independent check) is scored on spans, and on whether the predicted
speaker contains a word of the gold character's name.

Usage:

    python bench/quote_quality.py                # tables per gold group, overall, LitBank
    python bench/quote_quality.py --errors 10    # plus the 10 most instructive (dev) errors
    python bench/quote_quality.py --gold-dir ../wt-19g/tests/data/quotes_gold  # more gold sets
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from indexer import prepare_article
from indexer.lexicon import Lexicon, default_lexicon
from indexer.models import Article, TaggedParagraph
from indexer.quotes import extract_quotes
from indexer.sources import build_article, read_path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "quotes_gold"
CORPORA = ROOT.parent / "shared" / "corpora"
GROUPS = ("seeds", "reuters", "whitehouse", "trafilatura_pages", "aeb")
CORPUS_GROUPS = GROUPS[1:]
OVERLAP = 0.5
HALVES = ("dev", "held")
# Kind classes scored apart: words inside marks, and indirect (reported) speech.
MARKED, REPORTED = "marked", "reported"
CLASSES = (MARKED, REPORTED)
PRED_CLASS = {"direct": MARKED, "partial": MARKED, "reported": REPORTED}
GOLD_CLASS = {"direct": MARKED, "partial": MARKED, "reported": REPORTED}


def held_out(dataset: str, doc_id: str) -> bool:
    """The one fixed split of /work/briefs/split.md: odd hash means held-out."""
    digest = hashlib.sha256(f"{dataset}/{doc_id}".encode()).hexdigest()
    return int(digest, 16) % 2 == 1


def half_of(rec: dict) -> str:
    return "held" if held_out(rec["dataset"], rec["doc_id"]) else "dev"

_MARKS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})
_EDGE = " \t\n.,;:!?…\"'()[]—–-"
_TOKEN = re.compile(r"\w+")


# -- normalisation and matching ---------------------------------------------------------


def norm(text: str) -> str:
    return " ".join(text.translate(_MARKS).split()).strip(_EDGE).casefold()


def tokens(text: str) -> Counter:
    return Counter(_TOKEN.findall(text.translate(_MARKS).casefold()))


def overlap(gold: str, pred: str) -> float:
    g = tokens(gold)
    total = sum(g.values())
    return sum((g & tokens(pred)).values()) / total if total else 0.0


def same_speaker(gold: str | None, pred: str | None, lexicon: Lexicon | None = None) -> bool:
    """Equal names, case-insensitively, or two aliases of one lexicon actor."""
    if not pred or not gold:
        return False
    if _bare_name(gold) == _bare_name(pred):
        return True
    if lexicon is None:
        return False
    known = lexicon.canonical_or_none(gold)
    if known is not None and known == lexicon.canonical_or_none(pred):
        return True
    outlet = lexicon.media.get(gold)  # "Bloomberg News" and "Bloomberg"
    return outlet is not None and outlet == lexicon.media.get(pred)


_MIDDLE_INITIAL = re.compile(r"(?<=\w) [A-Z]\.(?= \w)")


def _bare_name(name: str) -> str:
    """Case and spacing folded, middle initials dropped as the extractor drops them
    ("James P. Kennedy Jr." and "James Kennedy Jr." are one speaker)."""
    return _MIDDLE_INITIAL.sub("", " ".join(name.split())).casefold()


def match_exact(gold: list[str], pred: list[str], key=norm) -> list[tuple[int, int]]:
    free, wanted = list(range(len(pred))), [key(p) for p in pred]
    pairs = []
    for i, g in enumerate(gold):
        j = next((j for j in free if wanted[j] == key(g)), None)
        if j is not None:
            free.remove(j)
            pairs.append((i, j))
    return pairs


def both_ways(gold: str, pred: str) -> float:
    """Overlap for reported spans: the smaller of gold-in-pred and pred-in-gold."""
    return min(overlap(gold, pred), overlap(pred, gold))


def match_overlap(gold: list[str], pred: list[str], measure=overlap) -> list[tuple[int, int]]:
    """One-to-one greedy: best-scoring pairs first, ties in document order."""
    scored = [(measure(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(pred)]
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    used_g, used_p, pairs = set(), set(), []
    for score, i, j in scored:
        if score < OVERLAP:
            break
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return sorted(pairs)


# -- scores -----------------------------------------------------------------------------


@dataclass
class Score:
    """Counts for one row of the table; ratios are computed on demand."""

    gold: int = 0
    pred: int = 0
    exact: int = 0
    matched: int = 0
    speaker_ok: int = 0
    deduped: int = 0
    turns: int = 0
    turns_ok: int = 0
    kinds: int = 0  # matched quotes whose gold has a kind (direct/partial/reported)
    kinds_ok: int = 0

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def _prf(hit: int, gold: int, pred: int) -> tuple[float, float, float]:
        p = hit / pred if pred else 1.0
        r = hit / gold if gold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def exact_prf(self) -> tuple[float, float, float]:
        return self._prf(self.exact, self.gold, self.pred)

    def overlap_prf(self) -> tuple[float, float, float]:
        return self._prf(self.matched, self.gold, self.pred)

    @property
    def speaker_acc(self) -> float:
        return self.speaker_ok / self.matched if self.matched else 1.0

    @property
    def kind_acc(self) -> float | None:
        return self.kinds_ok / self.kinds if self.kinds else None

    @property
    def turn_acc(self) -> float | None:
        return self.turns_ok / self.turns if self.turns else None


@dataclass
class Error:
    kind: str  # missed | spurious | speaker | turn
    group: str
    doc: str
    text: str
    gold_speaker: str | None = None
    pred_speaker: str | None = None
    context: str = ""
    half: str = "dev"
    cls: str = MARKED


@dataclass
class Result:
    """`scores`: marked speech per gold set, both halves together (the historical floors);
    `cells`: (set, half, kind class) -> Score, the table the split asks for."""

    scores: dict[str, Score] = field(default_factory=dict)
    cells: dict[tuple[str, str, str], Score] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)

    def cell(self, group: str, half: str, cls: str) -> Score:
        return self.cells.setdefault((group, half, cls), Score())

    def total(self, half: str | None = None, cls: str | None = None,
              groups: tuple[str, ...] | None = None) -> Score:
        out = Score()
        for (g, h, c), s in self.cells.items():
            if (half in (None, h) and cls in (None, c) and (groups is None or g in groups)):
                out.add(s)
        return out


# -- loading the gold articles the way `parley index` does ------------------------------


def gold_files(extra_dirs: tuple[Path, ...] = ()) -> dict[str, Path]:
    """Gold set name -> file: ours first, then news sets found in other gold folders."""
    found = {g: GOLD / f"{g}.jsonl" for g in GROUPS}
    for folder in (GOLD, *extra_dirs):
        for path in sorted(folder.glob("*.jsonl")):
            found.setdefault(path.stem, path)
    return found


def load_gold(group: str, path: Path | None = None) -> list[dict]:
    with open(path or GOLD / f"{group}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _records(path: Path) -> dict[str, dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, fh)}


# Saved-page sets: the gold record's `file` is relative to the dataset folder.
_HTML_DEFAULT = {"readability_testpages": "pages/{doc_id}/source.html.gz"}
_JSONL_SETS = {
    "reuters21578_negotiations": "reuters21578/reuters21578_negotiations.jsonl",
    "reuters21578": "reuters21578/reuters21578.jsonl.gz",
    "whitehouse_gaza": "whitehouse_gaza/whitehouse_gaza.jsonl",
}


class Sources:
    """Source articles for gold records; corpus files are read once, on first need."""

    def __init__(self) -> None:
        self._cache: dict[str, dict] = {}

    def _corpus(self, name: str, loader) -> dict:
        if name not in self._cache:
            self._cache[name] = loader()
        return self._cache[name]

    def article(self, rec: dict) -> Article:
        dataset = rec["dataset"]
        if rec.get("text"):
            # The record carries the very text it was annotated on (an excerpt of a page,
            # see its `text_source`): score the extractor on that, not on the page extraction.
            meta = {k: rec.get(k) for k in ("url", "title", "published")}
            return build_article(rec["text"], f"gold:{dataset}/{rec['doc_id']}", meta)
        if dataset == "seeds":
            return next(iter(read_path(ROOT / rec["file"])))
        if dataset in _JSONL_SETS:
            path = CORPORA / _JSONL_SETS[dataset]
            record = self._corpus(dataset, lambda: _records(path))[rec["doc_id"]]
            return build_article(record["text"], f"{path}:{rec['doc_id']}", record)
        if dataset == "aeb_scrapinghub":  # annotated on the gold articleBody
            path = CORPORA / "aeb_scrapinghub" / "ground-truth.json"
            truth = self._corpus(dataset, lambda: json.loads(path.read_text(encoding="utf-8")))
            entry = truth[rec["doc_id"]]
            meta = {"url": entry["url"], "published": rec.get("published")}
            return build_article(entry["articleBody"], str(path), meta)
        file = rec.get("file") or _HTML_DEFAULT.get(dataset, "").format(doc_id=rec["doc_id"])
        if file:
            from indexer.html import read_html

            path = CORPORA / dataset / file
            return read_html(path.read_bytes(), path=str(path))
        raise ValueError(f"unknown dataset {dataset!r}")


def raw_paragraphs(article: Article, rec: dict) -> list[str]:
    """The source text split as the gold's turn indices count it, each block made clean text
    as ingest makes it (a struck "<s>Aleskey</s>" is not in the indexed paragraph)."""
    from indexer.markup import clean_inline

    return [clean_inline(block)[0] for block in article.text.split("\n\n")]


# -- scoring one article ----------------------------------------------------------------


def gold_class(quote: dict) -> str:
    return GOLD_CLASS.get(quote.get("kind") or "direct", MARKED)


def score_article(rec: dict, tagged: list[TaggedParagraph], group: str, result: Result,
                  raw: list[str], lexicon: Lexicon | None = None) -> Score:
    """Score one article into its half's cells; returns its marked-speech Score."""
    half = half_of(rec)
    joined = "\n\n".join(norm(t.paragraph.text) for t in tagged)
    out = Score()
    # Sets annotated before reported speech was in scope carry no `kind`: not scored on it.
    typed = any("kind" in g for g in rec["quotes"]) or rec.get("kinds_annotated")
    for cls in CLASSES if typed else (MARKED,):
        score = result.cell(group, half, cls)
        one = Score()
        preds = [(q, t.paragraph.text) for t in tagged for q in t.quotes
                 if PRED_CLASS.get(q.kind) == cls]
        gold = _scorable([g for g in rec["quotes"] if gold_class(g) == cls], joined, one)
        _score_class(gold, preds, one, result, lexicon,
                     Error("", group, rec["doc_id"][:24], "", half=half, cls=cls), tagged)
        if cls == MARKED:
            _score_turns(rec, tagged, raw, one, result, group, rec["doc_id"][:24], half)
            out = one
        score.add(one)
    return out


def _score_class(gold, preds, score: Score, result: Result, lexicon, where: Error,
                 tagged) -> None:
    gtexts = [g["text"] for g in gold]
    ptexts = [q.text for q, _ in preds]
    score.gold, score.pred = len(gold), len(preds)
    score.exact = len(match_exact(gtexts, ptexts))
    pairs = match_overlap(gtexts, ptexts, overlap if where.cls == MARKED else both_ways)
    score.matched = len(pairs)

    def error(kind, text, gold_speaker=None, pred_speaker=None, context=""):
        result.errors.append(replace(where, kind=kind, text=text, gold_speaker=gold_speaker,
                                     pred_speaker=pred_speaker, context=context))

    for i, j in pairs:
        q, para = preds[j]
        if "kind" in gold[i]:
            score.kinds += 1
            score.kinds_ok += gold[i]["kind"] == q.kind
        if same_speaker(gold[i]["speaker"], q.speaker, lexicon):
            score.speaker_ok += 1
        else:
            error("speaker", q.text, gold[i]["speaker"], q.speaker, para)
    hit_g, hit_p = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, g in enumerate(gold):
        if i not in hit_g:
            error("missed", g["text"], g["speaker"], context=_context(g["text"], tagged))
    for j, (q, para) in enumerate(preds):
        if j not in hit_p:
            error("spurious", q.text, None, q.speaker, para)


def _scorable(quotes: list[dict], joined: str, score: Score) -> list[dict]:
    """Gold occurrences, less repeats beyond what the deduplicated paragraphs still hold."""
    seen: Counter = Counter()
    kept = []
    for g in quotes:
        key = norm(g["text"])
        seen[key] += 1
        if seen[key] > 1 and seen[key] > max(1, joined.count(key)):
            score.deduped += 1
            continue
        kept.append(g)
    return kept


def _context(text: str, tagged: list[TaggedParagraph]) -> str:
    key = norm(text)[:60]
    return next((t.paragraph.text for t in tagged if key in norm(t.paragraph.text)),
                "(not in the pipeline's paragraphs)")


def _score_turns(rec, tagged, raw, score, result, group, doc, half="dev") -> None:
    by_text = {t.paragraph.text.strip(): t for t in tagged}
    for turn in rec.get("turns", []):
        start, end = turn["paras"]
        reporter = turn["label"] == "Q"
        for index in range(start, end + 1):
            t = by_text.get(raw[index].strip()) if index < len(raw) else None
            said = [q.speaker for q in t.quotes if q.kind == "turn"] if t else []
            ok = not said if reporter else bool(said) and same_speaker(turn["speaker"], said[0])
            score.turns += 1
            score.turns_ok += ok
            if not ok:
                result.errors.append(Error("turn", group, doc, raw[index][:120], turn["speaker"],
                                           said[0] if said else None, raw[index], half))


def score_group(group: str, sources: Sources, lexicon: Lexicon, result: Result,
                path: Path | None = None) -> Score:
    total = Score()
    for rec in load_gold(group, path):
        article = sources.article(rec)
        tagged = prepare_article(article, lexicon)
        raw = raw_paragraphs(article, rec)
        total.add(score_article(rec, tagged, group, result, raw, lexicon))
    result.scores[group] = total
    return total


def run_gold(groups=GROUPS, lexicon: Lexicon | None = None,
             extra_dirs: tuple[Path, ...] = ()) -> Result:
    """Score the named gold sets (and every set found in `extra_dirs`)."""
    lexicon = lexicon or default_lexicon()
    result, sources = Result(), Sources()
    files = gold_files(extra_dirs)
    names = [*groups, *(g for g in files if g not in GROUPS)]
    overall = Score()  # our original sets, as the historical floors were measured
    for group in names:
        score = score_group(group, sources, lexicon, result, files.get(group))
        if group in GROUPS:
            overall.add(score)
    result.scores["overall"] = overall
    return result


# -- LitBank (fiction) ------------------------------------------------------------------

LITBANK = CORPORA / "litbank_quotations" / "quotations" / "tsv"
_NO_SPACE_BEFORE = re.compile(r"^(?:[,.;:!?)\]]|n't|'(?:s|ll|re|ve|d|m)|’(?:s|ll|re|ve|d|m))$", re.I)


def detokenise(lines: list[list[str]]) -> list[str]:
    """LitBank's tokenised sentences as text paragraphs; a paragraph ends outside quotes."""
    paragraphs, words, inside = [], "", False
    for sent in lines:
        for tok in sent:
            glue = not words or words.endswith(("(", "[")) or _NO_SPACE_BEFORE.match(tok)
            if tok == '"':
                inside = not inside
                glue = glue or not inside  # a closing mark sticks to the word before it
            elif inside and _just_opened(words):
                glue = True  # the word right after an opening mark
            words += tok if glue else " " + tok
        if not inside:
            paragraphs.append(words)
            words = ""
    if words:
        paragraphs.append(words)
    return paragraphs


def _just_opened(words: str) -> bool:
    return words.endswith('"') and (len(words) == 1 or words[-2] == " ")


def score_litbank(result: Result) -> Score | None:
    if not LITBANK.is_dir():
        return None
    total, lexicon = Score(), default_lexicon()
    for ann in sorted(LITBANK.glob("*.ann")):
        sents = [ln.split(" ") for ln in ann.with_suffix(".txt").read_text(encoding="utf-8").split("\n")]
        gold, who = _litbank_gold(ann, sents)
        paras = detokenise([s for s in sents if s != [""]])
        preds = [q for qs in extract_quotes(paras, lexicon=lexicon) for q in qs if q.kind == "direct"]
        gtexts, ptexts = [g for _, g in gold], [q.text for q in preds]
        exact = match_exact(gtexts, ptexts, key=lambda t: norm(t).replace(" ", ""))
        score = Score(gold=len(gold), pred=len(preds), exact=len(exact))
        pairs = match_overlap(gtexts, ptexts)
        score.matched = len(pairs)
        for i, j in pairs:
            names = {w.casefold() for w in who.get(gold[i][0], "").split("_") if len(w) > 2}
            spoken = set((preds[j].speaker or "").casefold().split())
            score.speaker_ok += bool(names & spoken)
        total.add(score)
    result.scores["litbank"] = total
    return total


def _litbank_gold(ann: Path, sents: list[list[str]]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    gold, who = [], {}
    for line in ann.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if cols[0] == "QUOTE":
            qid, s1, t1, s2, t2 = cols[1], *map(int, cols[2:6])
            toks = sents[s1][t1:] if s1 != s2 else sents[s1][t1 : t2 + 1]
            if s1 != s2:
                for s in range(s1 + 1, s2):
                    toks = toks + sents[s]
                toks = toks + sents[s2][: t2 + 1]
            gold.append((qid, " ".join(toks)))
        elif cols[0] == "ATTRIB":
            who[cols[1]] = re.sub(r"-\d+$", "", cols[2])
    return gold, who


# -- report -----------------------------------------------------------------------------

HEADER = ("set", "half", "kind", "gold", "pred", "dedup", "ex.P", "ex.R", "ex.F1", "ov.P",
          "ov.R", "ov.F1", "spk.acc", "kind.acc", "turns", "turn.acc")  # fmt: skip
_WIDTHS = (19, 5, 9)


def _cells(*values) -> str:
    return " | ".join(str(c).ljust(_WIDTHS[i] if i < len(_WIDTHS) else 7)
                      for i, c in enumerate(values))


def format_row(name: str, s: Score, half: str = "both", cls: str = MARKED) -> str:
    ep, er, ef = s.exact_prf()
    op, orr, of = s.overlap_prf()
    turn = f"{s.turn_acc:.3f}" if s.turn_acc is not None else "-"
    kind = f"{s.kind_acc:.3f}" if s.kind_acc is not None else "-"
    return _cells(name, half, cls, s.gold, s.pred, s.deduped,
                  *(f"{v:.3f}" for v in (ep, er, ef, op, orr, of)), f"{s.speaker_acc:.3f}",
                  kind, s.turns, turn)


def _head() -> list[str]:
    head = _cells(*HEADER)
    return [head, "-" * len(head)]


def format_table(scores: dict[str, Score]) -> str:
    """The historical table: marked speech per gold set, both halves together."""
    return "\n".join([*_head(), *(format_row(name, s) for name, s in scores.items())])


def aggregates(result: Result) -> dict[str, tuple[str, ...] | None]:
    groups = sorted({g for g, _, _ in result.cells})
    news = tuple(g for g in groups if g.startswith("news_"))
    ours = tuple(g for g in groups if not g.startswith("news_"))
    out: dict[str, tuple[str, ...] | None] = {"ALL ours": ours}
    if news:
        out["ALL news"] = news
    out["ALL"] = None
    return out


def format_split_table(result: Result) -> str:
    """Per set, per kind class, dev and held-out rows side by side; then the aggregates."""
    lines = _head()
    groups = list(dict.fromkeys(g for g, _, _ in result.cells))
    for group in groups:
        for cls in CLASSES:
            cells = [result.cells.get((group, h, cls), Score()) for h in HALVES]
            if not any(c.gold or c.pred or c.turns for c in cells):
                continue
            lines += [format_row(group, c, h, cls) for h, c in zip(HALVES, cells, strict=True)]
    lines.append("-" * len(lines[0]))
    for name, members in aggregates(result).items():
        for cls in CLASSES:
            cells = [result.total(h, cls, members) for h in HALVES]
            if any(c.gold or c.pred for c in cells):
                lines += [format_row(name, c, h, cls) for h, c in zip(HALVES, cells, strict=True)]
    return "\n".join(lines)


def instructive(errors: list[Error], n: int) -> list[Error]:
    """Wrong speakers, misses and spurious quotes in turn, one per article before repeating."""
    order = {"speaker": 0, "missed": 1, "spurious": 2, "turn": 3}
    pools = {k: sorted((e for e in errors if e.kind == k), key=lambda e: -len(e.text)) for k in order}
    picked, docs = [], set()
    for relax in (False, True):
        for e in (e for rank in zip(*[pools[k] + [None] * len(errors) for k in order])
                  for e in rank):
            if len(picked) >= n:
                return picked
            if e is None or e in picked or (not relax and (e.doc, e.kind) in docs):
                continue
            picked.append(e)
            docs.add((e.doc, e.kind))
    return picked


def format_error(e: Error) -> str:
    head = f"[{e.kind} {e.cls}] {e.group}/{e.doc}: “{_cut(e.text, 110)}”"
    who = f"\n    gold speaker: {e.gold_speaker!r}  predicted: {e.pred_speaker!r}"
    return f"{head}{who}\n    context: {_cut(e.context, 260)}"


def _cut(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def verb_coverage(extra_dirs: tuple[Path, ...] = ()) -> tuple[int, int, Counter]:
    """How many gold verbs (as written) the speech-verb lexicon knows, and the unknown ones."""
    from indexer.quotes.vocab import PARTICIPLES, VERBS

    known = {*VERBS, *PARTICIPLES, "according to", "stated"}
    total, hits, missing = 0, 0, Counter()
    for group, path in gold_files(extra_dirs).items():
        if not path.exists():
            continue
        for rec in load_gold(group, path):
            for q in rec["quotes"]:
                verb = (q.get("verb") or "").casefold()
                if not verb:
                    continue
                total += 1
                if verb in known:
                    hits += 1
                else:
                    missing[verb] += 1
    return hits, total, missing


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", type=int, default=0,
                        help="print the N most instructive errors of the development half")
    parser.add_argument("--kind", choices=CLASSES, help="errors of this kind class only")
    parser.add_argument("--group", help="errors of gold sets whose name contains this")
    parser.add_argument("--gold-dir", action="append", type=Path, default=[],
                        help="another folder of gold *.jsonl sets (e.g. a branch's news_* files)")
    parser.add_argument("--no-litbank", action="store_true", help="skip the LitBank row")
    args = parser.parse_args(argv)
    groups = GROUPS if CORPORA.is_dir() else ("seeds",)
    result = run_gold(groups, extra_dirs=tuple(args.gold_dir))
    if not args.no_litbank:
        score_litbank(result)
    print(format_split_table(result))
    print("\nMarked speech, both halves (historical floors):")
    print(format_table(result.scores))
    hits, total, missing = verb_coverage(tuple(args.gold_dir))
    print(f"\nSpeech-verb lexicon: {hits} of {total} gold verbs ({hits / max(total, 1):.1%}); "
          f"most common unknown: {', '.join(f'{v} ({n})' for v, n in missing.most_common(8))}")
    if args.errors:
        # Held-out errors are never shown: the held-out half is for measuring, not tuning.
        dev = [e for e in result.errors if e.half == "dev" and args.kind in (None, e.cls)
               and (args.group is None or args.group in e.group)]
        print(f"\n{args.errors} most instructive development errors (of {len(dev)}):\n")
        for e in instructive(dev, args.errors):
            print(format_error(e))


if __name__ == "__main__":
    main()
