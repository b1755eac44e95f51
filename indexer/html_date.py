"""Publication days a page declares in its markup, and how to read its numeric dates.

A `<time datetime="2016-10-04 05:07:09">` is unambiguous; "10/04/2016" printed in the byline is
not: it is 4 October in the United States and 10 April almost everywhere else. So declared ISO
dates are read first, a reading that only swaps their day and month is taken as a misreading of
the same date, and a numeric date with nothing else to go on is read in the order of the page's
language and country (html lang, else the domain), from indexer/data/page_text.json.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

DATA = Path(__file__).parent / "data" / "page_text.json"
_ISO_DAY = re.compile(r"((?:19|20)\d\d)-(\d\d)-(\d\d)")
# Boxes whose <time>s date something else: embedded posts, related stories, comments.
_ELSEWHERE = ("aside", "nav", "footer", "blockquote", "figure", "li")
_PUBLISHED = re.compile(r"publish|posted|created|date-?pub|pubdate|article-?date|dateline", re.I)


@cache
def _month_first() -> tuple[frozenset[str], frozenset[str]]:
    rules = json.loads(DATA.read_text(encoding="utf-8"))["month_first"]
    return frozenset(rules["languages"]), frozenset(rules["country_domains"])


def iso_day(value: object) -> str | None:
    """YYYY-MM-DD from an ISO-ish date string, when it is a real day."""
    if not isinstance(value, str):
        return None
    found = _ISO_DAY.search(value)
    if not found:
        return None
    try:
        return date(*map(int, found.groups())).isoformat()
    except ValueError:
        return None


def page_language(soup: BeautifulSoup) -> str | None:
    """The page's declared language, lower case ("en-us"), from <html lang> or content-language."""
    root = soup.find("html")
    lang = root.get("lang") or root.get("xml:lang") if isinstance(root, Tag) else None
    if not lang:
        tag = soup.find("meta", attrs={"http-equiv": re.compile("^content-language$", re.I)})
        lang = tag.get("content") if isinstance(tag, Tag) else None
    return str(lang).strip().replace("_", "-").lower() or None if lang else None


def month_first(lang: str | None, url: str | None) -> bool:
    """True when numeric dates on this page read month/day/year (US usage)."""
    languages, domains = _month_first()
    if lang and "-" in lang:  # a language with its country says it all: "en-us", "en-gb"
        return lang in languages
    host = (urlsplit(url).hostname or "") if url else ""
    return host.rsplit(".", 1)[-1] in domains


def time_published(soup: BeautifulSoup) -> str | None:
    """The day of the page's own publication <time datetime>, if it marks one.

    A <time> labelled as the publication's (itemprop, pubdate, a class naming it) wins; else
    the first <time datetime> of the story that is not inside an embedded post, a list of
    other stories, a figure or the footer.
    """
    times = [t for t in soup.find_all("time") if iso_day(t.get("datetime"))]
    for tag in times:
        marks = " ".join([str(tag.get("itemprop") or ""), " ".join(tag.get("class") or []),
                          "pubdate" if tag.has_attr("pubdate") else ""])
        if _PUBLISHED.search(marks) or marks.strip() == "datePublished":
            return iso_day(tag.get("datetime"))
    for tag in times:
        if tag.find_parent(_ELSEWHERE) is None:
            return iso_day(tag.get("datetime"))
    return None


def swapped(day: str) -> str | None:
    """The same YYYY-MM-DD with day and month exchanged, when that is a real day too."""
    y, m, d = day.split("-")
    if m == d:
        return None
    try:
        return date(int(y), int(d), int(m)).isoformat()
    except ValueError:
        return None


def undo_swaps(days: list[str | None], declared: list[str | None]) -> list[str | None]:
    """Readings that only swap the day and month of a declared ISO date count as that date."""
    sure = {d for d in declared if d}
    return [next((s for s in sure if d and swapped(d) == s), d) for d in days]


_NUMERIC = re.compile(r"(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>(?:19|20)\d\d)\b")


def numeric_day(text: str, month_first_order: bool) -> str | None:
    """YYYY-MM-DD from a text starting "10/04/2016" (or with dots or dashes), read as the page
    reads it; a number above 12 settles the order whatever the page says."""
    found = _NUMERIC.match(text)
    if not found:
        return None
    a, b, y = int(found["a"]), int(found["b"]), int(found["y"])
    month, day = (a, b) if month_first_order else (b, a)
    if month > 12 >= day:
        month, day = day, month
    try:
        return date(y, month, day).isoformat()
    except ValueError:
        return None
