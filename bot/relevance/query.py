"""What a question asks about, as weighted terms and the terms a passage cannot do without.

Built once per question from its tokens and a few facts about the sources (which terms they use,
which they write as names, which numbers they hold). Rules, all of English rather than of a topic:

- words that only frame the claim (`bot.relevance.framing`) are left out: "last week" vetoes
  nothing;
- each remaining word weighs its IDF; an adjective or adverb and nothing else (*biggest*) weighs
  half, since it qualifies what the question is about rather than naming it;
- names the sources know (words they write capitalised; not acronyms, which a source may spell
  out; consecutive ones are one name, met by any part) must be in the passage or the sentences
  around it, at least 40% of their weight:
  "Toyota bought Tesla" is not answered by a passage about Tesla alone;
- a place or people the sources write in the other form (*France* asked, *French* written;
  `bot.english.demonyms`) is asked as they write it;
- a name no source knows (capitalised, or no English dictionary word: *Bitcoin*, *iPhone*)
  weighs like any word no source uses, the most, and the no_match message names it; it also
  counts among the names a passage must hold (never met) when written capitalised and not as
  an acronym;
- a predicate of availability (*ban*, *buy*, *pull*…, `bot.english.frames`) is met by any word of
  its frame (*pull* by *cease*), and the passage itself must hold one: *Toyota* next to *Tesla* is
  not a purchase;
- a year or a written ordinal that qualifies a common noun ("the 2012 race", "the 5th season";
  not "14th Street", a name; not "1378 EVs", a count of a plural) must be in the passage itself: a
  question about one edition is not answered by another's;
- a year after *in*/*during* in a question that asks for an amount is the time of the figure
  ("how many were sold in 2021?"): the passage or its neighbours must give it (not a bound
  such as "before 1920" or "as of 2023", which no source need write);
- an aspectual verb or idiom beside a noun naming the event ("when did *the ban* start?",
  "…come into force?", "…take effect?") weighs 0.3: the sources date the ban, not its start;
- the noun after *which*/*what* names the kind of answer asked for ("which city", "what
  hashtag"): a source writes the answer, seldom its kind, so it weighs 0.3;
- "how many/much" is answered by a figure: the passage or its neighbours must give one;
- "how + adjective" asks for a measure: *how long* looks for *length* too (a table's column);
- sentences before the question itself only set the scene: their words weigh less and
  require nothing; in a yes/no question or a claim, a figure or date is the value asserted and
  weighs half, since the source that disagrees gives another;
- a number marked approximate ("about 1,400") is met by one within 10% (1,378);
- an acronym a source defines ("Full Self-Driving (FSD)", `bot.index.acronyms`) and its phrase meet
  each other;
- of two words joined by *or*, either answers ("Did Japan or China ban Tesla?").
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.english.chat import standard_word
from bot.english.frames import PREDICATE_FRAMES
from bot.english.function_words import WH_DETERMINERS
from bot.english.numbers import ASKED_APPROXIMATORS as APPROXIMATORS
from bot.english.time import MONTHS
from bot.english.wordforms import is_modifier
from bot.passages.tokens import is_kana_bigram, tokenize
from bot.relevance.framing import framing_positions, message_framing
from bot.relevance.kind import Asked, asked_by
from bot.relevance.reading import (
    ANSWER_KIND_WEIGHT,
    MODIFIER_WEIGHT,
    PREAMBLE_WEIGHT,
    VALUE_WEIGHT,
    Query,
    Reading,
    SourceFacts,
    Word,
)
from bot.relevance.rules import QUESTION_RULES, TOKEN_RULES, framing_word, possessive_owner
from bot.relevance.words import (
    MAGNITUDES,
    NUMBER,
    POSSESSOR,
    YEAR,
    capitalised_name,
    is_name,
    japanese_words,
    may_be_noun,
    split_preamble,
    surface_words,
    written_demonym,
)
from bot.retrieval import analyze, term_of


def date_terms(vocabulary: Iterable[str]) -> frozenset[str]:
    """The terms of `vocabulary` that are years or month names."""
    months = {term_of(month) for month in MONTHS}
    return frozenset(t for t in vocabulary if YEAR.match(t) or t in months)


def figure_terms(numbers: Iterable[str]) -> frozenset[str]:
    """Number terms with the words for magnitudes ("billions"): what gives a figure."""
    return frozenset(numbers) | MAGNITUDES


def names_by_prefix(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name in names:
        index.setdefault(name[:4], []).append(name)
    return {prefix: tuple(group) for prefix, group in index.items()}


def predicate_frames() -> dict[str, frozenset[str]]:
    """Analysed term -> the analysed terms of every `PREDICATE_FRAMES` frame it belongs to."""
    frames = [
        frozenset(term for word in words for term in analyze(word))
        for words in PREDICATE_FRAMES.values()
    ]
    own: dict[str, frozenset[str]] = {}
    for frame in frames:
        for term in frame:
            own[term] = own.get(term, frozenset()) | frame
    return own


def build_query(text: str, facts: SourceFacts) -> Query:
    """The query for `text`: each token read in order (`TOKEN_RULES`), then the question as a
    whole (`QUESTION_RULES`)."""
    reading = read_question(text, facts)
    for at in range(len(reading.tokens)):
        _read_token(reading, at)
    for rule in QUESTION_RULES:
        rule(reading)
    return reading.query


def read_question(text: str, facts: SourceFacts) -> Reading:
    """The question's tokens and what they are, before any rule runs."""
    preamble, asked = split_preamble(text)
    # the question first, so a word it shares with the preamble counts as the question's
    question_tokens, scene_tokens = tokenize(asked), tokenize(preamble)
    scene = len(question_tokens)
    framing = framing_positions(question_tokens) | {
        scene + i for i in framing_positions(scene_tokens)
    }
    framing |= message_framing(asked, question_tokens, lambda word: term_of(word) in facts.names)
    kind = asked_by(asked)
    return Reading(
        asked=asked,
        facts=facts,
        tokens=question_tokens + scene_tokens,
        question_tokens=question_tokens,
        scene=scene,
        framing=framing,
        surface=surface_words(text),
        # "Rent-A-Center's": the possessive is the last of its tokens ("center")
        owners={
            form
            for m in POSSESSOR.finditer(asked)
            for form in (m.group(1).lower(), m.group(1).lower().rsplit("-", 1)[-1])
        },
        japanese_words=japanese_words(text),
        kind=kind,
        query=Query(answer_terms=facts.dates if kind is Asked.WHEN else frozenset()),
    )


def _read_token(r: Reading, at: int) -> None:
    tokens, token = r.tokens, r.tokens[at]
    before = tokens[at - 1] if at else ""
    if at in r.framing:
        framing_word(r, at, before)
        return
    if token in APPROXIMATORS:
        r.approximate = True
    found = _term(r, token)
    if found is None:
        return
    term, known = found
    after = tokens[at + 1] if at + 1 < len(tokens) and at + 1 != r.scene else ""
    word = Word(at, token, term, before, after, _weigh(r, at, term, known, before))
    next((rule for rule in TOKEN_RULES if rule(r, word)), None)
    r.approximate = r.approximate and token in APPROXIMATORS
    possessive_owner(r, word)


def _term(r: Reading, token: str) -> tuple[str, bool] | None:
    """The token's term and whether a source has it; None for a token that asks nothing."""
    query, facts = r.query, r.facts
    word = standard_word(token)  # "ppl" is "people"; "lol" asks nothing
    term = term_of(word) if word else None
    if not term or term in query.weights:
        return None
    known = facts.document_frequency(term) > 0
    if not known and (written := written_demonym(term, facts)):
        term, known = written, True  # "France" asked, "French" written
        if term in query.weights:
            return None
    if len(term) == 1 and not known:
        return None  # a one-letter fragment no source has ("… Did J") is noise, not a topic
    if not known and is_kana_bigram(term):
        return None  # grammar across a word boundary, not a topic
    return term, known


def _weigh(r: Reading, at: int, term: str, known: bool, before: str) -> float:
    """Adds the term to the query with its weight; returns the weight."""
    query, facts, token, surface = r.query, r.facts, r.tokens[at], r.surface
    unknown_name = not known and is_name(token, surface, at)
    if unknown_name:
        query.unknown_names.append(surface.get(token, token))
    weight = facts.idf(term) * (MODIFIER_WEIGHT if is_modifier(token) else 1.0)
    if before in WH_DETERMINERS and term not in facts.names and may_be_noun(token):
        weight *= ANSWER_KIND_WEIGHT  # "which city…?": a source names the city, not "city"
    query.terms.append(term)
    if at >= r.scene:
        weight *= PREAMBLE_WEIGHT
        r.scene_terms.add(term)
    elif r.claim and (NUMBER.match(term) or token in MONTHS):
        weight *= VALUE_WEIGHT  # what a yes/no claim asserts; a source may say otherwise
    query.weights[term] = weight
    query.matches[term] = frozenset({term})
    if unknown_name and at < r.scene and capitalised_name(surface.get(token, token), at):
        # a name no source writes is a subject no passage is about: it counts against the
        # share of names a passage must hold ("When does the Cybertruck launch in India?")
        query.names[term] = weight
        query.name_forms[term] = frozenset({term})
    if at < r.scene and not is_kana_bigram(term):  # "です" is grammar, not a word to name
        query.words[term] = r.japanese_words.get(token) or surface.get(token, token)
    return weight
