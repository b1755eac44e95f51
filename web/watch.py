"""`parley watch FOLDER`: index files as they arrive in a folder (exports, saved pages).

The folder is polled: a file is indexed once it is new or changed and has kept the same size
and modification time for one whole interval (so a file still being copied is not read
half-written). Indexing goes through the same ingest as `parley index`, which skips what it
already holds. A file removed from the folder leaves its articles in the index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import indexer
from indexer.errors import IndexBusy
from indexer.models import IngestReport

Signature = tuple[int, int]  # size, mtime in ns


@dataclass
class FolderWatch:
    """What the folder held at the last look, and what has been indexed since the start."""

    folders: list[Path]
    seen: dict[Path, Signature] = field(default_factory=dict)
    done: dict[Path, Signature] = field(default_factory=dict)

    def scan(self) -> dict[Path, Signature]:
        now: dict[Path, Signature] = {}
        for item in indexer.iter_files(self.folders):
            if isinstance(item, Path):
                try:
                    st = item.stat()
                except OSError:
                    continue
                now[item] = (st.st_size, st.st_mtime_ns)
        return now

    def ready(self) -> list[Path]:
        """Files new or changed since indexed, unchanged since the previous look."""
        now = self.scan()
        settled = [p for p, sig in now.items()
                   if self.seen.get(p) == sig and self.done.get(p) != sig]
        self.seen = now
        return sorted(settled)


def watch(folders: list[Path], index_dir: Path, *, interval: float = 5.0,
          stop: threading.Event | None = None, duration: float | None = None,
          index_files: Callable[[list[Path]], IngestReport] | None = None,
          on_report: Callable[[list[Path], IngestReport], None] | None = None) -> int:
    """Poll until `stop` is set or `duration` seconds have passed; the number of runs made.

    `index_files` indexes a list of files (by default indexer.ingest into index_dir);
    `on_report` hears about each run.
    """
    stop = stop or threading.Event()
    state = FolderWatch(list(folders))
    run = index_files or (lambda files: indexer.ingest(files, index_dir))
    deadline = None if duration is None else time.monotonic() + duration
    runs = 0
    # The first look only records what is there; the second, one interval on, indexes what
    # has settled, including what was there already (ingest passes over known files fast).
    while not stop.is_set():
        files = state.ready()
        if files:
            try:
                report = run(files)
            except IndexBusy:  # a `parley index` is writing: these files wait for the next look
                state.seen = {p: sig for p, sig in state.seen.items() if p not in files}
                stop.wait(interval)
                continue
            runs += 1
            for path in files:
                state.done[path] = state.seen[path]
            if on_report:
                on_report(files, report)
        if deadline is not None and time.monotonic() >= deadline:
            break
        left = None if deadline is None else deadline - time.monotonic()
        stop.wait(interval if left is None else max(0.0, min(interval, left)))
    return runs
