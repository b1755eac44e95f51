"""What `parley index` tells while it runs and when it ends.

On a terminal: one line redrawn in place (files, articles, paragraphs, rate, ETA) and a
summary of skipped inputs grouped by reason. Elsewhere (a pipe, a cron log): JSON lines on
stdout, one object an event. Either way every skipped input and every warning a parser
raised (BeautifulSoup's among them) goes to the log file in the index folder, LOG_NAME.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from indexer.models import IngestReport, Skipped

LOG_NAME = "parley-index.log"
JSON_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
# Test fixtures and evaluation sets that sit beside articles: the extractor's expected output,
# hand-made gold, annotations. Named once as such, not as one skip per record.
_DATA_NAME = re.compile(r"(?:^|[-_./])(?:expected|gold|truth|groundtruth|ground-truth|"
                        r"annotations?|labels?|metadata|answers?)(?:[-_.]|$)", re.I)
_RECORD_SUFFIX = re.compile(r"(?:#|:)\d+$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
REDRAW_SECONDS = 0.2
JSON_EVERY_SECONDS = 2.0


def file_of(label: str) -> str:
    """The file a skipped record came from ('a.jsonl#12' -> 'a.jsonl')."""
    return _RECORD_SUFFIX.sub("", label)


def reason_group(reason: str) -> str:
    """A skip reason without its particulars: 'not valid JSON (Expecting value: line 1 ...)'
    and 'not valid JSON (Extra data ...)' are one group."""
    head = re.split(r"[:(]", reason, maxsplit=1)[0].strip()
    return _NUMBER.sub("N", head) or reason[:60]


def is_data_file(path: str, reasons: set[str]) -> bool:
    """JSON (or a page) that holds expected output or gold, not articles."""
    name = Path(path).name
    if _DATA_NAME.search(name):
        return True
    return name.lower().endswith(JSON_SUFFIXES) and reasons <= {"record has no text",
                                                               "record is not a JSON object"}


@dataclass
class SkipSummary:
    """Skipped inputs grouped by reason, with the data files (gold, expected output) apart."""

    by_reason: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    data_files: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, skipped: list[Skipped]) -> SkipSummary:
        per_file: dict[str, list[Skipped]] = {}
        for s in skipped:
            per_file.setdefault(file_of(s.path), []).append(s)
        summary = cls()
        for path, items in per_file.items():
            if is_data_file(path, {s.reason for s in items}):
                summary.data_files.append(path)
                continue
            for s in items:
                group = reason_group(s.reason)
                summary.by_reason[group] += 1
                summary.examples.setdefault(group, s.path)
        return summary

    def lines(self, log: Path | None) -> list[str]:
        out = []
        if self.data_files:
            shown = ", ".join(self.data_files[:3]) + (" …" if len(self.data_files) > 3 else "")
            out.append(f"not articles: {len(self.data_files)} gold or expected-output data "
                       f"files (JSON or pages that hold no article text), e.g. {shown}")
        for reason, count in self.by_reason.most_common():
            out.append(f"skipped {count} × {reason} (e.g. {self.examples[reason]})")
        if out and log is not None:
            out.append(f"every skipped file and its reason: {log}")
        return out

    def to_dict(self) -> dict:
        return {"skipped_by_reason": dict(self.by_reason.most_common()),
                "data_files": list(self.data_files)}


class RunLog:
    """The log file in the index folder: per run, one line per skipped input or warning.

    Written when the run ends: the folder of a new index must hold nothing but the index
    while it is made (a folder with other files is refused as not a Parley index).
    """

    MAX_WARNINGS = 1000

    def __init__(self, index_dir: Path, paths):
        # A cluster location (opensearch+http://...) has no folder: its log is kept here.
        self.path = Path(LOG_NAME) if "://" in str(index_dir) else Path(index_dir) / LOG_NAME
        self.warnings: Counter = Counter()
        self._lines: list[str] = []
        started = datetime.now(UTC).isoformat(timespec="seconds")
        self._head = f"# run {started}: parley index {' '.join(map(str, paths))}\n"

    def warning(self, message, category, filename, lineno, file=None, line=None) -> None:
        """Replaces warnings.showwarning for the run: a parser's warning is logged, not shown."""
        self.warnings[category.__name__] += 1
        if len(self._lines) < self.MAX_WARNINGS:
            text = " ".join(str(message).split())[:300]
            self._lines.append(f"warning\t{category.__name__}\t{Path(filename).name}:{lineno}"
                               f"\t{text}\n")

    def record(self, record: logging.LogRecord) -> None:
        """A library's log record (trafilatura logs pages it cannot read): logged, not shown."""
        self.warnings[f"{record.name} {record.levelname.lower()}"] += 1
        if len(self._lines) < self.MAX_WARNINGS:
            text = " ".join(record.getMessage().split())[:300]
            self._lines.append(f"log\t{record.name}\t{record.levelname}\t{text}\n")

    def write(self, report: IngestReport) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(self._head)
            f.writelines(self._lines)
            f.writelines(f"skipped\t{s.path}\t{s.reason}\n" for s in report.skipped)
            f.writelines(f"note\t{n.path}\t{n.reason}\n" for n in report.notices)
            f.writelines(f"ignored\t{p}\tnot a type Parley reads\n" for p in report.ignored)


class Progress:
    """Counts files, bytes, articles and paragraphs as they go; draws or prints them."""

    def __init__(self, mode: str, total_files: int = 0, total_bytes: int = 0,
                 out: TextIO | None = None):
        self.mode = mode  # bar | jsonl | none
        self.out = out or (sys.stderr if mode == "bar" else sys.stdout)
        self.total_files, self.total_bytes = total_files, total_bytes
        self.files = self.bytes = 0
        self.articles = self.paragraphs = 0
        self.started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def file_done(self, path: Path) -> None:
        self.files += 1
        try:
            self.bytes += path.stat().st_size
        except OSError:
            pass
        self._maybe_show()

    def article_done(self, report: IngestReport) -> None:
        self.articles, self.paragraphs = report.articles, report.paragraphs
        self._maybe_show()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.paragraphs / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        """Seconds left, from the share of bytes read (None until a file is done)."""
        if not self.total_bytes or not self.bytes:
            return None
        elapsed = time.monotonic() - self.started
        return max(0.0, elapsed * (self.total_bytes - self.bytes) / self.bytes)

    def _maybe_show(self, force: bool = False) -> None:
        if self.mode == "none":
            return
        now = time.monotonic()
        every = REDRAW_SECONDS if self.mode == "bar" else JSON_EVERY_SECONDS
        if not force and now - self._last < every:
            return
        self._last = now
        if self.mode == "bar":
            self.out.write("\r\x1b[K" + self.line())
            self._drawn = True
        else:
            self.out.write(json.dumps({"event": "progress", **self.figures()}) + "\n")
        self.out.flush()

    def figures(self) -> dict:
        eta = self.eta()
        return {"files": self.files, "files_total": self.total_files, "articles": self.articles,
                "paragraphs": self.paragraphs, "paragraphs_per_second": round(self.rate(), 1),
                "eta_seconds": None if eta is None else round(eta)}

    def line(self, width: int = 20) -> str:
        share = self.bytes / self.total_bytes if self.total_bytes else 0.0
        filled = int(share * width)
        bar = "█" * filled + "░" * (width - filled)
        eta = self.eta()
        left = "ETA --:--" if eta is None else f"ETA {int(eta) // 60}:{int(eta) % 60:02d}"
        return (f"indexing {bar} {share:4.0%} · {self.files}/{self.total_files} files · "
                f"{self.articles:,} articles · {self.paragraphs:,} paragraphs · "
                f"{self.rate():,.0f} ¶/s · {left}")

    def finish(self) -> None:
        if self.mode == "bar" and self._drawn:
            self.out.write("\r\x1b[K")
            self.out.flush()


class _ToRunLog(logging.Handler):
    def __init__(self, log: RunLog):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.record(record)


@contextmanager
def capture_warnings(log: RunLog) -> Iterator[None]:
    """Every warning and library log record of the run goes to its log, not to the screen.

    Without a handler, Python prints a library's warnings and errors on stderr: 737 skip
    lines came with BeautifulSoup's and trafilatura's own messages in between.
    """
    handler = _ToRunLog(log)
    root = logging.getLogger()
    root.addHandler(handler)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = log.warning
        try:
            yield
        finally:
            root.removeHandler(handler)
