"""Slow and hostile clients against a real `parley serve` on 127.0.0.1: half-open sockets and
exports nobody reads must not lock other users out. Every loop here is bounded in time."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHANNEL_TIMEOUT = 2
CONNECTION_LIMIT = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, url: str, timeout: float = 20) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", url)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(seed_index: Path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--index-dir", str(seed_index), "--no-samples",
         "--port", str(port), "--threads", "2", "--channel-timeout", str(CHANNEL_TIMEOUT),
         "--connection-limit", str(CONNECTION_LIMIT)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(port, "/api/search?q=ceasefire", timeout=5)[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            said = proc.stderr.read().decode()[-500:]
            proc.stderr.close()
            pytest.fail("parley serve did not start: " + said)
        time.sleep(0.3)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    assert "Traceback" not in log, log[-2000:]


def half_open(port: int, n: int) -> list[socket.socket]:
    """n connections that start a request and never finish it."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /api/search?q=ceasefire HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        socks.append(s)
    return socks


def closed_by_server(s: socket.socket, wait: float) -> bool:
    s.settimeout(wait)
    try:
        return s.recv(1024) == b""
    except TimeoutError:
        return False
    except OSError:  # reset: closed too
        return True


def test_more_half_open_sockets_than_the_connection_limit_do_not_lock_others_out(server):
    socks = half_open(server, CONNECTION_LIMIT + 20)
    try:
        t0 = time.monotonic()
        status, body = get(server, "/api/search?q=ceasefire", timeout=30)
        waited = time.monotonic() - t0
        assert status == 200 and b'"total"' in body
        # The new request waited at most for the idle ones to time out, not for them to end.
        assert waited < CHANNEL_TIMEOUT + 10, waited
        assert all(closed_by_server(s, CHANNEL_TIMEOUT + 10) for s in socks[:5])
    finally:
        for s in socks:
            s.close()


def test_exports_nobody_reads_do_not_block_searches_or_later_exports(server):
    unread = []
    for _ in range(3):  # more than the export slots
        s = socket.create_connection(("127.0.0.1", server), timeout=5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /export/search.csv?q=&limit=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        unread.append(s)
    try:
        results: list[int] = []
        threads = [threading.Thread(target=lambda: results.append(
            get(server, "/api/search?q=hostages")[0])) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert results == [200] * 10
        # Once the unread exports' connections time out, their slots are free again.
        deadline, status = time.monotonic() + CHANNEL_TIMEOUT + 15, 0
        while time.monotonic() < deadline and status != 200:
            status, body = get(server, "/export/search.csv?q=ceasefire")
            time.sleep(0.5)
        assert status == 200 and body.count(b"\n") > 1
    finally:
        for s in unread:
            s.close()


def test_a_search_past_the_request_budget_is_a_400_that_says_why(seed_index):
    # The server's budget, applied the way `parley serve` applies it, to a real request.
    from search.budget import wsgi_deadline
    from web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(seed_index)})
    app.wsgi_app = wsgi_deadline(app.wsgi_app, 1e-9)
    resp = app.test_client().get("/api/search?q=ceasefire")
    assert resp.status_code == 400 and "longer than the server allows" in resp.json["error"]
    app.wsgi_app = wsgi_deadline(app.wsgi_app, None)
