"""Find the people, organisations and states an article names, from its own text.

No model: capitalised runs of words, read with word lists (indexer/data/names.json) and the
lexicon. One pass over an article collects candidates and their evidence; a second names
each paragraph's actors, folding every alias to the fullest form the article gives:

* a person is a run of two to four name-like words with evidence: a title before it
  ("Finance Minister Jane Roe"), an apposition giving a role ("Jane Roe, the finance
  minister,"), a speech verb next to it, a quotation attributed to it, or a second mention;
* a later "Roe", "Ms. Roe" or "Minister Roe" is the full name given earlier in the article;
* an organisation is a run ending in an organisation word ("Canadian Auto Workers Union")
  or opening with one before "of" ("Ministry of Finance"); "the International Monetary Fund
  (IMF)" makes IMF and its expansion one actor;
* states come from the lexicon (seeds, and places.json generated from a country package).

The lexicon's seed names add aliases, but never beat a full name the article gives: in an
article about a provincial premier named Brian Gallant, "Gallant" is him, not a namesake
in the seed list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indexer.lexicon import DATA_DIR, Lexicon

# A capitalised word, optionally with an Arabic article ("al-Hayya") or internal
# apostrophes and hyphens ("O'Brien", "Jean-Pierre"), and abbreviations ("U.S.", "Corp.").
_CAP = r"(?:(?:al|el|ad|ash|as|an|at|az)-)?[A-Z][\w&]*(?:['’.-][A-Za-z][\w&]*)*\.?"
_PARTICLES = frozenset(
    "de del della da di du des dos la le van von der den bin ibn al el y ben bint"
    .split())
_CONNECTORS = frozenset("of for the and on".split())
_JOIN = "(?:" + "|".join(sorted(_PARTICLES | _CONNECTORS)) + ")"
# Opening with a capital (no look-behind) lets the regex engine skip to capitals; a run
# glued to the word before it ("iPhone", "x-Ray") is dropped in _mentions.
_RUN = re.compile(rf"[A-Z][\w&]*(?:['’.-][A-Za-z][\w&]*)*\.?(?:(?:\s+{_JOIN})*[ \t]+{_CAP})*")
_GLUED = frozenset("_'’.@#/-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_ACRONYM_AFTER = re.compile(r"\s*\((?P<acr>[A-Z][A-Za-z&]{1,9})\)")
_NAME_WORD = re.compile(
    r"(?:(?:al|el|ad|ash|as|an|at|az)-)?(?:Mc|Mac|O['’]|D['’]|De|La|Le|Di)?[A-Z][a-zà-ÿ]+"
    r"(?:-[A-Z][a-zà-ÿ]+|['’][A-Z]?[a-zà-ÿ]+)*")
# "Calgary-based", "Soviet-led": a word made into an adjective, never part of a name.
_ADJECTIVE = re.compile(r"\w+-[a-z]+")
_INITIAL = re.compile(r"[A-Z]\.")
_ACRONYM = re.compile(r"[A-Z][A-Z&]{1,9}")
_SPEECH_AFTER = re.compile(
    r"\s*(?:,\s*)?(?:said|says|told|added|announced|stated|noted|argued|warned|wrote|asked|"
    r"explained|insisted|declared|urged|tweeted|posted|confirmed|promised|denied|reported|"
    r"claimed|acknowledged|estimated|disclosed|responded|replied)\b")
_SPEECH_BEFORE = re.compile(r"\b(?:said|says|according to|quoted|quoting)\s+$")
_LOCATIVE = re.compile(r"\b(?:in|at|near|into|across|outside|inside|toward|towards|throughout)"
                       r"\s+(?:the\s+)?$")
_MID_CAPITAL = re.compile(r"[a-z,] ([A-Z][\w'’-]+)")
_TOKEN = re.compile(r"\S+")
_LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*")
MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class Words:
    """The word lists of names.json."""

    titles: frozenset[str]
    roles: re.Pattern[str]
    org_last: frozenset[str]
    org_first: frozenset[str]
    not_names: frozenset[str]  # openers included
    openers: frozenset[str]
    surname_titles: frozenset[str]
    role_before: re.Pattern[str]  # "... analyst " right before a name
    org_before: re.Pattern[str]  # "... the research firm " right before a name
    org_after: re.Pattern[str]  # ", the Chinese tech company" right after one
    first_names: frozenset[str] = frozenset()  # first_names.json
    generic: frozenset[str] = frozenset()  # "Task Force", "Oval Office": a kind, not one body

    @classmethod
    def load(cls, path: Path = DATA_DIR / "names.json") -> Words:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        roles = "|".join(sorted((re.escape(r) for r in data["roles"]), key=len, reverse=True))
        # ", the finance minister," / ", a spokeswoman for" / ", who heads": up to four words
        # (an employer, a country) before the role noun, within the apposition's comma.
        apposition = re.compile(
            rf"\s*,\s+(?:(?:the|a|an|its|his|her|their|who\s+is|now|then|as)\s+)?"
            rf"(?:[\w'’&-]+\s+){{0,4}}?(?:{roles})s?\b", re.I)
        titles = frozenset(data["titles"]) | {r.title() for r in data["roles"] if " " not in r}
        nouns = "|".join(sorted((re.escape(n) for n in data["org_nouns"]), key=len, reverse=True))
        org_after = re.compile(
            rf"\s*,\s+(?:(?:the|a|an|its|which\s+is)\s+)?(?:[\w'’&-]+\s+){{0,4}}?(?:{nouns})\b"
            # "Jane Roe, the union's chairman": a possessive noun names her employer, not her.
            r"(?!['’])")
        return cls(titles, apposition, frozenset(data["org_last"]),
                   frozenset(data["org_first"]),
                   frozenset(data["not_names"]) | frozenset(data["openers"]),
                   frozenset(data["openers"]), frozenset(data["surname_titles"]),
                   re.compile(rf"\b(?:{roles})\s+$"),
                   re.compile(rf"\b(?:{nouns})\s+$"), org_after,
                   frozenset(_read(DATA_DIR / "first_names.json")["first_names"]),
                   frozenset(data.get("generic_bodies", ())))


def _read(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def default_words() -> Words:
    return Words.load()


@dataclass(frozen=True)
class Mention:
    """A capitalised run of one paragraph, read as a name."""

    paragraph: int
    start: int
    end: int
    words: tuple[str, ...]
    titled: bool = False  # a title word stood before the name in the same run
    phrase: str = ""  # the run with its title ("Secretary Austin")
    kind: str = "name"  # name | organisation | acronym


@dataclass
class ArticleActors:
    """The actors an article names: per paragraph, and each actor's type and evidence."""

    paragraphs: list[list[str]]
    types: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    blocked: frozenset[str] = frozenset()  # seed actors a full name of the article displaces
    aliases: dict[str, str] = field(default_factory=dict)  # written form -> actor

    def alias(self, written: str) -> str | None:
        """The actor a form written in this article names ("Ms. Roe", "Roe" -> "Jane Roe")."""
        name = self.aliases.get(written)
        if name is None and " " in written:
            name = self.aliases.get(written.split()[-1])
        return name


def discover(texts: Sequence[str], lexicon: Lexicon, *, speakers: Iterable[str] = (),
             words: Words | None = None) -> ArticleActors:
    """The people and organisations an article names, folded to one name each."""
    words = words or default_words()
    # Words the article also writes in lower case are common words, not names; so are the
    # one-word names of states and bodies.
    joined = "\n".join(texts)
    lower = set(_LOWER_WORD.findall(joined))
    # A capitalised word seen inside a sentence somewhere is a name; one seen only opening
    # sentences may be any word ("Established the ...", "Currently").
    mid = set(_MID_CAPITAL.findall(joined))
    ctx = _Ctx(words, lower | lexicon.collective_words, lexicon, mid)
    mentions = [m for i, t in enumerate(texts) if _is_prose(t) for m in _mentions(i, t, ctx)]
    found = _Found(lexicon, words)
    _collect_organisations(mentions, texts, found)
    _collect_people(mentions, texts, words, found, set(speakers))
    return _assign(mentions, texts, found, lexicon)


def _is_prose(text: str) -> bool:
    """Headings, bylines and captions are short and have no sentence: no names from them."""
    return len(text) > 60 or bool(re.search(r"[a-z][.!?”\"]\s*$|[a-z],\s", text))


class _Found:
    """What the first pass learnt: canonical names with type and evidence, and aliases."""

    def __init__(self, lexicon: Lexicon, words: Words):
        self.lexicon = lexicon
        self.words = words
        self.pending_orgs: set[str] = set()  # one-word speakers: bodies unless a surname
        self.types: dict[str, str] = {}
        self.evidence: dict[str, str] = {}
        self.alias: dict[str, str] = {}  # a written form -> canonical name

    def add(self, name: str, kind: str, why: str, aliases: Iterable[str] = ()) -> str:
        known = self.lexicon.canonical_or_none(name)
        if known is None and name in self.words.generic:
            return name  # names no one body: not an actor, no alias
        if known is not None and self.lexicon.actors.get(known) is not None:
            # A seed alias ("Tony Blinken") folds to the seed's name; its type wins.
            name, kind = known, self.lexicon.actor_type(known)
        self.types.setdefault(name, kind)
        self.evidence.setdefault(name, why)
        for alias in (name, *aliases):
            self.alias.setdefault(alias, name)
        return name


@dataclass(frozen=True)
class _Ctx:
    words: Words
    excluded: set[str]  # the article's lowercase words and one-word names of states
    lexicon: Lexicon
    mid: set[str]


def _mentions(index: int, text: str, ctx: _Ctx) -> list[Mention]:
    words = ctx.words
    out = []
    for run in _RUN.finditer(text):
        if run.start() and text[run.start() - 1] in _GLUED:
            continue
        whole = run.group(0)
        if " " not in whole and "\n" not in whole and "\t" not in whole:
            # Most runs are one word opening a sentence ("The", "He"): skip those at once.
            if whole in words.openers or whole in ctx.excluded:
                continue
            mention = _one_word(index, text, run.start(), run.end(), ctx)
            if mention is not None:
                out.append(mention)
            continue
        spans = [(run.start() + t.start(), run.start() + t.end()) for t in _TOKEN.finditer(whole)]
        if "'" not in whole and "’" not in whole and "." not in whole:
            out.extend(_read_run(index, text, spans, ctx))
            continue
        # A possessive ends a name: "Craxi's Socialist Party" is two runs.
        piece: list[tuple[int, int]] = []
        for a, b in spans:
            piece.append((a, b))
            tok = text[a:b]
            if tok.endswith(("'", "’", "'s", "’s")) or _sentence_end(tok, words):
                out.extend(_read_run(index, text, piece, ctx))
                piece = []
        if piece:
            out.extend(_read_run(index, text, piece, ctx))
    return out


def _one_word(index: int, text: str, start: int, end: int, ctx: _Ctx) -> Mention | None:
    """A run of one word: an acronym, or a name-like word (a surname, a body that speaks)."""
    if text[end:end + 1] in ("-", "—", "–"):
        return None
    tok = _clean(text[start:end], ctx.words)
    if _ACRONYM.fullmatch(tok):
        return Mention(index, start, end, (tok,), kind="acronym")
    if not _name_word(tok, ctx.words, ctx.excluded):
        return None
    if _opens_sentence(text, start) and _not_a_name_opener(text, [(start, end)], ctx):
        return None
    return Mention(index, start, end, (tok,), phrase=tok)


def _sentence_end(tok: str, words: Words) -> bool:
    """A full stop after a word that is neither a title nor an initial may end a sentence."""
    return tok.endswith(".") and tok not in words.titles and not _INITIAL.fullmatch(tok)


def _clean(tok: str, words: Words) -> str:
    if tok.endswith(("'s", "’s")):
        tok = tok[:-2]
    tok = tok.rstrip("'’")
    if tok.endswith(".") and tok not in words.titles and tok not in words.org_last \
            and not _INITIAL.fullmatch(tok) and "." not in tok[:-1]:
        tok = tok[:-1]  # a sentence's full stop, not an abbreviation
    return tok


def _read_run(index: int, text: str, spans: list[tuple[int, int]], ctx: _Ctx,
              after_the: bool = False) -> list[Mention]:
    words, lower = ctx.words, ctx.excluded
    if not spans:
        return []
    if text[spans[-1][1]:spans[-1][1] + 1] in ("-", "—", "–"):
        spans = spans[:-1]  # a word cut off in a transcript ("Jens Stol- — Stoltenberg")
    if spans and _opens_sentence(text, spans[0][0]) and _not_a_name_opener(text, spans, ctx):
        spans = spans[1:]
    if not spans:
        return []
    toks = [_clean(text[a:b], words) for a, b in spans]
    end = spans[-1][1]
    # Words that open a sentence or a heading ("But", "In", "The") are not part of a name.
    lead = 0
    while lead < len(toks) and (toks[lead] in words.openers or toks[lead] in _CONNECTORS
                                or _ADJECTIVE.fullmatch(toks[lead])) \
            and toks[lead] not in words.titles:
        lead += 1
    # A demonym before an organisation names its state, tagged apart: "Japanese Ministry of
    # International Trade and Industry" is the ministry.
    while lead < len(toks) - 2 and toks[lead] in lower and toks[lead + 1] in words.org_first:
        lead += 1
    body = toks[lead:]
    if not body:
        return []
    if body[0] in words.titles and body[0] not in words.org_first:
        # "Dr. Jane Roe of the Michigan Department of Health": a person, then a body.
        cut = _after_name(body, words, lower)
        if cut is not None:
            rest = cut + 1
            while rest < len(body) and body[rest] in _CONNECTORS:
                rest += 1
            return (_read_run(index, text, spans[lead:lead + cut], ctx)
                    + _read_run(index, text, spans[lead + rest:], ctx))
    # "Department of Transportation Secretary Pete Buttigieg": a body, then a titled person.
    for i in range(2, len(body) - 1):
        if body[i] in words.titles and _name_word(body[i + 1], words, lower) \
                and _is_organisation(body[:i], words):
            return (_read_run(index, text, spans[lead:lead + i], ctx)
                    + _read_run(index, text, spans[lead + i:], ctx))
    if not _is_organisation(body, words) or _two_names(body, ctx):
        # "the Auto Workers Union and the Ministry of Finance": two names joined by "and".
        cuts = [lead + i for i, t in enumerate(body) if t in _CONNECTORS and t != "of"]
        if cuts:
            out: list[Mention] = []
            for a, b in zip([lead - 1, *cuts], [*cuts, len(toks)], strict=True):
                if b - a > 1:
                    out.extend(_read_run(index, text, spans[a + 1:b], ctx,
                                         a >= 0 and toks[a] == "the"))
            return out
    else:
        return [Mention(index, spans[lead][0], end, tuple(body), kind="organisation")]
    if len(body) == 1 and _ACRONYM.fullmatch(body[0]):
        return [Mention(index, spans[lead][0], end, tuple(body), kind="acronym")]
    # The name is the run's tail of name-like words; a title anywhere before it is evidence.
    n = 0
    for tok in reversed(body):
        if _name_word(tok, words, lower) or (n and (tok in _PARTICLES or _INITIAL.fullmatch(tok))):
            n += 1
        else:
            break
    while n and (body[-n] in _PARTICLES or _INITIAL.fullmatch(body[-n])):
        n -= 1
    if after_the and n == len(body) and n >= 3:
        n -= 1  # no name follows "the": "the Exchequer Nigel Lawson"
    if not n or n > MAX_NAME_WORDS:
        return []
    # A title right before the name, or anywhere in the run before a full name
    # ("Secretary of State George Shultz"; not "Chief of Staff").
    before = body[:-n]
    titled = bool(before) and (before[-1] in words.titles and (n > 1 or before[-1] in
                                                               words.surname_titles)
                               or n > 1 and any(t in words.titles for t in before))
    return [Mention(index, spans[-n][0], end, tuple(body[-n:]), titled, " ".join(body))]


_COMPANY_END = frozenset("Corp Corp. Inc Inc. Ltd Ltd. Co Co. Plc PLC AG NV SA LLC".split())


def _two_names(body: list[str], ctx: _Ctx) -> bool:
    """ "White House and Congress", "GM Corp and the UAW": two names joined by "and";
    "Department of Health and Human Services" is one."""
    if "and" not in body:
        return False
    i = body.index("and")
    left, right = body[:i], body[i + 1:]
    if right[:1] == ["the"] or len(right) > 1 and right[-1] in _COMPANY_END \
            and _ACRONYM.fullmatch(right[0]):
        return True  # "... and the UAW", "Steelworkers of America and LTV Corp"
    known = ctx.lexicon.canonical_or_none
    return bool(left and right) and (left[-1] in _COMPANY_END or known(" ".join(right)) is not None
                                     or len(left) > 1 and known(" ".join(left)) is not None)


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 4):start].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?:;•*\n–—-"


def _not_a_name_opener(text: str, spans: list[tuple[int, int]], ctx: _Ctx) -> bool:
    """A sentence's first word that no sentence uses as a name: "Established the Office"."""
    first = text[spans[0][0]:spans[0][1]].rstrip(",.")
    if first in ctx.mid or first in ctx.words.titles or ctx.lexicon.canonical_or_none(first):
        return False
    following = text[spans[0][1]:spans[0][1] + 5]
    return (first.endswith(("ed", "ly", "ing")) or len(spans) == 1 and following[:1] == ","
            or following.startswith((" the ", " of ", " and ", " for ")))


def _after_name(body: list[str], words: Words, excluded: set[str]) -> int | None:
    """The first connector after a name-like word, if any."""
    seen = False
    for i, tok in enumerate(body):
        if tok in _CONNECTORS and seen:
            return i
        seen = seen or _name_word(tok, words, excluded)
    return None


_DIRECTIONS = frozenset("North South East West Northern Southern Eastern Western".split())


def _is_organisation(body: list[str], words: Words) -> bool:
    if len(body) < 2 or body[0] in words.titles and body[0] not in words.org_first:
        return False  # "Secretary of the Treasury" is a role
    if len(body) > 2 and body[1] in words.org_first and body[2] in _CONNECTORS:
        return True  # "National Institute on Drug Abuse"
    if body[-1] in words.org_last and any(t[:1].isupper() for t in body[:-1]):
        return body[-2] not in _DIRECTIONS  # "West Bank" is a place
    return body[0] in words.org_first and body[1] in _CONNECTORS


def _name_word(tok: str, words: Words, lower: set[str]) -> bool:
    return (tok not in words.not_names and tok not in words.titles and tok not in words.org_last
            and tok.lower() not in lower and tok not in lower and bool(_NAME_WORD.fullmatch(tok)))


def _collect_organisations(mentions: list[Mention], texts: Sequence[str], found: _Found) -> None:
    for m in mentions:
        if m.kind != "organisation":
            continue
        written = " ".join(m.words)
        if written in found.lexicon.media:  # "Washington Post" is a credit, not an actor
            continue
        # "American Motors Corp." and "American Motors Corp" are one company.
        name = written.rstrip(".")
        acr = _ACRONYM_AFTER.match(texts[m.paragraph], m.end)
        if acr and _initials_match(m.words, acr.group("acr")):
            found.add(name, "organisation", "acronym", [acr.group("acr"), written])
        else:
            found.add(name, "organisation", "organisation word", [written])
    # "the research firm Oanda", "Huawei, the Chinese tech company": a name an organisation
    # noun introduces; a one-word name also when it speaks twice ("Google said ...").
    speaking: dict[str, int] = {}
    for m in mentions:
        if m.kind != "name" or m.titled:
            continue
        text, name = texts[m.paragraph], " ".join(m.words)
        if found.words.org_before.search(text, max(0, m.start - 30), m.start) \
                or found.words.org_after.match(text, m.end):
            found.add(name, "organisation", "organisation noun")
        elif len(m.words) == 1 and _SPEECH_AFTER.match(text, m.end):
            speaking[name] = speaking.get(name, 0) + 1
    singles = [m.words[0] for m in mentions if m.kind == "name" and len(m.words) == 1]
    for name in speaking:
        if singles.count(name) >= 2 and name not in found.alias:
            found.pending_orgs.add(name)
    # "the Organization of Petroleum Exporting Countries (OPEC)": an expansion without an
    # organisation word at its end still defines the acronym.
    for m in mentions:
        if m.kind == "name" and len(m.words) >= 2:
            acr = _ACRONYM_AFTER.match(texts[m.paragraph], m.end)
            if acr and _initials_match(m.words, acr.group("acr")):
                found.add(" ".join(m.words), "organisation", "acronym", [acr.group("acr")])


def _initials_match(tokens: Sequence[str], acronym: str) -> bool:
    letters = "".join(t[0] for t in tokens if t not in _CONNECTORS and t[:1].isupper())
    full = "".join(t[0] for t in tokens if t[:1].isalpha()).upper()
    acronym = acronym.replace("&", "").upper()
    return len(acronym) >= 2 and (letters.upper() == acronym or full == acronym)


def _collect_people(mentions: list[Mention], texts: Sequence[str], words: Words,
                    found: _Found, speakers: set[str]) -> None:
    names = [m for m in mentions if m.kind == "name"]
    full = [m for m in names if len(m.words) >= 2]
    counts: dict[tuple[str, ...], int] = {}
    for m in full:
        counts[m.words] = counts.get(m.words, 0) + 1
    singles = {m.words[0] for m in names if len(m.words) == 1}
    # "in Las Vegas", "near Khan Younis": a name written after a preposition of place is a
    # place, wherever else it occurs.
    places = {m.words for m in full if _LOCATIVE.search(texts[m.paragraph], max(0, m.start - 12),
                                                         m.start)}
    for m in full:
        name = " ".join(m.words)
        if name in found.alias or name in found.lexicon.media or len(set(m.words)) < len(m.words):
            continue
        if m.words in places and not m.titled:
            continue
        why = _person_evidence(m, texts[m.paragraph], words, speakers, counts, singles)
        if why:
            found.add(name, "person", why)
    # A surname folds to the one full name of the article that ends with it.
    by_surname: dict[str, set[str]] = {}
    for alias, name in found.alias.items():
        if found.types.get(name) == "person" and " " in alias:
            by_surname.setdefault(alias.split()[-1], set()).add(name)
    for surname, people in by_surname.items():
        if len(people) == 1:
            found.alias.setdefault(surname, next(iter(people)))
    # A titled surname with no full name in the article ("Mr. Tulis") is still a person.
    # A word that opens a person's full name, here or in the lexicon, is a first name
    # ("Thanks, Karine."), not a body.
    first_names = found.lexicon.first_names | {a.split()[0] for a, n in found.alias.items()
                                               if " " in a and found.types.get(n) == "person"}
    for name in found.pending_orgs - found.alias.keys() - first_names:
        if found.lexicon.canonical_or_none(name) is None:
            found.add(name, "organisation", "speaks, one word")
    # A seed may know the titled form ("Secretary Austin") where the surname alone is ambiguous.
    for m in names:
        if len(m.words) == 1 and m.titled and m.words[0] not in found.alias:
            seed = found.lexicon.canonical_or_none(m.phrase) or found.lexicon.resolve(m.words[0])
            if seed and found.lexicon.actor_type(seed) == "person":
                found.alias[m.words[0]] = seed
                found.types.setdefault(seed, "person")
            else:
                found.add(m.words[0], "person", "title")


def _person_evidence(m: Mention, text: str, words: Words, speakers: set[str],
                     counts: dict[tuple[str, ...], int], singles: set[str]) -> str | None:
    name = " ".join(m.words)
    if m.titled:
        return "title"
    if name in speakers:
        return "quoted"
    if words.roles.match(text, m.end) or _SPEECH_AFTER.match(text, m.end) \
            or _SPEECH_BEFORE.search(text, max(0, m.start - 20), m.start) \
            or words.role_before.search(text, max(0, m.start - 30), m.start):
        return "apposition or speech verb"
    if counts[m.words] >= 2 or m.words[-1] in singles:
        return "second mention"
    if len(m.words) <= 3 and m.words[0] in words.first_names:
        return "first name"
    return None


def _assign(mentions: list[Mention], texts: Sequence[str], found: _Found,
            lexicon: Lexicon) -> ArticleActors:
    per: list[list[str]] = [[] for _ in texts]
    for m in mentions:
        name = found.alias.get(" ".join(m.words))
        if name is not None and name not in per[m.paragraph]:
            per[m.paragraph].append(name)
    return ArticleActors(per, found.types, found.evidence, _displaced(found, lexicon, texts),
                         found.alias)


def _displaced(found: _Found, lexicon: Lexicon, texts: Sequence[str]) -> frozenset[str]:
    """Seed people a surname would name, where the article gives the surname to another."""
    out = set()
    for alias, name in found.alias.items():
        if " " in alias or found.types.get(name) != "person":
            continue
        seed = lexicon.resolve(alias)
        if seed and seed != name and lexicon.actor_type(seed) == "person" \
                and not any(seed in t for t in texts):
            out.add(seed)
    return frozenset(out)
