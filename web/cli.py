"""The `parley` command line: a thin face over the indexer and the search core.

No search logic lives here: commands build a SearchRequest, call the core, and print.
Data (JSON, CSV) goes to stdout; progress and messages go to stderr.
Exit codes: 0 ok; 1 an error you can fix (or, for `index`, some inputs were skipped);
2 usage; 3 index busy; 4 index damaged or not a Parley index; 5 index could not be written.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from dataclasses import replace
from pathlib import Path

import click

import indexer
import search as core
from search.export import HIT_COLUMNS, QUOTE_COLUMNS, csv_lines, hit_row, quote_row
from search.request import KINDS, SearchRequest

DEFAULT_INDEX_DIR = ".parley/index"
MAX_NOTES = 20  # lines of data-quality notes printed after an index run; the rest are logged
PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("seeds", "samples")


class ParleyFailure(click.ClickException):
    """A ParleyError shown as one line on stderr, with the error's own exit code."""

    def __init__(self, exc: indexer.ParleyError):
        super().__init__(str(exc))
        self.exit_code = exc.exit_code


def fail_nicely(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except indexer.ParleyError as exc:
            raise ParleyFailure(exc) from None
        except BrokenPipeError:  # `parley search ... | head`
            sys.stderr.close()

    return wrapper


class Location(click.ParamType):
    """An index folder (a Path), or a cluster location URL kept as written."""

    name = "FOLDER|URL"

    def convert(self, value, param, ctx):
        text = str(value)
        return text if "://" in text else Path(text)


def index_dir_option(fn):
    return click.option(
        "--index-dir", "--engine", "index_dir", envvar=["PARLEY_ENGINE", "PARLEY_INDEX_DIR"],
        default=DEFAULT_INDEX_DIR, show_default=True, type=Location(),
        help="Where the index lives: a folder, or an OpenSearch cluster as "
             "opensearch+http(s)://HOST:PORT/INDEX (also PARLEY_ENGINE, PARLEY_INDEX_DIR).")(fn)


def filter_options(fn):
    """The filters shared by `search` and `quotes`."""
    opts = [
        click.option("--actor", multiple=True, help="Only paragraphs naming this actor (any alias)."),
        click.option("--outlet", multiple=True, help="Only this outlet (repeat for either/or)."),
        click.option("--topic", multiple=True, help="Only paragraphs on this topic."),
        click.option("--speaker", multiple=True, help="Only quotations by this speaker (any alias)."),
        click.option("--month", multiple=True, help="Only this month, YYYY-MM."),
        click.option("--since", help="From this date, YYYY-MM-DD."),
        click.option("--until", help="Up to this date, YYYY-MM-DD."),
        click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance",
                     show_default=True),
        click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
                     help="Results per page; 0 = all, streamed."),
        click.option("--page", type=click.IntRange(min=1), default=1, show_default=True),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def build_request(query, actor, outlet, topic, speaker, month, since, until, sort, limit, page,
                  quotes_only=False) -> SearchRequest:
    filters = {"actor": actor, "outlet": outlet, "topic": topic, "speaker": speaker, "month": month}
    return SearchRequest(text=query or "", filters=filters, since=since, until=until, sort=sort,
                         page=page, size=limit, quotes_only=quotes_only)


@click.group()
@click.version_option(package_name="parley")
def cli():
    """Parley: search news coverage of negotiations by paragraph, quotation, speaker and outlet.

    Example:

        parley index seeds/ && parley search "ceasefire" --actor Hamas
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_dir_option
@click.option("--rebuild", is_flag=True, help="Start a fresh index instead of updating.")
@click.option("--actors-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra actors/topics/media JSON file (same shape as indexer/data/*.json).")
@click.option("--wait", type=float, default=10.0, show_default=True,
              help="Seconds to wait for another indexing run to finish before giving up.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "jsonl"]), default="auto",
              show_default=True,
              help="text: a progress bar and a summary on stderr; jsonl: one JSON object an "
                   "event on stdout. auto: text on a terminal, jsonl otherwise.")
@fail_nicely
def index(paths, index_dir, rebuild, actors_file, wait, fmt):
    """Index articles: .txt with manifest.json, .json/.jsonl(.gz), .html(.gz), .warc(.gz)/.wacz.

    Folders are read recursively. Unchanged files are skipped, changed articles replaced.
    On a terminal a progress bar shows files, articles, paragraphs, rate and time left; the
    skipped files are summed up by reason, each listed in parley-index.log in the index
    folder. Exit status 1 if any file was skipped.

    Example:

        parley index seeds/ samples/ --index-dir ./my-index
    """
    report = run_index(list(paths), index_dir, rebuild=rebuild, actors_files=actors_file,
                       wait=wait, fmt=fmt)
    if report.failed:
        sys.exit(1)


def run_index(paths: list[Path], index_dir: Path, *, rebuild: bool = False, actors_files=(),
              wait: float = 10.0, fmt: str = "auto") -> indexer.IngestReport:
    """One indexing run with progress, a log in the index folder and a summary."""
    from web.progress import Progress, RunLog, SkipSummary, capture_warnings

    if fmt == "auto":
        fmt = "text" if sys.stderr.isatty() else "jsonl"
    mode = "jsonl" if fmt == "jsonl" else ("bar" if sys.stderr.isatty() else "none")
    files = [f for f in indexer.iter_files(paths) if isinstance(f, Path)]
    progress = Progress(mode, len(files), sum(_size(f) for f in files))
    log = RunLog(index_dir, paths)
    try:
        with capture_warnings(log):
            report = indexer.ingest(paths, index_dir, rebuild=rebuild, actors_files=actors_files,
                                    lock_timeout=wait, progress=progress.file_done,
                                    on_article=progress.article_done)
    finally:
        progress.finish()
    log.write(report)
    summary = SkipSummary.of(report.skipped)
    if fmt == "jsonl":
        click.echo(json.dumps({"event": "done", "index_dir": str(index_dir), "log": str(log.path),
                               **report.to_dict(), **summary.to_dict(),
                               "skipped": len(report.skipped), "ignored": len(report.ignored),
                               "warnings": dict(log.warnings)}, ensure_ascii=False))
        return report
    for line in summary.lines(log.path if report.skipped else None):
        click.echo(line, err=True)
    # Records indexed without a bad field (a date, a broken character), folded by file.
    from indexer.sources import grouped

    notes = grouped(report.notices)
    for line in notes[:MAX_NOTES]:
        click.echo(f"note: {line}", err=True)
    if len(notes) > MAX_NOTES:
        click.echo(f"note: {len(notes) - MAX_NOTES} more in {log.path}", err=True)
    if log.warnings:
        total = sum(log.warnings.values())
        click.echo(f"{total} warnings and messages from the page parsers, in {log.path}",
                   err=True)
    if report.ignored:
        shown = ", ".join(report.ignored[:5]) + (" …" if len(report.ignored) > 5 else "")
        click.echo(f"ignored {len(report.ignored)} files of other types in folders: {shown}",
                   err=True)
    click.echo(
        f"indexed {report.articles} articles ({report.paragraphs} paragraphs, "
        f"{report.quotes} quotations); {report.unchanged} unchanged, {report.replaced} "
        f"replaced, {report.duplicates} duplicates, {len(report.skipped)} skipped "
        f"-> {index_dir}", err=True)
    return report


@cli.command()
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@index_dir_option
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between looks at the folder.")
@click.option("--for", "duration", type=click.FloatRange(min=0), default=None,
              help="Stop after this many seconds (default: run until Ctrl+C).")
@click.option("--wait", type=float, default=10.0, show_default=True,
              help="Seconds to wait for another indexing run to finish before trying later.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "jsonl"]), default="auto",
              show_default=True, help="As for `parley index`.")
@fail_nicely
def watch(folders, index_dir, interval, duration, wait, fmt):
    """Index new and changed files in folders as they arrive, until stopped (Ctrl+C).

    A file is indexed once it has stopped changing for one interval, so a file still
    being copied in is not read half-written. Files already indexed are passed over.

    Example:

        parley watch ~/newsroom/exports --interval 10
    """
    import signal
    import threading

    from web.watch import watch as watch_folders

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"watching {', '.join(map(str, folders))} every {interval:g} s "
               f"-> {index_dir} (Ctrl+C to stop)", err=True)
    try:
        runs = watch_folders(list(folders), index_dir, interval=interval, stop=stop,
                             duration=duration,
                             index_files=lambda files: run_index(files, index_dir, wait=wait,
                                                                 fmt=fmt))
    except KeyboardInterrupt:
        runs = None
    click.echo("stopped watching" + (f" after {runs} indexing runs" if runs is not None else ""),
               err=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@cli.command(name="search")
@click.argument("query", required=False, default="")
@filter_options
@click.option("--quotes-only", is_flag=True, help="Only paragraphs that contain quotations.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
              help="Only paragraphs holding a quotation of this kind; quote: words are then "
                   "looked for in it too (quote: alone means words inside quotation marks).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
@index_dir_option
@fail_nicely
def search_cmd(query, actor, outlet, topic, speaker, month, since, until, sort, limit, page,
               quotes_only, kinds, fmt, index_dir):
    """Search indexed paragraphs; all words must match unless you write OR.

    Syntax: "exact phrase", "two words"~5 (within 5 words), OR, NOT or -word,
    field:value (actor:, speaker:, outlet:, topic:, quote:, title:), negotiat* (word endings).

    Example:

        parley search "ceasefire" --actor Hamas --since 2024-01-01 --format json
        parley search "quote:talks" --kind reported
    """
    req = replace(build_request(query, actor, outlet, topic, speaker, month, since, until, sort,
                                limit, page, quotes_only), kinds=tuple(kinds))
    if limit == 0 and fmt == "csv":
        _echo_lines(csv_lines(HIT_COLUMNS, (hit_row(h) for h in core.iter_search_hits(index_dir, req))))
        return
    results = core.search(index_dir, req)
    if fmt == "json":
        data = results.to_dict()
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        _echo_lines(csv_lines(HIT_COLUMNS, (hit_row(h) for h in results.hits)))
    else:
        _print_results(results)


@cli.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
              help="Only quotations of this kind: direct, partial (words quoted inside a "
                   "sentence), reported (indirect speech) or turn (a transcript answer).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
@index_dir_option
@fail_nicely
def quotes(query, actor, outlet, topic, speaker, month, since, until, sort, limit, page, kinds,
           fmt, index_dir):
    """List quotations with who said them, when, and where; QUERY matches words in the quote.

    The same quotation carried by several outlets is listed once, led by the earliest.

    Example:

        parley quotes --speaker Witkoff
        parley quotes "permanent ceasefire" --format csv > quotes.csv
        parley quotes --kind reported --speaker Witkoff
    """
    req = replace(build_request(query, actor, outlet, topic, speaker, month, since, until, sort,
                                limit, page), kinds=tuple(kinds))
    results = core.search_quotes(index_dir, req)
    if fmt == "json":
        data = results.to_dict()
        data.pop("facets", None)
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        _echo_lines(csv_lines(QUOTE_COLUMNS, (quote_row(q) for q in results.quotes)))
    else:
        click.echo(f"{results.total} quotations" + (f' for "{query}"' if query else ""), err=True)
        for q in results.quotes:
            # Reported speech is the writer's words, so it is shown without quotation marks.
            words = q.text if q.kind == "reported" else f"“{q.text}”"
            click.echo(f"\n{words}" + ("" if q.kind == "direct" else f"  [{q.kind}]"))
            via = f" (via {q.via})" if q.via else ""
            click.echo(f"    — {q.speaker or 'unknown speaker'}, {q.verb or 'said'}{via}; "
                       f"{q.outlet or 'unknown outlet'}, {q.published or 'undated'}")
            if q.also_reported_by:
                others = ", ".join(a.get("outlet") or "?" for a in q.also_reported_by)
                click.echo(f"    also reported by: {others}")
            click.echo(f"    {q.paragraph_id}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@index_dir_option
@fail_nicely
def articles(fmt, index_dir):
    """List indexed articles, newest first.

    Example:

        parley articles --format json
    """
    rows = core.list_articles(index_dir)
    if fmt == "json":
        click.echo(json.dumps({"total": len(rows), "articles": [r.to_dict() for r in rows]},
                              ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(f"{r.published or 'undated':10}  {(r.outlet or '?')[:18]:18}  "
                   f"{r.paragraphs:3d} ¶ {r.quotes:3d} “”  {r.article_id}  {r.title or '(untitled)'}")
    click.echo(f"{len(rows)} articles", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="0 = all.")
@click.option("--roles", is_flag=True,
              help="Also list a transcript's roles (moderator, operator), left out by default.")
@index_dir_option
@fail_nicely
def speakers(fmt, limit, roles, index_dir):
    """List speakers with their number of quotations and first and last dates.

    Example:

        parley speakers --limit 10
    """
    rows = core.list_speakers(index_dir, roles=roles)
    rows = rows if limit == 0 else rows[:limit]
    if fmt == "json":
        click.echo(json.dumps({"total": len(rows), "speakers": rows}, ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(f"{r['quotes']:5d}  {r['first'] or '?':10} .. {r['last'] or '?':10}  {r['speaker']}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@index_dir_option
@fail_nicely
def actors(fmt, index_dir):
    """List the most named actors with their type (person, organisation, state, group) and
    the number of paragraphs naming them.

    Example:

        parley actors --format json
    """
    rows = core.list_actors(index_dir)
    if fmt == "json":
        click.echo(json.dumps({"total": len(rows), "actors": rows}, ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(f"{r['paragraphs']:6d}  {r['type']:12}  {r['actor']}")


@cli.command()
@index_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@fail_nicely
def stats(index_dir, fmt):
    """Show what the index holds: counts, date range, top outlets, actors, topics, speakers.

    Example:

        parley stats
    """
    data = core.index_stats(index_dir)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"index: {data['index_dir']} ({data['size_bytes'] / 1e6:.1f} MB)")
    click.echo(f"files: {data['files']}  articles: {data['articles']}  paragraphs: "
               f"{data['paragraphs']}  quotations: {data['quotes']}")
    click.echo(f"dates: {data['first_date']} .. {data['last_date']}")
    for name, values in data["top"].items():
        click.echo(f"top {name}: " + ", ".join(f"{v['value']} ({v['count']})" for v in values))


@cli.command()
@index_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@fail_nicely
def check(index_dir, fmt):
    """Read the whole index and compare it with the registry; exit 4 if it is damaged.

    Opens every segment, reads every stored paragraph, runs one query per field, and
    lists articles missing from the index or from the registry.

    Example:

        parley check --index-dir ./my-index
    """
    report = core.check_index(index_dir)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    click.echo(f"{report.segments} segments, {report.documents} paragraphs of "
               f"{report.articles_index} articles (registry: {report.paragraphs_registry} "
               f"paragraphs of {report.articles_registry} articles)", err=True)
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if not report.healthy:
        click.echo(f"Index at {index_dir} is damaged: {core.REBUILD_HINT}.", err=True)
        sys.exit(4)
    click.echo(f"Index at {index_dir} is healthy.", err=True)


@cli.command()
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; keep 127.0.0.1 unless the network is trusted.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-samples", is_flag=True, help="Do not index the bundled samples when there is no index.")
@click.option("--channel-timeout", default=10, show_default=True, type=click.IntRange(1, 3600),
              help="Seconds a connection may stay idle (sending or reading nothing) before it "
              "is closed: half-open sockets and unread exports give their slot back.")
@click.option("--connection-limit", default=500, show_default=True, type=click.IntRange(10, 10000),
              help="Open connections at most; more wait in the listen backlog.")
@click.option("--request-seconds", default=None, type=click.FloatRange(0),
              help="Time budget of one search (default PARLEY_REQUEST_SECONDS or 10); past it "
              "the answer is a 400 saying so. 0: no budget.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes sharing the port (default: one per core). Each has "
              "--threads threads; memory budgets are split between them.")
@fail_nicely
def serve(index_dir, host, port, threads, no_samples, channel_timeout, connection_limit,
          request_seconds, workers):
    """Serve the search page and JSON API with waitress (a production WSGI server).

    With no index yet, the bundled samples (seeds/ and samples/) are indexed first.
    Searching is CPU-bound, so the server runs one worker process per core (web/serve.py)
    and answers repeated searches from a cache keyed by the request and the index version
    (web/respcache.py).

    Example:

        parley serve --port 8000
    """
    from search.engines import forget_engine
    from web import serve as procs

    if not core.index_exists(index_dir) and not no_samples:
        bundled = [PROJECT_ROOT / b for b in BUNDLED if (PROJECT_ROOT / b).is_dir()]
        if bundled:
            click.echo(f"No index at {index_dir} yet: indexing the bundled samples…", err=True)
            run_index(bundled, index_dir, fmt="text")  # a progress bar on a terminal
    forget_engine(index_dir)  # each worker opens the index itself, after the fork
    from search.budget import request_seconds as default_seconds

    seconds = default_seconds() if request_seconds is None else request_seconds
    workers = workers or procs.default_workers()
    _check_port(host, port)
    try:
        procs.serve(lambda: _worker_app(index_dir, seconds, workers), host, port,
                    workers=workers, threads=threads,
                    limits=server_limits(channel_timeout, connection_limit),
                    log=lambda line: click.echo(line, err=True))
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None


def _worker_app(index_dir, seconds: float, workers: int):
    """The WSGI app one worker serves: the Flask app inside the time budget, inside the
    response cache. Built in the worker, after the fork; byte budgets are whole-server."""
    from search import cache as filter_cache
    from search.budget import wsgi_deadline
    from web import create_app
    from web.respcache import ResponseCache, budget_from_env

    filter_cache.FILTERS.budget = filter_cache.FILTERS.budget // workers
    app = create_app({"INDEX_DIR": str(index_dir)})
    return ResponseCache(wsgi_deadline(app, seconds), index_dir, budget_from_env() // workers)


def server_limits(channel_timeout: int, connection_limit: int) -> dict:
    """waitress settings chosen, not inherited (README: "Running behind a reverse proxy").

    waitress reads requests and writes answers in one I/O thread, so a slow client never holds
    a worker, but each connection holds a slot until it has been idle `channel_timeout`
    seconds; idle connections are looked for every `cleanup_interval` seconds. Its defaults
    (100 connections, 120 s, every 30 s) let 110 half-open sockets lock everyone out.
    """
    return {
        "channel_timeout": channel_timeout,
        "cleanup_interval": max(1, min(5, channel_timeout // 2)),
        "connection_limit": connection_limit,
        "asyncore_use_poll": True,  # select() stops at 1,024 descriptors
        "max_request_header_size": 64 * 1024,  # our GETs carry at most a 500-character query
        "max_request_body_size": 1024 * 1024,  # nothing here takes a body
        # An export writing to a client that does not read blocks its worker thread once this
        # much is buffered, until the client reads or the channel times out.
        "outbuf_high_watermark": 4 * 1024 * 1024,
    }


def _check_port(host: str, port: int) -> None:
    """Fail in one line if the address cannot be listened on (waitress would leak a socket)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
            sock.bind(address)
    except OSError as exc:  # port taken, address not on this machine, no permission
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None


def _echo_lines(lines) -> None:
    out = sys.stdout
    for line in lines:
        out.write(line)
    out.flush()


_TAG = re.compile(r"</?mark>|</?a\b[^>]*>")


def _terminal(snippet_html: str) -> str:
    """Snippet HTML for a terminal: matches in bold (or [brackets] without colour)."""
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ

    def plain(m: re.Match) -> str:
        tag = m.group(0)
        if tag.startswith(("<a", "</a")):  # a link's words, without the link
            return ""
        if color:
            return "\x1b[1m" if tag == "<mark>" else "\x1b[0m"
        return "[" if tag == "<mark>" else "]"

    marked = _TAG.sub(plain, snippet_html)
    return html.unescape(marked)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with "…" to say so."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + " …"


def _print_results(results: core.SearchResults) -> None:
    req = results.request
    what = f' for "{req.text}"' if req.text else ""
    click.echo(f"{results.total} paragraphs{what} (page {results.page} of {results.pages})", err=True)
    if req.text:
        click.echo(f"read as: {results.reading}", err=True)
    for suggestion in results.suggestions:
        click.echo(f'did you mean: "{suggestion}"?', err=True)
    offset = (req.page - 1) * req.size
    for i, hit in enumerate(results.hits, offset + 1):
        title = hit.title or "(untitled)"
        click.echo(f"\n[{i}] {hit.published or 'undated'} · {hit.outlet or 'unknown outlet'} · {title}")
        click.echo("    " + _terminal(hit.snippet))
        for q in hit.quotes:
            via = f" (via {q.via})" if q.via else ""
            who = f"{q.speaker or 'unknown'}, {q.verb or 'said'}{via}"
            click.echo(f"    “{clip(q.text, 200)}” — {who}")
        tags = "; ".join(filter(None, [", ".join(hit.actors), ", ".join(hit.topics)]))
        click.echo(f"    {hit.paragraph_id}" + (f"  [{tags}]" if tags else ""))
    click.echo("", err=True)
    for name, values in results.facets.items():
        if values:
            shown = ", ".join(f"{v.value} ({v.count})" for v in values[:8])
            click.echo(f"{name}: {shown}", err=True)


if __name__ == "__main__":
    cli()
