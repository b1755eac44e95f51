"""The pages a reporter opens every day, in real Chromium, on an index of everything bundled.

The index is built here, once per module, from seeds/, samples/ and ../shared/corpora (about
266k paragraphs), through `parley index`'s own run (web.cli.run_index); without the corpora
the module is skipped. Building it took 9.5 minutes of CPU (24 minutes on a two-core machine
under a load of ~20); each run prints its own figure. For development,
PARLEY_BIG_INDEX=/path/to/an/index of the same material is copied instead of built (the
copy is written to: saved searches, a new article).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

import indexer
import search as core
from search.request import MAX_PAGE, SearchRequest
from tests.conftest import CORPORA, SAMPLES, SEEDS, corpus
from tests.test_browser import CHROMIUM, LAUNCH_ARGS, serving, shot, status_total, sync_api

pytestmark = [
    pytest.mark.browser, pytest.mark.corpus,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]
REUSE_ENV = "PARLEY_BIG_INDEX"
MIN_PARAGRAPHS = 250_000


@pytest.fixture(scope="module")
def bundled_index(tmp_path_factory, request) -> Path:
    corpus()  # skips the module when ../shared/corpora is absent
    target = tmp_path_factory.mktemp("bundled") / "index"
    started = time.monotonic()
    reuse = os.environ.get(REUSE_ENV)
    if reuse:
        shutil.copytree(reuse, target)
        how = f"copied from {reuse}"
    else:
        from web.cli import run_index

        report = run_index([SEEDS, SAMPLES, CORPORA], target, fmt="jsonl")
        assert report.articles > 20_000, report.to_dict()
        how = "built"
    total = core.search(target, SearchRequest(size=1)).total
    line = (f"bundled index: {total:,} paragraphs, {how} in {time.monotonic() - started:.0f} s "
            f"(load {os.getloadavg()[0]:.1f})")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    print(line)
    assert total >= MIN_PARAGRAPHS
    return target


@pytest.fixture(scope="module")
def big_url(bundled_index):
    with serving(bundled_index) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context_of(browser, big_url):
    """Browser contexts on the big index; every page's console errors fail the test."""
    made = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=big_url, **options)
        context.set_default_timeout(60_000)  # a cold page on 266k paragraphs, a busy machine
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        made.append(page)
        return page

    yield make
    for page in made:
        assert page.errors == []
        page.context.close()


def hit_ids(page) -> list[str]:
    return [h.split("#", 1)[1] for h in page.locator(".hit a.open-article").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")]


def test_start_page_and_everything_newest(context_of, bundled_index):
    page = context_of()
    everything = core.search(bundled_index, SearchRequest())
    newest = core.search(bundled_index, SearchRequest(sort="newest"))
    assert everything.total >= MIN_PARAGRAPHS and everything.pages > MAX_PAGE
    for url, expected in (("/", everything), ("/?q=&sort=newest", newest)):
        response = page.goto(url)
        assert response.status == 200, url
        assert status_total(page) == expected.total
        assert page.locator(".hit").count() == len(expected.hits) == 20
        assert hit_ids(page) == [h.paragraph_id for h in expected.hits]
        assert page.locator("svg.timeline-svg rect.bar").count() > 12
        last = page.locator(".pagination a").last
        assert last.inner_text() == f"{MAX_PAGE}"
        assert "Sort oldest first" in page.locator(".paging-note").inner_text()
    dates = [h.published for h in newest.hits if h.published]
    assert dates == sorted(dates, reverse=True) and dates
    shot(page, "bundled-newest")
    page.locator(".pagination a").last.click()
    page.wait_for_url(re.compile(rf"page={MAX_PAGE}"))
    assert page.locator(".hit").count() == 20
    assert page.locator(".pagination a[aria-current=page]").inner_text() == f"{MAX_PAGE}"


def test_filters_button_on_a_narrow_screen(context_of, bundled_index):
    page = context_of(viewport={"width": 400, "height": 800})
    page.goto("/?q=ceasefire")
    button = page.locator("summary.filters-button")
    first_hit = page.locator(".hit").first
    assert button.is_visible() and button.inner_text().startswith("Filters")
    assert button.bounding_box()["y"] < first_hit.bounding_box()["y"] < 800
    assert not page.locator(".facets").is_visible()
    shot(page, "bundled-mobile-closed")
    button.click()
    link = page.locator("a.facet-link[data-facet='outlet']").first
    assert link.is_visible()
    outlet = link.locator(".fv").inner_text()
    link.click()
    page.wait_for_url(re.compile(r"outlet="))
    assert "1 selected" in page.locator("summary.filters-button").inner_text()
    expected = core.search(bundled_index, SearchRequest(text="ceasefire",
                                                        filters={"outlet": (outlet,)}))
    assert status_total(page) == expected.total > 0
    shot(page, "bundled-mobile-filtered")
    # Without JavaScript the filters are open above the results and fold with the button.
    plain = context_of(viewport={"width": 400, "height": 800}, java_script_enabled=False)
    plain.goto("/?q=ceasefire")
    assert plain.locator(".facets").is_visible()
    plain.locator("summary.filters-button").click()
    assert not plain.locator(".facets").is_visible()


def test_quotations_page_controls(context_of, bundled_index):
    page = context_of()
    page.goto("/quotes")
    assert page.locator(".speaker-grid li").count() > 10
    page.get_by_label("Search quotations").fill("ceasefire")
    page.locator("#sort").select_option("newest")
    page.locator("#since").fill("2024-01-01")
    page.locator("#until").fill("2024-12-31")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query == {"q": "ceasefire", "sort": "newest", "since": "2024-01-01",
                     "until": "2024-12-31"}
    req = SearchRequest(text="ceasefire", sort="newest", since="2024-01-01", until="2024-12-31")
    expected = core.search_quotes(bundled_index, req)
    assert page.locator(".quote-card").count() == len(expected.quotes) > 0
    assert expected.total > len(expected.quotes)  # more than a page: the pages are linked
    dates = [q.published for q in expected.quotes]
    assert all("2024-01-01" <= d[:10] <= "2024-12-31" for d in dates)
    assert dates == sorted(dates, reverse=True)
    shot(page, "bundled-quotes")
    data = page.request.get(page.locator("a.json-link").get_attribute("href")).json()
    assert data["total"] == expected.total
    assert [q["paragraph_id"] for q in data["quotes"]] == [q.paragraph_id for q in expected.quotes]
    page.locator(".pagination").get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_url(re.compile(r"page=2"))
    second = core.search_quotes(bundled_index, SearchRequest(
        text="ceasefire", sort="newest", page=2, since="2024-01-01", until="2024-12-31"))
    assert page.locator(".quote-card").count() == len(second.quotes) > 0
    page.get_by_role("link", name="reported", exact=True).click()
    page.wait_for_url(re.compile(r"kind=reported"))
    reported = core.search_quotes(bundled_index, SearchRequest(
        text="ceasefire", sort="newest", since="2024-01-01", until="2024-12-31",
        kinds=("reported",)))
    assert page.locator(".quote-card.kind-reported").count() == len(reported.quotes) > 0


def test_save_a_search_and_follow_it_to_a_new_article(context_of, bundled_index, tmp_path):
    """Last in the module: it adds an article to the index."""
    page = context_of()
    outlet = core.search(bundled_index, SearchRequest(text="hostages")).facets["outlet"][0].value
    args = [("q", "hostages"), ("outlet", outlet), ("sort", "newest")]
    before = core.search(bundled_index, SearchRequest(text="hostages", filters={
        "outlet": (outlet,)})).total
    page.goto("/?" + "&".join(f"{k}={v.replace(' ', '+')}" for k, v in args))
    assert status_total(page) == before
    page.locator("details.save-search summary").click()
    page.locator(".save-form").get_by_label("Name", exact=True).fill(f"{outlet} on hostages")
    page.locator(".save-form").get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/saved\?added="))
    row = page.locator("table.saved-list tbody tr").filter(has_text=f"{outlet} on hostages")
    assert row.locator(".new-count").inner_text() == "0"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "new.json").write_text(json.dumps({
        "id": "bundled-new", "url": "https://example.org/bundled-new",
        "title": "Hostage talks resume", "source": outlet, "published": "2026-12-01",
        "text": "Mediators said the hostages could be released within a week of the deal."}))
    assert indexer.ingest([folder], bundled_index).articles == 1
    page.reload()
    assert row.locator(".new-count").inner_text() == "1"
    shot(page, "bundled-saved-new")
    row.get_by_role("link", name=f"{outlet} on hostages").click()
    page.wait_for_url(re.compile(r"/\?q=hostages&outlet="))
    assert status_total(page) == before + 1
    assert "released within a week" in page.locator(".hit").first.inner_text()
    page.get_by_role("link", name="Saved", exact=True).click()
    assert row.locator(".new-count").inner_text() == "0"
