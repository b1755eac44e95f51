"""Hostile input: files that try to crash or exhaust `parley index`, and queries that try to
crash or stall the search core, each with its figure (outcome, seconds, peak RSS).

    python bench/hostile.py files              # every hostile file, one `parley index` each
    python bench/hostile.py queries            # the hostile query list + 2,000 hypothesis examples
    python bench/hostile.py queries --index-dir BIG_INDEX --examples 5000
    python bench/hostile.py records            # case -> records kept, lost, and reported

Bombs are made on the fly in a temporary directory (gzip of zeros: ~1 MB per GB).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEEDS = ROOT / "seeds"
GOOD = ("Negotiators met in Doha on Tuesday to discuss a ceasefire and the release of hostages.\n\n"
        "\"We are close to a deal,\" the Qatari mediator said after the talks.")


# -- hostile files ---------------------------------------------------------------------------


def gzip_zeros(path: Path, gigabytes: float, line: bytes = b"") -> Path:
    """A gzip member that expands to `gigabytes` GB of zeros (or of `line` repeated)."""
    unit = (line * (1 << 20 // max(len(line), 1)))[: 1 << 20] if line else bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(path, "wb") as fh:
        for _ in range(int(gigabytes * 1024)):
            fh.write(comp.compress(unit))
        fh.write(comp.flush())
    return path


def make_files(folder: Path, big_mb: int = 200, bomb_gb: float = 4.0) -> dict[str, Path]:
    """name -> path of each hostile file (plus one good article, which must get indexed)."""
    folder.mkdir(parents=True, exist_ok=True)
    f = {}

    def put(name: str, data: bytes) -> None:
        f[name] = folder / name
        f[name].write_bytes(data)

    put("good.txt", GOOD.encode())
    put("zero_bytes.txt", b"")
    put("zero_bytes.jsonl", b"")
    put("zero_bytes.html", b"")
    put("binary.txt", os.urandom(1 << 20))
    rng = random.Random(1)
    put("binary_no_nul.txt", bytes(rng.randrange(0x80, 0x100) for _ in range(1 << 16)))
    put("elf_as.html", b"\x7fELF\x02\x01\x01" + os.urandom(1 << 16))
    put("png_as.jsonl", b"\x89PNG\r\n\x1a\n" + os.urandom(1 << 16))
    put("wrong_extension.pdf", GOOD.encode())
    put("no_extension", GOOD.encode())
    put("invalid_utf8.txt", GOOD.encode() + b"\n\n\xff\xfe\xfa broken \xc3\x28 bytes")
    put("invalid_utf8.jsonl", b'{"text": "caf\xe9 \xff talks"}\n' + json.dumps({"text": GOOD}).encode())
    put("latin1_labelled_utf8.html", ("<html><head><meta charset='utf-8'><title>Genève talks</title>"
                                      f"</head><body><article><p>{GOOD} Genève.</p></article></body>"
                                      "</html>").encode("latin-1"))
    put("utf16_no_bom.txt", GOOD.encode("utf-16-le"))
    put("deep_nesting.html", b"<html><body>" + b"<div>" * 100_000 + GOOD.encode() + b"</div>" * 100_000
        + b"</body></html>")
    put("deep_unclosed.html", b"<html><body>" + b"<span><b><i>" * 40_000 + GOOD.encode())
    put("deep_json.json", b"[" * 200_000 + b"]" * 200_000)
    put("deep_json_record.jsonl", b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    put("huge_line.jsonl", b'{"text": "' + b"a" * (30 << 20) + b'"}\n' + json.dumps({"text": GOOD}).encode())
    put("not_json.jsonl", b"this is not json\n" * 1000)
    put("truncated.jsonl.gz", gzip.compress((json.dumps({"text": GOOD}) + "\n").encode() * 50)[:-40])
    put("not_gzip.jsonl.gz", GOOD.encode())
    f["big_text.txt"] = folder / "big_text.txt"
    with open(f["big_text.txt"], "wb") as fh:  # sparse would be unfair: write real text
        block = (GOOD + "\n\n").encode() * 1000
        for _ in range(big_mb * (1 << 20) // len(block) + 1):
            fh.write(block)
    f["big_text.jsonl"] = folder / "big_text.jsonl"
    with open(f["big_text.jsonl"], "wb") as fh:
        for i in range(big_mb // 8):  # 8 MB records: each over the 5 MB record cap
            fh.write(json.dumps({"text": f"{i} " + "ceasefire talks " * (1 << 19)}).encode() + b"\n")
    f["bomb_zeros.jsonl.gz"] = gzip_zeros(folder / "bomb_zeros.jsonl.gz", bomb_gb)
    f["bomb_lines.jsonl.gz"] = gzip_zeros(folder / "bomb_lines.jsonl.gz", bomb_gb / 4, line=b"0\n")
    f["bomb_zeros.html.gz"] = gzip_zeros(folder / "bomb_zeros.html.gz", bomb_gb)
    f["bomb.json.gz"] = gzip_zeros(folder / "bomb.json.gz", bomb_gb / 4)
    f["bomb.warc.gz"] = gzip_zeros(folder / "bomb.warc.gz", bomb_gb / 4)
    for name in ("trunc.warc", "trunc.warc.gz", "t.warc.gz"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, folder / f"fixture_{name}")
            f[f"fixture_{name}"] = folder / f"fixture_{name}"
    f["truncated_record.warc"] = folder / "truncated_record.warc"
    _truncated_warc(f["truncated_record.warc"])
    put("garbage.warc", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999999999\r\n\r\nshort")
    put("garbage.wacz", b"PK\x03\x04" + os.urandom(4096))
    return f


def _truncated_warc(path: Path) -> None:
    body = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            b"<html><body><article><p>" + GOOD.encode() + b"</p></article></body></html>")
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/a\r\n"
            b"WARC-Date: 2025-01-02T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            b"Content-Type: application/http; msgtype=response\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    path.write_bytes(head + body + b"\r\n\r\n" + head + body[: len(body) // 2])


def run_files(big_mb: int, bomb_gb: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="parley-hostile-"))
    try:
        files = make_files(work / "in", big_mb, bomb_gb)
        results = {}
        for name, path in files.items():
            r = index_one_measured(path, work / "ix")
            results[name] = r
            print(f"{name:28} exit {r['exit']}  {r['s']:6.1f} s  {r['peak_rss_mb']:5} MB  "
                  f"{'TRACEBACK ' if r['traceback'] else ''}{r['said'][0] if r['said'] else ''}",
                  flush=True)
        # All of them at once, in one run: the good article must still be indexed.
        together = index_one_measured(work / "in", work / "ix-all")
        from search import SearchRequest, search

        found = search(work / "ix-all", SearchRequest(text='"close to a deal"')).total
        return {"files": results, "one_run_over_all": together, "good_article_found": found,
                "worst_rss_mb": max(r["peak_rss_mb"] or 0 for r in [*results.values(), together]),
                "tracebacks": sum(r["traceback"] for r in results.values())}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def index_one_measured(path: Path, index_dir: Path) -> dict:
    """As index_one, with the child's own peak RSS from wait4."""
    cmd = [sys.executable, "-m", "web.cli", "index", str(path), "--index-dir", str(index_dir)]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PARLEY_INDEX_WORKERS": "1"})
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    lines = [ln for ln in err.strip().splitlines() if ln]
    return {"exit": code, "s": round(time.monotonic() - start, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "traceback": "Traceback" in err,
            "said": [ln[:160] for ln in lines[-3:]]}


# -- records lost or kept: one case per way a record used to be lost ------------------------


def _jsonl(path: Path, records: list, prefix: bytes = b"") -> Path:
    path.write_bytes(prefix + "".join(json.dumps(r) + "\n" for r in records).encode())
    return path


def _story(i: int, **extra) -> dict:
    return {"title": f"Story {i}", "text": f"Story {i}: {GOOD}", **extra}


def _warc(path: Path, n: int, gz: bool, cut: int | None = None, damage: int | None = None) -> Path:
    """n HTML pages in a WARC; `cut` keeps that many bytes, `damage` scrambles a header."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    for i in range(n):
        body = (f"<html><head><title>Story {i}</title></head><body><article><p>Story {i}: "
                f"{GOOD}</p></article></body></html>").encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(f"https://example.org/{i}", "response",
                                           payload=io.BytesIO(body), http_headers=headers)
        writer.write_record(record)
    data = bytearray(buffer.getvalue())
    if damage is not None:
        start = data.index(b"WARC/1.0", damage)
        data[start + 12:start + 60] = bytes(random.Random(2).randrange(256) for _ in range(48))
    path.write_bytes(bytes(data[:cut] if cut else data))
    return path


def record_cases(folder: Path) -> list[tuple[str, Path, int]]:
    """(case, input, records in it): each input also holds good records after the bad one."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, value in [("date 20240501", "20240501"), ("date yesterday", "yesterday"),
                        ("date 12/31/2024", "12/31/2024"), ("date true", True),
                        ("date 2024-13-45", "2024-13-45")]:
        path = _jsonl(folder / f"{name.replace('/', '-').replace(' ', '_')}.jsonl",
                      [_story(1, published=value), _story(2), _story(3)])
        cases.append((f"published {json.dumps(value)}", path, 3))
    cases.append(("lone surrogate in a title", folder / "surrogate.jsonl", 3))
    (folder / "surrogate.jsonl").write_text(
        '{"title": "x\\ud800", "text": "Story 1: ' + GOOD.replace("\n", "\\n").replace('"', '\\"')
        + '", "url": "https://example.org/s1"}\n' + json.dumps(_story(2)) + "\n")
    cases[-1] = (cases[-1][0], cases[-1][1], 2)
    (folder / "surrogate_no_url.jsonl").write_text(
        '{"title": "x\\ud800", "text": "Story 9: no url"}\n' + json.dumps(_story(2)) + "\n"
        + json.dumps(_story(3)) + "\n")
    cases.append(("lone surrogate, record without URL", folder / "surrogate_no_url.jsonl", 3))
    cases.append(("UTF-8 BOM before the first record",
                  _jsonl(folder / "bom.jsonl", [_story(1), _story(2)], b"\xef\xbb\xbf"), 2))
    cases.append(("truncated .warc.gz (cut in record 4 of 6)",
                  _warc(folder / "cut.warc.gz", 6, True, cut=1700), 6))
    cases.append(("truncated .warc (cut in a header)",
                  _warc(folder / "cut.warc", 6, False, cut=2300), 6))
    cases.append(("damaged WARC header (record 2)",
                  _warc(folder / "hdr.warc", 6, False, damage=10), 6))
    cases.append(("corrupt .warc.gz (scrambled member)", folder / "scrambled.warc.gz", 6))
    data = bytearray(_warc(folder / "scrambled.warc.gz", 6, True).read_bytes())
    data[1200:1240] = bytes(random.Random(3).randrange(256) for _ in range(40))
    (folder / "scrambled.warc.gz").write_bytes(bytes(data))
    cases.append(("binary .jsonl (4,000 bad lines)", folder / "binary.jsonl", 4001))
    (folder / "binary.jsonl").write_bytes(b"\x89PNG garbage line\n" * 4000
                                          + json.dumps(_story(1)).encode() + b"\n")
    cases.append(("binary .html (ELF)", folder / "elf.html", 1))
    (folder / "elf.html").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 256)
    fifo_dir = folder / "with_fifo"
    fifo_dir.mkdir(exist_ok=True)
    _jsonl(fifo_dir / "good.jsonl", [_story(1)])
    if hasattr(os, "mkfifo") and not (fifo_dir / "pipe.jsonl").exists():
        os.mkfifo(fifo_dir / "pipe.jsonl")
    cases.append(("FIFO named *.jsonl in a folder", fifo_dir, 2))
    return cases


def run_records() -> list[dict]:
    """Index each case alone; count what was kept, what was lost and whether it was said."""
    import re

    work = Path(tempfile.mkdtemp(prefix="parley-records-"))
    rows = []
    try:
        for case, path, records in record_cases(work / "in"):
            index_dir = work / f"ix-{len(rows)}"
            cmd = [sys.executable, "-m", "web.cli", "index", str(path),
                   "--index-dir", str(index_dir)]
            try:
                proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                                      env={**os.environ, "PARLEY_INDEX_WORKERS": "1"})
            except subprocess.TimeoutExpired:
                rows.append({"case": case, "records": records, "outcome": "HUNG (120 s)"})
                continue
            err = proc.stderr
            said = re.search(r"indexed (\d+) articles", err)
            kept = int(said.group(1)) if said else 0
            skipped = [ln for ln in err.splitlines() if ln.startswith("skipped ")]
            counted = sum(int(m.group(1)) if (m := re.search(r"\((\d+) records\)", ln)) else 1
                          for ln in skipped)
            notes = sum(1 for ln in err.splitlines() if ln.startswith("note: "))
            lost = records - kept
            outcome = ("TRACEBACK" if "Traceback" in err else
                       "LOST SILENTLY" if lost > 0 and not skipped else "ok")
            rows.append({"case": case, "exit": proc.returncode, "records": records, "kept": kept,
                         "lost": lost, "lost_reported": counted, "notes": notes,
                         "outcome": outcome,
                         "said": (skipped or [""])[0].replace(str(work / "in") + "/", "")[:150]})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def print_records(rows: list[dict]) -> None:
    print("| case | exit | records | kept | lost | losses reported | notes | outcome |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r.get('exit', '-')} | {r['records']} | {r.get('kept', '-')} | "
              f"{r.get('lost', '-')} | {r.get('lost_reported', '-')} | {r.get('notes', '-')} | "
              f"{r['outcome']} |")
    for r in rows:
        if r.get("said"):
            print(f"  {r['case']}: {r['said']}")


# -- hostile queries -------------------------------------------------------------------------


def hostile_queries() -> list[str]:
    """Strings that break parsers or cost a lot; every one must be answered or refused fast."""
    return [
        '"', '"unbalanced', 'a "b', "(", ")", "((a)", "(a))", ")(", "[", "]", "{a", "a}",
        "\x00", "a\x00b", "ceasefire\x00", "\ufffd", "\u202e\u200b", "🕊️ talks",
        "a" * 100_000, "a" * 501, "a" * 500, "x" * 499 + "*",
        " ".join(f"w{i}" for i in range(5000)), " OR ".join(f"w{i}" for i in range(2000)),
        " OR ".join(f"w{i}" for i in range(31)), " OR ".join(f"w{i}" for i in range(30)),
        "(" * 5000 + "a" + ")" * 5000, "(" * 240 + "a" + ")" * 240, "NOT " * 120 + "a",
        "*", "?", "*a*", "a*", "cea*", "ceas*", "c?asefire", "*fire", "ceasefire~", "ceasefire~2",
        "ceasefire~99999", '"a b"~999999', '"a b"~', "a^99999", "a^-1", "a^", "^",
        "text:", ":", "::", "a:b:c", "foo:bar", "actor:", "actor:*", "speaker:(a OR b)",
        "title:[a TO z]", "[a TO z]", "{a TO z}", "date:>2024", "date:[2024 TO 2025]",
        "AND", "OR", "NOT", "a AND", "OR a", "a OR OR b", "a NOT", "AND OR NOT", "+", "-", "+-a",
        "--a", "!a", "a\\", "\\", "\\\\", "'", "''", "a'b", "%", "%00", "%27", "../../etc/passwd",
        "<script>alert(1)</script>", '"><svg onload=alert(1)>', "javascript:alert(1)",
        "=HYPERLINK(\"http://x\")", "@SUM(1)", "\t\r\n", " " * 600, "\u3000" * 10,
        "ceasefire " * 40, "ceasefire OR " * 30 + "truce", "a" * 200 + ":b",
        # Costly for the engine rather than the parser (issue 23): very common words in a
        # phrase, and wide word beginnings.
        '"' + " ".join(["the"] * 30) + '"', '"' + " ".join(["of the"] * 15) + '"',
        '"the the"~50', "comp*", "nego* talk* agre*",
    ]


def run_queries(index_dir: Path | None, examples: int) -> dict:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from indexer.errors import ParleyError
    from search import SearchRequest, search, search_quotes

    work = None
    if index_dir is None:
        work = Path(tempfile.mkdtemp(prefix="parley-hostile-q-"))
        index_dir = work / "ix"
        import indexer

        indexer.ingest([SEEDS, ROOT / "samples"], index_dir)
    worst = (0.0, "")
    outcomes = {"answered": 0, "refused": 0, "crashed": 0}
    crashes = []

    def attempt(text: str, fn=search) -> None:
        nonlocal worst
        t0 = time.monotonic()
        try:
            fn(index_dir, SearchRequest(text=text))
            outcomes["answered"] += 1
        except ParleyError:
            outcomes["refused"] += 1
        except Exception as exc:  # noqa: BLE001 - the figure
            outcomes["crashed"] += 1
            crashes.append(f"{text[:60]!r}: {exc!r}"[:200])
        took = time.monotonic() - t0
        if took > worst[0]:
            worst = (took, text[:60])

    try:
        for text in hostile_queries():
            attempt(text)
            attempt(text, search_quotes)
        listed = dict(outcomes, worst_s=round(worst[0], 3), worst_query=repr(worst[1]))
        outcomes.update(answered=0, refused=0, crashed=0)
        worst = (0.0, "")
        tokens = st.sampled_from(['"', "(", ")", "*", "?", "~", "^", ":", "AND", "OR", "NOT", "-",
                                  "+", "\\", "[", "]", "{", "}", "TO", "actor:", "title:", "quote:",
                                  "ceasefire", "Hamas", "talks", "2", " ", "\x00", "é", "ceas"])
        query = st.one_of(st.text(max_size=80), st.lists(tokens, max_size=40).map("".join),
                          st.lists(st.one_of(tokens, st.text(max_size=5)), max_size=30).map(" ".join))

        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(query)
        def prop(text):
            attempt(text)

        prop()
        return {"listed": listed, "hypothesis": dict(outcomes, examples=examples,
                                                     worst_s=round(worst[0], 3),
                                                     worst_query=repr(worst[1])),
                "crashes": crashes[:10]}
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="*", default=["files", "queries"])
    ap.add_argument("--big-mb", type=int, default=200)
    ap.add_argument("--bomb-gb", type=float, default=4.0)
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--index-dir", type=Path, help="query an existing index (default: seeds+samples)")
    args = ap.parse_args(argv)
    figures = {}
    if "files" in args.what:
        figures["files"] = run_files(args.big_mb, args.bomb_gb)
    if "queries" in args.what:
        figures["queries"] = run_queries(args.index_dir, args.examples)
    if "records" in args.what:
        figures["records"] = run_records()
        print_records(figures["records"])
    print(json.dumps(figures, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
