"""The real three-node OpenSearch cluster the cluster-engine tests run against.

Started once per test session by scripts/opensearch-cluster (OpenSearch from Maven Central),
stopped at the end if this session started it. Skipped only where the machine cannot run it
(no Java or Maven); CI machines have both.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "opensearch-cluster"


def _run(*args: str, timeout: float = 420) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    if not (shutil.which("java") and shutil.which("mvn")):
        pytest.skip("Java and Maven are needed to run the OpenSearch test cluster")
    was_running = _run("status", timeout=30).returncode == 0
    started = _run("start")
    if started.returncode != 0:
        pytest.fail(f"the OpenSearch test cluster did not start:\n{started.stderr[-3000:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        if not was_running:
            _run("stop", timeout=120)


def node_command(*args: str) -> None:
    done = _run(*args)
    assert done.returncode == 0, done.stderr[-2000:]


def fresh_location(base_url: str, label: str = "t") -> str:
    """A location with a new index name, so tests never see each other's documents."""
    return f"opensearch+{base_url}/parley-{label}-{uuid.uuid4().hex[:10]}"
