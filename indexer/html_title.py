"""The printed headline of a saved page, without the site name that <title> and og:title add.

Pages state their headline several times: the visible <h1>, JSON-LD `headline`, og:title,
twitter:title and <title>. The social and <title> versions often carry the site's name or a
section ("… - ABC News", "Edition X | …", "… ｜BIGLOBEニュース"), and some pages have several
<h1>s (the site logo, a sidebar item). So: an <h1> that agrees with one of the declared titles
is the printed headline; otherwise the declared titles are used, in order of how deliberate
they are, with their site-name part removed. The site's name is known from og:site_name,
application-name, JSON-LD publisher, the domain, and from <h1>s that repeat a title's end.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

DATA = Path(__file__).parent / "data" / "page_text.json"
MAX_HEADLINE_CHARS = 400  # longer <h1>s are whole blocks of text, not headlines
MIN_AGREEMENT = 0.6  # difflib ratio above which an <h1> and a declared title are one headline


@cache
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def _separator() -> re.Pattern[str]:
    seps = _data()["title_separators"]
    spaced = "|".join(re.escape(s) for s in sorted(seps["spaced"], key=len, reverse=True))
    unspaced = "|".join(re.escape(s) for s in seps["unspaced"])
    return re.compile(rf"\s+(?:{spaced})\s+|\s*(?:{unspaced})\s*")


def unescape(text: str) -> str:
    """HTML entities decoded until none is left ("&amp;#039;" -> "'"), whitespace collapsed."""
    for _ in range(3):  # entities escaped twice or three times over occur; more would be absurd
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return " ".join(text.replace("\u00a0", " ").split())


def fold(text: str | None) -> str:
    """Letters and digits only, casefolded: the key for comparing headline variants."""
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def split_title(title: str) -> list[str]:
    """A title's separator-delimited parts ("A - B | C" -> [A, B, C])."""
    return [part for part in _separator().split(title) if part.strip()]


_DOMAIN_LIKE = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.I)


def _is_site_part(part: str, names: list[str]) -> bool:
    key = fold(part)
    if not key:
        return True
    if _DOMAIN_LIKE.match(part.strip()):
        return True
    # "Times of India" is the site "The Times of India"; "ZAXID.NET" is zaxid.net; but a
    # headline that merely mentions the site ("Reuters reports record profit") is not its name.
    return any(key == n or (len(key) >= 3 and (key in n or n in key)
                            and 2 * min(len(key), len(n)) >= max(len(key), len(n))) for n in names)


def strip_site_name(title: str, names: list[str]) -> str:
    """The title without leading or trailing parts that name the site (or look like a domain)."""
    parts = split_title(title)
    keys = [fold(n) for n in names if fold(n)]
    while len(parts) > 1 and _is_site_part(parts[-1], keys):
        parts.pop()
    while len(parts) > 1 and _is_site_part(parts[0], keys):
        parts.pop(0)
    if len(parts) == len(split_title(title)):
        return title
    # Rejoin what is left from the original text, keeping its own separators.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else " - ".join(parts)


def site_names(soup: BeautifulSoup, json_ld: dict, host: str | None) -> list[str]:
    """Names the page gives its own site: og:site_name, application-name, publisher, domain."""
    names: list[str] = []
    for key in ("og:site_name", "application-name", "twitter:site", "publisher", "dc.publisher"):
        for attr in ("property", "name"):
            tag = soup.find("meta", attrs={attr: re.compile(rf"^{re.escape(key)}$", re.I)})
            if isinstance(tag, Tag) and isinstance(tag.get("content"), str):
                names.append(unescape(str(tag["content"])).lstrip("@"))
    publisher = json_ld.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        names.append(publisher["name"])
    if host:
        bare = host.removeprefix("www.").removeprefix("m.")
        names += [bare, _domain_label(bare)]  # "stuff.co.nz", "stuff"
    return [n for n in names if len(fold(n)) >= 2]


_SECOND_LEVEL = frozenset("co com net org gov edu ac ne or go gob mil nic gv".split())


def _domain_label(host: str) -> str:
    """The registered name in a host: "edition.cnn.com" -> "cnn", "www.stuff.co.nz" -> "stuff"."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:  # "co.uk"
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else host


def declared_titles(soup: BeautifulSoup, json_ld: dict) -> list[str]:
    """JSON-LD headline, og:title, twitter:title and <title>, entities decoded, in that order."""
    found: list[str] = []
    if isinstance(json_ld.get("headline"), str):
        found.append(json_ld["headline"])
    for key in ("og:title", "twitter:title"):
        for attr in ("property", "name"):
            tag = soup.find("meta", attrs={attr: key})
            if isinstance(tag, Tag) and isinstance(tag.get("content"), str):
                found.append(str(tag["content"]))
    title = soup.find("title")
    if isinstance(title, Tag):
        found.append(title.get_text())
    return [t for t in dict.fromkeys(unescape(f) for f in found) if t]


def _is_nav_heading(h1: Tag, page_path: str | None) -> bool:
    """An <h1> that is wholly a link elsewhere (the logo's link home, a section's name)."""
    links = h1.find_all("a")
    if len(links) != 1 or fold(links[0].get_text(" ")) != fold(h1.get_text(" ")):
        return False
    href = links[0].get("href")
    target = urlsplit(href).path.rstrip("/") if isinstance(href, str) else ""
    return page_path is None or target != page_path.rstrip("/")


def _h1s(soup: BeautifulSoup, page_path: str | None) -> tuple[list[str], list[str]]:
    """(headline-like <h1> texts, <h1> texts that link elsewhere: a site's or section's name)."""
    heads: list[str] = []
    nav: list[str] = []
    for h1 in soup.find_all("h1"):
        text = unescape(h1.get_text(" "))
        if text and len(text) <= MAX_HEADLINE_CHARS:
            (nav if _is_nav_heading(h1, page_path) else heads).append(text)
    return list(dict.fromkeys(heads)), nav


def _agreement(h1: str, titles: list[str]) -> float:
    """How well an <h1> matches the declared titles: 1 when it is one of their parts."""
    key = fold(h1)
    best = 0.0
    for title in titles:
        parts = split_title(title)
        ends = range(1, len(parts) + 1)
        runs = {fold("".join(parts[i:j])) for i in range(len(parts)) for j in ends if j > i}
        if key in runs:
            return 1.0
        whole = fold(title)
        if key and (key in whole or whole in key):
            best = max(best, 0.9)
        best = max(best, difflib.SequenceMatcher(None, key, whole, autojunk=False).ratio())
    return best


def _trim_to_title(h1: str, titles: list[str], ellipses: tuple[str, ...]) -> str:
    """An <h1> that holds a whole declared title plus more (a kicker, a button's label) is cut
    back to the title; a title that ends in an ellipsis was cut short itself, so the <h1> stays."""
    key = fold(h1)
    if any(fold(t) == key for t in titles):
        return h1
    inside = [t for t in titles if fold(t) and fold(t) in key and not t.rstrip().endswith(ellipses)]
    return max(inside, key=len) if inside else h1


def choose_headline(soup: BeautifulSoup, json_ld: dict, url: str | None) -> str | None:
    """The page's printed headline (see the module's docstring)."""
    parts = urlsplit(url) if url else None
    h1s, nav_h1s = _h1s(soup, parts.path if parts else None)
    names = site_names(soup, json_ld, parts.hostname if parts else None) + nav_h1s
    keys = [fold(n) for n in names]
    stripped = [strip_site_name(t, names) for t in declared_titles(soup, json_ld)]
    h1s = [h for h in h1s if not _is_site_part(h, keys)]
    scored = sorted(((_agreement(h, stripped), -i, h) for i, h in enumerate(h1s)), reverse=True)
    if scored and scored[0][0] >= MIN_AGREEMENT:
        return _trim_to_title(scored[0][2], stripped, tuple(_data()["ellipses"]))
    if stripped:
        return stripped[0]
    return h1s[0] if h1s else None
