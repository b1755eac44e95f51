"""The web app in real headless Chromium (Debian's /usr/bin/chromium) through Playwright.

The app runs under waitress in a background thread against an index of seeds/ plus an
article whose text carries <script> and onerror markup. Screenshots go to /tmp/parley-shots.
Never `playwright install`: the system Chromium is launched by path.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

import indexer
import search as core
from search.request import SearchRequest
from web import create_app

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path("/tmp/parley-shots")
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
XSS_TEXT = (
    "Zanzibarxss negotiators said <script>alert(1)</script> was found in the hostages file.\n\n"
    "A second zanzibarxss paragraph with <img src=x onerror=alert(1)> and \"a quoted "
    "<svg onload=alert(2)> claim about hostages,\" the mediator said."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian chromium not installed at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("xss") / "articles"
    folder.mkdir()
    (folder / "xss.txt").write_text(XSS_TEXT, encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"articles": [
        {"file": "xss.txt", "title": "<img src=x onerror=alert('t')> Truce talks",
         "outlet": "Evil <b>Outlet</b>", "url": "https://example.org/xss",
         "published": "2025-03-20"}]}))
    index_dir = tmp_path_factory.mktemp("browser-index")
    report = indexer.ingest([SEEDS, folder], index_dir)
    assert report.articles == 5 and not report.skipped
    return index_dir


@contextmanager
def serving(index_dir: Path):
    """The app under waitress in a background thread; yields its base URL."""
    from waitress.server import create_server

    server = create_server(create_app({"INDEX_DIR": str(index_dir)}), host="127.0.0.1", port=0,
                           threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def base_url(index_dir):
    with serving(index_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    """A page that records dialogs and console errors (CSP violations show up there)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.dialogs, page.console_errors = [], []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    assert page.console_errors == []
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def status_total(page) -> int:
    text = page.locator(".results [role=status] strong").inner_text()
    return int(text.replace(",", ""))


def test_search_shows_count_timeline_and_highlighted_hits(page, index_dir):
    page.goto("/")
    page.get_by_label("Search paragraphs").fill("hostages")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=hostages"))
    assert status_total(page) == core.search(index_dir, SearchRequest(text="hostages")).total
    assert page.locator("svg.timeline-svg rect.bar").count() > 0
    assert page.locator(".hit mark").first.is_visible()
    assert page.locator(".facets").is_visible()
    shot(page, "search-hostages")


def test_clicking_a_facet_changes_counts_and_results(page, index_dir):
    page.goto("/?q=hostages")
    before = status_total(page)
    link = page.locator("a.facet-link[data-facet='actor']").first
    actor = link.locator(".fv").inner_text()
    link.click()
    page.wait_for_url(re.compile(r"actor="))
    assert ("actor", actor) in parse_qsl(urlsplit(page.url).query)
    expected = core.search(index_dir, SearchRequest(text="hostages", filters={"actor": (actor,)}))
    assert status_total(page) == expected.total <= before
    selected = page.locator(".facet li.selected a[data-facet='actor']")
    assert selected.locator(".fv").inner_text() == actor
    assert page.locator(".hit").count() == len(expected.hits)
    shot(page, "search-facet")
    selected.click()  # clicking again removes it
    page.wait_for_url(re.compile(r"^[^#]*\?q=hostages$"))
    assert status_total(page) == before


def test_open_article_at_paragraph(page):
    page.goto("/?q=hostages+Witkoff")
    first = page.locator(".hit").first
    first.get_by_role("link", name="Open in article").click()
    page.wait_for_load_state()
    fragment = urlsplit(page.url).fragment
    assert fragment and urlsplit(page.url).path.startswith("/articles/")
    target = page.locator(f"[id='{fragment}']")
    assert target.is_visible()
    assert target.evaluate("el => { const r = el.getBoundingClientRect(); "
                           "return r.top >= 0 && r.top < window.innerHeight; }")
    assert target.locator("mark").count() > 0
    shot(page, "article-at-paragraph")


def test_copy_citation_to_clipboard(page):
    page.goto("/?q=Witkoff+unacceptable")
    button = page.locator("button.copy-cite").first
    assert button.is_visible()
    expected = button.get_attribute("data-citation")
    assert expected.startswith("“") and "Steve Witkoff" in expected
    button.click()
    page.wait_for_function("document.querySelector('button.copy-cite').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    shot(page, "citation-copied")


def test_citation_is_readable_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/?q=Witkoff+unacceptable")
    assert not page.locator("button.copy-cite").first.is_visible()
    cite = page.locator(".cite").first
    cite.locator("summary").click()
    text = cite.locator(".cite-text").inner_text()
    assert text == cite.locator("button.copy-cite").get_attribute("data-citation")
    context.close()


def tab_until(page, predicate_js: str, limit: int = 150) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"never reached by Tab: {predicate_js}")


def test_keyboard_only(page):
    page.goto("/")
    tab_until(page, "document.activeElement.id === 'q'")
    page.keyboard.type("hostages Qatar")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=hostages\+Qatar"))
    tab_until(page, "document.activeElement.classList.contains('facet-link')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    shot(page, "keyboard-focus")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href.split("?", 1)[1]) + "$"))
    assert page.locator(".facet li.selected").count() == 1


def test_no_dialog_on_pages_with_hostile_article(page, index_dir):
    aid = next(a.article_id for a in core.list_articles(index_dir) if a.url == "https://example.org/xss")
    for url in ("/?q=zanzibarxss", "/?q=zanzibarxss&quotes=1", f"/articles/{aid}",
                f"/articles/{aid}?q=zanzibarxss", "/quotes?q=hostages", "/articles"):
        page.goto(url)
        page.wait_for_timeout(150)
    assert page.dialogs == []
    page.goto(f"/articles/{aid}?q=zanzibarxss")
    assert "<script>alert(1)</script>" in page.locator(".para").first.inner_text()
    shot(page, "xss-article")


def test_error_and_empty_states_render(page):
    response = page.goto('/?q="unbalanced')
    assert response.status == 400
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
    page.console_errors.clear()
    assert page.get_by_role("alert").is_visible()
    shot(page, "error-400")
    page.goto("/?q=hostages&outlet=NDTV&month=2025-03")
    assert page.get_by_text("Try dropping a filter").is_visible()
    shot(page, "empty-state")


# -- a narrow screen, the quotations page, saved searches ---------------------------------
# On the seeds; tests/test_browser_big.py repeats them, with the start page and deep paging,
# on an index of all the bundled material (about 266k paragraphs).


def test_filters_sit_behind_a_button_above_the_results_at_400px(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 400, "height": 800})
    page = context.new_page()
    page.goto("/?q=hostages")
    button = page.locator("summary.filters-button")
    assert button.is_visible() and button.inner_text().startswith("Filters")
    first_hit = page.locator(".hit").first
    assert button.bounding_box()["y"] < first_hit.bounding_box()["y"]
    assert not page.locator(".facets").is_visible()
    assert first_hit.bounding_box()["y"] < 800  # results start on the first screen
    shot(page, "mobile-filters-closed")
    button.click()
    link = page.locator("a.facet-link[data-facet='actor']").first
    assert link.is_visible()
    assert page.locator(".facets").bounding_box()["y"] < first_hit.bounding_box()["y"]
    shot(page, "mobile-filters-open")
    link.click()
    page.wait_for_url(re.compile(r"actor="))
    assert "1 selected" in page.locator("summary.filters-button").inner_text()
    context.close()


def test_filters_button_works_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 400, "height": 800},
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto("/?q=hostages")
    button = page.locator("summary.filters-button")
    assert page.locator(".facets").is_visible()  # open, above the results
    assert button.bounding_box()["y"] < page.locator(".hit").first.bounding_box()["y"]
    button.click()
    assert not page.locator(".facets").is_visible()
    button.click()
    assert page.locator("a.facet-link").first.is_visible()
    context.close()


def test_filters_are_a_sidebar_on_a_wide_screen(page):
    page.goto("/?q=hostages")
    assert not page.locator("summary.filters-button").is_visible()
    facets, results = page.locator(".facets"), page.locator(".results")
    assert facets.is_visible()
    box = facets.bounding_box()
    assert box["x"] + box["width"] <= results.bounding_box()["x"]


def test_quotations_page_sort_dates_and_json(page, index_dir):
    page.goto("/quotes?q=ceasefire")
    page.locator("#sort").select_option("oldest")
    page.locator("#since").fill("2024-01-01")
    page.locator("#until").fill("2025-12-31")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"sort=oldest"))
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query == {"q": "ceasefire", "sort": "oldest", "since": "2024-01-01",
                     "until": "2025-12-31"}
    expected = core.search_quotes(index_dir, SearchRequest(
        text="ceasefire", sort="oldest", since="2024-01-01", until="2025-12-31"))
    assert page.locator(".quote-card").count() == len(expected.quotes) > 0
    shown = page.locator(".quote-card .meta").all_inner_texts()
    assert [s.split("·")[1].strip() for s in shown] == [
        __import__("web.pages", fromlist=["human_date"]).human_date(q.published)
        for q in expected.quotes]
    shot(page, "quotes-controls")
    # Fetched, not opened: a JSON tab has no favicon link, and its /favicon.ico 404 would
    # count as a console error.
    link = page.get_by_role("link", name="JSON", exact=True).get_attribute("href")
    assert link.startswith("/api/quotes?")
    data = page.request.get(link).json()
    assert data["total"] == expected.total
    assert [q["paragraph_id"] for q in data["quotes"]] == [q.paragraph_id for q in expected.quotes]


def test_save_a_search_and_follow_it_to_new_results(browser, tmp_path):
    index_dir = tmp_path / "ix"
    indexer.ingest([SEEDS], index_dir)
    with serving(index_dir) as url:
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto("/?q=hostages&outlet=Example+News")
        page.locator("details.save-search summary").click()
        page.get_by_label("Name").fill("Example News on hostages")
        page.locator(".save-form").get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r"/saved\?added="))
        row = page.locator("table.saved-list tbody tr")
        assert row.count() == 1 and "Example News on hostages" in row.inner_text()
        assert row.locator(".new-count").inner_text() == "0"
        # An article arrives: the list says so.
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "a.json").write_text(json.dumps({
            "id": "n1", "url": "https://example.org/n1", "title": "Cairo talks",
            "source": "Example News", "published": "2025-07-01",
            "text": "Negotiators said the hostages could be released within a week."}))
        assert indexer.ingest([folder], index_dir).articles == 1
        page.reload()
        assert row.locator(".new-count").inner_text() == "1"
        shot(page, "saved-search-new")
        row.get_by_role("link", name="Example News on hostages").click()
        page.wait_for_url(re.compile(r"/\?q=hostages&outlet=Example\+News$"))
        assert status_total(page) == 1
        assert "released within a week" in page.locator(".hit").first.inner_text()
        page.get_by_role("link", name="Saved", exact=True).click()
        assert page.locator(".new-count").inner_text() == "0"
        context.close()
