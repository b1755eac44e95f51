"""Fault scenarios for `parley index` and the readers, each printing its figure.

    python bench/faults.py                      # every scenario, default sizes (~10 min)
    python bench/faults.py kills --kills 20     # one scenario
    python bench/faults.py kills --reuters 0    # the whole Reuters corpus (slow: ~20 min a pass)

Scenarios: kills (SIGKILL at random moments, then re-open, look up, re-run), busy (two
writers), readers (CLI and web searches while indexing), diskfull and readonly (tmpfs,
needs root), corrupt (`parley check` on damaged copies). Everything runs on loopback and
under a temporary directory; nothing outside it is written.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import query as wq  # noqa: E402

from indexer import registry  # noqa: E402
from search.engines.embedded.check import check_index  # noqa: E402
from search.engines.embedded.schema import open_index  # noqa: E402

WHITEHOUSE = ROOT / "samples" / "whitehouse_gaza.jsonl.gz"
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578" / "reuters21578.jsonl.gz"
NEGOTIATIONS = REUTERS.with_name("reuters21578_negotiations.jsonl")
SEEDS = ROOT / "seeds"
# Runs `parley` with a smaller batch, so a kill can land between many commits.
PARLEY = [sys.executable, "-c",
          "import sys, indexer; indexer.BATCH_PARAGRAPHS = int(sys.argv.pop(1)); "
          "from web.cli import cli; cli(prog_name='parley')"]


def parley(batch: int = 5000) -> list[str]:
    return [*PARLEY, str(batch)]


def run_measured(cmd: list[str], timeout: float = 3600, **kw) -> tuple[int, str, float, int]:
    """Exit code, stderr, seconds and peak RSS (kB) of one child process."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, **kw)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err, time.monotonic() - start, usage.ru_maxrss


def make_corpus(folder: Path, reuters: int, whitehouse: bool = True) -> list[Path]:
    """The first `reuters` Reuters stories (0 = all of them), then the White House briefings."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if REUTERS.exists():  # first: short stories commit often, so early kills land after commits
        if reuters == 0:
            paths.append(REUTERS)
        else:
            out = folder / f"reuters_{reuters}.jsonl.gz"
            with gzip.open(REUTERS, "rt") as src, gzip.open(out, "wt") as dst:
                for i, line in enumerate(src):
                    if i >= reuters:
                        break
                    dst.write(line)
            paths.append(out)
    return [*paths, WHITEHOUSE] if whitehouse else paths


def lock_released_after(index_dir: Path, limit: float = 30.0) -> float:
    """Seconds until the write lock can be taken (worker processes may outlive a killed parent)."""
    import fcntl

    start = time.monotonic()
    with open(index_dir / "parley-write.lock", "a+") as fh:
        while time.monotonic() - start < limit:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fh, fcntl.LOCK_UN)
                break
            except BlockingIOError:
                time.sleep(0.02)
    return time.monotonic() - start


def index_counts(index_dir: Path) -> tuple[Counter, Counter]:
    """Paragraphs per article id and documents per paragraph id, as the index holds them."""
    ix = open_index(index_dir)
    per_article, per_pid = Counter(), Counter()
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            per_article[fields["article_id"]] += 1
            per_pid[fields["pid"]] += 1
    return per_article, per_pid


def recorded_articles(index_dir: Path) -> dict[str, int]:
    with registry.connect(index_dir) as conn:
        return dict(conn.execute("SELECT article_id, paragraphs FROM articles"))


def lost_articles(index_dir: Path, recorded: dict[str, int]) -> tuple[list[str], list[str]]:
    """Recorded articles a search by article id finds with fewer / more paragraphs than recorded."""
    ix = open_index(index_dir)
    lost, extra = [], []
    with ix.searcher() as s:
        for article_id, n in recorded.items():
            found = len(list(s.docs_for_query(wq.Term("article_id", article_id))))
            (lost if found < n else extra if found > n else []).append(article_id)
    return lost, extra


# -- scenario: SIGKILL at random moments ------------------------------------------------------


def scenario_kills(work: Path, kills: int, reuters: int, batch: int, max_delay: float,
                   seed: int) -> dict:
    rng = random.Random(seed)
    paths = [str(p) for p in make_corpus(work / "corpus", reuters)]
    index_dir = work / "kills-index"
    cmd = [*parley(batch), "index", *paths, "--index-dir", str(index_dir), "--wait", "5"]
    survived = busy_after = 0
    lost: set[str] = set()
    doubled: set[str] = set()
    recovery, lock_waits = [], []
    for i in range(kills):
        before = recorded_articles(index_dir) if (index_dir / registry.REGISTRY).exists() else {}
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        delay = rng.uniform(0.3, max_delay)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:  # a finished run is already reaped: its pid may not be signalled
            os.kill(proc.pid, signal.SIGKILL)  # the process only, as `kill -9 PID` would
        proc.wait()
        err = proc.stderr.read().decode()
        if (index_dir / "parley-write.lock").exists():
            lock_waits.append(lock_released_after(index_dir))
        if "busy" in err:
            busy_after += 1
        t0 = time.monotonic()
        try:
            after = recorded_articles(index_dir)
            missing, extra = lost_articles(index_dir, after) if after else ([], [])
            survived += 1
        except Exception as exc:  # noqa: BLE001 - the figure is whether this ever happens
            print(f"  kill {i + 1}: index does not open: {exc!r}")
            missing, extra = list(after), []
        recovery.append(time.monotonic() - t0)
        lost |= set(missing) | (set(before) - set(after))
        doubled |= set(extra)
        print(f"  kill {i + 1:2d} after {delay:4.1f} s{' (already done)' if finished else ''}: "
              f"{len(after)} articles recorded, {len(missing)} short, {len(extra)} doubled",
              flush=True)
        if finished:
            break
    code, err, seconds, rss = run_measured(cmd)
    per_article, per_pid = index_counts(index_dir)
    recorded = recorded_articles(index_dir)
    report = check_index(index_dir)
    duplicates = sum(n - 1 for n in per_pid.values() if n > 1)
    return {
        "kills": len(recovery), "kills_survived": survived, "articles_lost": len(lost),
        "articles_doubled_between_kills": len(doubled),
        "duplicate_paragraphs": duplicates, "busy_after_kill": busy_after,
        "final_run_exit": code, "final_run_s": round(seconds, 1),
        "articles_index": len(per_article), "articles_registry": len(recorded),
        "check_healthy": report.healthy, "check_problems": report.problems[:3],
        "max_reopen_s": round(max(recovery, default=0), 2),
        "max_lock_release_s": round(max(lock_waits, default=0), 2),
    }


# -- scenario: two writers at once ------------------------------------------------------------


def scenario_busy(work: Path, reuters: int, wait: float) -> dict:
    paths = [str(p) for p in make_corpus(work / "corpus", reuters, whitehouse=False)]
    index_dir = work / "busy-index"
    first = subprocess.Popen([*parley(), "index", *paths, "--index-dir", str(index_dir)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)
    code, err, seconds, _ = run_measured(
        [*parley(), "index", str(SEEDS), "--index-dir", str(index_dir), "--wait", str(wait)])
    first_code = first.wait()
    report = check_index(index_dir)
    return {"second_exit": code, "second_waited_s": round(seconds, 1),
            "message": err.strip().splitlines()[-1] if err.strip() else "",
            "first_exit": first_code, "check_healthy": report.healthy,
            "traceback": "Traceback" in err}


# -- scenario: searching while indexing -------------------------------------------------------


QUERIES = ["ceasefire", "hostage release", '"prisoner exchange"', "Hamas Qatar", "oil prices",
           "trade talks", "negotiat*", "actor:Netanyahu", "truce NOT Lebanon", "bank rates"]


def scenario_readers(work: Path, reuters: int, seconds: float) -> dict:
    from search import SearchRequest, search

    paths = [str(p) for p in make_corpus(work / "corpus", reuters, whitehouse=False)]
    index_dir = work / "readers-index"
    subprocess.run([*parley(), "index", str(SEEDS), "--index-dir", str(index_dir)], cwd=ROOT,
                   check=True, capture_output=True)
    writer = subprocess.Popen([*parley(300), "index", *paths, "--index-dir", str(index_dir)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + seconds
    counts = Counter()
    errors: list[str] = []

    def api_loop():
        client = _web_client(index_dir)
        i = 0
        while time.monotonic() < deadline:
            if client is None:
                search(index_dir, SearchRequest(text=QUERIES[i % len(QUERIES)]))
                counts["core"] += 1
            else:
                resp = client.get("/api/search", query_string={"q": QUERIES[i % len(QUERIES)]})
                counts["web"] += 1
                if resp.status_code != 200:
                    errors.append(f"web {resp.status_code}: {resp.get_data(as_text=True)[:200]}")
            i += 1

    def guarded(fn):
        def run():
            try:
                fn()
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
        return run

    def cli_loop():
        i = 0
        while time.monotonic() < deadline:
            code, err, _, _ = run_measured([*parley(), "search", QUERIES[i % len(QUERIES)],
                                            "--index-dir", str(index_dir), "--format", "json"])
            counts["cli"] += 1
            if code != 0:
                errors.append(f"cli exit {code}: {err.strip()[-200:]}")
            i += 1

    threads = [threading.Thread(target=guarded(api_loop)) for _ in range(4)]
    threads.append(threading.Thread(target=guarded(cli_loop)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.kill()
    writer.wait()
    return {"searches": sum(counts.values()), **counts, "errors": len(errors),
            "first_errors": errors[:3]}


def _web_client(index_dir: Path):
    try:
        from web import create_app

        app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    except Exception:  # noqa: BLE001 - the web app is still being built
        return None
    if "api" not in app.blueprints and not any(r.rule == "/api/search" for r in app.url_map.iter_rules()):
        return None
    return app.test_client()


# -- scenarios: disk full, read-only ----------------------------------------------------------


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True)


def _snapshot(index_dir: Path) -> tuple[int, int]:
    per_article, per_pid = index_counts(index_dir)
    return len(per_article), sum(per_pid.values())


def scenario_diskfull(work: Path, reuters: int) -> dict:
    mnt = work / "full-mnt"
    if not _mount_tmpfs(mnt, "6m"):
        return {"skipped": "mount -t tmpfs failed (needs root)"}
    try:
        index_dir = mnt / "index"
        subprocess.run([*parley(), "index", str(SEEDS), "--index-dir", str(index_dir)], cwd=ROOT,
                       check=True, capture_output=True)
        before = _snapshot(index_dir)
        paths = [str(p) for p in make_corpus(work / "corpus", reuters, whitehouse=False)]
        code, err, seconds, _ = run_measured(
            [*parley(300), "index", *paths, "--index-dir", str(index_dir)])
        fig = {"exit": code, "message": err.strip().splitlines()[-1] if err.strip() else "",
               "traceback": "Traceback" in err, "before": before}
        fig["while_full"] = _post_checks(index_dir)
        # Free space (grow the tmpfs), then the same command must complete.
        subprocess.run(["mount", "-o", "remount,size=256m", str(mnt)], check=True)
        fig["after_freeing"] = _post_checks(index_dir)
        again, err2, _, _ = run_measured([*parley(300), "index", *paths, "--index-dir", str(index_dir)])
        fig["rerun_exit"] = again
        fig["after_rerun"] = _post_checks(index_dir)
        return fig
    finally:
        _umount(mnt)


def _post_checks(index_dir: Path) -> dict:
    """What a user sees afterwards: paragraphs searchable, registry readable, check healthy."""
    out = {}
    try:
        out["articles_paragraphs"] = _snapshot(index_dir)
    except Exception as exc:  # noqa: BLE001
        out["index_error"] = repr(exc)[:160]
    try:
        recorded = recorded_articles(index_dir)
        out["recorded_articles_lost"] = len(lost_articles(index_dir, recorded)[0])
    except Exception as exc:  # noqa: BLE001
        out["registry_error"] = repr(exc)[:160]
    try:
        report = check_index(index_dir)
        out["check_healthy"], out["check_problems"] = report.healthy, report.problems[:2]
    except Exception as exc:  # noqa: BLE001
        out["check_error"] = repr(exc)[:160]
    return out


def scenario_readonly(work: Path) -> dict:
    mnt = work / "ro-mnt"
    if not _mount_tmpfs(mnt, "64m"):
        return {"skipped": "mount -t tmpfs failed (needs root)"}
    try:
        index_dir = mnt / "index"
        subprocess.run([*parley(), "index", str(SEEDS), "--index-dir", str(index_dir)], cwd=ROOT,
                       check=True, capture_output=True)
        before = _snapshot(index_dir)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        extra = work / "extra.jsonl"
        extra.write_text(json.dumps({"text": "A new ceasefire paragraph for the read-only test.",
                                     "title": "Read-only"}) + "\n")
        code, err, _, _ = run_measured([*parley(), "index", str(extra), "--index-dir", str(index_dir)])
        search_code, search_err, _, _ = run_measured(
            [*parley(), "search", "ceasefire", "--index-dir", str(index_dir)])
        articles_code, articles_err, _, _ = run_measured(
            [*parley(), "articles", "--index-dir", str(index_dir)])
        return {"exit": code, "message": err.strip().splitlines()[-1] if err.strip() else "",
                "traceback": "Traceback" in err, "before": before,
                "search_exit": search_code, "articles_exit": articles_code,
                "articles_said": articles_err.strip().splitlines()[-1][:160] if articles_err.strip() else "",
                "after": _post_checks(index_dir)}
    finally:
        _umount(mnt)


# -- scenario: damaged index copies -----------------------------------------------------------


def scenario_corrupt(work: Path) -> dict:
    base = work / "corrupt-base"
    subprocess.run([*parley(), "index", str(SEEDS), str(NEGOTIATIONS), "--index-dir", str(base)],
                   cwd=ROOT, check=True, capture_output=True)
    outcomes = {}

    def damage(name, fn):
        copy = work / f"corrupt-{name}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(base, copy)
        fn(copy)
        code, err, seconds, _ = run_measured([*parley(), "check", "--index-dir", str(copy)])
        outcomes[name] = {"exit": code, "s": round(seconds, 1), "traceback": "Traceback" in err,
                          "says": err.strip().splitlines()[-1][:160] if err.strip() else ""}

    def biggest(d):
        return max((p for p in d.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size)

    def truncate(d):
        seg = biggest(d)
        os.truncate(seg, seg.stat().st_size // 2)

    def zero_tail(d):
        seg = biggest(d)
        with open(seg, "r+b") as fh:
            fh.seek(-4096, os.SEEK_END)
            fh.write(b"\0" * 4096)

    def delete_segment(d):
        biggest(d).unlink()

    def drop_registry_rows(d):
        with registry.connect(d, write=True) as conn:
            conn.execute("DELETE FROM articles WHERE rowid IN (SELECT rowid FROM articles LIMIT 3)")

    def garbage_toc(d):
        toc = next(d.glob("*.toc"))
        toc.write_bytes(os.urandom(toc.stat().st_size))

    code, err, seconds, _ = run_measured([*parley(), "check", "--index-dir", str(base)])
    outcomes["healthy"] = {"exit": code, "s": round(seconds, 1), "traceback": "Traceback" in err}
    for name, fn in [("truncate_segment", truncate), ("zero_segment_tail", zero_tail),
                     ("delete_segment", delete_segment), ("registry_rows_dropped", drop_registry_rows),
                     ("garbage_toc", garbage_toc)]:
        damage(name, fn)
    detected = sum(1 for k, v in outcomes.items() if k != "healthy" and v["exit"] == 4)
    return {"detected": f"{detected}/{len(outcomes) - 1}", **outcomes}


# -- driver -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", default=["kills", "busy", "readers", "diskfull",
                                                      "readonly", "corrupt"])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--reuters", type=int, default=3000, help="Reuters stories to add; 0 = all")
    ap.add_argument("--batch", type=int, default=250, help="paragraphs per commit in the kill runs")
    ap.add_argument("--max-delay", type=float, default=6.0, help="longest wait before a kill, s")
    ap.add_argument("--seconds", type=float, default=30.0, help="length of the readers scenario")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="parley-faults-"))
    figures = {}
    try:
        for name in args.scenarios:
            print(f"== {name}", flush=True)
            t0 = time.monotonic()
            if name == "kills":
                fig = scenario_kills(work, args.kills, args.reuters, args.batch, args.max_delay, args.seed)
            elif name == "busy":
                fig = scenario_busy(work, args.reuters, wait=3.0)
            elif name == "readers":
                fig = scenario_readers(work, args.reuters, args.seconds)
            elif name == "diskfull":
                fig = scenario_diskfull(work, args.reuters)
            elif name == "readonly":
                fig = scenario_readonly(work)
            elif name == "corrupt":
                fig = scenario_corrupt(work)
            else:
                raise SystemExit(f"unknown scenario {name!r}")
            fig["scenario_s"] = round(time.monotonic() - t0, 1)
            figures[name] = fig
            print(json.dumps(fig, indent=1, default=str), flush=True)
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n== figures")
    print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
