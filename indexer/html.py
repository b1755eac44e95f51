"""Read one saved news page (HTML bytes) into an Article: story paragraphs plus metadata.

What belongs here: decoding (declared charset, then UTF-8, then cp1252), guards against hostile
input (size caps, gzip bombs, binary data; absurd nesting is flattened), main-text extraction
(trafilatura, then Parley's own news boilerplate filters), and metadata (JSON-LD, Open Graph,
meta tags, <time>, htmldate, datelines and wire credits). The headline is chosen in
html_title.py, declared dates and numeric date order in html_date.py, and the script-aware
shape of a line (sentence endings, words in unspaced scripts) in html_text.py. Archives
(WARC/WACZ) are unpacked in archives.py; splitting into paragraphs for the index happens in
paragraphs.py.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from indexer.errors import InputError
from indexer.html_date import (
    iso_day,
    month_first,
    numeric_day,
    page_language,
    time_published,
    undo_swaps,
)
from indexer.html_text import ends_sentence, word_count
from indexer.html_title import choose_headline, fold, unescape
from indexer.models import Article

MAX_BYTES = 50 * 1024 * 1024  # refuse pages bigger than this, after decompression
_PARA_MARK = "PARLEYPARABREAK"  # stands in for <br><br> while trafilatura runs

# ---------------------------------------------------------------------------------------------
# Bytes: gzip, binary guard, decoding


def gunzip_capped(data: bytes, limit: int = MAX_BYTES) -> bytes:
    """Decompress gzip data in chunks, refusing to grow past `limit` (gzip bombs)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    view = memoryview(data)
    for start in range(0, len(data), 64 * 1024):
        try:
            out += inflater.decompress(view[start : start + 64 * 1024], limit + 1 - len(out))
        except zlib.error as exc:
            raise InputError(f"corrupt gzip data: {exc}") from exc
        if len(out) > limit or inflater.unconsumed_tail:
            raise InputError(f"page larger than {limit // (1024 * 1024)} MB once decompressed")
    return bytes(out)


def _check_size_and_binary(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise InputError(f"page larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise InputError("empty page")
    head = data[:65536]
    if _utf16_without_bom(head):
        return
    # Text never has NULs; a few stray ones are tolerated, many mean an image, PDF or archive.
    if head.count(0) > max(8, len(head) // 100):
        raise InputError("binary data, not an HTML page")


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte is NUL (ASCII markup in UTF-16)."""
    sample = head[:4096]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.9 * half and even < 0.1 * half:
        return "utf-16-le"
    if even > 0.9 * half and odd < 0.1 * half:
        return "utf-16-be"
    return None


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.-]+)""", re.I)
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard); so do we.
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252", "iso8859_15"}


def _codec_name(label: str | None) -> str | None:
    """Python's codec name for a charset label, or None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name.replace("-", "_") in _AS_CP1252 else name


def _declared_charset(data: bytes) -> str | None:
    head = data[:8192]
    found = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    name = _codec_name(found.group(1).decode("ascii", "ignore")) if found else None
    # A <meta> that says UTF-16 was readable as ASCII, so it cannot be true (WHATWG: use UTF-8).
    return "utf-8" if name and name.startswith(("utf-16", "utf-32")) else name


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp", "iso8859", "latin", "mac", "koi8", "windows"))


def _decode_as(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes: BOM, then the HTTP/meta charset, then UTF-8, then cp1252.

    Charset guessers are not used: on short texts they take cp1252 for cp1250 ("Genčve").
    A page declared as a single-byte charset that is valid UTF-8 with non-ASCII bytes is
    UTF-8 in practice (mislabelled templates); random cp1252 text is almost never valid UTF-8.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec.replace("-sig", "")
    utf16 = _utf16_without_bom(data[:65536])
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    declared = _codec_name(http_charset) or _declared_charset(data)
    as_utf8 = _decode_as(data, "utf-8")
    if declared and not (as_utf8 is not None and _is_single_byte(declared) and not data.isascii()):
        text = _decode_as(data, declared)
        if text is not None:
            return text, declared
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    return data.decode("cp1252", errors="replace"), "cp1252"


# ---------------------------------------------------------------------------------------------
# Metadata from the DOM


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself, before choosing among sources."""

    title: str | None = None
    byline: str | None = None
    published: str | None = None
    json_ld_published: str | None = None
    site_name: str | None = None
    url: str | None = None
    description: str | None = None
    printed_published: str | None = None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _iter_json_ld(soup: BeautifulSoup) -> Iterator[dict]:
    """Every JSON-LD object on the page, @graph members included."""
    for script in soup.find_all("script", type=re.compile("ld\\+json", re.I)):
        try:
            data = json.loads(script.string or "", strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|BlogPosting|LiveBlog", re.I)


def _json_ld_article(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object typed as a news/blog article (or {})."""
    for item in _iter_json_ld(soup):
        types = item.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and _ARTICLE_TYPES.search(t) for t in types):
            return item
    return {}


def _names(value: object) -> list[str]:
    """Person or organisation names from a JSON-LD author/publisher value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _meta_content(soup: BeautifulSoup, *keys: str) -> str | None:
    """The content of the first <meta name|property|itemprop=key> found, in key order."""
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attr: re.compile(rf"^{re.escape(key)}$", re.I)})
            # Some pages put the value in `value=` (not valid HTML, but browsers keep it).
            value = _clean(tag.get("content")) or _clean(tag.get("value")) if tag else None
            if isinstance(tag, Tag) and value:
                return value
    return None


def _canonical_url(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel="canonical")
    href = _clean(link.get("href")) if isinstance(link, Tag) else None
    if href and href.startswith("http"):
        return href
    og = _meta_content(soup, "og:url")
    return og if og and og.startswith("http") else None


def read_page_meta(soup: BeautifulSoup) -> PageMeta:
    """Title, byline, date, site name, URL and description as the page declares them."""
    ld = _json_ld_article(soup)
    authors = [a for a in (_clean(n) for n in _names(ld.get("author"))) if a]
    publisher = next(iter(_names(ld.get("publisher"))), None)
    published = iso_day(ld.get("datePublished")) or iso_day(
        _meta_content(
            soup,
            "article:published_time",
            "og:article:published_time",
            "datePublished",
            "pubdate",
            "publishdate",
            "date",
            "dc.date.issued",
            "dc.date",
            "sailthru.date",
            "parsely-pub-date",
        )
    ) or time_published(soup)
    return PageMeta(
        title=_clean(ld.get("headline")) or _meta_content(soup, "og:title", "twitter:title"),
        byline="; ".join(dict.fromkeys(authors))
        or _meta_content(soup, "author", "article:author", "byl", "sailthru.author", "dc.creator"),
        published=published,
        json_ld_published=iso_day(ld.get("datePublished")),
        site_name=_meta_content(soup, "og:site_name", "application-name") or _clean(publisher),
        url=_canonical_url(soup) or _clean(ld.get("url")),
        description=_meta_content(soup, "description", "og:description"),
        # Only wanted when the markup declares no date: scanning the body's text is not free.
        printed_published=None if published else printed_date(soup, _canonical_url(soup)),
    )


# "Written: 2023-11-07 15:03", "Published on 7 November 2023", "Posted: Nov. 7, 2023"
_DATE_LABEL = re.compile(
    r"^\s*(?:first published|published|posted|written|publication date|date)\b"
    r"\s*(?:on|at)?\s*[:|]?",
    re.I,
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_PRINTED_DAY = (
    re.compile(r"(?P<y>(?:19|20)\d\d)[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})\b"),
    re.compile(r"(?P<mn>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)"),
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mn>[A-Za-z]{3,9})\.?,?\s+(?P<y>(?:19|20)\d\d)"),
)
MAX_DATE_LINE_CHARS = 100  # a label line, not a sentence ("Mercurial 5.2 was released on ...")


def _printed_day(text: str, month_first_order: bool = False) -> str | None:
    """YYYY-MM-DD from text starting 2023-11-07, Nov. 7, 2023, 7 November 2023, 07.11.2023 or
    11/07/2023 (read month first when the page's language or country reads it so)."""
    text = re.sub(r"^\s*(?:[A-Za-z]+day,?\s+)?", "", text)  # "Tuesday, 7 November 2023"
    if numeric := numeric_day(text, month_first_order):
        return numeric
    for pattern in _PRINTED_DAY:
        found = pattern.match(text)
        if not found:
            continue
        parts = found.groupdict()
        name = (parts.get("mn") or "")[:3].casefold()
        month = int(parts["m"]) if parts.get("m") else _MONTHS.get(name)
        if month:
            try:
                return date(int(parts["y"]), month, int(parts["d"])).isoformat()
            except ValueError:
                continue
    return None


_NOT_TEXT = ("script", "style", "noscript", "template")


def printed_date(soup: BeautifulSoup, url: str | None = None) -> str | None:
    """The day of the first short line in the page body that labels a date as the publication's."""
    if soup.body is None:
        return None
    order = month_first(page_language(soup), url)
    for string in soup.body.find_all(string=_DATE_LABEL):
        if string.parent is None or string.parent.name in _NOT_TEXT:
            continue
        line = " ".join(string.parent.get_text(" ").split())
        label = _DATE_LABEL.match(line)
        if label and len(line) <= MAX_DATE_LINE_CHARS:
            day = _printed_day(line[label.end() :], order)
            if day:
                return day
    return None


# ---------------------------------------------------------------------------------------------
# Parsing


# libxml2's HTML parser (under lxml, hence under trafilatura and BeautifulSoup) silently drops
# everything nested deeper than 256 elements. Real news pages mostly stay under 50, but some
# wrap their story in hundreds of <div>s; the wrappers below FLAT_DEPTH are flattened (their
# tags dropped, their text kept), which also bounds the recursion of the tree walkers later.
MAX_DEPTH = 256
FLAT_DEPTH = 180  # counted wrappers kept: p, li, td and the like may add levels on top
# Comments, scripts and styles are skipped whole; other tags are counted by name.
_TAG_SCAN = re.compile(
    r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>", re.S | re.I
)
# Void elements never nest; these others close implicitly, so they are not counted either.
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta param source track wbr p li dt dd tr td th"
    " option optgroup rp rt tbody thead tfoot colgroup caption html head body".split()
)


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when elements nest deeper than `limit`: one linear scan of the tags, stopping early."""
    depth = 0
    for tag in _TAG_SCAN.finditer(text):
        name = tag.group(3)
        if not name or tag.group(4) or name.lower() in _NOT_NESTING:
            continue
        if tag.group(2):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > limit:
                return True
    return False


def flatten_deep(text: str, limit: int = FLAT_DEPTH) -> str:
    """The page with every nesting tag deeper than `limit` removed (its content kept).

    One linear pass over the tags, so memory and time grow with the page's size, not its depth.
    """
    out: list[str] = []
    dropped: list[bool] = []  # one entry per open nesting tag: was its start tag removed?
    last = 0
    for tag in _TAG_SCAN.finditer(text):
        name = tag.group(3)
        if not name or tag.group(4) or name.lower() in _NOT_NESTING:
            continue
        if tag.group(2):
            drop = dropped.pop() if dropped else True  # a stray end tag goes too
        else:
            drop = len(dropped) >= limit
            dropped.append(drop)
        if drop:
            if tag.start() > last:  # the boundary of a block stays a word boundary
                out.append(text[last : tag.start()] + " ")
            last = tag.end()
    out.append(text[last:])
    return "".join(out)


def parse_soup(text: str) -> BeautifulSoup:
    """A BeautifulSoup tree (lxml parser); absurd nesting is refused rather than crashing."""
    try:
        return BeautifulSoup(text, "lxml")
    except RecursionError as exc:
        raise InputError("HTML nested too deeply to parse") from exc


def _descriptions(soup: BeautifulSoup) -> list[str]:
    keys = ("og:description", "description", "twitter:description")
    found = [_meta_content(soup, key) for key in keys]
    found.append(_clean(_json_ld_article(soup).get("description")))
    return [d for d in dict.fromkeys(found) if d]


def _title_tag(soup: BeautifulSoup) -> str | None:
    tag = soup.find("title")
    return _clean(tag.get_text()) if isinstance(tag, Tag) else None


def outlet_from_url(url: str | None) -> str | None:
    """The site's domain without 'www.' (the outlet of last resort)."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


# ---------------------------------------------------------------------------------------------
# Story paragraphs


def _mark_double_breaks(text: str) -> str:
    # trafilatura folds <br><br> into one line break; keep the paragraph boundary visible.
    return re.sub(r"(?:<br\s*/?>\s*){2,}", f"<br>{_PARA_MARK}<br>", text, flags=re.I)


@dataclass(frozen=True)
class Block:
    """One block of the extracted story: its trafilatura tag (p, head, item, row...) and text."""

    kind: str
    text: str


_CONTAINERS = {"list", "quote", "table", "item", "cell", "div"}


def _walk(element) -> Iterator[tuple[str, str]]:
    """(tag, raw text) blocks of one trafilatura body element, containers opened up."""
    if element.tag in ("graphic", "ref"):
        return
    if element.tag == "row":
        yield "row", " | ".join(" ".join(cell.itertext()) for cell in element.iter("cell"))
    elif element.tag in _CONTAINERS and any(c.tag not in ("hi", "lb", "ref") for c in element):
        yield element.tag, element.text or ""
        for child in element:
            yield from _walk(child)
            yield element.tag, child.tail or ""
    else:
        yield from ((element.tag, part) for part in "".join(element.itertext()).split(_PARA_MARK))


@dataclass(frozen=True)
class Story:
    """trafilatura's reading of the page: text blocks plus its own metadata guesses."""

    blocks: list[Block]
    title: str | None = None
    author: str | None = None
    date: str | None = None
    site_name: str | None = None


def extract_story(text: str, url: str | None) -> Story:
    """The story's text blocks (no comments; a table row is one block) and trafilatura's
    metadata."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            _mark_double_breaks(text), url=url, include_comments=False, include_tables=True,
            with_metadata=True,
        )
    except RecursionError as exc:
        raise InputError("HTML nested too deeply to parse") from exc
    if doc is None or isinstance(doc, dict) or doc.body is None:  # dict: only with as_dict
        return Story([])
    for br in doc.body.iter("lb"):  # a single <br> inside a paragraph reads as a space
        br.tail = " " + (br.tail or "")
    raw = [("p", doc.body.text or "")]
    for element in doc.body:
        raw.extend(_walk(element))
        raw.append(("p", element.tail or ""))  # loose text between elements is story text too
    blocks = [Block(kind, " ".join(t.replace(_PARA_MARK, " ").split())) for kind, t in raw]
    return Story([b for b in blocks if b.text], _clean(doc.title), _clean(doc.author), doc.date,
                 _clean(doc.sitename))


MIN_CHUNK_PARAS = 3  # a later chunk of the story carries at least this many paragraphs
MIN_CHUNK_PARA_CHARS = 80  # shorter texts in look-alike boxes are teasers, bios or notes


def _chunk_paragraphs(chunk: Tag, seen: set[str]) -> list[str]:
    texts = (" ".join(p.get_text(" ").split()) for p in chunk.find_all("p"))
    return [t for t in texts if len(t) >= MIN_CHUNK_PARA_CHARS and _fold(t) not in seen]


_OUTER = ("body", "html", "article", "main")  # the story's own frame, not a chunk of it


def _later_chunks(container: Tag) -> Iterator[Tag]:
    """Later siblings of the container with its tag and classes, then of its parents (3 up)."""
    node: Tag | None = container
    for _ in range(3):
        if node is None or node.name in _OUTER or not node.get("class"):
            return
        classes = node.get("class")
        yield from (s for s in node.find_next_siblings(node.name) if s.get("class") == classes)
        node = node.parent


def recover_split_story(soup: BeautifulSoup, blocks: list[Block]) -> list[Block]:
    """Blocks plus the paragraphs of later chunks when the page splits its story around ads.

    Some sites print the story as several containers of one class with ads between them, and
    trafilatura keeps only the first. The container of the story's last long paragraph is
    looked for again among its later siblings (and its parents'); one holding at least three
    long paragraphs that are not yet in the story is the story's continuation. Single
    paragraphs in look-alike boxes (author bios, disclaimers) are left out.
    """
    seen = {_fold(b.text) for b in blocks}
    long = [i for i, b in enumerate(blocks) if len(b.text) >= MIN_CHUNK_PARA_CHARS]
    if not long:
        return blocks
    last = long[-1]
    key = _fold(blocks[last].text)
    anchor = next((p for p in soup.find_all("p") if _fold(p.get_text(" ")) == key), None)
    if anchor is None or anchor.parent is None:
        return blocks
    found: list[str] = []
    for chunk in _later_chunks(anchor.parent):
        paragraphs = _chunk_paragraphs(chunk, seen)
        if len(paragraphs) >= MIN_CHUNK_PARAS:
            found += paragraphs
            seen.update(_fold(t) for t in paragraphs)
    return blocks[: last + 1] + [Block("p", t) for t in found] + blocks[last + 1 :]


MIN_LEAD_KEY = 24  # letters of a description needed to find it again in the page


def _lead_element(soup: BeautifulSoup, key: str) -> Tag | None:
    """The smallest block in the body whose text starts with the folded `key`."""
    if soup.body is None:
        return None
    start = key[:MIN_LEAD_KEY]
    for string in soup.body.find_all(string=True):
        parent = string.parent
        if parent is None or parent.name in _NOT_TEXT or not fold(string).startswith(start[:12]):
            continue
        node: Tag | None = parent
        while node is not None and node.name not in _BLOCKS:
            node = node.parent
        if node is not None and fold(node.get_text(" ")).startswith(start):
            return node
    return None


_BLOCKS = frozenset("p div section h2 h3 li blockquote td article header".split())


def recover_lead(soup: BeautifulSoup, blocks: list[Block], descriptions: list[str]) -> list[Block]:
    """Blocks with the story's first paragraph put back when the extractor left it out.

    Many sites print the lead in a box of its own above the body ("newsHeading", "lead")
    and repeat it as the page's description; trafilatura often drops that box. When a
    description is printed in the page as a block of its own and is missing from the story,
    that block opens the story, after the headline.
    """
    texts = [fold(b.text) for b in blocks]
    for description in descriptions:
        key = fold(unescape(description))
        if len(key) < MIN_LEAD_KEY or any(key[:MIN_LEAD_KEY] in t for t in texts):
            continue
        element = _lead_element(soup, key)
        if element is None:
            continue
        text = " ".join(element.get_text(" ").split())
        if len(fold(text)) > 3 * len(key) + 80:  # a container of the whole story, not the lead
            continue
        first = next((i for i, b in enumerate(blocks) if b.kind != "head"), len(blocks))
        return blocks[:first] + [Block("p", text)] + blocks[first:]
    return blocks


# News boilerplate that survives main-text extraction. Each pattern must match a whole block.
_BOILERPLATE = [
    # cross-links and prompts
    r"(?:also read|read also|read more|more on this|related(?: stories| articles| coverage)?"
    r"|see also|recommended|most read|must read|don'?t miss|trending|watch|listen|click here"
    r"|explore more|more from [\w .]+|top stories)\b\s*[:|»>\-–—].*",
    r"(?:also read|read more|read also|related stories|related articles|more stories)[.:]?",
    r"(?:share|share this(?: article| story)?|tweet|email|print|copy link|comments?)"
    r"(?:\s*(?:on|via)?\s*(?:facebook|twitter|x|whatsapp|linkedin|email|reddit|telegram))*[.:]?",
    r"(?:sign up|subscribe|register|join)\b.{0,160}(?<![\w-])(?:newsletter|inbox|updates|alerts|"
    r"subscription|free|now|today|here)\b.{0,80}",  # "for free", not "ad-free"
    r".{0,80}\b(?:newsletter|subscribe to our|follow us on|download the .{0,40}app|"
    r"get the latest news)\b.{0,120}",
    r"advertisement|sponsored(?: content)?|story continues below(?: advertisement)?|"
    r"continue reading(?: below)?|scroll to continue.*",
    # captions and picture credits
    r"(?:photo|image|picture|file photo|photograph|video|graphic|illustration|credit|source)s?"
    r"\s*(?:credit)?\s*[:/|].{0,200}",
    r".{0,250}[(\[](?:photo|image|picture|credit|file)\b[^)\]]{0,80}[)\]]\.?",
    r".{0,250}\b(?:getty images|afp via getty|/ ?reuters|/ ?ap photo|ap photo/|"
    r"reuters/[\w ]+|epa-efe|shutterstock|file photo)\.?\)?",
    # syndication, copyright and updates notes
    r"\(?\s*(?:except for the headline, )?this story has not been edited by .{0,200}",
    r".{0,60}\bpublished from a syndicated feed.{0,100}",
    r"\(?\s*with inputs? from [^)]{2,80}\)?\.?",
    r"(?:©|copyright|\(c\))\s*(?:\d{4}\s*)?.{0,160}",
    r"(?:this (?:article|story) (?:was|has been|is) (?:originally |first )?(?:published|"
    r"appeared|updated)).{0,200}",
    r"(?:updated|published|posted|last updated|first published)"
    r"\s*(?:on|at)?\s*:?\s*[\w ,:.+-]{0,60}",
]
_BOILERPLATE_RE = re.compile(r"^\s*(?:" + "|".join(_BOILERPLATE) + r")\s*$", re.I | re.S)

# Notes whose credits we keep even though the note itself leaves the text.
_CREDIT_NOTES = re.compile(
    r"syndicated feed|with inputs? from|originally (?:published|appeared)|copyright|©|"
    r"^\(?(?:reporting|writing|additional reporting) by", re.I
)
# "GAZA CITY (Reuters) -", "CAIRO, Jan 15 (AP) —", "JERUSALEM —", "Doha, Qatar (AFP):"
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.\- ]{1,40}[A-Z.](?:,\s*[A-Z][A-Za-z'’.\- ]{1,30})?"
    r"|[A-Z][a-z'’\-]+(?: [A-Z][a-z'’\-]+){0,2}(?:,\s*[A-Z][A-Za-z.\- ]{1,30})?(?=[^)]{0,30}\())"
    r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?))?"
    r"\s*(?:\((?P<wire>[^)]{2,40})\))?\s*(?:[-—–:]+|--)\s+"
)
_WIRE_TAIL = re.compile(r"^\s*[-—–]+\s*(?P<wire>[A-Z][\w .&]{1,30})\s*$")


def clean_byline(byline: str | None) -> str | None:
    """'By Jane Doe' -> 'Jane Doe'."""
    cleaned = re.sub(r"^\s*by\s+", "", byline or "", flags=re.I).strip(" ,;|")
    return cleaned or None


def is_boilerplate(block: str) -> bool:
    """True for a block that is site furniture, a caption or a syndication note, not story."""
    return len(block) < 600 and bool(_BOILERPLATE_RE.match(block))


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and _fold(a or "") == _fold(b or "")


MAX_LEADING_HEADS = 2  # the headline and the standfirst; a longer run is a list of teasers
MAX_TEASER_WORDS = 30  # a teaser title is short; a longer "heading" is a paragraph
MAX_TITLE_WORDS = 14  # ... and one that also ends a sentence ("。", ".") is one sooner


def _reads_as_prose(text: str) -> bool:
    words = word_count(text)
    return words > MAX_TEASER_WORDS or (words > MAX_TITLE_WORDS and ends_sentence(text))


def _drop_leading_teasers(blocks: list[Block], title: str | None) -> list[Block]:
    # Headings above the first paragraph are the printed headline and standfirst, kept as the
    # page shows them (paragraphs.py drops the headline's repeat when it splits for the index).
    # A longer run of headings is a list of other stories' titles: only the headline stays.
    # Extractors label some story paragraphs as headings (a Japanese lead set in <h2>): a
    # "heading" that ends a sentence or runs long is story text, and the run stops there.
    first = next((i for i, b in enumerate(blocks) if b.kind != "head" or _reads_as_prose(b.text)),
                 len(blocks))
    if first <= MAX_LEADING_HEADS or first == len(blocks):
        return blocks
    return [b for b in blocks[:first] if _same_text(b.text, title)] + blocks[first:]


MAX_REPEAT_CHARS = 200  # pull quotes, teasers and captions are short; paragraphs may repeat


def _is_repeat(block: str, kept: list[str]) -> bool:
    # A short line repeated within three blocks is a pull quote or teaser shown twice; a long
    # paragraph that repeats is the author's own text (readability gold: 1,337 tokens of them).
    return len(block) < MAX_REPEAT_CHARS and block in kept[-3:]


def clean_blocks(blocks: list[Block], title: str | None) -> tuple[list[str], list[str]]:
    """(story paragraphs, removed notes that may carry credits)."""
    kept: list[str] = []
    notes: list[str] = []
    in_story = False  # past the headline: a first story paragraph was kept
    for kind, block in ((b.kind, b.text) for b in _drop_leading_teasers(blocks, title)):
        # The headline opens the story once; a repeat of it further down is page furniture.
        if (in_story and _same_text(block, title)) or block == _PARA_MARK:
            continue
        if is_boilerplate(block) or _WIRE_TAIL.match(block):
            notes.append(block)
            continue
        if not _is_repeat(block, kept):
            kept.append(block)
            in_story = in_story or kind != "head"
    return kept, notes


_FURNITURE = ("nav", "header", "footer", "aside")
MAX_FURNITURE_CHECK = 200  # characters: longer stories are not menus that slipped through


def _only_furniture(soup: BeautifulSoup, paragraphs: list[str]) -> bool:
    """True when a short story is nothing but text from the page's menus, header or footer."""
    if sum(len(p) for p in paragraphs) > MAX_FURNITURE_CHECK:
        return False
    furniture = " ".join(_fold(tag.get_text(" ")) for tag in soup.find_all(_FURNITURE))
    return all(_fold(p) in furniture for p in paragraphs)


def find_dateline(paragraphs: list[str]) -> tuple[str | None, str | None]:
    """(place, wire) from a dateline at the start of the first story paragraph."""
    # The headline and standfirst may come first: look a little further down.
    for para in paragraphs[:2 + MAX_LEADING_HEADS]:
        found = _DATELINE.match(para)
        if found and len(para) > found.end() + 20:
            return found.group("place").strip(" ,"), found.group("wire")
    return None, None


def find_credits(texts: list[str]) -> tuple[str, ...]:
    """Wires and outlets credited by datelines, syndication notes and copyright lines."""
    from indexer.lexicon import default_lexicon

    lexicon = default_lexicon()
    found: list[str] = []
    for text in texts:
        found.extend(lexicon.find_media(text))
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------------------------------------
# Dates


def _htmldate(html: str, url: str | None, original: bool) -> str | None:
    import htmldate

    try:
        found = htmldate.find_date(html, url=url, original_date=original, extensive_search=True)
    except (ValueError, TypeError, RecursionError):
        return None
    return iso_day(found)


def _vote(days: list[str | None]) -> str | None:
    """The day most sources give; a tie goes to the earliest-listed source among the tied."""
    counts = Counter(d for d in days if d)
    if not counts:
        return None
    most = max(counts.values())
    return next(d for d in days if d and counts[d] == most)


def find_published(html: str, meta: PageMeta, story: Story, url: str | None) -> str | None:
    """The publication day that most sources agree on; trafilatura's pick breaks ties.

    Sources: trafilatura, JSON-LD datePublished, the declared date (JSON-LD, else meta tags,
    else the publication <time datetime>; so a JSON-LD date, the most deliberate declaration,
    counts twice), htmldate looking for the original date and htmldate looking for the latest.
    A reading that only swaps the day and month of a declared date ("10/04/2016" read day
    first beside <time datetime="2016-10-04">) counts for the declared date. The sources err
    in different ways (trafilatura turns a local 01:59 into the previous day in UTC, or takes
    an old date from the page where both htmldate searches agree on another), so a majority
    overrules any one of them. Sources are read in order until one day has three votes, so
    htmldate often does not run.
    """
    # A page that declares no date in its markup but prints one under a label ("Written:
    # 2023-11-07") means that day; the other sources would only guess from dates nearby.
    if not meta.published and meta.printed_published:
        return meta.printed_published
    sources = (
        lambda: iso_day(story.date),
        lambda: meta.json_ld_published,
        lambda: meta.published,
        lambda: _htmldate(html, url, original=True),
        lambda: _htmldate(html, url, original=False),
    )
    declared = [meta.json_ld_published, meta.published]
    days: list[str | None] = []
    for source in sources:
        days.append(undo_swaps([source()], declared)[0])
        if days[-1] and days.count(days[-1]) >= 3:  # a majority of five: later sources can't win
            return days[-1]
    return _vote(days)


# ---------------------------------------------------------------------------------------------
# The page as a whole


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
MAX_CONTROL_SHARE = 0.02  # text has almost none; compressed or image bytes decode to many


def _load_text(data: bytes, http_charset: str | None) -> tuple[str, str]:
    if data[:2] == b"\x1f\x8b":
        data = gunzip_capped(data)
    _check_size_and_binary(data)
    text, encoding = decode_html(data, http_charset)
    head = text[:65536]
    control = len(_CONTROL.findall(head))
    if control > max(8, MAX_CONTROL_SHARE * len(head)):
        raise InputError(f"binary data, not HTML text ({control} control characters"
                         f" in the first {len(head)})")
    return text, encoding


def read_html(
    data: bytes,
    *,
    path: str,
    url: str | None = None,
    capture_date: str | None = None,
    http_charset: str | None = None,
) -> Article:
    """One saved page (plain or gzipped HTML bytes) as an Article; InputError if it has no story."""
    text, encoding = _load_text(data, http_charset)
    if too_deep(text, FLAT_DEPTH):
        text = flatten_deep(text)
    soup = parse_soup(text)
    meta = read_page_meta(soup)
    page_url = url or meta.url
    title = choose_headline(soup, _json_ld_article(soup), page_url) or meta.title
    story = extract_story(text, page_url)
    blocks = recover_lead(soup, recover_split_story(soup, story.blocks), _descriptions(soup))
    paragraphs, notes = clean_blocks(blocks, title)
    # A short page (a one-line brief, a correction) is still a page; menus alone are not.
    if not paragraphs or _only_furniture(soup, paragraphs):
        raise InputError("no article text found on the page")
    place, wire = find_dateline(paragraphs)
    credit_texts = [n for n in notes if _CREDIT_NOTES.search(n) or _WIRE_TAIL.match(n)]
    credits = find_credits([wire or "", *credit_texts])
    published = find_published(text, meta, story, page_url)
    return Article(
        article_id="",
        text="\n\n".join(paragraphs),
        path=path,
        title=title,
        outlet=meta.site_name or outlet_from_url(page_url),
        url=page_url,
        published=published or iso_day(capture_date),
        date_precision="day" if published or iso_day(capture_date) else "unknown",
        dateline=place,
        credits=credits,
        byline=clean_byline(story.author or meta.byline),
        kind="article",
        extra={
            "encoding": encoding,
            "description": meta.description,
            "site_name": meta.site_name,
            "capture_date": capture_date,
            "date_source": "page" if published else ("capture" if capture_date else None),
        },
    )
