"""Actors, media and topics: load the vocabularies in data/*.json and match them in text.

The vocabularies are data (indexer/data/actors.json, media.json, topics.json); this module
only knows their shape. Users add their own actors with a file of the same shape.
Matching is case-sensitive for names (so "US" is the state, "us" is not) and
case-insensitive for topic triggers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
MAX_TOPICS = 3


@dataclass(frozen=True)
class Actor:
    name: str
    type: str  # person | organisation | state | group
    affiliation: str | None = None


@dataclass(frozen=True)
class _Alias:
    """One written form, pointing at an actor, valid between two dates (roles change hands)."""

    text: str
    name: str
    since: str | None = None
    until: str | None = None

    def valid_on(self, date: str | None) -> bool:
        if date is None:
            # Without a date a role is ambiguous; only open-ended roles and plain names count.
            return self.until is None
        return ((self.since is None or date >= self.since)
                and (self.until is None or date <= self.until))


@dataclass(frozen=True)
class Topic:
    name: str
    label: str
    triggers: tuple[str, ...]
    unless: tuple[str, ...] = ()  # phrases that hold a trigger but not the topic ("trade truce")


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of the words, shaped as a character trie.

    Python's re tries every alternative of a flat alternation at every position; a trie
    shares prefixes, which makes matching thousands of aliases several times faster.
    Longer continuations are tried first, so the longest alias wins.
    """
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


def _alias_pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    words = set(aliases)
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<![\w-])(?:{_trie(words)})(?![\w-])")


# Characters outside ASCII that re.IGNORECASE matches to an ASCII letter (dotted and dotless
# i, long s, the kelvin sign); a text without them matches an ASCII trigger word only where
# its lower() contains the word's lower().
_ASCII_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")
_WORD = re.compile(r"\w+")
_URL = re.compile(r"\S*(?:://|www\.)\S*|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/\S*")


def _trigger_key(trigger: str) -> tuple[str, bool]:
    """A word the trigger's regex needs, lowercased, and whether it is a whole word of the text.

    Every word of a trigger is preceded by \\b or [\\s-]+ and followed by [\\s-]+ or \\b, so one
    made of ASCII word characters is a whole \\w+ word wherever the regex matches; the last
    word of "negotiat*" is only the start of one. Otherwise: the longest ASCII word, as text.
    """
    words = trigger.rstrip("*").split()
    stem = words[-1:] if trigger.endswith("*") else []
    whole = [w for w in words if w.isascii() and _WORD.fullmatch(w) and [w] != stem]
    if whole:
        return max(whole, key=len).lower(), True
    return max((w for w in words if w.isascii()), key=len, default="").lower(), False


def _trigger_regex(trigger: str) -> str:
    # "negotiat*" matches any word starting with "negotiat"; spaces match any run of spaces/hyphens.
    stem = trigger.endswith("*")
    words = [re.escape(w) for w in trigger.rstrip("*").split()]
    core = r"[\s-]+".join(words)
    return rf"\b{core}\w*" if stem else rf"\b{core}\b"


class Lexicon:
    """Canonical actors with aliases and dated roles, media names, and the topic taxonomy."""

    def __init__(self, actors: Sequence[dict], media: Sequence[dict], topics: Sequence[dict]):
        self.actors: dict[str, Actor] = {}
        self._aliases: dict[str, list[_Alias]] = {}
        self._accounts: dict[str, str] = {}  # social-media handle, casefolded -> actor
        for entry in actors:
            self._add_actor(entry)
        self.media: dict[str, str] = {}  # alias -> canonical media name
        self.media_types: dict[str, str] = {}
        self.media_domains: dict[str, str] = {}  # web domain -> canonical media name
        for entry in media:
            self.media_types[entry["name"]] = entry.get("type", "outlet")
            self.media_domains.update(dict.fromkeys(entry.get("domains", ()), entry["name"]))
            for alias in {entry["name"], *entry.get("aliases", ())}:
                self.media[alias] = entry["name"]
        self.topics = tuple(
            Topic(t["name"], t.get("label", t["name"]), tuple(t["triggers"]),
                  tuple(t.get("unless", ()))) for t in topics
        )
        self._actor_re = _alias_pattern(self._aliases)
        # States and groups named inside a longer match ("Israeli" in "Israeli Foreign Minister").
        self._collective_re = _alias_pattern(
            a for a, targets in self._aliases.items()
            if any(self.actors[t.name].type in ("state", "group") for t in targets))
        self._media_re = _alias_pattern(self.media)
        # Each trigger's regex runs only when the paragraph holds its key word: a set lookup
        # costs ~1% of a case-insensitive search, and a paragraph holds few keys.
        self._topic_unless = {
            t.name: re.compile("|".join(_trigger_regex(u) for u in t.unless), re.I)
            for t in self.topics if t.unless}
        self._topic_res = [
            (t, [(trig, re.compile(_trigger_regex(trig), re.I), *_trigger_key(trig))
                 for trig in t.triggers])
            for t in self.topics if t.triggers
        ]
        # Triggers by key word: a paragraph visits only the triggers whose whole-word key it
        # holds (one set intersection), plus the few keyed on a part of a word.
        self._topic_order = {t.name: i for i, t in enumerate(self.topics)}
        self._by_key: dict[str, list[tuple[int, int, str, re.Pattern[str]]]] = {}
        self._by_part: list[tuple[int, int, str, re.Pattern[str], str]] = []
        for i, (_topic, patterns) in enumerate(self._topic_res):
            for j, (trig, rx, key, whole) in enumerate(patterns):
                if whole:
                    self._by_key.setdefault(key, []).append((i, j, trig, rx))
                else:
                    self._by_part.append((i, j, trig, rx, key))
        self._keys = frozenset(self._by_key)
        self._folded = {a.casefold(): a for a in self._aliases}
        # One-word names of states, groups and bodies ("German", "Hamas"): never part of a
        # person's name found in text (discovery.py).
        self.first_names = frozenset(n.split()[0] for n, a in self.actors.items()
                                     if a.type == "person" and " " in n)
        self.collective_words = frozenset(
            a for a, targets in self._aliases.items() if " " not in a
            and all(self.actors[t.name].type != "person" for t in targets))

    def _add_actor(self, entry: dict) -> None:
        name = entry["name"]
        self.actors[name] = Actor(name, entry.get("type", "person"), entry.get("affiliation"))
        for alias in {name, *entry.get("aliases", ())}:
            self._aliases.setdefault(alias, []).append(_Alias(alias, name))
        handles = (h.casefold() for h in entry.get("accounts", ()))
        self._accounts.update(dict.fromkeys(handles, name))
        for role in entry.get("roles", ()):
            for alias in role.get("aliases", ()):
                self._aliases.setdefault(alias, []).append(
                    _Alias(alias, name, role.get("from"), role.get("to"))
                )

    @classmethod
    def load(cls, extra: Iterable[str | Path] = ()) -> Lexicon:
        """The shipped vocabularies, plus user files of the same shape (actors/media/topics)."""
        # Seeds before the generated country list: where both name a form, the seed's name wins.
        shipped = ("actors.json", "places.json", "media.json", "topics.json")
        docs = [_read_json(DATA_DIR / n) for n in shipped]
        docs += [_read_json(Path(p)) for p in extra]
        pick = lambda key: [item for d in docs for item in d.get(key, ())]  # noqa: E731
        if any(d.get("replace_topics") for d in docs[len(shipped):]):
            docs[shipped.index("topics.json")] = {}
        return cls(pick("actors"), pick("media"), _merge_topics(pick("topics")))

    # -- actors ---------------------------------------------------------------------------

    def _pick(self, alias: str, date: str | None) -> str | None:
        for candidate in self._aliases.get(alias, ()):
            if candidate.valid_on(date):
                return candidate.name
        return None

    def resolve(self, name: str, date: str | None = None) -> str | None:
        """The canonical actor for a written name or role ("Israeli PM" -> "Benjamin Netanyahu")."""
        name = name.strip()
        exact = self._pick(name, date)
        if exact:
            return exact
        folded = self._folded.get(name.casefold())
        if folded:
            return self._pick(folded, date)
        # "US Special Envoy Steve Witkoff": the longest known name inside the phrase.
        found = self.find_actors(name, date)
        return found[0] if len(found) == 1 else self._person_in(found)

    def _person_in(self, names: Sequence[str]) -> str | None:
        people = [n for n in names if self.actors[n].type == "person"]
        return people[0] if len(people) == 1 else None

    def find_actors(self, text: str, date: str | None = None) -> tuple[str, ...]:
        """Canonical actors named in the text, in order of first mention."""
        seen: dict[str, None] = {}
        for match in self._actor_re.finditer(text):
            span = match.group(0)
            if " " in span:
                for inner in self._collective_re.finditer(span):
                    if inner.group(0) != span and (name := self._pick(inner.group(0), date)):
                        seen.setdefault(name, None)
            name = self._pick(span, date)
            if name:
                seen.setdefault(name, None)
        return tuple(seen)

    def actor_type(self, name: str) -> str:
        actor = self.actors.get(name)
        return actor.type if actor else "unknown"

    def account_owner(self, handle: str) -> str | None:
        """The actor who posts as this handle ("@LBpresidency" -> "Lebanese Presidency")."""
        return self._accounts.get(handle.lstrip("@").casefold())

    def canonical_or_none(self, name: str) -> str | None:
        """Case-insensitive alias lookup only (for user input such as --actor netanyahu)."""
        alias = self._folded.get(name.strip().casefold())
        if alias is None:
            return None
        return self._pick(alias, None) or self._aliases[alias][0].name

    # -- media and topics -----------------------------------------------------------------

    def find_media(self, text: str) -> tuple[str, ...]:
        """Wires and outlets named in the text (canonical names), in order of first mention."""
        return tuple(dict.fromkeys(self.media[m.group(0)] for m in self._media_re.finditer(text)))

    def outlet_at(self, host: str) -> str | None:
        """The outlet whose web site the host belongs to ("english.news.cn" -> "Xinhua")."""
        labels = host.casefold().rstrip(".").split(".")
        for i in range(len(labels) - 1):  # the host itself, then each parent domain
            name = self.media_domains.get(".".join(labels[i:]))
            if name:
                return name
        return None

    def explain_topics(self, text: str) -> dict[str, list[str]]:
        """Each topic whose triggers occur in the text, with the triggers that fired."""
        if "/" in text:
            # Words inside links ("aljazeera.com/...-west-bank-towns") are not the text's.
            text = _URL.sub(" ", text)
        if _ASCII_FOLDS.search(text):
            # Case folding can make a non-ASCII letter match an ASCII trigger: try them all.
            candidates = [(i, j, trig, rx) for i, (_, patterns) in enumerate(self._topic_res)
                          for j, (trig, rx, _, _) in enumerate(patterns)]
        else:
            lower = text.lower()
            candidates = [c for w in self._keys.intersection(_WORD.findall(lower))
                          for c in self._by_key[w]]
            candidates += [(i, j, trig, rx) for i, j, trig, rx, key in self._by_part
                           if key in lower]
        fired: dict[str, list[str]] = {}
        blanked: dict[int, str] = {}
        for i, _j, trig, rx in sorted(candidates, key=lambda c: (c[0], c[1])):
            topic = self._topic_res[i][0]
            if i not in blanked:
                unless = self._topic_unless.get(topic.name)
                blanked[i] = unless.sub(" ", text) if unless is not None else text
            if rx.search(blanked[i]):
                fired.setdefault(topic.name, []).append(trig)
        return fired

    def find_topics(self, text: str) -> tuple[str, ...]:
        """Up to three topics, the ones with most distinct triggers first (ties: taxonomy order)."""
        fired = self.explain_topics(text)
        order = self._topic_order
        ranked = sorted(fired, key=lambda name: (-len(fired[name]), order[name]))
        return tuple(ranked[:MAX_TOPICS])


def _merge_topics(topics: list[dict]) -> list[dict]:
    """One entry per topic name: a user's topic of a shipped name adds triggers to it."""
    merged: dict[str, dict] = {}
    for t in topics:
        if t["name"] in merged:
            old = merged[t["name"]]
            merged[t["name"]] = {**old, **t, "triggers": [*old["triggers"], *t.get("triggers", ())]}
        else:
            merged[t["name"]] = t
    return list(merged.values())


def _read_json(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=4)
def default_lexicon(extra: tuple[str, ...] = ()) -> Lexicon:
    """The shared, immutable lexicon (loading compiles a few large regexes; do it once)."""
    return Lexicon.load(extra)
