"""The quotation extractor's word lists, read once from indexer/data/quotes/*.json.

The lists are data so that they can grow without code changes; this module only loads them
and derives what the code looks up (speech-verb forms from lemmas, plural heads, ...).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "quotes"


@cache
def load(name: str) -> dict[str, Any]:
    with open(DATA / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def trie_pattern(words) -> str:
    """A regex alternation of `words` as a prefix tree ("sa(?:id|ys)"): Python's re tries an
    alternation's branches one by one, and the speech-verb pattern runs on every paragraph."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _pattern(tree)


def _pattern(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


def _words(name: str, key: str) -> frozenset[str]:
    return frozenset(load(name)[key])


# -- speech verbs: lemmas with the tenses they are used in ----------------------------------

_SIBILANT_ENDS = ("s", "sh", "ch", "x", "z", "o")


def past_of(lemma: str) -> str:
    """Regular past: "note" -> "noted", "reply" -> "replied", "ask" -> "asked"."""
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def present_of(lemma: str) -> str:
    """Third person present: "note" -> "notes", "reply" -> "replies", "pass" -> "passes"."""
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ies"
    if lemma.endswith(_SIBILANT_ENDS):
        return lemma + "es"
    return lemma + "s"


def verb_forms(lemma: str, entry: dict[str, Any]) -> dict[str, str]:
    """Each written form of one verb, mapped to the past form the Quote reports."""
    past = entry.get("past") or past_of(lemma)
    forms = {"base": lemma, "present": entry.get("present") or present_of(lemma), "past": past}
    return {forms[tense]: past for tense in entry["tenses"]}


def _verbs() -> dict[str, str]:
    data = load("verbs")
    out: dict[str, str] = {}
    for lemma, entry in data["verbs"].items():
        out.update(verb_forms(lemma, entry))
    out.update(data["phrases"])
    out.update(data["phrasal"])
    out.update(data["that_only"])
    return out


VERBS = _verbs()
PHRASAL_VERBS = tuple(load("verbs")["phrasal"])
THAT_ONLY_VERBS = tuple(load("verbs")["that_only"])
REPLY_VERBS = _words("verbs", "reply")
NAMING_VERBS = _words("verbs", "naming")
REPORTING_VERBS = _words("verbs", "reporting")
TELL_VERBS = _words("verbs", "tell")
THAT_VERBS = _words("verbs", "that")
PARTICIPLES: dict[str, str] = load("verbs")["participles"]

# -- pronouns, roles, titles, organisations ------------------------------------------------

PRONOUNS: dict[str, str] = load("pronouns")["pronouns"]
GENDERED: dict[str, str] = load("pronouns")["gendered"]
SUBJECT_PRONOUNS = _words("pronouns", "subject")
DOCUMENT_HEADS = _words("roles", "documents")
PERSON_ROLES = _words("roles", "person_roles")
HEADS = _words("roles", "heads") | DOCUMENT_HEADS
COMPANY_HEADS = _words("roles", "companies")
CORPORATE_SUFFIXES = tuple(load("roles")["corporate_suffixes"])
PLURAL_HEADS = frozenset({h for h in HEADS if h.endswith("s") and h[:-1] in HEADS} | {"people"})
POLICE_HEADS = _words("roles", "police")
UNNAMED_ADJS = _words("roles", "unnamed_adjectives")
TITLES = _words("titles", "titles") | _words("titles", "occupations")
ROYAL_TITLES = _words("titles", "royal")
TITLE_GENDER: dict[str, str] = load("titles")["gender"]
ORG_WORDS = _words("organisations", "words")

# -- names ----------------------------------------------------------------------------------

PARTICLES = _words("names", "particles")
NAME_SUFFIXES = tuple(load("names")["suffixes"])
PLATFORMS = tuple(load("names")["platforms"])
NOT_NAMES = _words("names", "not_names") | frozenset(PLATFORMS)
ABBREVIATIONS = _words("names", "abbreviations")

# -- function words -------------------------------------------------------------------------

LEADING_SKIP = _words("function_words", "leading_skip")
CLAUSE_WORDS = _words("function_words", "clause_words")
TRAILING_SKIP = _words("function_words", "trailing_skip")
DETERMINERS = _words("function_words", "determiners")
GENERIC = _words("function_words", "generic")
LEAD_STOP = _words("function_words", "lead_stop")
QUESTION_WORDS = _words("function_words", "question_words")
OBJECT_LEADS = _words("function_words", "object_leads")
NP_STOP = _words("function_words", "np_stop")
CONNECTORS = _words("function_words", "connectors")
POSSESSIVE_DETERMINERS = _words("function_words", "possessive_determiners")
OPENERS = (LEAD_STOP - {"The", "A", "An"}) | {"What", "Who", "Why", "How", "Where", "When"}
NOT_NAME_WORDS = CLAUSE_WORDS | LEADING_SKIP | DETERMINERS | set(PRONOUNS) | {"i"} | GENERIC

# -- transcripts ----------------------------------------------------------------------------

NON_SPEECH_LABELS = _words("transcripts", "non_speech_labels")
ANON_LABEL_HEADS = tuple(load("transcripts")["anonymous_label_heads"])
SECTION_LABELS = _words("transcripts", "section_labels")
ROLE_LABELS = _words("transcripts", "role_labels")
