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

from collections.abc import Sequence
from dataclasses import replace

from indexer.lexicon import Lexicon, default_lexicon
from indexer.models import Quote
from indexer.paragraphs import POST_CREDIT
from indexer.quotes.attribution import _find_events
from indexer.quotes.grouping import _NAMED_AS_RE, MIN_WORDS, _attribute, _is_headline
from indexer.quotes.marks import (
    _MARK_CHARS,
    _find_spans,
    _mask,
    _reads_as_headline,
    _sentence_bounds,
    _word_count,
)
from indexer.quotes.reported import reported_quotes
from indexer.quotes.speakers import later_full_name
from indexer.quotes.state import _State
from indexer.quotes.transcripts import (
    _LABEL_RE,
    _Q_RE,
    _is_transcript,
    _title_speaker,
    _turn_quotes,
)

STRAY_WORDS = 6  # a line this short without a sentence ending is a caption or a crosshead


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
    return _named_in_full(results, paragraphs)


def _named_in_full(results: list[tuple[Quote, ...]],
                   paragraphs: Sequence[str]) -> list[tuple[Quote, ...]]:
    """A person quoted by first name before the article gives the full name ("her mother,
    Fiona, said" ... "Fiona Parry issued a plea"): the one full name it begins, anywhere."""
    short = {q.speaker for qs in results for q in qs
             if q.speaker and q.speaker_type == "person" and " " not in q.speaker}
    full = {name: found for name in short if (found := later_full_name(name, paragraphs))}
    if not full:
        return results
    return [tuple(replace(q, speaker=full[q.speaker]) if q.speaker in full else q for q in qs)
            for qs in results]


def _paragraph_quotes(text: str, state: _State) -> tuple[Quote, ...]:
    turns = _turn_quotes(text, state) if state.transcript else ()
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
        state.said = next((e for e in reversed(events) if e.speaker.name), None)
        state.run_on = bool(direct) and direct[-1].end == spans[-1].end and not spans[-1].closed
    reported = [] if state.transcript else reported_quotes(text, masked, bounds, events, spans,
                                                          state)
    found = sorted([*direct, *reported, *_quoted_in_reported(text, spans, direct, reported)],
                   key=lambda q: q.start)
    return (*turns, *found)


def _quoted_in_reported(text: str, spans, direct: list[Quote],
                        reported: list[Quote]) -> list[Quote]:
    """Words quoted inside reported speech that no attribution of their own claimed ('saying
    they “stemmed from the urgency”'): a partial quotation of the reported speaker."""
    taken = {q.start for q in direct}
    found = []
    for span in spans:
        words = text[span.start : span.end]
        if span.start in taken or _word_count(words) < MIN_WORDS or _is_headline(text, span):
            continue
        if _NAMED_AS_RE.search(text, max(0, span.start - 12), span.start):
            continue
        outer = next((r for r in reported if r.start <= span.start and span.end <= r.end), None)
        if outer is not None:
            found.append(replace(outer, text=words, start=span.start, end=span.end,
                                 kind="partial"))
    return found


def _give_speaker(results: list[tuple[Quote, ...]], quotes: tuple[Quote, ...]) -> None:
    # A quote left open at a paragraph end is spoken by whoever its next part is attributed to.
    direct = [q for q in quotes if q.kind in MARKED_KINDS]
    k = next((k for k in reversed(range(len(results)))
              if any(q.kind in MARKED_KINDS for q in results[k])), None)  # past stray lines
    if k is None or not direct or direct[0].start > 1:
        return
    at = max(i for i, q in enumerate(results[k]) if q.kind in MARKED_KINDS)
    prev, first = results[k][at], direct[0]
    fixed = replace(prev, speaker=first.speaker, verb=first.verb, via=first.via,
                    speaker_type=first.speaker_type)  # fmt: skip
    results[k] = (*results[k][:at], fixed, *results[k][at + 1 :])


MARKED_KINDS = ("direct", "partial")  # words inside quotation marks
# What `quote:` searches: the quoted person's own words. Reported speech is the writer's
# paraphrase, so its words stay in the paragraph text only.
QUOTE_FIELD_KINDS = ("direct", "partial", "turn")


def quote_words(quotes: Sequence[Quote]) -> str:
    """The text of a paragraph's `quote` field: its quotations in marks and transcript turns."""
    return " … ".join(q.text for q in quotes if q.kind in QUOTE_FIELD_KINDS)


def _is_stray_line(text: str) -> bool:
    # "Club statement" (an embedded post's caption) between two parts of a quote: a short line
    # with no sentence in it does not end the quote left open before it.
    return bool(POST_CREDIT.match(text)) or (
        _word_count(text) <= STRAY_WORDS and _reads_as_headline(text)
        and not _MARK_CHARS.intersection(text))
