"""Shared fixtures: one index built from the seeds per session, and paths to shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

import indexer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SAMPLES = ROOT / "samples"
CORPORA = ROOT.parent / "shared" / "corpora"


def corpus(*parts: str) -> Path:
    """A path under ../shared/corpora, or skip the test cleanly when it is absent."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not available: {path}")
    return path


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the four seed articles, built once and shared (read-only by convention)."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    report = indexer.ingest([SEEDS], index_dir)
    assert report.articles == 4 and not report.skipped
    return index_dir
