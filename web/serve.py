"""The serving process model of `parley serve`: worker processes on one listening socket.

Searching is CPU-bound Python (highlighting, page rendering, JSON encoding, stored-field
reads), and one interpreter runs one thread of Python at a time: eight waitress threads in
one process used one core. So the server forks `workers` processes (one per core by
default) after binding the socket; each builds its own app, opens the index read-only on
its first request, and runs waitress on the shared socket. The kernel hands each new
connection to one of them. Every worker keeps waitress's limits (channel timeout,
connection limit, buffer caps), so a slow client costs one connection slot, never a worker.

Nothing that touches the index is opened before the fork: a worker must not share file
offsets or locks with its siblings, and each notices a new index generation (a commit, a
rebuild swapped in) on its own, as a single process does.

Byte budgets (filter cache, response cache) are for the whole server and split between the
workers, so adding workers does not multiply memory.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

WSGIApp = Callable[[dict, Callable], Any]

# A worker that dies this soon after starting is not restarted again and again: something
# is wrong with the setup (the index folder, the environment), and the log says what.
_QUICK_DEATH_SECONDS = 2.0
_MAX_QUICK_DEATHS = 5


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, cores)




def listening_socket(host: str, port: int, backlog: int = 1024) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(backlog)
    sock.setblocking(False)  # waitress's accept loop expects it; a sibling may win the race
    return sock


def run_worker(make_app: Callable[[], WSGIApp], sock: socket.socket, threads: int,
               limits: dict) -> None:
    from waitress import create_server

    server = create_server(make_app(), sockets=[sock], threads=threads, ident="parley",
                           **limits)
    server.run()


def serve(make_app: Callable[[], WSGIApp], host: str, port: int, *, workers: int,
          threads: int, limits: dict, log: Callable[[str], None]) -> None:
    """Serve until SIGINT/SIGTERM. workers == 1: this process serves (no fork)."""
    sock = listening_socket(host, port)
    if workers <= 1:
        log(f"Parley is serving on http://{host}:{port}/ (Ctrl+C to stop)")
        run_worker(make_app, sock, threads, limits)
        return
    children: dict[int, float] = {}  # pid -> start time
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = 0
            try:
                run_worker(make_app, sock, threads, limits)
            except BaseException as exc:  # noqa: BLE001  # reported, then the worker exits
                if not isinstance(exc, KeyboardInterrupt | SystemExit):
                    import traceback

                    traceback.print_exc()
                    code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        spawn()
    log(f"Parley is serving on http://{host}:{port}/ with {workers} worker processes "
        "(Ctrl+C to stop)")
    quick_deaths = 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        code = os.waitstatus_to_exitcode(status)
        log(f"worker {pid} ended ({'signal ' + str(-code) if code < 0 else 'exit ' + str(code)}); "
            "starting another")
        quick_deaths = quick_deaths + 1 if time.monotonic() - started < _QUICK_DEATH_SECONDS else 0
        if quick_deaths >= _MAX_QUICK_DEATHS:
            log("workers keep dying at start; stopping the server")
            stop(signal.SIGTERM, None)
            continue
        spawn()
    sock.close()
