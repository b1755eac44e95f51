"""Find direct quotations in one article's paragraphs and say who spoke them.

What belongs here: quote-mark pairing, attribution ("..., he said" / Witkoff wrote, "..."),
speaker resolution (names, pronouns, "the official", typed anonymous sources) and transcript
turns ("MR. KIRBY: ..."). Paragraph splitting, tagging and indexing live elsewhere; actor and
media names come from the lexicon, never from here.

Rules (the seeds in seeds/ are the reference, see tests/test_quotes.py):

* A quotation is the text between a pair of marks (" “” ‘’ '), offsets exact:
  ``paragraph[q.start:q.end] == q.text``. Apostrophes (Hamas' / don't / Gaza’s) are not marks.
  A quote nested in another ('...' inside "...") stays part of the outer quote's text.
* Fragments: a quoted span of fewer than 3 words ('extreme', "bad bet", "totally unacceptable",
  'Main Demands') is never a quotation. A span of 3+ words is kept only when it is attributed:
  a speech verb or "according to" in the same sentence, or it continues a kept quote (later in
  the same paragraph, or a paragraph that opens with a mark right after a paragraph with quotes).
* Split quotes ("We will," he said, "never accept it.") are two Quotes sharing speaker and verb,
  so that offsets stay exact.
* A quote left open at the end of a paragraph runs to the paragraph end (wire style for quotes
  spanning paragraphs); its speaker is the one named where the quote goes on, else the previous.
* Continuations inherit speaker, type, verb and via from the quote they continue.
* Speakers: lexicon canonical name, else the name as written without titles ("Far-right police
  minister Itamar Ben-Gvir" -> "Itamar Ben-Gvir"), else a typed anonymous source ("a senior
  Israeli official" -> "Israeli official (unnamed)"). Pronouns and "the official"/"the envoy" go
  to the nearest earlier speaker of fitting kind; "the statement" to `issuer` or to whoever
  "said in a statement". An unresolvable reference leaves the speaker None, never a pronoun.
* Transcripts (two or more paragraphs with turn labels): every paragraph of a non-reporter turn
  is one Quote of kind "turn"; "Q" turns are questions, not quotations.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from indexer.lexicon import Lexicon, default_lexicon
from indexer.models import Quote

MIN_WORDS = 3  # shorter quoted items are scare quotes, titles or crossheads

# -- vocabularies -------------------------------------------------------------------------

VERBS = {
    "said": "said", "says": "said", "say": "said", "told": "told", "tells": "told",
    "added": "added", "adds": "added", "wrote": "wrote", "writes": "wrote",
    "stated": "stated", "called": "called", "remarked": "remarked", "declared": "declared",
    "insisted": "insisted", "warned": "warned", "explained": "explained", "noted": "noted",
    "argued": "argued", "asserted": "asserted", "announced": "announced",
    "replied": "replied", "responded": "responded", "admitted": "admitted",
    "tweeted": "tweeted", "posted": "posted", "urged": "urged", "claimed": "claimed",
    "acknowledged": "acknowledged", "contended": "contended", "asked": "asked",
    "reported": "reported", "quoted": "quoted", "continued": "continued",
    "concluded": "concluded", "described": "described", "testified": "testified",
    "recalled": "recalled",
}  # fmt: skip
PRONOUNS = {"he": "sing", "she": "sing", "him": "sing", "her": "sing",
            "they": "plural", "them": "plural", "it": "org",
            "i": "self", "we": "self"}  # fmt: skip
# Head nouns of descriptions that stand for a speaker ("a senior Israeli official").
HEADS = {
    "official", "officials", "source", "sources", "spokesman", "spokeswoman", "spokesperson",
    "diplomat", "diplomats", "aide", "aides", "negotiator", "negotiators", "envoy", "minister",
    "mediator", "mediators", "leader", "leaders", "member", "members", "commander", "officer",
    "statement", "person", "people", "militant", "militants", "lawmaker", "adviser", "advisor",
    "officers", "reporter", "reporters", "journalist", "expert", "experts", "analyst", "analysts",
}  # fmt: skip
PLURAL_HEADS = {h for h in HEADS if h.endswith("s") and h[:-1] in HEADS} | {"people"}
TITLES = {
    "president", "vice", "prime", "minister", "foreign", "defence", "defense", "secretary",
    "state", "of", "special", "envoy", "director", "chief", "spokesman", "spokeswoman",
    "ambassador", "senator", "sen.", "rep.", "gov.", "gen.", "general", "lt.", "col.", "adm.",
    "admiral", "mr.", "mrs.", "ms.", "dr.", "king", "queen", "emir", "sheikh", "crown",
    "prince", "leader", "commander", "coordinator", "adviser", "advisor", "national",
    "security", "press", "deputy", "acting", "former", "police", "finance", "interior",
    "political", "head", "mayor", "negotiator", "chairman", "official", "army", "military",
    "mr", "mrs", "ms", "dr", "affairs", "taoiseach", "chancellor", "attorney", "judge", "justice",
    "governor", "detective", "sgt.", "sergeant", "officer", "sheriff", "captain", "capt.",
    "commissioner", "spokesperson", "professor", "prof.", "councillor", "councilman",
    "councilwoman", "congressman", "congresswoman", "chairwoman", "chair", "executive",
    "ceo", "coach", "manager", "lawyer", "representative", "assemblyman", "assemblywoman",
}  # fmt: skip
ORG_WORDS = {
    "department", "ministry", "office", "house", "army", "forces", "council", "committee",
    "radio", "agency", "news", "times", "group", "movement", "brigades", "jihad", "party",
    "government", "commission", "authority", "cabinet", "embassy", "organization",
    "organisation", "bureau", "tv", "television", "newspaper", "union", "nations",
}  # fmt: skip
PARTICLES = {"bin", "al", "al-", "de", "van", "von", "la", "le", "da", "abu", "ibn", "el", "der",
             "den", "du", "del", "dos", "di"}  # fmt: skip
NAME_SUFFIXES = ("Jr.", "Sr.", "Jr", "Sr", "II", "III")
# Leading words that join a subject to what came before ("And she said", "As Omar said").
LEADING_SKIP = {"and", "but", "so", "as", "then", "yet", "or"}
# Words that show a "subject" candidate is really a clause, not a noun phrase.
CLAUSE_WORDS = {
    "that", "which", "would", "will", "was", "were", "is", "are", "not", "been", "be", "to",
    "by", "its", "their", "his", "her", "if", "when", "while", "as", "than", "could", "had",
}  # fmt: skip
TRAILING_SKIP = {"also", "further", "later", "then", "again", "has", "have", "had", "was",
                 "once", "earlier", "previously", "however", "both", "all", "is", "herself",
                 "himself", "themselves", "itself"}  # fmt: skip
DETERMINERS = {"the", "a", "an", "one", "two", "three", "four", "several", "some", "other",
               "another", "both", "many", "this", "that"}  # fmt: skip
UNNAMED_ADJS = {"unnamed", "anonymous", "certain"}
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "col", "lt", "st", "jr",
                 "oct", "nov", "dec", "jan", "feb", "aug", "sept", "sep", "no",
                 "u.s", "u.n"}  # fmt: skip
NON_SPEECH_LABELS = {"Q", "AUDIENCE", "AUDIENCE MEMBER", "AUDIENCE MEMBERS"}
ANON_LABEL_HEADS = ("OFFICIAL", "OFFICIALS", "MODERATOR", "OPERATOR", "AIDE", "STAFF")
PLATFORMS = ("X", "Twitter", "Facebook", "Telegram", "Instagram", "Truth Social", "TikTok")

# -- regexes (compiled once: this runs on millions of paragraphs) -------------------------

_VERB_RE = re.compile(r"\b(?:[Aa]ccording to|" + "|".join(VERBS) + r")\b")
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9_])")
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_APPOSITIVE_RE = re.compile(
    r",\s*(?:who|which|whose|citing|asked|according|monitored|\w+ing)\b[^,]*(?:,|$)"
)
_ROLE_APPOSITIVE_RE = re.compile(
    r"(?<=[\w.]),\s+(?:a |an |the |[a-z])[^,]{0,80},\s*$"
)
_QUOTED_AS_RE = re.compile(r"\s+(?P<np>\w+(?:\s\w+)?)\s+as\s+saying")
_PLATFORM_RE = re.compile(r"\bon (?P<p>" + "|".join(PLATFORMS) + r")\b")
_STATEMENT_RE = re.compile(r"\bin a (?:\w+ )?statement\b", re.I)
_LABEL_RE = re.compile(r"(?P<label>[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,4}):\s+(?=\S)")
_Q_RE = re.compile(r"Q(?::\s*|\s+)(?=\S)")
_TURN_END_RE = re.compile(r"(?:END\b.*|#(?:\s*#)*|\d{1,2}:\d{2}\s*[AP]\.?M\.?.*)$")
_DATELINE_RE = re.compile(r"^[A-Z][^:\"“”]{0,60}?\s?:\s+")
_LINK_RE = re.compile(r"\[(?P<label>[^\]\n]{1,200})\]\((?P<url>[^)\s]{1,500})\)")
_NAME_WORD = r"[A-Z][\w'’.-]*"


@dataclass(frozen=True)
class _Span:
    """A top-level quoted span: inner text [start, end); `closed` is False for run-ons."""

    start: int
    end: int
    closed: bool


@dataclass(frozen=True)
class _Speaker:
    name: str | None
    type: str
    roles: frozenset[str] = frozenset()
    plural: bool = False


@dataclass(frozen=True)
class _Event:
    """An attribution clause: where its words sit in the paragraph, and who it names."""

    left: int  # first character of the clause (subject or verb)
    right: int  # last character of the clause
    verb: str
    speaker: _Speaker
    via: str | None


@dataclass
class _State:
    """What carries from paragraph to paragraph within one article."""

    lexicon: Lexicon
    date: str | None
    issuer: str | None
    transcript: bool
    speakers: list[_Speaker] = field(default_factory=list)
    stated_by: _Speaker | None = None  # who "said in a statement"
    last: Quote | None = None  # last direct quote of the previous paragraph
    turn: _Speaker | None = None  # the current transcript turn (None: no turn / reporter)
    run_on: bool = False  # the previous paragraph ended inside an open quote
    first_attributed: bool = False  # this paragraph's first quote has its own attribution
    next_opens: bool = False  # the next paragraph opens with a quote mark
    read: list[str] = field(default_factory=list)  # paragraphs so far, this one included


# -- public API ---------------------------------------------------------------------------


def extract_quotes(
    paragraphs: Sequence[str],
    *,
    lexicon: Lexicon | None = None,
    date: str | None = None,
    issuer: str | None = None,
) -> list[tuple[Quote, ...]]:
    """One tuple of Quotes per paragraph, in paragraph order (see the module rules)."""
    state = _State(lexicon or default_lexicon(), date, issuer, _is_transcript(paragraphs))
    results: list[tuple[Quote, ...]] = []
    for i, text in enumerate(paragraphs):
        run_on = state.run_on
        state.next_opens = i + 1 < len(paragraphs) and paragraphs[i + 1].lstrip()[:1] in _MARK_CHARS
        state.read.append(text)
        quotes = _paragraph_quotes(text, state)
        if run_on and state.first_attributed:
            _give_speaker(results, quotes)
        results.append(quotes)
    return results


def _paragraph_quotes(text: str, state: _State) -> tuple[Quote, ...]:
    turn = _turn_quote(text, state) if state.transcript else None
    spans = _find_spans(text)
    masked = _mask(text, spans)
    bounds = _sentence_bounds(masked)
    events = _find_events(masked, bounds, state)
    direct = _attribute(text, spans, bounds, events, state)
    if text.strip():
        state.last = direct[-1] if direct else None
        state.run_on = bool(direct) and direct[-1].end == spans[-1].end and not spans[-1].closed
    return (turn, *direct) if turn else tuple(direct)


def _give_speaker(results: list[tuple[Quote, ...]], quotes: tuple[Quote, ...]) -> None:
    # A quote left open at a paragraph end is spoken by whoever its next part is attributed to.
    direct = [q for q in quotes if q.kind == "direct"]
    if not results or not direct or direct[0].start > 1:
        return
    prev, first = results[-1][-1], direct[0]
    fixed = replace(prev, speaker=first.speaker, verb=first.verb, via=first.via,
                    speaker_type=first.speaker_type)  # fmt: skip
    results[-1] = (*results[-1][:-1], fixed)


# -- quote marks --------------------------------------------------------------------------


def _mark_role(text: str, i: int) -> str | None:
    """'open', 'close', 'either' or None (an apostrophe) for the mark at text[i]."""
    ch = text[i]
    prev = text[i - 1] if i else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if ch == "“":
        return "open"
    if ch == "”":
        return "close"
    opening_ctx = prev.isspace() or prev in "([{—–-/\"“‘"
    if ch == '"':
        return "open" if opening_ctx and not nxt.isspace() else "close"
    if ch == "‘" or opening_ctx:
        return "open" if nxt.isalnum() or nxt in "\"“." else None
    # ’ or ' after a character: inside a word it is an apostrophe (don't, Gaza’s).
    if prev.isalnum() and nxt.isalnum():
        return None
    return "close" if not prev.isspace() else None


_MARK_CHARS = frozenset("\"“”‘’'")


def _find_spans(text: str) -> list[_Span]:
    """Top-level quoted spans; single quotes nest inside double ones."""
    spans: list[_Span] = []
    double: int | None = None  # inner start of the open double quote
    single: int | None = None  # inner start of the open single quote
    for i, ch in enumerate(text):
        if ch not in _MARK_CHARS:
            continue
        role = _mark_role(text, i)
        if role is None:
            continue
        if ch in "\"“”":
            if double is not None and role == "close":
                spans.append(_Span(double, i, True))
                double = single = None
            elif role == "open" and (double is None or single is None):
                double, single = i + 1, None
        elif role == "open" and single is None:
            single = i + 1
        elif role == "close" and single is not None:
            if double is None:
                spans.append(_Span(single, i, True))
            single = None
    if double is not None:
        end = len(text.rstrip())
        if end > double:
            spans.append(_Span(double, end, False))
    return spans


def _mask(text: str, spans: list[_Span]) -> str:
    """The paragraph with quoted words blanked, so attribution never reads inside quotes.

    A final . ! ? is kept: it ends the sentence for the sentence splitter.
    """
    parts, pos = [], 0
    for span in spans:
        inner = text[span.start : span.end]
        keep = inner[-1] if inner and inner[-1] in ".!?" else ""
        parts += [text[pos : span.start], "_" * (len(inner) - len(keep)), keep]
        pos = span.end
    parts.append(text[pos:])
    return _LINK_RE.sub(_blank_link, "".join(parts))


def _blank_link(m: re.Match[str]) -> str:
    # "[Label](https://...)" reads as " Label " plus blanks, so offsets stay exact.
    return " " + m.group("label") + " " * (len(m.group(0)) - len(m.group("label")) - 1)


def _sentence_bounds(masked: str) -> list[int]:
    """Start offsets of sentences (0 first); abbreviations such as "Oct." do not end one."""
    bounds = [0]
    for m in _BOUNDARY_RE.finditer(masked):
        word = masked[max(0, m.start() - 6) : m.start()].split()[-1:] or [""]
        token = word[0].rstrip(".\"”’'").lower()
        if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        bounds.append(m.end())
    return bounds


def _word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


# -- attribution clauses ------------------------------------------------------------------


def _find_events(masked: str, bounds: list[int], state: _State) -> list[_Event]:
    """Every attribution clause in the paragraph, in order, with its speaker resolved."""
    events: list[_Event] = []
    for m in _VERB_RE.finditer(masked):
        if masked[max(0, m.start() - 4) : m.start()] in {"who ", "hat "}:
            continue  # "the official, who asked not to be named": not the attribution
        sent_start = bounds[bisect_right(bounds, m.start()) - 1]
        event = _event_at(masked, sent_start, m, state)
        event = event or _coordinated(masked, m, sent_start, events)
        if event is not None and event.speaker.name is not None and event.verb != "reported":
            _remember(event, masked[sent_start : m.end() + 40], state)
        if event is not None:
            events.append(event)
    return events


def _coordinated(masked, m, sent_start, events) -> _Event | None:
    # "Witkoff wrote off the response and said that ...": the second verb shares the subject.
    if not events or events[-1].left < sent_start:
        return None
    if not re.search(r"(?:\band|\bbut|,)\s*$", masked[events[-1].right : m.start()]):
        return None
    verb = VERBS.get(m.group(0), m.group(0))
    return replace(events[-1], left=m.start(), right=m.end(), verb=verb)


def _event_at(masked: str, sent_start: int, m: re.Match[str], state: _State) -> _Event | None:
    verb = "according to" if m.group(0) == "According to" else m.group(0)
    before = masked[sent_start : m.start()]
    after = masked[m.end() :]
    if verb == "quoted":
        found = _QUOTED_AS_RE.match(after)
        ref = (found.group("np"), m.end() + found.end()) if found else None
        return _make_event(ref, m.start(), "said", masked, sent_start, m, state)
    if verb == "according to":
        ref = _np_after(after, m.end())
        return _make_event(ref, m.start(), verb, masked, sent_start, m, state)
    refs = [_np_before(before, sent_start)]
    if before.rstrip().endswith((",", '"', "”", "’", "'")) and verb != "told":
        refs.append(_np_after(after, m.end()))  # '..., said the official' (speaker after verb)
    for ref in refs:
        event = _make_event(ref, m.start(), VERBS[verb], masked, sent_start, m, state)
        if event is not None:
            return event
    return None


def _make_event(ref, verb_at, verb, masked, sent_start, m, state) -> _Event | None:
    """An _Event for a (phrase, offset) reference, or None if the phrase is not a speaker."""
    if ref is None:
        return None
    phrase, at = ref
    speaker = _parse_speaker(phrase, state)
    if speaker is None:
        return None
    left, right = min(at, verb_at), max(at + len(phrase), m.end())
    return _Event(left, right, verb, speaker, _find_via(masked, sent_start, m.end(), state))


def _np_before(before: str, offset: int) -> tuple[str, int] | None:
    """The subject phrase that ends right before a verb: "..., the Hamas official, who ..., "."""
    text = _APPOSITIVE_RE.sub(lambda a: " " * len(a.group(0)), before)
    # "Abu Ubaida, spokesperson for the armed wing of Hamas, said": the name, not the role.
    text = _ROLE_APPOSITIVE_RE.sub(lambda a: " " * len(a.group(0)), text).rstrip(" ,")
    cut = max(text.rfind(c) for c in ',"“”’:;—') + 1
    that = text.rfind(" that ")
    cut = max(cut, that + 6 if that >= 0 else 0)
    words = text[cut:].split()
    while words and (words[-1].lower() in TRAILING_SKIP or words[-1].endswith("ly")):
        words.pop()
    while len(words) > 1 and words[0].lower() in LEADING_SKIP:
        words.pop(0)
    if not words or len(words) > 10:
        return None
    phrase = " ".join(words)
    if " and " in phrase:
        phrase = phrase.split(" and ")[0]  # "Two Egyptian security sources and Al-Qahera News"
    return phrase, offset + text.index(words[0], cut)


def _np_after(after: str, offset: int) -> tuple[str, int] | None:
    """The phrase right after a verb, up to punctuation or a preposition ("said the official,")."""
    words = []
    for word in re.split(r"\s+", after[:120].lstrip()):
        bare = word.rstrip(",.;:!?\"”’")
        if not bare or bare.lower() in _NP_STOP:
            break
        words.append(bare)
        if bare != word:
            break
    if not words:
        return None
    return " ".join(words), offset + after.index(words[0])


_NP_STOP = {"on", "in", "at", "during", "after", "before", "when", "while", "who", "which",
            "that", "to", "from", "as", "late", "earlier", "last", "this", "yesterday",
            "today", "and", "but", "speaking", "delivered", "monitored"}  # fmt: skip


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
    if _STATEMENT_RE.search(clause) and event.speaker.type != "anonymous":
        state.stated_by = event.speaker


# -- speakers -----------------------------------------------------------------------------


def _parse_speaker(phrase: str, state: _State) -> _Speaker | None:
    """Resolve a subject phrase to a speaker, or None when it is not one."""
    words = phrase.split()
    lowered = [w.lower() for w in words]
    if len(words) == 1 and lowered[0] in PRONOUNS:
        # Attributed speech, even when nobody fits: the speaker stays unknown, never "he".
        return _resolve_pronoun(PRONOUNS[lowered[0]], state) or _Speaker(None, "unknown")
    known = _known_actor(phrase, state)
    if known:
        return known
    if len(words) == 2 and lowered[0] == "the" and lowered[1] in ORG_WORDS:
        return _by_name_word(lowered[1], state)
    described = _description(words, lowered, state)
    if described is not None or any(w in CLAUSE_WORDS for w in lowered):
        return described
    return _named(words, state)


def _known_actor(phrase: str, state: _State) -> _Speaker | None:
    """A lexicon actor: a person named anywhere in the phrase, or a whole alias ("Hamas")."""
    bare = _strip_determiner(phrase)
    name = state.lexicon.resolve(bare, state.date)
    if name is None or _word_count(phrase) > 8:
        return None
    kind = state.lexicon.actor_type(name)
    if kind != "person" and state.lexicon.canonical_or_none(bare) is None:
        return None  # "the Hamas official" is an anonymous official, not Hamas itself
    roles = frozenset(w.lower() for w in phrase.split() if w.lower() in TITLES | HEADS)
    return _Speaker(name, kind, roles)


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
    if any(w[:1].isupper() for w in tail) or len(tail) > 6:
        return None  # "Hamas spokesman Hazem Qassem" is a name, "... close to the talks" is not
    det = lowered[0] in DETERMINERS
    mods = words[1:h] if det else words[:h]
    if lowered[h] == "statement":
        return _statement_speaker(mods, state)
    capital = next((i for i, w in enumerate(mods) if w[:1].isupper()), None)
    if capital is None and lowered[0] in {"the", "this"}:
        found = _by_role(lowered[h], state)
        if found is not None:
            return found
    kept = mods[capital:] if capital is not None else [m for m in mods if m not in UNNAMED_ADJS]
    label = " ".join([*kept, words[h]])
    roles = frozenset({lowered[h], lowered[h].rstrip("s")})
    return _Speaker(f"{label[0].upper()}{label[1:]} (unnamed)", "anonymous", roles,
                    lowered[h] in PLURAL_HEADS)  # fmt: skip


def _statement_speaker(mods: list[str], state: _State) -> _Speaker | None:
    # "the statement said": the issuer of a press release, or whoever "said in a statement".
    qualifier = " ".join(m for m in mods if m[:1].isupper())
    if qualifier:
        return _known_actor(qualifier, state) or _Speaker(qualifier, "organisation")
    if state.issuer:
        known = state.lexicon.resolve(state.issuer, state.date)
        kind = state.lexicon.actor_type(known) if known else "organisation"
        return _Speaker(known or state.issuer, kind)
    return state.stated_by


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


def _resolve_pronoun(kind: str, state: _State) -> _Speaker | None:
    for speaker in reversed(state.speakers):
        if _fits(kind, speaker):
            return speaker
    return None


def _fits(kind: str, speaker: _Speaker) -> bool:
    if kind == "self":
        return False  # "And I said": the document's own voice, which this module cannot name
    if kind == "sing":
        return speaker.type == "person" or (speaker.type == "anonymous" and not speaker.plural)
    if kind == "plural":
        return speaker.plural or speaker.type in {"group", "organisation", "state"}
    return speaker.type in {"group", "organisation", "state"}


def _named(words: list[str], state: _State) -> _Speaker | None:
    """A written name without its titles: "Far-right police minister Itamar Ben-Gvir"."""
    run = _trailing_name_run(words)
    if not run or len(words) - len(run) > 5:
        return None
    titled = [i for i, w in enumerate(run) if w.lower() in TITLES]
    name_words = run[titled[-1] + 1 :] if titled else run
    # "White House Press Secretary Stephanie Grisham" is a person; "the State Department" is not.
    if any(w.lower() in ORG_WORDS for w in name_words or run):
        name = " ".join(run[1:] if run[0].lower() == "the" else run)
        return _Speaker(name, "organisation")
    if not name_words or name_words[0].lower() == "the":
        return None
    name = _full_name(" ".join(name_words), state)
    known = state.lexicon.resolve(name, state.date)
    if known:
        return _Speaker(known, state.lexicon.actor_type(known), _roles(words, name_words))
    return _Speaker(name, "person", _roles(words, name_words))


def _trailing_name_run(words: list[str]) -> list[str]:
    run: list[str] = []
    for word in reversed(words):
        if word[:1].isupper() or (run and word.lower() in PARTICLES | {"of"}):
            run.insert(0, word)
        else:
            break
    while run and (run[0] in PARTICLES | {"of"} or run[0].lower() == "of"):
        run.pop(0)  # lower-case particles only: "Van Den Hoek" keeps its "Van"
    return run


def _roles(words: list[str], name_words: list[str]) -> frozenset[str]:
    return frozenset(w.lower() for w in words[: len(words) - len(name_words)])


def _full_name(name: str, state: _State) -> str:
    # "Gallant" after "Yoav Gallant": the surname points back to the full name.
    if " " in name and name.split()[0].lower() not in PARTICLES:
        return name  # a full name already; "Van Den Hoek" may still have a first name before it
    for speaker in reversed(state.speakers):
        if speaker.name and speaker.name.endswith(f" {name}") and speaker.type == "person":
            return speaker.name
    return _introduced_name(name, state)


_LEAD_STOP = {"The", "A", "An", "In", "On", "At", "But", "And", "When", "As", "After", "Former",
              "Then", "While", "Said", "Says", "If", "Of", "For", "By", "To", "With", "From",
              "That", "This", "Last", "Earlier", "Later", "Meanwhile", "However", "Both"}  # fmt: skip


def _introduced_name(name: str, state: _State) -> str:
    """The full form an article gave a surname before using it alone: "Gov. Kristi Noem"."""
    pattern = rf"((?:{_NAME_WORD}\s+|(?:{'|'.join(PARTICLES)})\s+){{1,4}}){re.escape(name)}\b"
    suffix = rf"(?:,?\s+(?:{'|'.join(re.escape(x) for x in NAME_SUFFIXES)})(?![\w]))?"
    for text in state.read:
        for m in re.finditer(pattern + suffix, text):
            words = m.group(1).split()
            titled = [i for i, w in enumerate(words) if w.lower() in TITLES]
            words = words[titled[-1] + 1 :] if titled else words
            words = [w for w in words[-3:] if w not in _LEAD_STOP and not w.endswith(("’s", "'s"))]
            while words and (words[0] in _LEAD_STOP or words[0].lower() in ORG_WORDS):
                words.pop(0)
            if words and words[0][:1].isupper():
                tail = m.group(0)[m.group(0).rindex(name) + len(name) :].replace(",", "")
                return " ".join([*words, name]) + tail
    return name


# -- quotes -------------------------------------------------------------------------------


def _attribute(text, spans, bounds, events, state) -> list[Quote]:
    """Kept quotations of one paragraph, each with the attribution that fits it."""
    quotes: list[Quote] = []
    state.first_attributed = False
    for span in spans:
        event = _event_for(text, span, bounds, events) or _colon_event(text, span, bounds, state)
        if _is_fragment(text[span.start : span.end], event):
            continue
        if event is None:  # 'Witkoff said X. "Quote."': the paragraph's last attribution
            event = next((e for e in reversed(events) if e.right < span.start), None)
        quote = _quote(text, span, event, quotes, state)
        if quote is None:
            continue
        if not quotes:
            state.first_attributed = event is not None
        quotes.append(quote)
    return quotes


def _is_fragment(words: str, event: _Event | None) -> bool:
    # Under 3 words is a scare quote or title, unless punctuated and attributed as speech:
    # the first half of '"We will," he said, "never accept it."'.
    if _word_count(words) >= MIN_WORDS:
        return False
    return event is None or words.rstrip()[-1:] not in {",", ".", "?", "!"}


def _quote(text, span, event, earlier, state) -> Quote | None:
    words = text[span.start : span.end]
    if event is not None:
        sp = event.speaker
        return Quote(words, sp.name, span.start, span.end, event.verb, event.via,
                     sp.type if sp.name else "unknown")  # fmt: skip
    at_start = not text[: span.start - 1].strip()
    source = earlier[-1] if earlier else (state.last if at_start else None)
    if source is None and not span.closed and state.next_opens:
        # Runs on into the next paragraph; extract_quotes gives it that part's speaker.
        return Quote(words, None, span.start, span.end)
    if source is None:
        return None  # an unattributed quoted title or slogan
    return Quote(words, source.speaker, span.start, span.end, source.verb, source.via,
                 source.speaker_type)  # fmt: skip


def _event_for(text: str, span: _Span, bounds: list[int], events: list[_Event]) -> _Event | None:
    """The attribution right after the closing mark, else the last one before the opening."""
    close = span.end + 1
    if span.closed and text[span.end - 1 : span.end] != ".":
        for event in events:
            gap = text[close : event.left]
            if event.left >= close and not gap.strip(" ,\"”’'"):
                return event
    sent_start = bounds[bisect_right(bounds, span.start - 1) - 1]
    before = [e for e in events if sent_start <= e.left and e.right < span.start]
    if before:
        return before[-1]
    # 'Gaza's crisis is "growing at an alarming rate" and ..., Noem said': later in the sentence.
    sent_end = next((b for b in bounds if b > span.end), len(text))
    return next((e for e in events if e.left > span.end and e.right < sent_end), None)


def _colon_event(text, span, bounds, state) -> _Event | None:
    """ "[Canadian Prime Minister Mark Carney](https://x.com/...): “...”": a label, no verb."""
    lead = text[: span.start - 1].rstrip()
    if not lead.endswith(":") or state.transcript:
        return None
    sent_start = bounds[bisect_right(bounds, span.start - 1) - 1]
    label = _LINK_RE.sub(lambda m: m.group("label"), text[sent_start : len(lead) - 1]).strip()
    if not label or _word_count(label) > 12:
        return None
    speaker = _parse_speaker(label, state)
    if speaker is None or speaker.name is None:
        return None
    return _Event(sent_start, len(lead), "stated", speaker, None)


# -- transcripts --------------------------------------------------------------------------


def _is_transcript(paragraphs: Sequence[str]) -> bool:
    # One "WASHINGTON:" is a dateline; two labelled paragraphs make a transcript.
    labelled = 0
    for text in paragraphs:
        if _Q_RE.match(text) or _LABEL_RE.match(text):
            labelled += 1
            if labelled >= 2:
                return True
    return False


def _turn_quote(text: str, state: _State) -> Quote | None:
    """The spoken text of a transcript paragraph as a "turn" Quote, if it is an answer."""
    label = _Q_RE.match(text) or _LABEL_RE.match(text)
    if _TURN_END_RE.match(text.strip()):
        state.turn = None
        return None
    if label is not None:
        name = "Q" if label.re is _Q_RE else label.group("label")
        state.turn = None if name in NON_SPEECH_LABELS else _label_speaker(name, state)
    start = label.end() if label else len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if state.turn is None or end <= start:
        return None
    sp = state.turn
    return Quote(text[start:end], sp.name, start, end, "said", None, sp.type, "turn")


def _label_speaker(label: str, state: _State) -> _Speaker:
    known = state.lexicon.resolve(label, state.date)
    if known:
        return _Speaker(known, state.lexicon.actor_type(known))
    if label in ("MODERATOR", "OPERATOR"):
        return _Speaker(label.capitalize(), "anonymous")  # a role of the call, not a source
    if label.endswith(ANON_LABEL_HEADS):
        return _Speaker(f"{label.capitalize()} (unnamed)", "anonymous")
    words = label.title().split()
    bare = " ".join(words[1:])
    if len(words) > 1 and words[0].lower() in TITLES and _full_name(bare, state) != bare:
        return _Speaker(_full_name(bare, state), "person")  # "MR. BATES": Andrew Bates, if named
    return _Speaker(label.title(), "person")
