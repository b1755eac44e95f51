"""Hostile input: queries (a fixed list and hypothesis), files, and the web app's routes with
XSS, formula, traversal and oversized parameters. bench/hostile.py runs the large versions
(200 MB files, multi-GB bombs, 2,000+ hypothesis examples) and prints the figures.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import indexer
import search as core
from indexer.errors import ParleyError
from indexer.sources import MAX_SKIPS_IN_A_ROW, read_path
from search import SearchRequest, search, search_quotes
from tests.conftest import SEEDS
from web import SECURITY_HEADERS, create_app

# -- a hostile corpus: payloads in every field a page or a CSV shows ----------------------------

XSS = {
    "text": "<script>alert('text')</script>",
    "title": "<script>alert('title')</script>",
    "outlet": "<img src=x onerror=alert('outlet')>",
    "byline": '"><svg onload=alert(\'byline\')>',
    "url": "javascript:alert('url')",
    "speaker": "<svg/onload=alert('speaker')>",
}
FORMULAS = ('=HYPERLINK("http://evil.example/","x")', "+1+1", "-2+3", "@SUM(1+1)", "\t=1", "\r=1")


def hostile_records() -> list[dict]:
    recs = [{
        "title": XSS["title"] + " Truce talks", "outlet": XSS["outlet"], "byline": XSS["byline"],
        "url": XSS["url"], "published": "2025-03-20",
        "text": (f"Mediators in Doha met about the ceasefire. {XSS['text']} {XSS['outlet']}\n\n"
                 f"\"The hostages must come home,\" {XSS['speaker']} said of the ceasefire.\n\n"
                 "\"We reject it,\" said Hamas spokesman <b onmouseover=alert('b')>Abu</b> Obaida."),
    }]
    for i, formula in enumerate(FORMULAS):
        recs.append({"title": f"{formula} title", "outlet": f"{formula} outlet",
                     "url": f"https://example.org/formula/{i}", "published": "2025-03-21",
                     "text": f"{formula} opens this ceasefire paragraph.\n\n"
                             f"\"{formula} is the deal,\" the mediator said about the ceasefire."})
    return recs


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "hostile.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in hostile_records()) + "\n")
    index_dir = folder / "ix"
    report = indexer.ingest([SEEDS, corpus], index_dir)
    assert report.articles == 4 + len(hostile_records()), report.skipped
    return index_dir


@pytest.fixture(scope="module")
def client(hostile_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(hostile_index)}).test_client()


# -- queries -----------------------------------------------------------------------------------

HOSTILE_QUERIES = [
    '"', '"unbalanced', "(", ")", "((a)", "(a))", ")(", "[", "{a", "\x00", "a\x00b", "\ufffd",
    "\u202e\u200b", "a" * 100_000, "a" * 501, " ".join(f"w{i}" for i in range(5000)),
    " OR ".join(f"w{i}" for i in range(40)), "(" * 5000 + "a" + ")" * 5000,
    "(" * 240 + "a" + ")" * 240, "NOT " * 100 + "a", "*", "?", "*a*", "a*", "cea*", "c?asefire",
    "*fire", "ceasefire~", "ceasefire~2", '"a b"~999999', "a^99999", "^", "text:", ":", "a:b:c",
    "foo:bar", "actor:", "actor:*", "title:[a TO z]", "[a TO z]", "date:>2024", "AND", "OR",
    "NOT", "a AND", "OR a", "a OR OR b", "+", "-", "\\", "'", "%00", "../../etc/passwd",
    XSS["text"], XSS["byline"], FORMULAS[0], " " * 600, "ceasefire OR " * 30 + "truce",
    "?*TO?{*?:}", "NOT NOT a", "(-AND)]+title:^",
]


def answered_or_refused(index_dir: Path, text: str, fn=search) -> str:
    try:
        fn(index_dir, SearchRequest(text=text))
        return "answered"
    except ParleyError:
        return "refused"


@pytest.mark.parametrize("text", HOSTILE_QUERIES, ids=lambda t: repr(t[:24]))
def test_hostile_query_is_answered_or_refused(hostile_index, text):
    # Only ParleyError may escape; how long each takes is measured by bench/hostile.py, not
    # asserted here (the machines are shared and a timed unit test flakes).
    for fn in (search, search_quotes):
        assert answered_or_refused(hostile_index, text, fn) in ("answered", "refused")


@pytest.mark.parametrize("text", ["?*TO?{*?:}", "a?b:c", "ab*cd:e", "x ?*y:z", "-*2quote:\\é"])
def test_wildcards_hidden_behind_a_colon_are_refused(text):
    # Found by hypothesis on a 47k-paragraph index: two wildcards got through and took 30 s.
    from indexer.errors import QueryTooExpensive
    from search.query import parse_query

    with pytest.raises((QueryTooExpensive, core.QuerySyntaxError)):
        parse_query(text)


QUERY_TOKENS = st.sampled_from(['"', "(", ")", "*", "?", "~", "~2", "^", ":", "AND", "OR", "NOT",
                                "-", "+", "\\", "[", "]", "{", "}", "TO", "actor:", "title:",
                                "quote:", "speaker:", "ceasefire", "Hamas", "2", " ", "\x00",
                                "é", "ceas", "'", "/", "!"])
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(QUERY_TOKENS, max_size=30).map("".join),
    st.lists(st.one_of(QUERY_TOKENS, st.text(max_size=4)), max_size=25).map(" ".join),
)


@settings(max_examples=500, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=QUERIES)
def test_only_parley_errors_escape_search(hostile_index, text):
    answered_or_refused(hostile_index, text)


# -- request parameters through every route ---------------------------------------------------

QUERY_ROUTES = ["/", "/quotes", "/api/search", "/api/quotes", "/export/search.csv",
                "/export/quotes.csv"]
BAD_PARAMS = [
    {"page": str(10**12)}, {"limit": str(10**9)}, {"page": "-1"}, {"limit": "-5"}, {"page": "abc"},
    {"page": "1e3"}, {"limit": "NaN"}, {"page": "\x00"}, {"since": "../../etc"},
    {"until": "9999-99-99"}, {"since": "2025-02-30"}, {"sort": "<script>"}, {"month": "2025-13"},
    {"actor": "\x00"}, {"actor": "a" * 5000}, {"outlet": XSS["outlet"]}, {"speaker": XSS["speaker"]},
    {"quotes": "\x00"}, {"q": "x", "page": "9999"},
]


@pytest.mark.parametrize("route", QUERY_ROUTES)
def test_hostile_queries_on_every_route_are_200_or_400_never_500(client, route):
    for text in HOSTILE_QUERIES[:40]:
        with client.get(route, query_string={"q": text}) as resp:
            resp.get_data()
            assert resp.status_code in (200, 400), (route, text[:40], resp.status_code)
            _assert_security_headers(resp)


@pytest.mark.parametrize("route", QUERY_ROUTES)
def test_hostile_parameters_on_every_route_are_200_or_400(client, route):
    for params in BAD_PARAMS:
        with client.get(route, query_string=params) as resp:
            resp.get_data()
            assert resp.status_code in (200, 400), (route, params, resp.status_code)
    many = [("actor", f"a{i}") for i in range(500)]
    with client.get(route, query_string=many) as resp:
        resp.get_data()
        assert resp.status_code in (200, 400)


def test_repeated_parameters_are_read_once(client):
    resp = client.get("/api/search", query_string=[("q", "ceasefire")] * 2000)
    assert resp.status_code == 200 and resp.get_json()["query"] == "ceasefire"


# -- ids and traversal -------------------------------------------------------------------------

TRAVERSALS = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "..\\..\\windows\\win.ini", "%00", "a%00b", "....//....//etc/passwd", "/etc/passwd",
              "%252e%252e%252f", "..", ".", "~root", "\u2025\u2215etc", "%c0%ae%c0%ae/",
              "a" * 65, "registry.sqlite3", "parley-index.json", "_MAIN_1.toc"]
ID_ROUTES = ["/articles/", "/api/articles/", "/speakers/"]


@pytest.mark.parametrize("route", ID_ROUTES)
def test_traversal_on_id_routes_is_404(client, route):
    for attempt in TRAVERSALS:
        # Werkzeug answers "//" with a 308 to the merged path; follow it, on this site only.
        with client.get(route + attempt, follow_redirects=True) as resp:
            body = resp.get_data(as_text=True)
            assert resp.status_code == 404, (route + attempt, resp.status_code)
            assert resp.request.host == "localhost"
            assert "root:" not in body and "CREATE TABLE" not in body
            _assert_security_headers(resp)


# -- XSS and formulas in the rendered output ----------------------------------------------------


def _pages(client, hostile_index) -> dict[str, str]:
    aid = next(a.article_id for a in core.list_articles(hostile_index)
               if a.title and a.title.startswith(XSS["title"]))
    urls = ["/?q=ceasefire", "/?q=alert", f"/?outlet={XSS['outlet']}", f"/?q={XSS['text']}",
            f"/?q={XSS['byline']}", "/quotes?q=ceasefire", "/quotes?q=hostages", "/speakers",
            "/articles", f"/articles/{aid}", f"/articles/{aid}?q={XSS['byline']}",
            f"/speakers/{XSS['speaker']}", f"/nope{XSS['text']}", '/?q="' + XSS["text"]]
    out = {}
    for url in urls:
        with client.get(url) as resp:
            out[url] = resp.get_data(as_text=True)
    return out


def test_payloads_never_reach_pages_as_markup(client, hostile_index):
    for url, html in _pages(client, hostile_index).items():
        lowered = html.lower()
        # Raw tags only: escaped payloads (&lt;img ... onerror=...&gt;) are text, and fine.
        for needle in ("<script>alert", "<img src=x", "<svg/onload", "<svg onload",
                       "<b onmouseover", 'href="javascript:', "href='javascript:"):
            assert needle not in lowered, (url, needle)


def test_non_web_urls_are_dropped_at_ingest(hostile_index):
    article = next(a for a in core.list_articles(hostile_index)
                   if a.title and a.title.startswith(XSS["title"]))
    assert article.url is None


def test_csv_cells_are_formula_safe(client):
    for route, q in (("/export/search.csv", "ceasefire"), ("/export/quotes.csv", "deal")):
        body = client.get(route, query_string={"q": q}).get_data(as_text=True).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(body)))
        assert sum(cell.startswith("'") for row in rows for cell in row) >= 2, route
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (route, cell)


def _assert_security_headers(resp) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers.get(name) == value, name


# -- files ------------------------------------------------------------------------------------


def _gzip_zeros(path: Path, megabytes: int, line: bytes = b"") -> Path:
    unit = (line * ((1 << 20) // len(line))) if line else bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(path, "wb") as fh:
        for _ in range(megabytes):
            fh.write(comp.compress(unit))
        fh.write(comp.flush())
    return path


GOOD = "Negotiators met in Doha to discuss a ceasefire.\n\n\"We are close,\" the mediator said."


def _hostile_files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "zero.txt": b"", "zero.jsonl": b"", "zero.html": b"",
        "binary.txt": os.urandom(1 << 16), "elf.html": b"\x7fELF\x02\x01" + os.urandom(4096),
        "png.jsonl": b"\x89PNG\r\n\x1a\n" + os.urandom(4096), "doc.pdf": GOOD.encode(),
        "bad_utf8.txt": GOOD.encode() + b"\n\n\xff\xfe broken \xc3\x28",
        "bad_utf8.jsonl": b'{"text": "caf\xe9 \xff"}\n',
        "latin1_as_utf8.html": ("<html><head><meta charset='utf-8'><title>Genève</title></head>"
                                f"<body><article><p>{GOOD} Genève.</p></article></body></html>"
                                ).encode("latin-1"),
        "deep.html": b"<html><body>" + b"<div>" * 100_000 + GOOD.encode() + b"</div>" * 100_000,
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "not_gzip.jsonl.gz": GOOD.encode(),
        "cut.jsonl.gz": gzip.compress((json.dumps({"text": GOOD}) + "\n").encode() * 40)[:-30],
        "garbage.warc": b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort",
        "garbage.wacz": b"PK\x03\x04" + os.urandom(2048),
    }
    out = {name: folder / name for name in files}
    for name, data in files.items():
        out[name].write_bytes(data)
    out["bomb.jsonl.gz"] = _gzip_zeros(folder / "bomb.jsonl.gz", 120)  # cap: 64 MB
    out["bomb_lines.jsonl.gz"] = _gzip_zeros(folder / "bomb_lines.jsonl.gz", 20, b"0\n")
    out["bomb.html.gz"] = _gzip_zeros(folder / "bomb.html.gz", 80)  # cap: 50 MB
    out["bomb.json.gz"] = _gzip_zeros(folder / "bomb.json.gz", 30)  # cap: 20 MB
    (folder / "good.txt").write_text(GOOD)
    return out


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    return _hostile_files(tmp_path_factory.mktemp("files") / "in")


def test_each_hostile_file_is_skipped_with_a_reason(hostile_files):
    for name, path in hostile_files.items():
        items = list(read_path(path))
        skipped = [i for i in items if isinstance(i, indexer.Skipped)]
        # One reason per bad line, but a run of bad lines ends the file: memory stays bounded.
        assert len(skipped) <= MAX_SKIPS_IN_A_ROW + 1, (name, len(skipped))
        assert all(s.reason for s in skipped), name
        if name.startswith(("zero", "binary", "elf", "png", "doc", "bomb", "not_gzip", "garbage")):
            assert skipped and not any(isinstance(i, indexer.Article) for i in items), name


def test_a_run_over_hostile_files_indexes_the_rest(hostile_files, tmp_path):
    folder = next(iter(hostile_files.values())).parent
    report = indexer.ingest([folder], tmp_path / "ix")
    assert search(tmp_path / "ix", SearchRequest(text='"close"')).total >= 1
    reasons = {Path(s.path.split("#")[0]).name: s.reason for s in report.skipped}
    for name in ("zero.txt", "binary.txt", "bomb.jsonl.gz", "bomb.html.gz", "elf.html",
                 "garbage.warc", "deep.json"):
        assert name in reasons, name


# -- the same pages in headless Chromium --------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def live_url(hostile_index):
    from waitress.server import create_server

    server = create_server(create_app({"INDEX_DIR": str(hostile_index)}), host="127.0.0.1",
                           port=0, threads=4)
    import threading

    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium")
def test_no_payload_executes_in_chromium_even_without_csp(client, hostile_index, live_url):
    # Chromium is told to ignore the CSP, so only the escaping stands between payload and
    # script (tests/test_browser.py runs with the CSP on).
    sync_api = pytest.importorskip("playwright.sync_api")
    urls = list(_pages(client, hostile_index))
    fired: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(base_url=live_url, bypass_csp=True)
            page = context.new_page()
            page.on("dialog", lambda d: (fired.append(f"{page.url}: {d.message}"), d.dismiss()))
            for url in urls:
                page.goto(url)
                for link in page.locator("a[href]").all()[:200]:
                    href = (link.get_attribute("href") or "").strip().lower()
                    assert not href.startswith(("javascript:", "data:", "vbscript:")), (url, href)
                if page.locator("mark").count():  # mouseover payloads sit next to highlights
                    page.locator("mark").first.hover(timeout=2000)
                assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
            context.close()
        finally:
            browser.close()
    assert fired == []
