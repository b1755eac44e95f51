"""Reported (indirect) speech: what an attribution clause says someone said, without marks.

Three shapes, found from the attribution clauses the direct-quote stage already read (so a
reported quotation has the same speaker, verb and via as a direct one would):

* the content follows the verb: "X said (on Monday) (that) CONTENT", "X told Reuters CONTENT";
* the content comes first: "CONTENT, X said (on Monday)." / "CONTENT, said X.";
* "According to X, CONTENT." and "CONTENT, according to X."

The span is the content clause, without "that" and the final full stop; quoted words inside
it stay in it (`X said the deal was "dead on arrival"` is reported speech holding a partial
quotation, which the direct stage gives separately). The clause ends where the next
attribution of the sentence starts ("... and added that ...").
"""

from __future__ import annotations

import re
from bisect import bisect_right

from indexer.models import Quote
from indexer.quotes.marks import _word_count
from indexer.quotes.speakers import _parse_speaker
from indexer.quotes.state import _NAME_WORD, _Event, _Span, _State
from indexer.quotes.vocab import (
    LEAD_STOP,
    PARTICIPLES,
    REPORTING_VERBS,
    TELL_VERBS,
    THAT_VERBS,
)

MIN_CONTENT_WORDS = 3

# "said on Monday that", "told reporters in Geneva that": an adjunct then "that".
_THAT_RE = re.compile(r"[^,.;:!?_]{0,70}?\bthat\s+")
# What may stand between a verb and its content: a time, a setting, a medium.
_ADJUNCT_RE = re.compile(
    r"(?:\s*,?\s*(?:(?:on|late|early|last|this|earlier|later)\s+)?"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tonight|"
    r"week|month|year|morning|afternoon|evening|night)\b"
    r"|\s*,?\s*(?:in|on|during|at|via|through)\s+(?:a|an|the|his|her|its|their)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:statement|interview|post|letter|call|conference|briefing|"
    r"speech|report|release|filing|email|e-mail|tweet|message|note|video|broadcast|"
    r"appearance|address|op-ed|column|blog|update|meeting)\b"
    r"|\s*,?\s*(?:on|via)\s+(?:X|Twitter|Facebook|Instagram|Telegram|TikTok|television|radio)\b)*")
# The object of "told": whom the words were said to.
_TOLD_OBJECT_RE = re.compile(
    r"\s+(?:reporters|journalists|lawmakers|investors|analysts|viewers|listeners|supporters|"
    r"him|her|them|us|me|(?:the|a|an|his|her|its|their)\s+(?:[\w’'-]+\s+){0,3}?[\w’'-]+?(?=\s+(?:that\s|[a-z]))|"
    r"[A-Z][\w.&’'-]*(?:\s+[A-Z][\w.&’'-]*){0,4})")
# Words a content clause does not start with: it would be a prepositional phrase or a clause
# the verb only introduces ("said of the deal", "said as he left").
_NOT_CONTENT_START = {
    "of", "in", "on", "at", "for", "to", "with", "about", "after", "before", "during", "from",
    "by", "as", "while", "when", "and", "but", "or", "so", "than", "then", "into", "over",
    "without", "under", "via", "through", "repeatedly", "again", "also", "later", "earlier",
    "afterwards", "yes", "no", "more", "goodbye", "hello", "thank",
    "nothing", "something", "little", "much", "otherwise", "publicly", "privately", "off",
    "up", "down", "out", "back", "away", "around", "along", "aloud",
}  # fmt: skip
# A later attribution that starts a clause of its own ("..., but added ...", "... and said
# ...", "..., he said") ends the content; one inside it ("said that Yoon ordered ...") does not.
_JOINED_RE = re.compile(r"(?:[,;]|\band|\bbut|\bwhile)\s*(?:[Hh]e\s+|[Ss]he\s+|[Tt]hey\s+|it\s+)?$")
_TAIL_WORDS = ("and", "but", "or", "while", "adding", "saying", "noting")
_TAIL_PUNCT = " \t\n\u00a0,;:—–-"
_LEAD_RE = re.compile(r"^[\s,;:—–-]+")


def reported_quotes(text: str, masked: str, bounds: list[int], events: list[_Event],
                    spans: list[_Span], state: _State) -> list[Quote]:
    """Reported speech in one paragraph, one Quote of kind "reported" per attribution."""
    found = _by_attribution(text, masked, bounds, events)
    for quote in _by_participle(text, masked, bounds, events, state):
        if not any(q.start < quote.end and quote.start < q.end for q in found):
            found.append(quote)
    return sorted(found, key=lambda q: q.start)


# ", saying (that) ...", "Noting that ..., X said": the participle's subject is the clause's.
_PARTICIPLE_RE = re.compile(
    r"(?P<lead>,\s+(?:also\s+|then\s+)?|^\s*)(?P<p>" + "|".join(PARTICIPLES) + "|"
    + "|".join(p.capitalize() for p in PARTICIPLES) + r")\s+(?:(?:in|on)\s+(?:a|an|the)\s+"
    r"[\w-]+\s+)?(?P<that>that\s+)?")
# The sentence's subject: a pronoun or a phrase ending in a name, then a finite verb.
_CLAUSE_SUBJECT_RE = re.compile(
    rf"\s*(?:[\w’'-]+(?:\s+[\w’'-]+){{0,8}},\s+)?(?P<np>[Hh]e|[Ss]he|[Tt]hey|[Ii]t|"
    rf"(?:[\w’'.-]+\s+){{0,6}}?{_NAME_WORD})\s+(?:also\s+|then\s+|later\s+)?"
    r"(?:[a-z]+(?:ed|s)|has|had|was|is)\b")


def _by_participle(text: str, masked: str, bounds: list[int], events: list[_Event],
                   state: _State) -> list[Quote]:
    found: list[Quote] = []
    for start in bounds:
        end = next((b for b in bounds if b > start), len(masked))
        for m in _PARTICIPLE_RE.finditer(masked, start, end):
            if m.group("lead").strip() == "" and m.start("p") != start + len(m.group("lead")):
                continue
            verb = PARTICIPLES[m.group("p").lower()]
            first = masked[m.end() : m.end() + 30].split()[:1]
            if not first or first[0].lower() in _NOT_CONTENT_START or first[0][:1] in "_“\"":
                continue  # "adding to a mounting series": no speech
            if m.group("lead").strip():  # "X did Y, saying ...": to the sentence end
                span = _trimmed(masked, m.end(), end)
                speaker = _clause_speaker(masked, start, m.start(), events, state)
            else:  # "Noting that ..., X said": up to the comma before the attribution
                if not m.group("that"):
                    continue
                after = [e for e in events if m.end() < e.left < end and e.speaker.name]
                comma = masked.rfind(",", m.end(), after[0].left) if after else -1
                span = _trimmed(masked, m.end(), comma) if comma > 0 else None
                speaker = after[0] if after else None
            if span is None or speaker is None or speaker.speaker.name is None:
                continue
            sp = speaker.speaker
            found.append(Quote(text[span[0] : span[1]], sp.name, span[0], span[1], verb,
                               speaker.via, sp.type, "reported"))
    return found


def _clause_speaker(masked: str, start: int, at: int, events: list[_Event],
                    state: _State) -> _Event | None:
    """Whose participle it is: the attribution before it in the sentence, else the subject."""
    before = [e for e in events if start <= e.left and e.right <= at and e.speaker.name]
    if before:
        return before[-1]
    m = _CLAUSE_SUBJECT_RE.match(masked, start, at)
    if m is None or m.group("np").split()[0] in LEAD_STOP - {"The"}:
        return None
    state.now, state.cursor = masked, m.start("np")
    speaker = _parse_speaker(m.group("np"), state)
    if speaker is None or speaker.name is None:
        return None
    return _Event(m.start("np"), m.end("np"), "said", speaker, None)


def _by_attribution(text: str, masked: str, bounds: list[int],
                    events: list[_Event]) -> list[Quote]:
    found: list[Quote] = []
    for k, event in enumerate(events):
        if event.speaker.name is None or event.verb not in REPORTING_VERBS:
            continue
        sent_start = bounds[bisect_right(bounds, event.left) - 1]
        sent_end = next((b for b in bounds if b > event.right), len(masked))
        starts = [e.verb_span[0] if e.verb_span[0] > e.left else e.left for e in events[k + 1 :]]
        later = [at for at in starts
                 if event.right < at < sent_end and _JOINED_RE.search(masked, 0, at)]
        stop = later[0] if later else sent_end
        spans: list[tuple[int, int] | None] = [*_parenthetical(masked, event, sent_start, stop)]
        spans = spans or [_content(masked, event, sent_start, sent_end, stop)]
        for span in spans:
            if span is None or any(q.start < span[1] and span[0] < q.end for q in found):
                continue
            start, end = span
            sp = event.speaker
            found.append(Quote(text[start:end], sp.name, start, end, event.verb, event.via,
                               sp.type, "reported"))
    return found


def _content(masked: str, event: _Event, sent_start: int, sent_end: int,
             stop: int) -> tuple[int, int] | None:
    verb_start, verb_end = event.verb_span
    if event.verb == "according to":
        if masked[sent_start : event.left].strip() == "":
            comma = masked.find(",", event.right, sent_end)
            return _trimmed(masked, comma + 1, sent_end) if comma > 0 else None
        return _before(masked, event, sent_start)
    if verb_start < 0:
        return None
    if verb_start <= event.left:  # "..., said the official." / "said X" in mid-sentence
        if _COORDINATED_RE.search(masked, sent_start, event.left):
            return _after(masked, event, verb_end, min(sent_end, stop))  # "... and said he saw"
        return _before(masked, event, sent_start)
    if _ends_sentence(masked, event, sent_end):
        return _before(masked, event, sent_start)  # "CONTENT, X said on Monday."
    return _after(masked, event, verb_end, min(sent_end, stop))


# A verb sharing the sentence's subject: "Lyng called it nonsense and said ...", "X, speaking
# at a reception, also said ...".
_COORDINATED_RE = re.compile(
    r"(?:\b(?:and|but)(?:\s+(?:also|then|later))?|,\s+(?:also|then|later))\s*$")


def _parenthetical(masked: str, event: _Event, sent_start: int,
                   sent_end: int) -> list[tuple[int, int]]:
    """ "CONTENT, officials said, CONTENT.": the attribution set in commas inside the report;
    both sides are its content (each kept when it is long enough to say something)."""
    verb_start, verb_end = event.verb_span
    if event.verb == "according to" or verb_start <= event.left:
        return []  # "..., says John Roe, a fund manager": what follows describes the speaker
    head = masked[sent_start : event.left].rstrip()
    tail_at = _past_adjuncts(masked, max(verb_end, event.right), sent_end)
    tail = masked[tail_at:sent_end]
    if not head.endswith(",") or not tail.lstrip().startswith(",") or "_" in head[-3:]:
        return []
    if not head[:-1].strip() or _VERB_IN_HEAD_RE.search(head):
        return []
    after = tail.lstrip(" ,").split(maxsplit=1)[:1]
    if not after or after[0][:1] in "_“\"‘'":
        return []  # '..., X said, "..."': the verb introduces a quotation
    spans = [_trimmed(masked, sent_start, sent_start + len(head) - 1)]
    if after[0].lower() not in _WRITER_GOES_ON and not after[0].endswith("ing"):
        spans.append(_trimmed(masked, tail_at + tail.index(",") + 1, sent_end))
    return [span for span in spans if span is not None]


# After "CONTENT, authorities said," these start the writer's own clause ("and meetings were
# set up ...", "listing measurements ..."), not more of the report.
_WRITER_GOES_ON = {"and", "but", "or", "while", "although", "though", "as", "which", "who",
                   "whereas", "because", "so"}


def _after(masked: str, event: _Event, at: int, end: int) -> tuple[int, int] | None:
    """The content that follows "X said ...", "X told Reuters ..."."""
    that = _THAT_RE.match(masked, at, end)
    if that is not None:
        return _trimmed(masked, that.end(), end)
    if event.verb in THAT_VERBS:
        return None  # "announced a new solution", "reiterated its commitment": an object
    if event.verb in TELL_VERBS:
        told = _TOLD_OBJECT_RE.match(masked, at, end)
        if told is None:
            return None
        at = told.end()
    at = _past_adjuncts(masked, at, end)
    rest = masked[at:end]
    if not rest.startswith((" ", "\u00a0")) or rest.lstrip()[:1] in {"", "_", ",", ":", "“", '"'}:
        return None  # '"...," he said.' / 'he said: "..."': a direct quotation, not reported
    first = rest.split(maxsplit=1)[0].lower()
    if first in _NOT_CONTENT_START or first.endswith("ly"):
        return None
    return _trimmed(masked, at, end)


def _before(masked: str, event: _Event, sent_start: int) -> tuple[int, int] | None:
    """The content before a closing attribution: "CONTENT, X said." / "CONTENT, said X."."""
    head = masked[sent_start : event.left].rstrip()
    if head.endswith((',"', ",”", ",’", '_"', "_”", "_’")):
        end = sent_start + len(head)  # 'CONTENT "ending in a quote," he said': mark kept
    elif head.endswith(","):
        end = sent_start + len(head) - 1
    else:
        return None
    span = _trimmed(masked, sent_start, end)
    if span is None:
        return None
    content = masked[span[0] : span[1]]
    if _VERB_IN_HEAD_RE.search(content):
        return None  # '“...,” said X, adviser to Y, told Observer': attributed already
    lead = _LEADING_QUOTE_RE.match(content)
    rest = content[lead.end() :] if lead else content
    if _word_count(re.sub(r"_+[.!?]?", " ", rest)) < (3 if lead else 2):
        return None  # '"We will appeal," the company said.': the words are all quoted
    return span


_LEADING_QUOTE_RE = re.compile(r"\s*[“\"‘']_+[.!?]?[”\"’']?")
_VERB_IN_HEAD_RE = re.compile(r"[”\"’'],?\s+(?:said|says|told|added)\b")


def _past_adjuncts(text: str, at: int, end: int) -> int:
    m = _ADJUNCT_RE.match(text, at, end)  # matches at least the empty string
    return m.end() if m else at


def _ends_sentence(masked: str, event: _Event, sent_end: int) -> bool:
    # Only a time, a setting or an outlet after the attribution ("X said on Monday.", "...,
    # Y told a local radio station.").
    rest = masked[event.right : sent_end]
    if "_" in rest:
        return False  # 'he said "every president ..."': the verb introduces a quotation
    rest = rest[_past_adjuncts(rest, 0, len(rest)) :].strip(" .!?\"”’'_\n")
    if event.verb in TELL_VERBS:
        return len(rest.split()) <= 6 and not re.search(r",|\bthat\b", rest)
    return not rest


def _strip_tail(chunk: str) -> str:
    # ", and" / " but" / ", adding" left where the next attribution was cut off.
    while True:
        bare = chunk.rstrip(_TAIL_PUNCT)
        word = bare.rsplit(None, 1)[-1] if bare else ""
        if word in _TAIL_WORDS and len(bare) > len(word):
            bare = bare[: -len(word)]
        if bare == chunk:
            return chunk
        chunk = bare


def _trimmed(masked: str, start: int, end: int) -> tuple[int, int] | None:
    """The span less leading punctuation, a trailing connective and the final stop."""
    lead = _LEAD_RE.match(masked, start, end)
    start = lead.end() if lead else start
    while start < end and masked[start].isspace():
        start += 1
    chunk = masked[start:end].rstrip()
    chunk = _strip_tail(chunk)
    if chunk.endswith((".", "!")) and not chunk.endswith("_."):
        chunk = chunk[:-1]
    end = start + len(chunk)
    if _word_count(re.sub(r"_+", " q ", masked[start:end])) < MIN_CONTENT_WORDS:
        return None
    return start, end
