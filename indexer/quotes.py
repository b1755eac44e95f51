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
from functools import lru_cache
from urllib.parse import urlsplit

from indexer.lexicon import Lexicon, default_lexicon
from indexer.models import Quote
from indexer.paragraphs import POST_CREDIT

MIN_WORDS = 3  # shorter quoted items are scare quotes, titles or crossheads
STRAY_WORDS = 6  # a line this short without a sentence ending is a caption or a crosshead

# -- vocabularies -------------------------------------------------------------------------

VERBS = {
    "said": "said", "says": "said", "say": "said", "told": "told", "tells": "told",
    "added": "added", "adds": "added", "wrote": "wrote", "writes": "wrote",
    "stated": "stated", "called": "called", "remarked": "remarked", "declared": "declared",
    "insisted": "insisted", "warned": "warned", "explained": "explained", "noted": "noted",
    "argued": "argued", "asserted": "asserted", "announced": "announced",
    "replied": "replied", "responded": "responded", "answered": "answered", "admitted": "admitted",
    "tweeted": "tweeted", "posted": "posted", "urged": "urged", "claimed": "claimed",
    "acknowledged": "acknowledged", "contended": "contended", "asked": "asked",
    "reported": "reported", "quoted": "quoted", "continued": "continued",
    "concluded": "concluded", "described": "described", "testified": "testified",
    "recalled": "recalled", "is like": "is like", "was like": "is like",
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
    "dispatcher", "dispatchers", "witness", "witnesses", "resident", "residents", "prosecutor",
    "prosecutors", "investigator", "investigators", "activist", "activists", "worker", "workers",
    "employee", "employees", "medic", "medics", "doctor", "doctors", "lawyer", "lawyers",
    "counsel", "mother", "father", "wife", "husband", "daughter", "son", "sister", "brother",
    "parents", "rapporteur", "rapporteurs",
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
    "organisation", "bureau", "tv", "television", "newspaper", "union", "nations", "company",
    "firm", "club", "coalition",
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
# First words that make a subject phrase no speaker at all: the addressee, everyone, a clause.
GENERIC = {
    "you", "your", "yours", "everybody", "everyone", "somebody", "someone", "nobody", "anybody",
    "anyone", "people", "these", "those", "there", "here", "what", "whether", "like", "it's",
    "we've", "we're", "i'm", "i've", "i'll", "you're", "they're", "that's", "even", "referring",
    "lot", "this", "that", "which", "whoever", "whatever", "why", "how", "where", "when",
    "maybe", "wait", "yeah", "yes", "no", "okay", "ok", "well", "so", "now", "today",
    "yesterday", "tomorrow", "thanks", "thank", "please", "sorry", "look", "listen", "again",
}  # fmt: skip
UNNAMED_ADJS = {"unnamed", "anonymous", "certain"}
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "col", "lt", "st", "jr",
                 "oct", "nov", "dec", "jan", "feb", "aug", "sept", "sep", "no",
                 "u.s", "u.n"}  # fmt: skip
NON_SPEECH_LABELS = {"Q", "AUDIENCE", "AUDIENCE MEMBER", "AUDIENCE MEMBERS"}
ANON_LABEL_HEADS = ("OFFICIAL", "OFFICIALS", "MODERATOR", "OPERATOR", "AIDE", "STAFF")
PLATFORMS = ("X", "Twitter", "Facebook", "Telegram", "Instagram", "Truth Social", "TikTok")

# -- regexes (compiled once: this runs on millions of paragraphs) -------------------------

# Quotative "like" ("the President is like, “Okay, ...”") only right before a mark: elsewhere
# it compares ("the situation is like a powder keg").
_VERB_RE = re.compile(r"\b(?:[Aa]ccording to|(?:is|was) like(?=,?\s*[\"“‘'])|"
                      + "|".join(v for v in VERBS if " " not in v) + r")\b")
# A sentence ends at . ! ? before a capital, or before a bullet ("... trophies. - Ishiba said").
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"”’']?\s+(?:[-•*]\s+)?(?=[\"“‘']?[A-Z0-9_\[])")
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_APPOSITIVE_RE = re.compile(
    r",\s*(?:who|which|whose|citing|asked|according|monitored|(?!\w+thing\b)\w+ing)\b[^,]*(?:,|$)"
)
_ROLE_APPOSITIVE_RE = re.compile(
    r"(?<=[\w.]),\s+(?:a |an |the |[a-z])[^,]{0,80},\s*$"
)
_QUOTED_AS_RE = re.compile(r"\s+(?P<np>\w+(?:\s\w+)?)\s+as\s+saying")
_PLATFORM_RE = re.compile(r"\bon (?P<p>" + "|".join(PLATFORMS) + r")\b")
_STATEMENT_RE = re.compile(r"\bin a (?:\w+ )?statement\b|\bstatement (?:by|from)\b", re.I)
_LABEL_RE = re.compile(r"(?P<label>[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,4}):\s+(?=\S)")
_Q_RE = re.compile(r"Q(?::\s*|\s+)(?=\S)")
_TURN_END_RE = re.compile(r"(?:END\b.*|#(?:\s*#)*|\d{1,2}:\d{2}\s*[AP]\.?M\.?.*)$")
_DATELINE_RE = re.compile(r"^[A-Z][^:\"“”]{0,60}?\s?:\s+")
_LINK_RE = re.compile(r"\[(?P<label>[^\]\n]{1,200})\]\((?P<url>[^)\s]{1,500})\)")
# A capitalised word; only initials and short titles keep a full stop ("Admiral. You" is two
# sentences, "James P. Kennedy" is one name).
_NAME_WORD = r"(?:(?:[A-Z]|Mr|Mrs|Ms|Dr|St|Jr|Sr|Lt|Col|Gen|Sen|Rep|Gov)\.|[A-Z][\w'’-]*)"


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
    title: str | None = None
    speakers: list[_Speaker] = field(default_factory=list)
    spoke_at: list[tuple[int, int]] = field(default_factory=list)  # (paragraph, offset) per speaker
    doc_speaker: _Speaker | None = None  # who "I" is in remarks and statements (from the title)
    genders: dict[str, str] = field(default_factory=dict)  # name -> "m" | "f", as the text shows
    masked: list[str] = field(default_factory=list)  # earlier paragraphs with quotes blanked
    cursor: int = 0  # offset of the attribution being read in the current paragraph
    now: str = ""  # the current paragraph, masked
    introduced: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    verb: str = ""  # the verb of the attribution being read
    addressee: _Speaker | None = None  # who was last "asked", the likely next to reply
    reporter: _Speaker | None = None  # who recounts the words being attributed, not their speaker
    stated_by: _Speaker | None = None  # who "said in a statement"
    last: Quote | None = None  # last direct quote of the previous paragraph
    turn: _Speaker | None = None  # the current transcript turn (None: no turn / reporter)
    run_on: bool = False  # the previous paragraph ended inside an open quote
    first_attributed: bool = False  # this paragraph's first quote has its own attribution
    next_opens: bool = False  # the next paragraph opens with a quote mark
    read: list[str] = field(default_factory=list)  # paragraphs so far, this one included
    standfirst: str = ""  # the first paragraph, masked, if it is set as a headline
    accounts: list[str] = field(default_factory=list)  # names under embedded posts, whole article


# -- public API ---------------------------------------------------------------------------


def extract_quotes(
    paragraphs: Sequence[str],
    *,
    lexicon: Lexicon | None = None,
    date: str | None = None,
    issuer: str | None = None,
    title: str | None = None,
) -> list[tuple[Quote, ...]]:
    """One tuple of Quotes per paragraph, in paragraph order (see the module rules).

    `title` (the article's headline) names people that a transcript label or a speech's
    "I" stands for: "Remarks by President Biden ..." makes "I said" Joe Biden's.
    """
    state = _State(lexicon or default_lexicon(), date, issuer, _is_transcript(paragraphs), title)
    state.doc_speaker = _title_speaker(title, state)
    state.accounts = [m.group("name") for p in paragraphs if (m := POST_CREDIT.match(p))]
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
    if state.transcript:  # "Q You said ...": the label is no part of the sentence
        label = _Q_RE.match(masked) or _LABEL_RE.match(masked)
        masked = " " * label.end() + masked[label.end() :] if label else masked
    if len(state.read) == 1 and _reads_as_headline(text):
        state.standfirst = masked
    bounds = _sentence_bounds(masked)
    events = _find_events(masked, bounds, state)
    direct = _attribute(text, spans, bounds, events, state)
    state.masked.append(masked)
    if text.strip() and not (state.run_on and not spans and _is_stray_line(text)):
        state.last = direct[-1] if direct else None
        state.run_on = bool(direct) and direct[-1].end == spans[-1].end and not spans[-1].closed
    return (turn, *direct) if turn else tuple(direct)


def _give_speaker(results: list[tuple[Quote, ...]], quotes: tuple[Quote, ...]) -> None:
    # A quote left open at a paragraph end is spoken by whoever its next part is attributed to.
    direct = [q for q in quotes if q.kind == "direct"]
    k = next((k for k in reversed(range(len(results))) if results[k]), None)  # past stray lines
    if k is None or not direct or direct[0].start > 1:
        return
    prev, first = results[k][-1], direct[0]
    fixed = replace(prev, speaker=first.speaker, verb=first.verb, via=first.via,
                    speaker_type=first.speaker_type)  # fmt: skip
    results[k] = (*results[k][:-1], fixed)


def _is_stray_line(text: str) -> bool:
    # "Club statement" (an embedded post's caption) between two parts of a quote: a short line
    # with no sentence in it does not end the quote left open before it.
    return bool(POST_CREDIT.match(text)) or (
        _word_count(text) <= STRAY_WORDS and _reads_as_headline(text)
        and not _MARK_CHARS.intersection(text))


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
_MARK_RE = re.compile(f"[{''.join(sorted(_MARK_CHARS))}]")  # a paragraph holds few marks


def _find_spans(text: str) -> list[_Span]:
    """Top-level quoted spans; single quotes nest inside double ones."""
    spans: list[_Span] = []
    double: int | None = None  # inner start of the open double quote
    single: int | None = None  # inner start of the open single quote
    for mark in _MARK_RE.finditer(text):
        i, ch = mark.start(), mark.group()
        role = _mark_role(text, i)
        if role is None:
            continue
        if ch == '"' and role == "close" and double is None and text[i + 1 : i + 2].isupper():
            role = "open"  # 'he added."If you asked me ...': no space before the opening mark
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
        event = _event_at(masked, sent_start, m, state)
        state.reporter = None
        event = event or _coordinated(masked, m, sent_start, events)
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
    if found is None or m.group(0) == "asked":
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
    return replace(events[-1], left=m.start(), right=m.end(), verb=verb)


def _event_at(masked: str, sent_start: int, m: re.Match[str], state: _State) -> _Event | None:
    verb = "according to" if m.group(0) == "According to" else m.group(0)
    before = masked[sent_start : m.start()]
    after = masked[m.end() :]
    state.verb = VERBS.get(verb, verb)
    if verb == "asked":
        _note_addressee(after, state)
    if verb == "quoted":
        found = _QUOTED_AS_RE.match(after)
        ref = (found.group("np"), m.end() + found.end()) if found else None
        return _make_event(ref, m.start(), "said", masked, sent_start, m, state)
    if verb == "according to":
        ref = _np_after(after, m.end())
        return _make_event(ref, m.start(), verb, masked, sent_start, m, state)
    refs = [_np_before(before, sent_start)]
    inverted = None
    if before.rstrip().endswith((",", '"', "”", "’", "'")) and verb != "told":
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
    return _Event(left, right, verb, _Speaker(None, "unknown"), _find_via(masked, sent_start, m.end(), state))


REPLY_VERBS = {"replied", "responded", "answered"}


def _note_addressee(after: str, state: _State) -> None:
    """ "a reporter asked Montoya-Lewis, ...": she is the one who replies next."""
    obj = _np_after(after, 0)
    speaker = _parse_speaker(obj[0], state) if obj and obj[0][:1].isupper() else None
    state.addressee = speaker if speaker and speaker.name and speaker.type == "person" else None


_SUBJECT_RE = re.compile(
    r"\s*(?:[\w’'-]+(?:\s+[\w’'-]+){0,3},\s+)?(?:(?:And|But|So|Then)\s+)?"
    rf"(?P<np>[Hh]e|[Ss]he|[Tt]hey|{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})\s+[a-z]"
)


def _sentence_subject(before: str, offset: int) -> tuple[str, int] | None:
    """ "She looked at me and ... said": a verb after "and" shares the sentence's subject."""
    if not before.rstrip().endswith(" and"):
        return None
    m = _SUBJECT_RE.match(before)
    if m is None or m.group("np").split()[0] in _LEAD_STOP | _QUESTION_WORDS:
        return None
    return m.group("np"), offset + m.start("np")


_QUESTION_WORDS = {"What", "Who", "Why", "How", "Where", "When", "Which", "During", "Before",
                   "Since", "Until", "Because", "Although", "Though"}  # fmt: skip


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
    text = _APPOSITIVE_RE.sub(_blank_appositive, _ABBREVIATION_NOTE_RE.sub(_blank, before))
    # "Abu Ubaida, spokesperson for the armed wing of Hamas, said": the name, not the role.
    text = _ROLE_APPOSITIVE_RE.sub(_blank_role, text).rstrip(" ,")
    text = _GOES_ON_RE.sub(lambda a: " " * len(a.group(0)), text)  # "it went on to say"
    plain = _POSSESSIVE_RE.sub("s", text)  # "Iran’s foreign minister" is one phrase
    cut = max(plain.rfind(c) for c in ',"“”’:;—') + 1
    that = text.rfind(" that ")
    cut = max(cut, that + 6 if that >= 0 else 0)
    words = text[cut:].split()
    while words and (words[-1].lower() in TRAILING_SKIP or words[-1].endswith("ly")):
        words.pop()
    while len(words) > 1 and words[0].lower() in LEADING_SKIP | _OBJECT_LEADS:
        words.pop(0)  # "something the special counsel said": the counsel said it
    cut_in = next((i for i in range(1, len(words) - 1)
                   if words[i] == "in" and words[i + 1].lower() in _IN_A), None)
    words = words[:cut_in]  # "The President in his statement today said": the President
    if len(words) > 1 and words[-1].lower() in _SUBJECT_PRONOUNS:
        words = words[-1:]  # "a call, in which he said" / "In a post at the time she described"
    if not words or len(words) > 10:
        return None
    phrase = " ".join(words)
    if " and " in phrase:
        phrase = phrase.split(" and ")[0]  # "Two Egyptian security sources and Al-Qahera News"
    return phrase, offset + text.index(words[0], cut)


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
        return a.group(0) if " that " in a.group(0) else _blank(a)
    return " " * (len(a.group(0)) - 1) + ","


# Objects of a relative clause without "that", before its subject ("something the ... said").
_OBJECT_LEADS = {"something", "anything", "everything", "nothing"}
_GOES_ON_RE = re.compile(r"\s+(?:went|goes|go|going|continued|continues)\s+on\s+to\s*$")
_IN_A = {"a", "an", "the", "his", "her", "its", "their"}
_SUBJECT_PRONOUNS = {"he", "she", "they", "i", "we"}
_POSSESSIVE_RE = re.compile(r"(?<=\w)[’'](?=\w)")  # "Iran’s", "I’ll": no cut


def _is_abbreviation(word: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.", word)) and (
        len(word) <= 3 or word.lower().rstrip(".") in ABBREVIATIONS or word.count(".") > 1)


def _np_after(after: str, offset: int) -> tuple[str, int] | None:
    """The phrase right after a verb, up to punctuation or a preposition ("said the official,")."""
    words = []
    for word in re.split(r"\s+", after[:120].lstrip()):
        bare = word.rstrip(",.;:!?\"”’")
        if not bare or bare.lower() in _NP_STOP:
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
    state.spoke_at.append((len(state.read) - 1, event.left))
    if _STATEMENT_RE.search(clause) and event.speaker.type != "anonymous":
        state.stated_by = event.speaker


# -- speakers -----------------------------------------------------------------------------


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
    if len(words) == 2 and lowered[0] == "the" and lowered[1] in ORG_WORDS:
        return _by_role(lowered[1], state) or _by_name_word(lowered[1], state)
    described = _description(words, lowered, state)
    clause = [i for i, w in enumerate(lowered) if w in CLAUSE_WORDS
              and not (w == "to" and i and lowered[i - 1] in TITLES)]  # "Ambassador to Israel"
    if described is not None or clause:
        return described
    return _named(words, state)


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
    if lowered[h] == "statement" and tail[:1] == ["by"] and len(tail) > 1:
        return _issuer_named(tail[1:], state)  # "a hand-written statement by Islamic Jihad ..."
    if any(w[:1].isupper() for w in tail) or len(tail) > 6:
        return None  # "Hamas spokesman Hazem Qassem" is a name, "... close to the talks" is not
    det = lowered[0] in DETERMINERS
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


# Roles that, bare, are a police force's in a story about the police ("officers announced
# on their radios"); "Israeli officers" or "a prison officer" carry their own affiliation.
POLICE_HEADS = {"officer", "officers", "dispatcher", "dispatchers"}
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
        words = [w for w in m.group("name").split() if w not in _LEAD_STOP]
        if words:
            forces.add(" ".join(words))
    return f"{forces.pop()} Police" if len(forces) == 1 else "Police"


_CONNECTORS = {"of", "for", "the", "and"}


def _issuer_named(words: list[str], state: _State) -> _Speaker | None:
    run: list[str] = []
    for w in words:  # "Islamic Jihad for the Liberation of Palestine"
        if not (w[:1].isupper() or (run and w in _CONNECTORS)):
            break
        run.append(w.rstrip(",.;:"))
    while run and run[-1] in _CONNECTORS:
        run.pop()
    if not run:
        return None
    name = " ".join(run)
    known = _exact_actor(run, state)
    return _Speaker(known, state.lexicon.actor_type(known)) if known else _Speaker(name, "organisation")


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
    gender = _GENDERED.get(word) if gender == "" else gender
    here = len(state.read) - 1
    mentions = _recent_mentions(state)
    spoken = [(at, sp) for at, sp in zip(state.spoke_at, state.speakers, strict=True)
              if at[0] >= here - _LOOKBACK]  # fmt: skip
    if state.verb in REPLY_VERBS and state.addressee and _fits(kind, state.addressee, gender, state):
        return _learn(state.addressee, gender, state)  # 'a reporter asked X, "..." ... she replied'
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
            if speaker.type in ("person", "unknown") and state.genders.get(speaker.name) == gender:
                return replace(speaker, type="person")
    return None


_GENDER_LOOKBACK = 8


_GENDERED = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
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
    known = speaker.type == "unknown" and typed not in (None, "unknown")
    return replace(speaker, type=typed) if known else speaker


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
_SUBJECT_LEAD = re.compile(r"\W*(?:[\w’'-]+(?:\s+[\w’'-]+){0,6},\s+){0,2}(?:(?:And|But|So|Then|Now)\s+)?$")
_NOT_NAMES = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
              "January", "February", "March", "April", "June", "July", "August", "September",
              "October", "November", "December", *PLATFORMS}  # fmt: skip


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
    while words and (words[0] in _OPENERS or words[0].lower().replace("’", "'") in GENERIC):
        words = words[1:]  # "When Afghan President Ashraf Ghani ...": the name, not "When"
    if not words:
        return None
    known = _exact_actor(words, state)
    if known:
        return _Speaker(known, state.lexicon.actor_type(known))
    if words[0].lower() == "the" or any(w in _NOT_NAMES or w.lower() in _NOT_NAME_WORDS
                                        or (len(w) == 1 and w != "I") for w in words):
        return None  # "the Yom Kippur War", "Twitter Tuesday", "Q Was"
    titled = text[max(0, at - 5) : at].split()[-1:]
    cut = [i for i, w in enumerate(words) if w.lower() in TITLES]
    words = [w.rstrip(".") if len(w) > 2 else w for w in words[cut[-1] + 1 if cut else 0 :]]
    words = [w for w in words if w not in _LEAD_STOP]
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
        w in _NOT_NAMES or w.lower() in ORG_WORDS | _NOT_NAME_WORDS for w in words)


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


_NOT_NAME_WORDS = CLAUSE_WORDS | LEADING_SKIP | DETERMINERS | set(PRONOUNS) | {"i"} | GENERIC
_TITLE_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "lady": "f"}


def _note_gender(speaker: _Speaker, text: str, m: re.Match[str], nxt: int, state) -> None:
    if not speaker.name or speaker.name in state.genders:
        return
    if state.standfirst and state.standfirst.startswith(text):
        return  # a headline names by title: in "Governor says X ..., but he called" he is no X
    before = text[max(0, m.start() - 5) : m.start()].split()[-1:]
    title = _TITLE_GENDER.get(before[0].lower().rstrip(".")) if before else None
    pronoun = _PRONOUN_RE.search(text, m.end(), min(nxt, m.end() + 200))
    if title or pronoun:
        word = pronoun.group(0).lower() if pronoun else ""
        state.genders[speaker.name] = title or ("f" if word.startswith(("she", "her")) else "m")


def _named(words: list[str], state: _State) -> _Speaker | None:
    """A written name without its titles: "Far-right police minister Itamar Ben-Gvir"."""
    run = _trailing_name_run(words)
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
    if name_words and name_words[0] in {"of", "for"}:  # "U.N. Commissioner for Human Rights"
        return _Speaker(" ".join(run[1:] if run[0].lower() == "the" else run), "person")
    # "White House Press Secretary Stephanie Grisham" is a person; "the State Department" is not.
    if any(w.lower() in ORG_WORDS for w in name_words or run):
        name = " ".join(run[1:] if run[0].lower() == "the" else run)
        return _Speaker(name, "organisation")
    if not name_words or name_words[0].lower() in {"the", *PRONOUNS}:  # "because I said"
        return None
    name = _full_name(" ".join(name_words), state)
    known = _exact_actor(name.split(), state) or state.lexicon.resolve(name, state.date)
    if known and (state.lexicon.actor_type(known) == "person" or _exact_actor(name.split(), state)):
        return _Speaker(known, state.lexicon.actor_type(known), _roles(words, name_words))
    return _Speaker(name, "person", _roles(words, name_words))


ROYAL_TITLES = {"king", "queen", "emir", "sultan", "prince", "princess", "pope"}
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
                run and word.lower() in PARTICLES | {"of", "for"}):
            run.insert(0, word)  # "Medical Aid for Palestinians"
        else:
            break
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


def _longest_name(name: str, state: _State) -> str:
    # "Gallant" after "Yoav Gallant": the surname points back to the full name.
    if " " in name and name.split()[0].lower() not in PARTICLES:
        return name  # a full name already; "Van Den Hoek" may still have a first name before it
    for speaker in reversed(state.speakers):
        if speaker.name and speaker.name.endswith(f" {name}") and speaker.type == "person":
            return speaker.name
    introduced = _introduced_name(name, state)
    return introduced if introduced != name else _account_name(name, state)


def _account_name(name: str, state: _State) -> str:
    """ "Tottenham said" under a post credited "— Tottenham Hotspur (@SpursOfficial)": a short
    form (first or last words) of the name an account posts under is that name."""
    for account in state.accounts:
        words = account.split()
        if len(words) > 1 and name in (words[0], words[-1]):
            return account
    return name


_LEAD_STOP = {"The", "A", "An", "In", "On", "At", "But", "And", "When", "As", "After", "Former",
              "Then", "While", "Said", "Says", "If", "Of", "For", "By", "To", "With", "From",
              "That", "This", "Last", "Earlier", "Later", "Meanwhile", "However", "Both"}  # fmt: skip
_OPENERS = (_LEAD_STOP - {"The", "A", "An"}) | {"What", "Who", "Why", "How", "Where", "When"}


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
        titled = [i for i, w in enumerate(words) if w.lower() in TITLES or _is_role_code(w)]
        words = words[titled[-1] + 1 :] if titled else words
        words = [w for w in words[-3:] if w not in _LEAD_STOP and not w.endswith(("’s", "'s"))]
        while words and (words[0] in _LEAD_STOP or words[0].lower() in ORG_WORDS):
            words.pop(0)
        if words and words[0][:1].isupper():
            tail = m.group(0)[m.group(0).rindex(name) + len(name) :].replace(",", "")
            return " ".join([*words, name]) + tail
    return None


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


# -- quotes -------------------------------------------------------------------------------


def _attribute(text, spans, bounds, events, state) -> list[Quote]:
    """Kept quotations of one paragraph, each with the attribution that fits it."""
    quotes: list[Quote] = []
    state.first_attributed = False
    for k, span in enumerate(spans):
        event = _event_for(text, span, bounds, events) or _colon_event(text, span, bounds, state)
        following = spans[k + 1] if k + 1 < len(spans) else None
        if _is_fragment(text, span, event, following) or _is_headline(text, span):
            continue
        if state.standfirst and text[span.start - 1] in "‘'":
            continue  # headline style: 'Governor says ... he called on her ‘because ...’'

        if event is None:  # 'Witkoff said X. "Quote."': the paragraph's last attribution
            event = next((e for e in reversed(events)
                          if e.right < span.start and e.speaker.name), None)
        if event is None and _QUOTE_CUE_RE.search(text, max(0, span.start - 40), span.start):
            event = _cued_event(text, span, bounds, state)  # "Continuing to quote, “...”"
        words_of = None if event else _WORDS_OF_RE.search(text, max(0, span.start - 90), span.start)
        if words_of:  # "in the words of the Israeli proposal, “...”"
            event = _words_of_event(words_of, state)
        quote = _quote(text, span, event, quotes, state)
        if quote is None:
            continue
        if not quotes:
            state.first_attributed = event is not None
        quotes.append(quote)
    return quotes


def _is_fragment(text: str, span: _Span, event: _Event | None, following: _Span | None) -> bool:
    # Under 3 words is a scare quote or a title, unless it is a whole utterance attributed as
    # speech: '"No," he said' / 'He replied: "No."' / the first half of a split quote. Terms
    # someone "called" something ('called it a, quote, "large-scale provocation."') and words
    # that run on into the sentence ('Reagan replied, "No," smiled') stay fragments.
    words = text[span.start : span.end]
    if _word_count(words) >= MIN_WORDS:
        return False
    if event is None or event.verb in _NAMING_VERBS or words.rstrip()[-1:] not in _UTTERANCE_END:
        return True
    if _NAMING_RE.search(text, max(0, span.start - 60), span.start - 1):
        return True  # 'called Velázquez's about-face “heartbreaking,” according to ...'
    if span.end < event.left:  # '"No," he said' and '"We will," he said, "never accept it."'
        return False
    rest = text[span.end + 1 : span.end + 3]
    return not (rest.strip() == "" or rest[:1] in ")" or rest.lstrip()[:1] in _MARK_CHARS)


_NAMING_VERBS = {"called", "described", "quoted"}
_NAMING_RE = re.compile(r"\b(?:called|calls|call|calling|described|describes)\b[^.;:!?\"“”]*$")
_UTTERANCE_END = {",", ".", "?", "!"}


def _reads_as_headline(text: str) -> bool:
    # A standfirst set as a headline has no sentence ending, and its single marks are the
    # headline convention for paraphrase as much as for quotation.
    bare = text.rstrip().rstrip("\"”’' ")
    return bool(bare) and bare[-1] not in ".!?…:;"


def _is_headline(text: str, span: _Span) -> bool:
    # "'Meth. We're On It.': South Dakota spends ...": a quoted headline before a colon.
    return span.start <= 1 and text[span.end + 1 : span.end + 2] == ":"


_QUOTE_CUE_RE = re.compile(r"\b(?:[Qq]uote|[Qq]uoting)(?: from [\w ’']{1,30})?[,:]?\s*[\"“‘']?$")


_WORDS_OF_RE = re.compile(r"\bin the words of (?P<who>[^,;:“”\"]{2,80}),?\s*[\"“‘']$")


def _words_of_event(m: re.Match[str], state: _State) -> _Event | None:
    who = m.group("who").strip()
    speaker = _parse_speaker(who, state)
    if speaker is None:
        found = state.lexicon.find_actors(who, state.date)
        speaker = _Speaker(found[0], state.lexicon.actor_type(found[0])) if found else None
    if speaker is None:
        return None
    return _Event(m.start(), m.end() - 1, "said", speaker, None)


def _cued_event(text: str, span: _Span, bounds: list[int], state: _State) -> _Event | None:
    """ "by Mr. Smotrich — ... impose, quote, “a surrender agreement”": the first person named
    in the sentence, else the speaker of the quote before (a speech goes on quoting a report)."""
    sent_start = bounds[bisect_right(bounds, span.start - 1) - 1]
    named = [replace(sp, type="person") for _, sp, _ in _mentions(text[sent_start : span.start], state)
             if sp.type in ("person", "unknown")]  # fmt: skip
    speaker = named[0] if named else None
    if speaker is None and state.last is not None and state.last.speaker:
        last = state.last
        speaker = _Speaker(last.speaker, last.speaker_type)
    if speaker is None:
        return None
    return _Event(sent_start, span.start - 1, "quoted", speaker, None)


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
    """ "[Canadian Prime Minister Mark Carney](https://x.com/...): “...”": a label, no verb.

    The label may be restated as the subject before the mark: "[Palestinian Authority](...):
    The Palestinian Authority “welcomes ...”".
    """
    if state.transcript:
        return None
    sent_start = bounds[bisect_right(bounds, span.start - 1) - 1]
    lead = _LINK_RE.sub(lambda m: m.group("label"), text[sent_start : span.start - 1])
    label, colon, rest = lead.rpartition(":")
    label = label.strip()
    if not colon or not label or _word_count(label) > 12 or _word_count(rest) > 8:
        return None
    speaker = _parse_speaker(label, state)
    if speaker is None or speaker.name is None:
        return None
    if rest.strip() and getattr(_parse_speaker(rest.strip(), state), "name", None) != speaker.name:
        return None
    link = _LINK_RE.search(text, sent_start, span.start)
    words = text[span.start : span.end]
    if link and (_names_in_third_person(words, speaker) or _REPORTED_RE.search(words)):
        url = link.group("url")
        speaker = _link_publisher(url, state) or _link_account(url, state) or speaker
    return _Event(sent_start, span.start - 1, "stated", speaker, None)


# "[China](https://english.news.cn/...): “China welcomes ..., foreign ministry spokesperson Guo
# Jiakun said on Tuesday.”": words that carry their own attribution are a report's prose.
_REPORTED_RE = re.compile(r",\s+(?:[\w’'.-]+\s+){1,6}?(?:said|says|told|added|stated)\b[^,]{0,40}$")


def _names_in_third_person(words: str, speaker: _Speaker) -> bool:
    # "[Kazakh President Kassym-Jomart Tokayev](aljazeera.com/...): “President Kassym-Jomart
    # Tokayev’s press secretary ... cited him”": a person named in the words is not their author.
    surname = (speaker.name or "").split()[-1:]
    return speaker.type == "person" and bool(surname) and re.search(
        rf"\b{re.escape(surname[0])}\b", words) is not None


def _link_publisher(url: str, state: _State) -> _Speaker | None:
    """The outlet whose site a link points to ("https://english.news.cn/..." is Xinhua)."""
    name = state.lexicon.outlet_at(urlsplit(url).hostname or "")
    return _Speaker(name, "organisation") if name else None


_SOCIAL_HOSTS = {"x.com", "twitter.com", "www.x.com", "www.twitter.com", "mobile.twitter.com"}


def _link_account(url: str, state: _State) -> _Speaker | None:
    """The known owner of the account a post link comes from ("https://x.com/LBpresidency/...")."""
    parts = urlsplit(url)
    handle = parts.path.strip("/").split("/")[0]
    owner = state.lexicon.account_owner(handle) if parts.hostname in _SOCIAL_HOSTS else None
    return _Speaker(owner, state.lexicon.actor_type(owner)) if owner else None


# -- the document's own voice ------------------------------------------------------------

_FIRST_PERSON_TITLE = re.compile(
    r"^(?:Remarks|Statement|Speech|Address|Op-Ed|Letter|Message|Readout|Interview)\b[^|:]*?"
    r"\b(?:by|from|of)\s+(?P<who>[^|:]+)")


def _title_speaker(title: str | None, state: _State) -> _Speaker | None:
    """ "Remarks by President Biden on ..." -> Joe Biden, who is the "I" of the text."""
    m = _FIRST_PERSON_TITLE.match(title or "")
    if m is None:
        return None
    people = [n for n in state.lexicon.find_actors(m.group("who")[:80], state.date)
              if state.lexicon.actor_type(n) == "person"]
    return _Speaker(people[0], "person") if people else None


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
