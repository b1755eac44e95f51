"""Who a subject phrase is: a lexicon actor, a written name without its titles, a typed
anonymous source, or a back-reference (pronoun, "the official", "the 56-year-old") resolved
to a speaker or person the article named before."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from indexer.quotes.marks import _word_count
from indexer.quotes.state import _NAME_WORD, _Speaker, _State
from indexer.quotes.vocab import (
    ABBREVIATIONS,
    CLAUSE_WORDS,
    COMPANY_HEADS,
    CONNECTORS,
    CORPORATE_SUFFIXES,
    DETERMINERS,
    DOCUMENT_HEADS,
    GENDERED,
    GENERIC,
    HEADS,
    LEAD_STOP,
    NAME_SUFFIXES,
    NOT_NAME_WORDS,
    NOT_NAMES,
    OPENERS,
    ORG_WORDS,
    PARTICLES,
    PERSON_ROLES,
    PLURAL_HEADS,
    POLICE_HEADS,
    PRONOUNS,
    REPLY_VERBS,
    ROYAL_TITLES,
    TITLE_GENDER,
    TITLES,
    UNNAMED_ADJS,
)


def _parse_speaker(phrase: str, state: _State) -> _Speaker | None:
    """Resolve a subject phrase to a speaker, or None when it is not one."""
    words = phrase.split()
    lowered = [w.lower() for w in words]
    if len(words) == 1 and lowered[0].replace("’", "'") in {"i'll", "i'd", "i've"}:
        lowered = ["i"]  # "I’ll say it in English, “...”"
    if len(words) == 1 and lowered[0] in PRONOUNS:
        # Attributed speech, even when nobody fits: the speaker stays unknown, never "he".
        return _resolve_pronoun(lowered[0], state) or _Speaker(None, "unknown")
    if _AGE_RE.fullmatch(phrase):  # "The 56-year-old said"
        return _epithet_referent(state) or _Speaker(None, "unknown")
    if lowered[0].replace("’", "'") in GENERIC or lowered[0] in PRONOUNS or lowered == ["and"]:
        return None  # "You said ...", "Everybody says", "These people", "What I'm saying"
    known = _known_actor(phrase, state)
    if known:
        return known
    outlet = state.lexicon.media.get(_strip_determiner(phrase))
    if outlet:  # "The Associated Press reports that ..."
        return _Speaker(outlet, "organisation")
    if len(words) == 2 and lowered[0] == "the" and lowered[1] in ORG_WORDS | COMPANY_HEADS:
        head = lowered[1]
        return (_by_role(head, state) or _by_name_word(head, state) or _named_body(head, state)
                or _Speaker(f"{head.capitalize()} (unnamed)", "organisation", frozenset({head})))
    if len(words) == 2 and lowered[0] == "the" and lowered[1] in PERSON_ROLES:
        head = lowered[1]  # "the mayor said": the mayor the article named, if it did
        return (_by_role(head, state) or _role_holder(head, state)
                or _Speaker(f"{head.capitalize()} (unnamed)", "anonymous", frozenset({head})))
    described = _description(words, lowered, state)
    clause = [i for i, w in enumerate(lowered) if w in CLAUSE_WORDS
              and not (w == "to" and i and lowered[i - 1] in TITLES)]  # "Ambassador to Israel"
    if described is not None or clause:
        return described
    return _named(words, state)


def _article_so_far(state: _State) -> list[str]:
    """The masked paragraphs read so far, the current one up to the clause being read."""
    return [*state.masked, state.now[: state.cursor]]


def _named_body(head: str, state: _State) -> _Speaker | None:
    """The body a description stands for, named earlier in the article: "the agency" after
    "the European Space Agency", "the company" after "Acme Corp."."""
    pattern = _COMPANY_RE if head in COMPANY_HEADS | {"company", "firm"} else _body_re(head)
    for text in reversed(_article_so_far(state)):
        found = [m for m in pattern.finditer(text)
                 if m.group("name").split()[0] not in LEAD_STOP - {"The"}]
        if found:
            name = found[-1].group("name").removeprefix("The ").strip()
            known = _exact_actor(name.split(), state)
            return _Speaker(known or name, "organisation", frozenset({head}))
    return None


_COMPANY_RE = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|&))*,?\s+(?:"
    + "|".join(CORPORATE_SUFFIXES) + r")\b\.?)")


@lru_cache(maxsize=256)
def _body_re(head: str) -> re.Pattern[str]:
    words = rf"(?:{_NAME_WORD}\s+(?:(?:of|for|and)\s+)?){{1,5}}"
    return re.compile(rf"(?P<name>{words}{head.capitalize()})\b")


def _role_holder(role: str, state: _State) -> _Speaker | None:
    """Who "the mayor" is: the nearest "Mayor Jane Doe" (or "mayor Jane Doe") named so far."""
    pattern = _role_re(role)
    for text in reversed(_article_so_far(state)):
        found = list(pattern.finditer(text))
        if found:
            name = _full_name(found[-1].group("name"), state)
            return _Speaker(name, "person", frozenset({role}))
    return None


@lru_cache(maxsize=256)
def _role_re(role: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?i:{role})\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})\b")


def _epithet_referent(state: _State) -> _Speaker | None:
    """Who "the 56-year-old" is: the person who spoke last (within the last paragraphs), else
    the person the story leads with ("Jose Mourinho has agreed a deal ..."), as news style
    gives the protagonist such epithets."""
    here = len(state.read) - 1
    for (para, _), speaker in zip(reversed(state.spoke_at), reversed(state.speakers), strict=True):
        if para < here - _LOOKBACK:
            break
        if speaker.type == "person":
            return speaker
    lead = state.masked[0] if state.masked else state.now[: state.cursor]
    people = [sp for _, sp, salient in _mentions(lead, state)
              if salient and _as_spoken(sp, state).type in ("person", "unknown")]  # fmt: skip
    return replace(people[0], type="person") if people else None


_AGE_RE = re.compile(r"(?:[Tt]he|[Tt]his) \d{1,3}-year-old")


def _known_actor(phrase: str, state: _State) -> _Speaker | None:
    """A lexicon actor: a person named anywhere in the phrase, or a whole alias ("Hamas")."""
    bare = _strip_determiner(phrase)
    exact = state.lexicon.canonical_or_none(phrase) and state.lexicon.resolve(phrase, state.date)
    name = exact or state.lexicon.resolve(bare, state.date)
    if name is None or _word_count(phrase) > 8:
        return None
    kind = state.lexicon.actor_type(name)
    if kind != "person" and state.lexicon.canonical_or_none(bare) is None:
        return None  # "the Hamas official" is an anonymous official, not Hamas itself
    if kind == "person" and _other_person(bare, name, state):
        return None  # "Gallant" after "Premier Brian Gallant" is not the lexicon's Yoav Gallant
    roles = frozenset(w.lower() for w in phrase.split() if w.lower() in TITLES | HEADS)
    return _Speaker(name, kind, roles)


def _same_person(name: str, state: _State) -> str | None:
    """The lexicon actor a written name stands for, unless it names a namesake: "Brian
    Gallant" holds the alias "Gallant" but is not Yoav Gallant."""
    known = state.lexicon.resolve(name, state.date)
    if (known and " " in name and state.lexicon.actor_type(known) == "person"
            and state.lexicon.canonical_or_none(name) is None
            and known.split()[0] != name.split()[0]):
        return None
    return known


def _other_person(surname: str, actor: str, state: _State) -> bool:
    """Whether the article gave a one-word name in full as someone other than the actor."""
    if " " in surname or not surname[:1].isupper():
        return False
    full = _introduced_name(surname, state)
    return full != surname and state.lexicon.canonical_or_none(full) != actor


def _strip_determiner(phrase: str) -> str:
    head, _, rest = phrase.partition(" ")
    return rest if rest and head.lower() in DETERMINERS else phrase


def _description(words: list[str], lowered: list[str], state: _State) -> _Speaker | None:
    """ "a senior Israeli official" (typed) or "the official" (back-reference); else None."""
    heads = [i for i, w in enumerate(lowered) if w in HEADS]
    if not heads:
        return None
    h = heads[0]
    tail = words[h + 1 :]
    if lowered[h] in DOCUMENT_HEADS | {"statement"} and tail[:1] == ["by"] and len(tail) > 1:
        # "a hand-written statement by Islamic Jihad", "the report by the ... Union": its issuer
        return _issuer_named(tail[2:] if tail[1].lower() == "the" else tail[1:], state)
    det = lowered[0] in DETERMINERS
    body = _body_after(tail, state) if lowered[h] not in DOCUMENT_HEADS else None
    if body and (det or h == 0):  # "a spokesperson for the Employers’ Association (UCEA)"
        return _Speaker(f"{body} {lowered[h]} (unnamed)", "anonymous",
                        frozenset({lowered[h], lowered[h].rstrip("s")}), lowered[h] in PLURAL_HEADS)
    if any(w[:1].isupper() for w in tail) or len(tail) > 6:
        return None  # "Hamas spokesman Hazem Qassem" is a name, "... close to the talks" is not
    mods = words[1:h] if det else words[:h]
    if any(m.lower() in GENERIC | {"number"} for m in mods):
        return None  # "a lot of people", "a number of people": nobody in particular
    if lowered[h] == "statement":
        return _statement_speaker(mods, state)
    capital = next((i for i, w in enumerate(mods) if w[:1].isupper()), None)
    if capital is None and lowered[0] in {"the", "this"}:
        found = _by_role(lowered[h], state)
        if found is not None:
            return found
    kept = mods[capital:] if capital is not None else [m for m in mods if m not in UNNAMED_ADJS]
    stop = [i for i, m in enumerate(kept) if m.lower() in _NOT_MODIFIERS]
    kept = kept[stop[-1] + 1 if stop else 0 :]
    force = _police_force(state) if not kept and lowered[h] in POLICE_HEADS else None
    kept = [force] if force else kept  # "a dispatcher" in a story about the Miami-Dade Police
    label = " ".join([*kept, words[h]])
    roles = frozenset({lowered[h], lowered[h].rstrip("s")})
    body = state.lexicon.canonical_or_none(label)
    if body is not None and state.lexicon.actor_type(body) != "person":
        # "a group of independent United Nations experts": the description is a body's name.
        return _Speaker(body, state.lexicon.actor_type(body), roles)
    return _Speaker(f"{label[0].upper()}{label[1:]} (unnamed)", "anonymous", roles,
                    lowered[h] in PLURAL_HEADS)  # fmt: skip


def _body_after(tail: list[str], state: _State) -> str | None:
    """The body in "for/of/at the Universities and Colleges Employers’ Association", by the
    short name the article gave it in brackets ("(UCEA)") if it did; None if not a name."""
    if len(tail) < 2 or tail[0] not in {"for", "of", "at", "from", "with"}:
        return None
    name = tail[2:] if tail[1] == "the" else tail[1:]
    if not name or not name[0][:1].isupper() or not name[-1][:1].isupper() or any(
            not (w[:1].isupper() or w in {"of", "for", "and", "the", "&"}) for w in name):
        return None
    full = " ".join(name)
    for text in state.read:
        at = text.find(full + " (")
        after = text[at + len(full) + 1 :] if at >= 0 else ""
        short = re.match(r"\(([A-Z][\w.&-]{1,9})\)", after)
        if short:
            return short.group(1)
    return full


# Words that end what came before a description: "comes after health officials" is about
# health officials.
_NOT_MODIFIERS = {"after", "before", "comes", "came", "as", "than", "but", "that", "said", "says"}


_POLICE_RE = re.compile(r"\bpolice\b", re.I)


# "Fort Worth Police Department", "Forest Hill police officers"; in "on Broadcastify police
# scanner" the name is the scanner's, not a force's.
_FORCE_RE = re.compile(rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})\s+[Pp]olice\b"
                       r"(?!\s+(?:scanners?|radios?|frequenc))")


def _police_force(state: _State) -> str | None:
    """The force a bare police role belongs to: the one police force the text so far names,
    "Police" if it names none or several, None if it has not mentioned the police at all."""
    text = "\n\n".join([*state.masked, state.now])
    if not _POLICE_RE.search(text):
        return None
    forces = set()
    for m in _FORCE_RE.finditer(text):
        words = [w for w in m.group("name").split() if w not in LEAD_STOP]
        if words:
            forces.add(" ".join(words))
    return f"{forces.pop()} Police" if len(forces) == 1 else "Police"


def _issuer_named(words: list[str], state: _State) -> _Speaker | None:
    run: list[str] = []
    for w in words:  # "Islamic Jihad for the Liberation of Palestine"
        if not (w[:1].isupper() or (run and w in CONNECTORS)):
            break
        run.append(w.rstrip(",.;:"))
    while run and run[-1] in CONNECTORS:
        run.pop()
    if not run:
        return None
    name = " ".join(run)
    known = _exact_actor(run, state)
    if known:
        return _Speaker(known, state.lexicon.actor_type(known))
    return _Speaker(name, "organisation")


def _statement_speaker(mods: list[str], state: _State) -> _Speaker | None:
    # "the statement said": the issuer of a press release, or whoever "said in a statement".
    qualifier = " ".join(m for m in mods if m[:1].isupper())
    if qualifier:
        return _known_actor(qualifier, state) or _Speaker(qualifier, "organisation")
    if state.issuer:
        known = state.lexicon.resolve(state.issuer, state.date)
        kind = state.lexicon.actor_type(known) if known else "organisation"
        return _Speaker(known or state.issuer, kind)
    return state.stated_by or _Speaker(None, "unknown")  # a statement the text does not name


def _by_role(head: str, state: _State) -> _Speaker | None:
    singular = head.rstrip("s")
    for speaker in reversed(state.speakers):
        if head in speaker.roles or singular in speaker.roles:
            return speaker
    return None


def _by_name_word(word: str, state: _State) -> _Speaker | None:
    # "the department" after "the State Department said".
    for speaker in reversed(state.speakers):
        if speaker.name and word in speaker.name.lower().split():
            return speaker
    return None


def _resolve_pronoun(word: str, state: _State, gender: str | None = "") -> _Speaker | None:
    """The nearest earlier speaker or salient mention that the pronoun can stand for.

    Speakers count unless their gender (as the text showed it) contradicts "he"/"she". A mere
    mention counts when it is a sentence's subject ("Big Machine have twice denied ...") or
    when the text gave it the pronoun's gender ("Golda Meir at her desk" for a later "she").
    """
    kind = PRONOUNS[word]
    if kind == "self":
        return state.turn if state.transcript else state.doc_speaker if word == "i" else None
    gender = GENDERED.get(word) if gender == "" else gender
    here = len(state.read) - 1
    mentions = _recent_mentions(state)
    spoken = [(at, sp) for at, sp in zip(state.spoke_at, state.speakers, strict=True)
              if at[0] >= here - _LOOKBACK]  # fmt: skip
    addressee = state.addressee
    if state.verb in REPLY_VERBS and addressee and _fits(kind, addressee, gender, state):
        return _learn(addressee, gender, state)  # 'a reporter asked X, "..." ... she replied'
    if state.reporter is not None:  # recounted words: the nearest who spoke, not a mere mention
        others = (sp for _, sp in reversed(spoken) if sp not in (state.doc_speaker, state.reporter))
        recounted = next((sp for sp in others if _fits(kind, sp, gender, state)), None)
        if recounted is not None:
            return _learn(recounted, gender, state)
    older = next((sp for sp in reversed(state.speakers)
                  if sp not in (state.doc_speaker, state.reporter)
                  and _fits(kind, sp, gender, state)), None)
    candidates = sorted([*((a, sp, True, True) for a, sp in spoken), *mentions],
                        key=lambda c: c[0], reverse=True)
    # Speakers and sentence subjects first; a name the text only gave a gender comes second.
    for salient_only in (True, False):
        for _, speaker, salient, said in candidates:
            if (salient_only and not salient) or speaker in (state.doc_speaker, state.reporter):
                continue  # the document's "I" is never its "he" or "she"
            if said and _fits(kind, speaker, gender, state):
                return _learn(speaker, gender, state)
            typed = None if said else _mention_fits(kind, speaker, gender, salient, state)
            if typed is not None:
                return typed  # a mention: too weak to teach its gender
    if older:
        return _learn(older, gender, state)
    return _gendered_mention(gender, state) if kind == "sing" else None


def _gendered_mention(gender: str | None, state: _State) -> _Speaker | None:
    """Last resort, better than no speaker: the nearest person the text has given this
    pronoun's gender, even as an owner ("Taylor Swift, her label ... Taylor Swift's albums
    ... In a post she described ...")."""
    if gender is None:
        return None
    texts = [*state.masked[-_GENDER_LOOKBACK:], state.now[: state.cursor]]
    for text in reversed(texts):
        for _, mention, _ in reversed(_mentions(text, state)):
            speaker = _as_spoken(mention, state)
            known = state.genders.get(speaker.name or "")
            if speaker.type in ("person", "unknown") and known == gender:
                return replace(speaker, type="person")
    return None


_GENDER_LOOKBACK = 8


_LOOKBACK = 2  # paragraphs searched for mentions before falling back to any earlier speaker


def _learn(speaker: _Speaker, gender: str | None, state: _State) -> _Speaker:
    if gender and speaker.name:
        state.genders.setdefault(speaker.name, gender)
    return speaker


def _fits(kind: str, speaker: _Speaker, gender: str | None = None, state=None) -> bool:
    if kind == "self":
        return False
    if gender and state is not None and state.genders.get(speaker.name or "", gender) != gender:
        return False
    if kind == "sing":
        return speaker.type == "person" or (speaker.type == "anonymous" and not speaker.plural)
    if kind == "plural":
        return speaker.plural or speaker.type in {"group", "organisation", "state"}
    return speaker.type in {"group", "organisation", "state"}


def _as_spoken(speaker: _Speaker, state: _State) -> _Speaker:
    # A mention typed as it spoke: "The group ..., Big Machine, says" is no "she" later.
    typed = next((sp.type for sp in reversed(state.speakers) if sp.name == speaker.name), None)
    if speaker.type == "unknown" and typed is not None and typed != "unknown":
        return replace(speaker, type=typed)
    return speaker


def _mention_fits(kind, speaker: _Speaker, gender, salient: bool, state) -> _Speaker | None:
    """The mentioned speaker, typed as the pronoun implies, if the pronoun can stand for it."""
    known = state.genders.get(speaker.name or "")
    speaker = _as_spoken(speaker, state)
    if speaker.type == "unknown":  # a name the lexicon does not know: person or company
        if not salient and not (gender and kind == "sing"):
            return None
        speaker = replace(speaker, type="person" if kind == "sing" else "organisation")
    if not _fits(kind, speaker, gender, state):
        return None
    return speaker if salient or (gender is not None and known == gender) else None


_RUN_RE = re.compile(
    rf"(?<![\w'’.-])(?:[Tt]he\s+)?{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|(?:{'|'.join(PARTICLES)})(?=\s)))*"
)


_PRONOUN_RE = re.compile(r"\b(?:he|his|him|himself|she|her|hers|herself)\b", re.I)


# What may stand before a sentence's subject: "Then, last week, Taylor Swift posted ...".
_SUBJECT_LEAD = re.compile(
    r"\W*(?:[\w’'-]+(?:\s+[\w’'-]+){0,6},\s+){0,2}(?:(?:And|But|So|Then|Now)\s+)?$")


def _recent_mentions(state: _State) -> list:
    """(position, speaker, salient, False) for names in the last few paragraphs, up to now."""
    here = len(state.read) - 1
    found = []
    texts = [*state.masked[-_LOOKBACK:], state.now[: state.cursor]]
    for k, text in enumerate(texts):
        index = here - (len(texts) - 1 - k)
        found += [((index, at), sp, salient, False) for at, sp, salient in _mentions(text, state)]
    return found


def _mentions(text: str, state: _State) -> list[tuple[int, _Speaker, bool]]:
    runs = list(_RUN_RE.finditer(text))
    out = []
    for i, m in enumerate(runs):
        run = m.group(0)
        owner = run.endswith(("’s", "'s"))  # "Charlamagne’s comments": a mention, no subject
        speaker = _mention_speaker(run[:-2] if owner else run, text, m.start(), state)
        if speaker is None:
            continue
        nxt = runs[i + 1].start() if i + 1 < len(runs) else len(text)
        if not owner:  # "Omar’s office, in which he said": his, not hers
            _note_gender(speaker, text, m, nxt, state)
        sent = max(text.rfind(". ", 0, m.start()), text.rfind("? ", 0, m.start()), -1)
        salient = bool(_SUBJECT_LEAD.match(text[sent + 1 : m.start()]))
        salient = salient and not owner and text[m.end() : m.end() + 1] in {" ", ","}
        out.append((m.start(), speaker, salient))
    return out


def _mention_speaker(run: str, text: str, at: int, state: _State) -> _Speaker | None:
    words = _sentence_cut(run.split())
    while words and (words[0] in OPENERS or words[0].lower().replace("’", "'") in GENERIC):
        words = words[1:]  # "When Afghan President Ashraf Ghani ...": the name, not "When"
    if not words:
        return None
    known = _exact_actor(words, state)
    if known:
        return _Speaker(known, state.lexicon.actor_type(known))
    if words[0].lower() == "the" or any(w in NOT_NAMES or w.lower() in NOT_NAME_WORDS
                                        or (len(w) == 1 and w != "I") for w in words):
        return None  # "the Yom Kippur War", "Twitter Tuesday", "Q Was"
    titled = text[max(0, at - 5) : at].split()[-1:]
    cut = [i for i, w in enumerate(words) if w.lower() in TITLES]
    words = [w.rstrip(".") if len(w) > 2 else w for w in words[cut[-1] + 1 if cut else 0 :]]
    words = [w for w in words if w not in LEAD_STOP]
    if titled and titled[0].lower().rstrip(".") in {"mr", "mrs", "ms", "miss"} and words:
        return _Speaker(" ".join(words), "person")
    if not words or any(w.lower() in ORG_WORDS for w in words):
        return None
    if len(words) == 1:  # "Carlineo faces ...": a surname counts once the text gave its full name
        full = _full_name(words[0], state)
        return _Speaker(full, "unknown") if _person_like(full) else None
    return _Speaker(_full_name(" ".join(words), state), "unknown")


def _person_like(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 5 and not any(
        w in NOT_NAMES or w.lower() in ORG_WORDS | NOT_NAME_WORDS for w in words)


def _sentence_cut(words: list[str]) -> list[str]:
    # A run of capitals may cross a full stop ("the Yom Kippur War. I"); initials may not end one.
    for i, w in enumerate(words[:-1]):
        if w.endswith(".") and len(w) > 2 and w.lower().rstrip(".") not in ABBREVIATIONS:
            return words[: i + 1]
    return words


def _exact_actor(words: list[str], state: _State) -> str | None:
    """A lexicon actor only if the whole run, less determiner and titles, is one of its names."""
    while words:
        phrase = " ".join(words).rstrip(".")
        if state.lexicon.canonical_or_none(phrase) is not None:
            return state.lexicon.resolve(phrase, state.date)
        if words[0].lower() not in TITLES | DETERMINERS:
            return None
        words = words[1:]
    return None


def _note_gender(speaker: _Speaker, text: str, m: re.Match[str], nxt: int, state) -> None:
    if not speaker.name or speaker.name in state.genders:
        return
    if state.standfirst and state.standfirst.startswith(text):
        return  # a headline names by title: in "Governor says X ..., but he called" he is no X
    before = text[max(0, m.start() - 5) : m.start()].split()[-1:]
    title = TITLE_GENDER.get(before[0].lower().rstrip(".")) if before else None
    pronoun = _PRONOUN_RE.search(text, m.end(), min(nxt, m.end() + 200))
    if title or pronoun:
        word = pronoun.group(0).lower() if pronoun else ""
        state.genders[speaker.name] = title or ("f" if word.startswith(("she", "her")) else "m")


def _named(words: list[str], state: _State) -> _Speaker | None:
    """A written name without its titles: "Far-right police minister Itamar Ben-Gvir"."""
    lowered = [w.lower() for w in words]
    run = _trailing_name_run(words)
    if not run and len(words) >= 2 and words[-1] in ORG_WORDS and any(
            w[:1].isupper() for w in words[:-2]) and words[-2].endswith(("’s", "'s")):
        # "Bolivia's public defender's office": the office is the speaker, named as written.
        return _Speaker(" ".join(words[1:] if lowered[0] in DETERMINERS else words), "organisation")
    if not run and len(words) >= 2 and words[-1] in ORG_WORDS and words[-2][:1].isupper():
        # "Tehran radio said": a place and an organisation noun name the organisation.
        place = _trailing_name_run(words[:-1])
        return _Speaker(" ".join([*place, words[-1].capitalize()]), "organisation")
    if not run or len(words) - len(run) > 5:
        return None
    titled = [i for i, w in enumerate(run)
              if w.lower() in TITLES or (_is_role_code(w) and i < len(run) - 1)]
    name_words = run[titled[-1] + 1 :] if titled else run
    lead = [w.lower() for w in words[: len(words) - len(run)]]
    if lead[-2:-1] and lead[-1] == "to" and lead[-2] in TITLES:
        # "Ambassador to Israel David Friedman": the place, then the name (its last words).
        name_words = run[-3:] if run[-1] in NAME_SUFFIXES else run[-2:]
    elif len(titled) and _is_monarch(run, titled[-1]):
        name_words = run[titled[-1] :]  # "King Abdullah II": a monarch is named by title
    joins = [i for i, w in enumerate(name_words) if w in ("of", "for")]
    if joins and len(name_words) - joins[-1] - 1 >= 3 and name_words[-1][:1].isupper():
        # "Attorney for the District of Massachusetts Joshua Levy": a place, then the name.
        name_words = name_words[-3:] if name_words[-1] in NAME_SUFFIXES else name_words[-2:]
    if name_words and name_words[0] in {"of", "for"}:  # "U.N. Commissioner for Human Rights"
        return _Speaker(" ".join(run[1:] if run[0].lower() == "the" else run), "person")
    # "White House Press Secretary Stephanie Grisham" is a person; "the State Department" is not.
    if any(w.lower() in ORG_WORDS for w in name_words or run):
        name = " ".join(run[1:] if run[0].lower() == "the" else run)
        return _Speaker(name, "organisation")
    if len(name_words) == 2 and name_words[0] == "The" and _is_acronym(name_words[1]):
        name_words = name_words[1:]  # "The NWS says" opens a sentence as "the NWS" would not
    if not name_words or name_words[0].lower() in {"the", *PRONOUNS}:  # "because I said"
        return None
    if all(w in NOT_NAMES for w in name_words):
        return None  # '"...," announced in October': a month is nobody
    name = _full_name(" ".join(name_words), state)
    known = _exact_actor(name.split(), state) or _same_person(name, state)
    if known and (state.lexicon.actor_type(known) == "person" or _exact_actor(name.split(), state)):
        return _Speaker(known, state.lexicon.actor_type(known), _roles(words, name_words))
    if _body_name(name) or _is_acronym(" ".join(name_words)):
        return _Speaker(name, "organisation")
    return _Speaker(name, "person", _roles(words, name_words))


def _body_name(name: str) -> bool:
    """ "DEA", "Microsoft Corp", "Drug Enforcement Administration" (an acronym's expansion):
    names that are no person's, whatever verb follows them."""
    words = name.split()
    return (_is_acronym(name) or words[-1].rstrip(".") in CORPORATE_SUFFIXES
            or (len(words) > 1 and words[-1].lower() in ORG_WORDS))


def _is_acronym(name: str) -> bool:
    return name.isupper() and 2 <= len(name) <= 6 and name.isalpha()


_REGNAL_RE = re.compile(r"[IVX]+")


def _is_monarch(run: list[str], title_at: int) -> bool:
    rest = run[title_at + 1 :]
    return (run[title_at].lower() in ROYAL_TITLES and 1 <= len(rest) <= 2
            and all(_REGNAL_RE.fullmatch(w) for w in rest[1:]))


def _is_role_code(word: str) -> bool:
    # "Browns DL Sheldon Richardson", "Eagles QB ...": a position written in capitals.
    return 2 <= len(word) <= 3 and word.isupper() and word.isalpha()


_PARTICLE_NAME_RE = re.compile(r"(?:al|el|ad|as|ash|bin|ibn|abu|bint)-[A-Z]")  # "Noura al-Kaabi"


def _trailing_name_run(words: list[str]) -> list[str]:
    run: list[str] = []
    for word in reversed(words):
        if word[:1].isupper() or _PARTICLE_NAME_RE.match(word) or (
                run and word.lower() in PARTICLES | {"of", "for"}) or (
                run and word == "and" and any(w.lower() in ORG_WORDS for w in run)):
            run.insert(0, word)  # "Medical Aid for Palestinians", "Travel and Tourism Council"
        else:
            break
    while run and run[0].endswith(("’s", "'s")) and len(run) > 2:
        run.pop(0)  # "NASA’s Administrator Jim Bridenstine": the possessor is no part of it
    while run and (run[0] in PARTICLES | {"of", "for"} or run[0].lower() == "of"):
        run.pop(0)  # lower-case particles only: "Van Den Hoek" keeps its "Van"
    return run


def _roles(words: list[str], name_words: list[str]) -> frozenset[str]:
    return frozenset(w.lower() for w in words[: len(words) - len(name_words)])


def _full_name(name: str, state: _State) -> str:
    """The name as the article gave it in full, less middle initials (see _plain_name)."""
    return _plain_name(_longest_name(name, state))


_MIDDLE_INITIAL_RE = re.compile(r"(?<=[a-z’'-]) [A-Z]\. (?=[A-Z][a-z])")


def _plain_name(name: str) -> str:
    # "Sonya A. Zoghlin" and "Sonya Zoghlin" are one speaker: a middle initial is dropped, so
    # that grouping by speaker counts them together. "J.D. Vance" keeps its leading initials.
    return _MIDDLE_INITIAL_RE.sub(" ", name)


def _acronym(name: str, state: _State) -> str:
    """ "DEA" after "the Drug Enforcement Administration (DEA)": the name it stands for; else
    the one name the article wrote whose capitals spell it ("... by the Drug Enforcement
    Administration. ... the DEA says")."""
    marker = f"({name})"
    for text in (*state.read, state.title or ""):
        at = text.find(marker)
        m = _ACRONYM_RE.search(text[max(0, at - 120) : at]) if at > 0 else None
        if m:
            words = m.group(1).split()
            if sum(w[:1].isupper() for w in words) >= len(name) - 1:
                return " ".join(words).removeprefix("The ")
    spelled = {found for text in (*state.read, state.title or "")
               for found in _spelled_out(name, text)}
    return spelled.pop() if len(spelled) == 1 else name


def _spelled_out(acronym: str, text: str):
    """Runs of capitalised words (joined by of/for/and/the) whose initials are `acronym`."""
    if len(acronym) < 3:  # two letters spell too many things
        return
    for m in _CAPITALS_RUN_RE.finditer(text):
        words = m.group(0).split()
        caps = [i for i, w in enumerate(words) if w[:1].isupper()]
        initials = "".join(words[i][0] for i in caps)
        at = initials.find(acronym)
        if at != -1 and initials.count(acronym) == 1:
            first, last = caps[at], caps[at + len(acronym) - 1]
            if words[first] not in OPENERS and words[first] != "The":
                yield " ".join(words[first : last + 1])


_CAPITALS_RUN_RE = re.compile(
    r"[A-Z][a-z][\w’'-]*(?:\s+(?:(?:of|for|and|the|on)\s+)*[A-Z][a-z][\w’'-]*)+")


_ACRONYM_RE = re.compile(rf"((?:{_NAME_WORD}\s+(?:(?:of|for|and|the)\s+)*){{1,7}})$")


def _longest_name(name: str, state: _State) -> str:
    # "Gallant" after "Yoav Gallant": the surname points back to the full name.
    words = name.split()
    if name.isupper() and 2 <= len(name) <= 6 and name.isalpha():
        return _acronym(name, state)
    if len(words) > 1 and words[0].lower() not in PARTICLES and (
            len(words) > 2 or not _short_form_used(name, state)):
        return name  # a full name already; "Van Den Hoek" may still have a first name before it
    introduced = _introduced_name(name, state)
    for speaker in reversed(state.speakers):
        if (speaker.name and speaker.name.endswith(f" {name}") and speaker.type == "person"
                and (introduced == name or introduced.endswith(speaker.name))):
            return speaker.name
    if introduced != name:
        return introduced
    first = _name_first(name, state) if len(words) == 1 else name
    first = first if first != name else _corporate_name(name, state)
    return first if first != name else _account_name(name, state)


def _corporate_name(name: str, state: _State) -> str:
    """ "Microsoft" after "Microsoft Corp said ...": the company's name as first written."""
    for text in (*state.read, state.title or ""):
        for at in _occurrences(name, text):
            m = _CORPORATE_AFTER_RE.match(text, at + len(name))
            if m:
                return name + m.group(0).rstrip(",")
    return name


# Names are looked up by string search and a fixed pattern after them, not by a pattern
# compiled per name: a corpus holds tens of thousands of names, and compiling costs more.
_CORPORATE_AFTER_RE = re.compile(rf",?\s+(?:{'|'.join(CORPORATE_SUFFIXES)})\b\.?")
_FIRST_REST_RE = re.compile(r"((?:\s+[A-Z][\w’'-]+){1,2})\b(?![’']s)(?!\s+[A-Z])")


def _occurrences(name: str, text: str):
    """Where `name` starts a word in `text`."""
    at = text.find(name)
    while at != -1:
        if at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "’'.-"):
            yield at
        at = text.find(name, at + 1)


def _short_form_used(name: str, state: _State) -> bool:
    # "Eriksson Ek said" after "Joel Eriksson Ek": a two-word name is a short form only when
    # the article has named it with a first name (a compound surname, "de la Cruz").
    return any(f" {name}" in text for text in state.read[:-1]) and any(
        re.search(rf"{_NAME_WORD}\s+{re.escape(name)}\b", text) for text in state.read[:-1])


def _name_first(name: str, state: _State) -> str:
    """The full name a single word begins: "Lee" after "party leader Lee Jae-myung" (family
    name first), "Fiona" after "her mother, Fiona Parry"; else the name as it was. Only a
    name introduced by a title or role counts ("Apple Arcade" is no Apple's full name)."""
    scanned, found = state.introduced.get(f"^{name}", (0, None))
    if found:
        return found
    for text in (*state.read[scanned:-1], state.title or ""):
        for at in _occurrences(name, text):
            m = _FIRST_REST_RE.match(text, at + len(name))
            if m is None:
                continue
            rest = m.group(1).split()
            before = text[max(0, at - 30) : at].rstrip(" ,").split()[-1:]
            titled = bool(before) and before[0].rstrip(".").lower() in TITLES | HEADS | PERSON_ROLES
            after = text[m.end() + 1 : m.end() + 30].split()
            titled = titled or (text[m.end() : m.end() + 1] == "," and len(after) > 1
                                and after[0].lower() in {"a", "an", "the", *TITLES, *HEADS})
            if titled and all(w not in LEAD_STOP and w not in NOT_NAMES
                              and w.lower() not in ORG_WORDS | TITLES | HEADS for w in rest):
                full = f"{name} {' '.join(rest)}"
                state.introduced[f"^{name}"] = (len(state.read), full)
                return full
    state.introduced[f"^{name}"] = (max(0, len(state.read) - 1), None)
    return name


def later_full_name(name: str, paragraphs) -> str | None:
    """The one full name ("Fiona Parry") that a first name ("Fiona") begins in the whole
    article, or None when there is none or more than one (two Fionas stay ambiguous)."""
    found = set()
    for text in paragraphs:
        for at in _occurrences(name, text):
            m = _FIRST_REST_RE.match(text, at + len(name))
            rest = m.group(1).split() if m else []
            if rest and all(w not in LEAD_STOP and w not in NOT_NAMES and w.lower() not in
                            ORG_WORDS | TITLES | HEADS | NOT_NAME_WORDS for w in rest):
                found.add(f"{name} {' '.join(rest)}")
    return found.pop() if len(found) == 1 else None


def _account_name(name: str, state: _State) -> str:
    """ "Tottenham said" under a post credited "— Tottenham Hotspur (@SpursOfficial)": a short
    form (first or last words) of the name an account posts under is that name."""
    for account in state.accounts:
        words = account.split()
        if len(words) > 1 and name in (words[0], words[-1]):
            return account
    return name


def _introduced_name(name: str, state: _State) -> str:
    """The full form an article gave a surname before using it alone: "Gov. Kristi Noem"."""
    # Each paragraph is searched once per name: the answer is kept, and a miss remembers how
    # far it read (a long transcript asks for "MR. BATES" hundreds of times).
    scanned, found = state.introduced.get(name, (0, None))
    if found:
        return found
    state.introduced[name] = (len(state.read), None)
    for text in (*state.read[scanned:], state.title or ""):
        found = _introduced_in(name, text) if name in text else None
        if found:
            state.introduced[name] = (len(state.read), found)
            return found
    return name


def _introduced_in(name: str, text: str) -> str | None:
    if not _may_be_introduced(name, text):
        return None
    for m in _introduced_re(name).finditer(text):
        words = m.group(1).split()
        if any(len(w) == 1 for w in words):
            continue  # "Q Karine": a transcript label, not a first name
        if len(words) > 1 and text[max(0, m.start() - 5) : m.start()].split()[-1:] in _PLACE_OF:
            words = words[1:]  # "Attorney for Massachusetts Joshua Levy": the place is no name
        titled = [i for i, w in enumerate(words) if w.lower() in TITLES or _is_role_code(w)]
        words = words[titled[-1] + 1 :] if titled else words
        words = [w for w in words[-3:] if w not in LEAD_STOP and not w.endswith(("’s", "'s"))]
        while words and (words[0] in LEAD_STOP or words[0].lower() in ORG_WORDS):
            words.pop(0)
        if words and words[0][:1].isupper():
            tail = m.group(0)[m.group(0).rindex(name) + len(name) :].replace(",", "")
            return " ".join([*words, name]) + tail
    return None


_PLACE_OF = (["for"], ["of"], ["in"], ["from"])


# _introduced_re(name) is _INTRO_BEFORE, the name, then _INTRO_AFTER. The name must end the run
# ("John" in "John Kirby" is no surname) and the run must start at a word ("U.S. Today" is not
# "S. Today").
_INTRO_BEFORE = (rf"(?<![\w.'’-])((?:{_NAME_WORD}\s+|(?<![\w-])(?:{'|'.join(PARTICLES)})\s+)"
                 r"{1,4})")


_INTRO_AFTER = (rf"\b(?:,?\s+(?:{'|'.join(re.escape(x) for x in NAME_SUFFIXES)})(?![\w]))?"
                rf"(?!\s+[A-Z])")


_INTRO_BEFORE_RE = re.compile(_INTRO_BEFORE + r"\Z")


_INTRO_AFTER_RE = re.compile(_INTRO_AFTER)


def _may_be_introduced(name: str, text: str) -> bool:
    """Whether _introduced_re(name) matches the text, without compiling it (~1 ms a name).

    The name is a literal, so the regex matches exactly where an occurrence of it has
    _INTRO_BEFORE ending right before it and _INTRO_AFTER right after; both are compiled once.
    Most names looked up (after "said", after "(") fail here and are never compiled.
    """
    at = text.find(name)
    while at != -1:
        if _INTRO_BEFORE_RE.search(text, 0, at) and _INTRO_AFTER_RE.match(text, at + len(name)):
            return True
        at = text.find(name, at + 1)
    return False


@lru_cache(maxsize=2048)
def _introduced_re(name: str) -> re.Pattern[str]:
    # One pattern per name: cached here, because names outnumber the 512 patterns re keeps.
    return re.compile(_INTRO_BEFORE + re.escape(name) + _INTRO_AFTER)
