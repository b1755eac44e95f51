"""Attribution clauses: every speech verb (or "according to") in a paragraph, with the
speaker its subject names, the verb, and the outlet the words went to ("told Reuters")."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from indexer.quotes.speakers import _by_name_word, _by_role, _parse_speaker, _trailing_name_run
from indexer.quotes.state import _NAME_WORD, _Event, _Speaker, _State
from indexer.quotes.vocab import (
    ABBREVIATIONS,
    HEADS,
    LEAD_STOP,
    LEADING_SKIP,
    NP_STOP,
    OBJECT_LEADS,
    ORG_WORDS,
    PHRASAL_VERBS,
    PLATFORMS,
    POSSESSIVE_DETERMINERS,
    QUESTION_WORDS,
    SUBJECT_PRONOUNS,
    THAT_ONLY_VERBS,
    TITLES,
    TRAILING_SKIP,
    VERBS,
    trie_pattern,
)

# Quotative "like" ("the President is like, “Okay, ...”") only right before a mark: elsewhere
# it compares ("the situation is like a powder keg").
# Verbs of two words ("pointed out") are tried before the one-word forms; a form that is mostly
# a noun ("reports") is a verb only before "that".
_VERB_RE = re.compile(r"\b(?:[Aa]ccording to|(?:is|was) like(?=,?\s*[\"“‘'])|"
                      + "|".join(re.escape(v) for v in PHRASAL_VERBS) + "|"
                      + "(?:" + "|".join(THAT_ONLY_VERBS) + r")(?=\s+that\b)|"
                      + trie_pattern(v for v in VERBS if " " not in v) + r")\b")


_APPOSITIVE_RE = re.compile(
    r",\s*(?:who|which|whose|citing|asked|according|monitored|(?!\w+thing\b)\w+ing)\b[^,]*(?:,|$)"
)


# A role in apposition: ", a professor at ...," / ", Nigeria's oil minister,".
_ROLE_APPOSITIVE_RE = re.compile(
    r"(?<=[\w.]),\s+(?!(?:but|and|or|so|yet|while|although|though|because|if|when)\b)"
    r"(?![^,]*\b(?:is|are|was|were|has|have|had|will|would)\b)"
    r"(?:a |an |the |[a-z]|[A-Z][\w-]*[’']s [a-z])[^,]{0,120},\s*$"
)


_QUOTED_AS_RE = re.compile(r"\s+(?P<np>\w+(?:\s\w+)?)\s+as\s+saying")


_PLATFORM_RE = re.compile(r"\bon (?P<p>" + "|".join(PLATFORMS) + r")\b")


_STATEMENT_RE = re.compile(r"\bin a (?:\w+ )?statement\b|\bstatement (?:by|from)\b", re.I)


def _find_events(masked: str, bounds: list[int], state: _State) -> list[_Event]:
    """Every attribution clause in the paragraph, in order, with its speaker resolved."""
    events: list[_Event] = []
    state.now = masked
    for m in _VERB_RE.finditer(masked):
        state.cursor = m.start()
        sent_start = bounds[bisect_right(bounds, m.start()) - 1]
        if _RELATIVE_RE.search(masked, max(0, m.start() - 8), m.start()):
            # "the official, who asked not to be named" is no attribution, but "Japanese Prime
            # Minister Shigeru Ishiba, who announced ... “...”" is one by the name before "who".
            event = _relative_event(masked, sent_start, m, state)
            if event is not None:
                _remember(event, masked[sent_start : m.end() + 40], state)
                events.append(event)
            continue
        state.reporter = _nested_reporter(masked, m, sent_start, events)
        # "X said A, but added B": the second verb's subject is the first one's.
        event = _coordinated(masked, m, sent_start, events) or _event_at(masked, sent_start, m,
                                                                         state)
        state.reporter = None
        if event is not None and event.speaker.name is not None and event.verb != "reported":
            _remember(event, masked[sent_start : m.end() + 40], state)
        if event is not None:
            events.append(event)
    named = _name_appositions(masked, state)
    return [replace(e, speaker=named.get(e.speaker, e.speaker)) for e in events]


# "The group, WeWorkers Coalition, formed ...": a description and the name it gets.
_NAMING_APPOSITION_RE = re.compile(
    rf"\b[Tt]he (?P<head>[a-z]+)(?: (?:that|which|who) [^,.;]{{1,60}})?, (?P<name>{_NAME_WORD}"
    rf"(?: {_NAME_WORD}){{0,4}}),")


def _name_appositions(masked: str, state: _State) -> dict[_Speaker, _Speaker]:
    """Named descriptions: later "the group" means the name, and so does an earlier speaker
    that the description points back to ("according to a group of employees. The group, ...")."""
    renamed: dict[_Speaker, _Speaker] = {}
    for m in _NAMING_APPOSITION_RE.finditer(masked):
        head = m.group("head")
        if head not in ORG_WORDS and head not in HEADS:
            continue
        earlier = _by_role(head, state) or _by_name_word(head, state)
        kind = "organisation" if head in ORG_WORDS else "person"
        roles = (earlier.roles if earlier else frozenset()) | {head}
        named = _Speaker(state.lexicon.resolve(m.group("name"), state.date) or m.group("name"),
                         kind, roles)  # fmt: skip
        old = {sp for sp in state.speakers if sp == earlier or sp.name == named.name}
        renamed |= dict.fromkeys(old, named)
        state.speakers[:] = [named if sp in old else sp for sp in state.speakers]
        if not old:
            state.speakers.append(named)
            state.spoke_at.append((len(state.read) - 1, m.start("name")))
    return renamed


_RELATIVE_RE = re.compile(r"(?:\bwho|that)\s+$")


_WHO_RE = re.compile(r"(?P<np>(?:[\w’'.-]+\s+){0,6}[\w’'.-]+),\s+who\s+$")


def _relative_event(masked, sent_start, m, state) -> _Event | None:
    """ "Jordan’s King Abdullah II, who announced": the name the relative clause hangs on."""
    found = _WHO_RE.search(masked, sent_start, m.start())
    if found is None or VERBS.get(m.group(0)) == "asked":
        return None
    run = _trailing_name_run(found.group("np").split())
    while run and run[0].endswith(("’s", "'s")):
        run.pop(0)  # "Jordan’s King Abdullah II"
    if not run or run[-1][:1].islower():
        return None
    phrase = " ".join(run)
    ref = (phrase, found.start("np") + found.group("np").rindex(run[0]))
    return _make_event(ref, m.start(), VERBS.get(m.group(0), "said"), masked, sent_start, m, state)


_INNER_SAY_RE = re.compile(r"\s+that\s+(?:he|she|they)\s+")


def _nested_reporter(masked, m, sent_start, events) -> _Speaker | None:
    """ "The staff member who reported the call recalled that he said, “...”": an unnamed
    witness recounts what someone else said (one's own words would be "recalled saying"),
    so the pronoun of the inner "said" is never that witness."""
    outer = events[-1] if events else None
    if outer is None or outer.left < sent_start or outer.speaker.type != "anonymous":
        return None
    return outer.speaker if _INNER_SAY_RE.fullmatch(masked, outer.right, m.start()) else None


def _coordinated(masked, m, sent_start, events) -> _Event | None:
    # "Witkoff wrote off the response and said that ...": the second verb shares the subject.
    if not events or events[-1].left < sent_start:
        return None
    if not re.search(r"(?:\band|\bbut|,)\s*$", masked[events[-1].right : m.start()]):
        return None
    verb = VERBS.get(m.group(0), m.group(0))
    return replace(events[-1], left=m.start(), right=m.end(), verb=verb, verb_span=m.span())


def _event_at(masked: str, sent_start: int, m: re.Match[str], state: _State) -> _Event | None:
    verb = "according to" if m.group(0) == "According to" else m.group(0)
    before = masked[sent_start : m.start()]
    after = masked[m.end() :]
    state.verb = VERBS.get(verb, verb)
    if state.verb == "asked":
        _note_addressee(after, state)
    if state.verb == "quoted":
        found = _QUOTED_AS_RE.match(after)
        ref = (found.group("np"), m.end() + found.end()) if found else None
        return _make_event(ref, m.start(), "said", masked, sent_start, m, state)
    if verb == "according to":
        ref = _np_after(after, m.end())
        return _make_event(ref, m.start(), verb, masked, sent_start, m, state)
    refs = [_lead_name(before, sent_start), _np_before(before, sent_start)]
    inverted = None
    if before.rstrip().endswith((",", '"', "”", "’", "'")) and state.verb != "told":
        inverted = _np_after(after, m.end())  # '..., said the official' (speaker after verb)
        refs.append(inverted)
    if verb != "say":  # "you'll ... say, 'What would she want?'" is speech nobody made yet
        refs.append(_sentence_subject(before, sent_start))
    for ref in refs:
        event = _make_event(ref, m.start(), VERBS[verb], masked, sent_start, m, state)
        if event is not None:
            return event
    return _unnamed_event(inverted, VERBS[verb], masked, sent_start, m, state)


def _unnamed_event(ref, verb, masked, sent_start, m, state) -> _Event | None:
    """ '"...," said the radio': speech by someone the text does not name; the quote stays."""
    if ref is None or ref[0].split()[0].lower() not in {"the", "a", "an"}:
        return None
    left, right = m.start(), ref[1] + len(ref[0])
    via = _find_via(masked, sent_start, m.end(), state)
    return _Event(left, right, verb, _Speaker(None, "unknown"), via, m.span())


def _note_addressee(after: str, state: _State) -> None:
    """ "a reporter asked Montoya-Lewis, ...": she is the one who replies next."""
    obj = _np_after(after, 0)
    speaker = _parse_speaker(obj[0], state) if obj and obj[0][:1].isupper() else None
    state.addressee = speaker if speaker and speaker.name and speaker.type == "person" else None


_SUBJECT_RE = re.compile(
    r"\s*(?:[\w’'-]+(?:\s+[\w’'-]+){0,11},\s+)?(?:(?:And|But|So|Then)\s+)?"
    rf"(?P<np>[Hh]e|[Ss]he|[Tt]hey|{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})\s+[a-z]"
)


def _sentence_subject(before: str, offset: int) -> tuple[str, int] | None:
    """ "She looked at me and ... said": a verb after "and" shares the sentence's subject."""
    words = before.split()
    while words and (words[-1].lower() in TRAILING_SKIP or words[-1].endswith("ly")):
        words.pop()  # "Tegnell laughed and simply said"
    if not words or words[-1] not in ("and", "but"):
        return None
    m = _SUBJECT_RE.match(before)
    if m is None or m.group("np").split()[0] in LEAD_STOP | QUESTION_WORDS:
        return None
    return m.group("np"), offset + m.start("np")


def _make_event(ref, verb_at, verb, masked, sent_start, m, state) -> _Event | None:
    """An _Event for a (phrase, offset) reference, or None if the phrase is not a speaker."""
    if ref is None:
        return None
    phrase, at = ref
    speaker = _parse_speaker(phrase, state)
    if speaker is None:
        return None
    left, right = min(at, verb_at), max(at + len(phrase), m.end())
    via = _find_via(masked, sent_start, m.end(), state)
    return _Event(left, right, verb, speaker, via, m.span())


def _np_before(before: str, offset: int) -> tuple[str, int] | None:
    """The subject phrase that ends right before a verb: "..., the Hamas official, who ..., "."""
    text = _APPOSITIVE_RE.sub(_blank_appositive, _ABBREVIATION_NOTE_RE.sub(_blank, before))
    # "Abu Ubaida, spokesperson for the armed wing of Hamas, said": the name, not the role.
    text = _ROLE_APPOSITIVE_RE.sub(_blank_role, text).rstrip(" ,")
    text = _GOES_ON_RE.sub(lambda a: " " * len(a.group(0)), text)  # "it went on to say"
    text = _TIME_TAIL_RE.sub(_blank, text)  # "Mr. Ruano last week said"
    plain = _POSSESSIVE_RE.sub("s", text)  # "Iran’s foreign minister" is one phrase
    cut = max(plain.rfind(c) for c in ',"“”’:;—()') + 1
    that = text.rfind(" that ")
    cut = max(cut, that + 6 if that >= 0 else 0)
    words = text[cut:].split()
    while words and (words[-1].lower() in TRAILING_SKIP or words[-1].endswith("ly")):
        words.pop()
    if not words and text[:cut].endswith(" " * 5 + ","):
        # "Weizsaecker, speaking at a reception, also said": past the blanked participle.
        text = text[: cut - 1].rstrip(" ,")
        plain = _POSSESSIVE_RE.sub("s", text)
        cut = max(plain.rfind(c) for c in ',"“”’:;—()') + 1
        words = text[cut:].split()
    while len(words) > 1 and words[0].lower() in LEADING_SKIP | OBJECT_LEADS:
        words.pop(0)  # "something the special counsel said": the counsel said it
    cut_in = next((i for i in range(1, len(words) - 1)
                   if words[i] == "in" and words[i + 1].lower() in POSSESSIVE_DETERMINERS), None)
    words = words[:cut_in]  # "The President in his statement today said": the President
    if len(words) > 1 and words[-1].lower() in SUBJECT_PRONOUNS:
        words = words[-1:]  # "a call, in which he said" / "In a post at the time she described"
    if not words or len(words) > 10:
        return None
    phrase = " ".join(words)
    if " and " in phrase:
        first, _, last = phrase.rpartition(" and ")
        if _described_name(last) and not _described_name(first):
            # "lead researcher and NASA planetary scientist Lucas Paganini": one person.
            return last, offset + text.rindex(last, cut)
        if not (words[-1].lower() in ORG_WORDS and first.split()[-1][:1].isupper()
                and last[:1].isupper()):  # "the University and College Union" is one body
            phrase = phrase.split(" and ")[0]  # "Two Egyptian security sources and Al-Qahera News"
    return phrase, offset + text.index(words[0], cut)


def _described_name(phrase: str) -> bool:
    """A descriptor in lower case, then a full name: "study co-author Michael Malaska"."""
    words = phrase.split()
    run = _trailing_name_run(words)
    return len(run) >= 2 and len(run) < len(words) and words[-len(run) - 1][:1].islower()


# "Steve Menet, Senior Vice President of Sales for Dräger, Inc., says": a name, then roles.
_LEAD_NAME_RE = re.compile(
    rf"\s*(?P<np>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}),\s+[^,;:]{{1,80}}(?:,\s+[^,;:]{{1,40}}){{0,2}},\s*$")


def _lead_name(before: str, offset: int) -> tuple[str, int] | None:
    m = _LEAD_NAME_RE.fullmatch(before)
    if m is None or m.group("np").split()[0] in LEAD_STOP:
        return None
    return m.group("np"), offset + m.start("np")


# "the United Arab Emirates (UAE), warned": the short form in brackets is no part of the name.
_ABBREVIATION_NOTE_RE = re.compile(r"\s\([A-Z][\w.-]{0,10}\)")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _blank_role(a: re.Match[str]) -> str:
    # "Gulf Arab power, the United Arab Emirates, warned": a name in apposition is the subject.
    return a.group(0) if _NAMED_APPOSITIVE_RE.fullmatch(a.group(0)) else _blank(a)


_NAMED_APPOSITIVE_RE = re.compile(r",\s+the(?:\s+[A-Z][\w’'-]*)+\s*,\s*")


def _blank_appositive(a: re.Match[str]) -> str:
    # ", adding that an unnamed official called": an open clause holding the subject stays.
    # A closing comma stays: it still ends whatever came before ("..., which I’m not going to
    # attempt to do ..., I’ll say it").
    if not a.group(0).endswith(","):
        keep = " that " in a.group(0) or _ADJECTIVE_ING_RE.fullmatch(a.group(0))
        return a.group(0) if keep else _blank(a)
    return " " * (len(a.group(0)) - 1) + ","


# ", ruling Radical Party Deputy Raul Baglini": an -ing adjective before a name, no clause.
_ADJECTIVE_ING_RE = re.compile(rf",\s*\w+ing\s+{_NAME_WORD}(?:\s+{_NAME_WORD})+\s*")


_TIME_TAIL_RE = re.compile(
    r"\s+(?:(?:last|this|on|late|early|earlier|later)\s+)?(?:week|month|year|night|morning|"
    r"afternoon|evening|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"yesterday|today|recently)\s*$")
_GOES_ON_RE = re.compile(r"\s+(?:went|goes|go|going|continued|continues)\s+on\s+to\s*$")


# "Iran’s", "I’ll", "the Employers’ Association": no cut (quoted words are blanked by now, so a
# mark after a plain "s" and before a capital is a plural possessive).
_POSSESSIVE_RE = re.compile(r"(?<=\w)[’'](?=\w)|(?<=[a-z]s)[’'](?=\s+[A-Z])")


def _is_abbreviation(word: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.", word)) and (
        len(word) <= 3 or word.lower().rstrip(".") in ABBREVIATIONS or word.count(".") > 1)


def _np_after(after: str, offset: int) -> tuple[str, int] | None:
    """The phrase right after a verb, up to punctuation or a preposition ("said the official,")."""
    words: list[str] = []
    tokens = re.split(r"\s+", after[:160].lstrip())
    for k, word in enumerate(tokens):
        bare = word.rstrip(",.;:!?\"”’")
        if bare == "and" and _description_goes_on(words, tokens[k + 1 :]):
            words.append(bare)  # "said oil and gas worker Jane Roe"
            continue
        if not bare or bare.lower() in NP_STOP or _name_ends(words, bare):
            break
        if word.endswith(".") and _is_abbreviation(word):
            words.append(word)  # "said U.S. Attorney Erin Nealy Cox"
            continue
        words.append(bare)
        if bare != word:
            break
    if not words:
        return None
    return " ".join(words), offset + after.index(words[0])


def _description_goes_on(words: list[str], rest: list[str]) -> bool:
    """Whether "and" joins two nouns of a descriptor that a name still ends: nothing capitalised
    yet, then lower-case words and a name before any punctuation."""
    if any(w[:1].isupper() for w in words):
        return False
    for k, word in enumerate(rest[:6]):
        if word[:1].isupper():
            return k > 0 and rest[k - 1][:1].islower() and word.rstrip(",.;:") == word
        if word.rstrip(",.;:") != word or word in NP_STOP:
            return False
    return False


def _name_ends(words: list[str], word: str) -> bool:
    """ "said geologist Rosaly Lopes of NASA's ...": a full name ends the phrase at "of" (a
    title does not: "Secretary of State Antony Blinken")."""
    return (word in ("of", "at", "with", "from") and len(words) >= 2
            and all(w[:1].isupper() and w.lower() not in TITLES for w in words[-2:]))


def _find_via(masked: str, sent_start: int, verb_end: int, state: _State) -> str | None:
    """The outlet the words went to: "told Reuters", "wrote on X", "According to AFP, ..."."""
    after = masked[verb_end : verb_end + 40]
    sentence_end = re.search(r"[.;]\s|$", after)
    after = after[: sentence_end.start()] if sentence_end else after
    lead = masked[sent_start:verb_end]
    lead = lead[: lead.rfind(",") + 1]  # "According to AFP, ..." / "In a post on X, ..."
    for text in (after, lead):
        platform = _PLATFORM_RE.search(text)
        media = state.lexicon.find_media(text)
        if platform or media:
            return platform.group("p") if platform else media[0]
    return None


def _remember(event: _Event, clause: str, state: _State) -> None:
    state.speakers.append(event.speaker)
    state.spoke_at.append((len(state.read) - 1, event.left))
    if _STATEMENT_RE.search(clause) and event.speaker.type != "anonymous":
        state.stated_by = event.speaker
