"""The Flask front end over a real index: pages, JSON API, CSV export, errors, security.

One index per module, built from seeds/ plus two hostile articles written here: one whose
text carries HTML/script, one whose first paragraph starts like a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from markupsafe import escape

import indexer
import search as core
from search.request import SearchRequest
from web import SECURITY_HEADERS, create_app
from web.pages import first_sentence, human_date, paragraph_citation, quote_citation

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
XSS_TEXT = (
    "Zanzibarxss negotiators said <script>alert(1)</script> was found in the hostages file.\n\n"
    "A second zanzibarxss paragraph with <img src=x onerror=alert(1)> and \"a quoted <b>bold</b> "
    "claim about hostages,\" the mediator said."
)
FORMULA_TEXT = (
    '=HYPERLINK("http://evil.example/","click") opens this quixotry paragraph about hostages.\n\n'
    "A second quixotry paragraph, harmless."
)


def write_hostile(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "xss.txt").write_text(XSS_TEXT, encoding="utf-8")
    (folder / "formula.txt").write_text(FORMULA_TEXT, encoding="utf-8")
    manifest = {"articles": [
        {"file": "xss.txt", "title": "<script>alert('title')</script> Truce talks", "outlet": "Evil <i>Outlet</i>",
         "url": "https://example.org/xss", "published": "2025-03-20"},
        {"file": "formula.txt", "title": "Formula story", "outlet": "Spreadsheet Times",
         "url": "https://example.org/formula", "published": "2025-03-21"},
    ]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def web_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("web-index")
    hostile = write_hostile(tmp_path_factory.mktemp("hostile") / "articles")
    report = indexer.ingest([SEEDS, hostile], index_dir)
    assert report.articles == 6 and not report.skipped
    return index_dir


@pytest.fixture(scope="module")
def app(web_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(web_index)})


@pytest.fixture
def client(app):
    return app.test_client()


def article_id_of(index_dir, url: str) -> str:
    return next(a.article_id for a in core.list_articles(index_dir) if a.url == url)


# -- the search page ------------------------------------------------------------------------


def test_search_page_keeps_query_and_shows_count_timeline_and_hits(client, web_index):
    expected = core.search(web_index, SearchRequest(text="hostages Qatar"))
    html = client.get("/?q=hostages+Qatar").get_data(as_text=True)
    assert '<form role="search"' in html
    assert 'value="hostages Qatar"' in html
    status = re.search(r'<p role="status"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert f"<strong>{expected.total}</strong>" in status
    assert "<svg" in html and 'class="bar' in html
    assert html.count('class="hit"') == len(expected.hits) > 0
    assert "<mark>" in html
    for hit in expected.hits:
        assert f'/articles/{hit.article_id}?q=hostages+Qatar#{hit.paragraph_id}' in html


def test_hit_shows_quotation_with_speaker_verb_and_citation(client):
    html = client.get("/?q=Witkoff+unacceptable").get_data(as_text=True)
    assert "Steve Witkoff" in html and "wrote" in html and "via X" in html
    assert "“I received the Hamas response to the United States’ proposal." in html or \
        "“I received the Hamas response to the United States&#39; proposal." in html
    assert 'class="copy-cite"' in html and 'class="cite-text"' in html


def test_facet_links_toggle_values_and_counts_follow(client, web_index):
    html = client.get("/?q=hostages").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" class="facet-link" data-facet="actor"', html).group(1)
    link = link.replace("&amp;", "&")
    params = parse_qsl(urlsplit(link).query)
    actor = dict(params)["actor"]
    assert params == [("q", "hostages"), ("actor", actor)]
    narrowed = client.get(link).get_data(as_text=True)
    expected = core.search(web_index, SearchRequest(text="hostages", filters={"actor": (actor,)}))
    assert f"<strong>{expected.total}</strong>" in narrowed
    selected = re.search(r'<li class="selected">\s*<a href="([^"]+)"[^>]*aria-current="true"', narrowed)
    assert selected and selected.group(1).replace("&amp;", "&") == "/?q=hostages"
    assert "Clear filters" in narrowed


def test_an_unknown_filter_value_is_explained_not_a_silent_zero(client):
    # issue 17: an actor the index lacks gets a message with the nearest known ones.
    page = client.get("/?q=hostages&actor=Hamas&actor=Hammas")
    assert page.status_code == 400
    assert "No actor &#39;Hammas&#39; in this index" in page.get_data(as_text=True)
    api = client.get("/api/search?q=hostages&actor=Hammas")
    assert api.status_code == 400 and "Nearest known: Hamas" in api.get_json()["error"]
    html = client.get("/?q=hostages&actor=Hamas").get_data(as_text=True)
    assert re.search(r'aria-label="Remove filter actor Hamas \(\d+\)"', html)


def test_a_selected_alias_shows_the_actor_it_resolved_to_with_its_real_count(client, web_index):
    # issue 17: "✓ Kirby 0" beside "John Kirby 200". A filter typed as an alias is shown as
    # the actor it was resolved to, with that actor's count, and its link removes what was typed.
    res = core.search(web_index, SearchRequest(text="hostages", filters={"actor": ("Netanyahu",)}))
    assert res.total > 0
    html = client.get("/?q=hostages&actor=Netanyahu").get_data(as_text=True)
    selected = re.findall(r'<a href="([^"]+)" class="facet-link" data-facet="actor" '
                          r'aria-current="true"\s*'
                          r'aria-label="Remove filter actor ([^"]+) \((\d+)\)"', html)
    assert [(name, int(n)) for _, name, n in selected] == [("Benjamin Netanyahu", res.total)]
    assert selected[0][0].replace("&amp;", "&") == "/?q=hostages"
    assert "Remove filter actor Netanyahu (0)" not in html


def test_empty_result_says_which_filters_to_drop(client, web_index):
    html = client.get("/?q=hostages&outlet=NDTV&month=2025-03").get_data(as_text=True)
    assert "<strong>0</strong>" in html
    without_month = core.search(web_index, SearchRequest(text="hostages", filters={"outlet": ("NDTV",)}))
    assert "Remove Month: 2025-03" in html
    assert f"({without_month.total} result" in html
    assert 'href="/?q=hostages&amp;outlet=NDTV"' in html


def test_sort_dates_and_quotes_switch_round_trip(client):
    url = "/?q=ceasefire&since=2024-01-01&until=2025-12-31&quotes=1&sort=newest"
    html = client.get(url).get_data(as_text=True)
    assert 'value="2024-01-01"' in html and 'value="2025-12-31"' in html
    assert '<option value="newest" selected>' in html
    assert re.search(r'name="quotes" type="checkbox" value="1"\s+checked', html)


def test_malformed_query_is_400_with_explanation(client):
    response = client.get('/?q="unbalanced')
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Unbalanced quotation mark" in html
    assert 'value="&#34;unbalanced"' in html  # the form keeps what was typed, escaped
    assert "Traceback" not in html


@pytest.mark.parametrize("query", ["(truce", "nosuchfield:x", "ne*", "truce~2", "truce AND"])
def test_other_bad_queries_are_400_not_500(client, query):
    assert client.get("/", query_string={"q": query}).status_code == 400
    body = client.get("/api/search", query_string={"q": query}).get_json()
    assert body["ok"] is False and body["status"] == 400 and body["error"]


def test_missing_index_explains_how_to_build_one(tmp_path):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/?q=hostages")
    assert response.status_code == 404
    assert "parley index PATH" in response.get_data(as_text=True)
    api = client.get("/api/search?q=hostages")
    assert api.status_code == 404
    assert api.get_json()["ok"] is False and "parley index" in api.get_json()["error"]


# -- article view ---------------------------------------------------------------------------


def test_article_view_anchors_every_paragraph_and_marks_query_and_quotes(client, web_index):
    aid = article_id_of(web_index, "https://www.ndtv.com/world-news/hamas-says-no-progress-yet-in-gaza-truce-talks-despite-reports-of-headway-5398591")
    view = core.get_article(web_index, aid)
    html = client.get(f"/articles/{aid}?q=truce").get_data(as_text=True)
    for p in view.paragraphs:
        assert f'id="{p.paragraph_id}"' in html
    assert "<mark>truce</mark>" in html.lower() or "<mark>Truce</mark>" in html
    assert '<q class="quote">' in html
    assert escape(view.summary.title) in html and "NDTV" in html and "Reuters" in html
    assert 'class="tag tag-actor" href="/?actor=Hamas"' in html


@pytest.mark.parametrize("path", [
    "/articles/..%2F..%2Fetc%2Fpasswd", "/articles/%2e%2e", "/articles/../../etc/passwd",
    "/articles/nosucharticle", "/articles/a-b", "/articles/" + "a" * 65,
])
def test_bad_article_ids_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/articles/%2e%2e", "/api/articles/..%2Fx", "/api/articles/nosuch"])
def test_bad_article_ids_in_api_are_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["ok"] is False and response.get_json()["status"] == 404


# -- hostile text is escaped ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/?q=zanzibarxss", "/?q=zanzibarxss&quotes=1", "/quotes?q=hostages",
                                 "/articles", "ARTICLE", "ARTICLE?q=zanzibarxss"])
def test_html_in_articles_is_escaped(client, web_index, url):
    url = url.replace("ARTICLE", "/articles/" + article_id_of(web_index, "https://example.org/xss"))
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "<i>Outlet" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html or "&lt;b&gt;" in html


def test_no_inline_scripts_or_styles(client):
    for url in ("/?q=hostages", "/help", "/quotes?q=ceasefire", "/speakers", "/articles"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html), url


# -- JSON API: the same shapes as the core (and the CLI) ------------------------------------


def test_api_search_equals_core_to_dict(client, web_index):
    got = client.get("/api/search?q=hostages&actor=Hamas&sort=newest&limit=2&page=2").get_json()
    req = SearchRequest(text="hostages", filters={"actor": ("Hamas",)}, sort="newest", size=2, page=2)
    assert got == core.search(web_index, req).to_dict()


def test_api_quotes_articles_speakers_equal_core(client, web_index):
    quotes = core.search_quotes(web_index, SearchRequest(text="ceasefire")).to_dict()
    quotes.pop("facets")
    assert client.get("/api/quotes?q=ceasefire").get_json() == quotes
    rows = core.list_articles(web_index)
    assert client.get("/api/articles").get_json() == {
        "total": len(rows), "articles": [r.to_dict() for r in rows]}
    aid = rows[0].article_id
    assert client.get(f"/api/articles/{aid}").get_json() == core.get_article(web_index, aid).to_dict()
    speakers = core.list_speakers(web_index)
    assert client.get("/api/speakers").get_json() == {"total": len(speakers[:50]), "speakers": speakers[:50]}
    assert client.get("/api/speakers?limit=1").get_json()["speakers"] == speakers[:1]


def test_api_clamps_limit(client):
    got = client.get("/api/search?limit=100000").get_json()
    assert got["request"]["size"] == 100


def test_api_bad_filter_is_400_json(client):
    response = client.get("/api/search?since=yesterday")
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "status": 400,
                                   "error": "'since' date 'yesterday' is not a valid date (use YYYY-MM-DD)."}


# -- CSV export -----------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_search_csv_is_complete_attachment_and_formula_safe(client, web_index):
    response = client.get("/export/search.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="parley-search.csv"'
    rows = read_csv(response)
    total = core.search(web_index, SearchRequest()).total
    assert len(rows) == total + 1 and total > 20  # every row: no cap at the page size
    formula = [r for r in rows if "quixotry paragraph about hostages" in r[8]]
    assert formula and formula[0][8].startswith("'=HYPERLINK(")


def test_search_csv_honours_filters(client, web_index):
    rows = read_csv(client.get("/export/search.csv?q=quixotry"))
    assert [r[0] for r in rows[1:]] == [h.paragraph_id for h in core.iter_search_hits(
        web_index, SearchRequest(text="quixotry"))]
    assert rows[0][0] == "paragraph_id"


def test_quotes_csv(client, web_index):
    response = client.get("/export/quotes.csv?speaker=Witkoff")
    rows = read_csv(response)
    assert response.headers["Content-Disposition"] == 'attachment; filename="parley-quotes.csv"'
    expected = core.search_quotes(web_index, SearchRequest(filters={"speaker": ("Witkoff",)}, size=0))
    assert len(rows) == expected.total + 1 > 1
    assert {r[1] for r in rows[1:]} == {"Steve Witkoff"}


def test_export_bad_query_is_400_json_not_a_broken_stream(client):
    response = client.get('/export/search.csv?q="oops')
    assert response.status_code == 400
    assert response.get_json()["status"] == 400


# -- other pages ----------------------------------------------------------------------------


def test_quotes_page_groups_and_links(client):
    html = client.get("/quotes?q=unacceptable").get_data(as_text=True)
    assert "Steve Witkoff" in html and "<mark>unacceptable</mark>" in html
    assert "quotation" in html and "Copy citation" in html
    assert client.get("/quotes").status_code == 200  # the landing page lists speakers


def test_speaker_pages(client):
    html = client.get("/speakers").get_data(as_text=True)
    assert 'href="/speakers/Steve%20Witkoff"' in html
    page = client.get("/speakers/Steve%20Witkoff").get_data(as_text=True)
    assert "<h1>Steve Witkoff</h1>" in page and "<svg" in page
    dates = re.findall(r'<p class="meta">.*?·</span> (\d+ \w+ \d{4})', page)
    assert len(dates) == 4  # the regex once matched nothing, and the order check passed empty
    assert dates == sorted(dates, key=lambda d: __import__("datetime").datetime.strptime(d, "%d %B %Y"),
                           reverse=True)
    assert client.get("/speakers/Nobody%20Atall").status_code == 404


def test_help_page_documents_syntax(client):
    html = client.get("/help").get_data(as_text=True)
    for example in ('"phase two"', "~5", "OR", "-Lebanon", "negotiat*", "actor:Qatar",
                    "speaker:Witkoff", "outlet:Reuters", "topic:hostages", "quote:", "title:truce",
                    "fuzzy"):
        assert example in html, example


# -- security and robustness ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/?q=hostages", '/?q="x', "/nope", "/articles/%2e%2e",
                                 "/api/search", "/api/nope", "/export/search.csv?q=quixotry",
                                 "/static/style.css", "/static/parley.js", "/help"])
def test_security_headers_on_every_response(client, url):
    with client.get(url) as response:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (url, name)


def test_no_endpoint_writes(client):
    for url in ("/", "/api/search", "/export/search.csv", "/articles"):
        assert client.post(url).status_code == 405


def test_500_never_shows_a_traceback(web_index):
    app = create_app({"INDEX_DIR": str(web_index)})

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    app.add_url_rule("/api/boom", view_func=boom, endpoint="api_boom")
    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    assert "secret internals" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    api = client.get("/api/boom")
    assert api.status_code == 500 and api.get_json()["ok"] is False
    assert "secret" not in api.get_json()["error"]


def test_config_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PARLEY_INDEX_DIR", str(tmp_path))
    assert create_app().config["INDEX_DIR"] == str(tmp_path)
    assert create_app({"INDEX_DIR": "x"}).config["INDEX_DIR"] == "x"


# -- citations (pure) -----------------------------------------------------------------------


def test_citation_formats(web_index):
    hit, q = next((h, q) for h in core.iter_search_hits(web_index, SearchRequest(text="unacceptable"))
                  for q in h.quotes if q.verb == "wrote")
    assert quote_citation(q, hit.outlet, hit.published, hit.url) == (
        f"“{q.text.strip()}” — Steve Witkoff, wrote (via X), ANI, 1 June 2025")  # no URL known
    assert quote_citation(q, "Reuters", "2025-06-01", "https://x.example/a") == (
        f"“{q.text.strip()}” — Steve Witkoff, wrote (via X), Reuters, 1 June 2025, https://x.example/a")
    plain = next(core.iter_search_hits(web_index, SearchRequest(text="quixotry harmless")))
    assert paragraph_citation(plain) == (
        "A second quixotry paragraph, harmless. — Spreadsheet Times, “Formula story”, "
        "21 March 2025, https://example.org/formula")
    assert first_sentence("One thing. Two things.") == "One thing."
    assert human_date("2025-03-15") == "15 March 2025" and human_date(None) == "undated"


def test_concurrent_requests_share_no_searcher(app, web_index):
    """Eight threads searching at once all get the same answers (the core keeps one searcher per thread)."""
    import threading

    queries = ["hostages", "ceasefire Qatar", "Witkoff", "truce OR ceasefire"]
    expected = {q: core.search(web_index, SearchRequest(text=q)).total for q in queries}
    failures: list[str] = []

    def worker(n: int) -> None:
        client = app.test_client()
        for i in range(12):
            q = queries[(n + i) % len(queries)]
            got = client.get("/api/search", query_string={"q": q})
            if got.status_code != 200 or got.get_json()["total"] != expected[q]:
                failures.append(f"{q}: {got.status_code}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_only_http_urls_become_links(tmp_path):
    """An index built before ingest dropped non-web URLs may still hold javascript: ones."""
    from web import is_web_link

    assert is_web_link("https://www.ndtv.com/x") and is_web_link("HTTP://a.example")
    assert not is_web_link("javascript:alert(1)") and not is_web_link(" javascript:x")
    assert not is_web_link(None) and not is_web_link("data:text/html,x")


def test_exports_beyond_the_slots_are_refused_with_503_and_slots_come_back(seed_index):
    from web import api, create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(seed_index)}).test_client()
    open_exports = [client.get("/export/search.csv", query_string={"q": "Hamas"}, buffered=False)
                    for _ in range(api.EXPORTS_AT_ONCE)]
    refused = client.get("/export/quotes.csv")
    assert refused.status_code == 503
    assert refused.get_json()["error"].startswith(f"{api.EXPORTS_AT_ONCE} exports are running")
    for response in reversed(open_exports):  # one client: finish the streams last-in first-out
        assert response.status_code == 200
        response.get_data()
        response.close()
    again = client.get("/export/search.csv", query_string={"q": "Hamas"})
    assert again.status_code == 200 and again.get_data()
    again.close()


# -- a big index: pages that list everything ----------------------------------------------


def test_pagination_of_everything_stops_at_the_deepest_page_a_request_may_ask(web_index):
    """On 266k paragraphs the default view has 13k pages; linking the last one made `/` a 400."""
    from search.request import MAX_PAGE
    from web.pages import pagination, paging_note

    req = SearchRequest(sort="newest")
    total = (MAX_PAGE + 3_300) * req.size
    pages = -(-total // req.size)
    links = pagination(1, pages,
                       lambda n: "/?" + "&".join(f"{k}={v}" for k, v in req.to_args(page=n)))
    numbers = [n for n, _ in links if n]
    assert numbers[-1] == MAX_PAGE and links[-1][1].endswith(f"page={MAX_PAGE}")
    assert pagination(MAX_PAGE + 50, pages, str)[-1] == (MAX_PAGE, str(MAX_PAGE))
    assert "Sort oldest first" in paging_note(total, req.size)
    assert paging_note(MAX_PAGE * req.size, req.size) is None


def test_deep_pages_of_everything_answer(client, web_index):
    total = core.search(web_index, SearchRequest()).total
    for url in ("/", "/?q=&sort=newest", "/?limit=1&page=99999", f"/?limit=1&page={total}",
                "/?sort=oldest&limit=1&page=10000", "/quotes?q=hostages&page=99999",
                "/speakers/Steve%20Witkoff?page=99999", "/articles?page=99999"):
        response = client.get(url)
        assert response.status_code == 200, url
    last = client.get(f"/?limit=1&page={total}").get_data(as_text=True)
    assert last.count('class="hit"') == 1


def test_quotes_page_has_date_range_sort_and_json_link(client, web_index):
    url = "/quotes?since=2024-05-01&until=2025-12-31&sort=oldest"
    html = client.get(url).get_data(as_text=True)
    assert 'value="2024-05-01"' in html and 'value="2025-12-31"' in html
    assert '<option value="oldest" selected>' in html and 'name="quotes"' not in html
    dates = re.findall(r'<p class="meta">.*?·</span> (\d+ \w+ \d{4})', html)
    parsed = [__import__("datetime").datetime.strptime(d, "%d %B %Y") for d in dates]
    assert parsed == sorted(parsed) and len(parsed) >= 2
    assert all("2024-05-01" <= d.strftime("%Y-%m-%d") <= "2025-12-31" for d in parsed)
    json_href = re.search(r'<a href="([^"]+)" class="json-link">JSON</a>', html).group(1)
    assert json_href.replace("&amp;", "&") == (
        "/api/quotes?since=2024-05-01&until=2025-12-31&sort=oldest")
    data = client.get(json_href.replace("&amp;", "&")).get_json()
    expected = core.search_quotes(web_index, SearchRequest(
        since="2024-05-01", until="2025-12-31", sort="oldest"))
    assert data["total"] == expected.total == len(dates)
    assert [q["published"] for q in data["quotes"]] == [q.published for q in expected.quotes]
    newest = client.get(url.replace("oldest", "newest")).get_data(as_text=True)
    assert re.findall(r'<p class="meta">.*?·</span> (\d+ \w+ \d{4})', newest)[0] == dates[-1]


def test_speakers_page_filters_by_name(client):
    html = client.get("/speakers?name=witk").get_data(as_text=True)
    assert re.findall(r'<td><a href="/speakers/([^"]+)">', html) == ["Steve%20Witkoff"]
    assert 'value="witk"' in html and "match" in html
    hostile = client.get("/speakers", query_string={"name": "<script>x"}).get_data(as_text=True)
    assert "<script>x" not in hostile and "&lt;script&gt;x" in hostile
    assert "<strong>0</strong>" in hostile


def test_filters_come_before_the_results_inside_a_details_button(client):
    html = client.get("/?q=hostages&actor=Hamas").get_data(as_text=True)
    details = html.index('<details class="filters" open>')
    assert details < html.index('class="facets"') < html.index('<section class="results"')
    summary = re.search(r'<summary class="filters-button">(.*?)</summary>', html, re.S).group(1)
    assert summary.startswith("Filters") and "(1 selected)" in summary
