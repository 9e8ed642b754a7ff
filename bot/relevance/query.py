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

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from bot.english.frames import PREDICATE_FRAMES
from bot.english.time import MONTHS
from bot.english.wordforms import is_modifier, is_plural, word_classes
from bot.index.names import WORD
from bot.passages.tokens import HIRAGANA, STOPWORDS, fold_latin, is_kana_bigram, tokenize
from bot.relevance.demonyms import demonym_forms
from bot.relevance.framing import TIME_UNITS, framing_positions, message_framing
from bot.relevance.kind import Asked, asked_by
from bot.retrieval import analyze, term_of

MODIFIER_WEIGHT = 0.5
# Words of sentences before the question itself ("X, also called Y, is a politician. Was Y born
# in 1967?") set the scene: they weigh this much and require nothing.
PREAMBLE_WEIGHT = 0.3
# In a yes/no question or a claim, a figure or date is the value asserted ("born on 8 December
# 1967?"): the source that gives another value is the one to find, so it weighs half.
VALUE_WEIGHT = 0.5
# The noun after "which"/"what" names the kind of answer asked for ("which city", "what
# hashtag"); a source states the answer (Kawasaki) and seldom its kind, so it weighs this much.
ANSWER_KIND_WEIGHT = 0.3
_WH_DETERMINERS = frozenset("which what whose".split())
_COUNTING = frozenset("many much".split())
# Figures written as words beyond the number words the analyser turns into digits.
MAGNITUDES = frozenset(
    term_of(w) for w in "hundreds thousands millions billions trillions dozens".split()
)
# Aspectual verbs, which give an event its phase ("the ban started", "the sale ended"): beside a
# noun naming the event, such a verb weighs this much; a source dates the event, not its phase.
ASPECT_WEIGHT = 0.3
_ASPECT_TERMS = frozenset(
    term_of(w) for w in "start begin commence continue resume end finish stop cease".split()
)
# "come into force", "took effect": a noun that, after these, names the start of an event.
_PHASE_NOUNS = frozenset("force effect".split())
_PHASE_LINKS = frozenset("into take takes took taken taking".split())
# The noun that names what "how + adjective" asks for ("how long" -> length).
MEASURE_NOUNS = {
    "long": "length",
    "tall": "height",
    "high": "height",
    "wide": "width",
    "deep": "depth",
    "far": "distance",
    "big": "size",
    "large": "size",
    "heavy": "weight",
    "old": "age",
    "many": "number",
}
MIN_NAME_SHARE = 0.4
APPROXIMATE_TOLERANCE = 0.10
_APPROXIMATORS = frozenset(
    "about around roughly nearly almost approximately some over under circa like".split()
)
_DETERMINERS = frozenset(
    "the a an this that these those his her its their our my your any no every each".split()
)
# What a demonym adds to its place name, as Snowball stems show it: Japan-es(e), India-n.
_DEMONYM = frozenset({"es", "n", "an", "ian", "ish", "i"})
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_KANJI_KATAKANA = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# "What did Honda say about the ban?" asks for Honda's own words: who is asked, the verb
_REPORT_ASKED = re.compile(
    r"\bwhat\s+(?:did|does|do|has|have|had|will|would)\s+(.{1,60}?)\s+"
    r"(?:say|announce|tweet|post|write|state|claim|tell|reply|respond|comment|declare|explain)\b",
    re.IGNORECASE,
)
# words by which a passage reports what someone said (analysed as passages are)
_REPORTING_WORDS = """say says said tell told announce announcement statement stated respond
    response reply replied reaction tweet tweeted post posted write wrote comment according
    quote quoted add added declare insist warn argue explain claim note admit confirm deny
    predict believe"""
# A possessive: "Toyota's", "BYD’s" (the owner); at most this many words name what it owns.
_POSSESSOR = re.compile(r"([^\W_][\w-]*)['’]s\b")
_MAX_COMPOUND = 4
# "A, B, or C": the items of a list before its "or" (group 1 ends with B's comma, group 2 is B).
_OR_LIST = re.compile(r"((?:[^\W\d_][\w'’-]*\s*,\s*)+)([^\W\d_][\w'’-]*)\s*,?\s+or\b")
# Words after "or" that name no alternative of their own ("…, or neither?").
_NO_ALTERNATIVE = frozenset("neither both none either all other others not".split())
# Prepositions that put a figure in a year ("sold in 2021"), as against bounds ("before 1920").
_WITHIN = frozenset("in during".split())
# words after which a word that can be an adjective is one: "has close ties", "very open"
_BEFORE_ADJECTIVE = frozenset(
    "very so too more most quite rather have has had having is are was were be been".split()
)
# Auxiliaries followed by a bare verb: "Did Tesla's deliveries *grow*?"
_DO_SUPPORT = frozenset("do does did will would can could should shall may might must".split())
# "Lincoln's date of birth" asks for a date: no source need write the word "date".
_TIME_UNIT_TERMS = frozenset(term_of(w) for w in TIME_UNITS)
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
_YEAR = re.compile(r"^(1[0-9]|20)\d\d$")
# "(1990 - 1995)", "(1990–1995)": a span of years in parentheses
_YEAR_SPAN = re.compile(r"\(\s*((?:1[0-9]|20)\d\d)\s*[-–—]\s*((?:1[0-9]|20)\d\d)\s*\)")


@dataclass
class Query:
    """A question's terms with weights, what meets each one, and what a passage must hold."""

    terms: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    # term -> passage terms that meet it (itself, its predicate family, near numbers)
    matches: dict[str, frozenset[str]] = field(default_factory=dict)
    # each group: the passage (or its neighbours) must hold at least one of these terms
    required: list[frozenset[str]] = field(default_factory=list)
    # each group: the passage itself must hold one (the claim's predicate, not a neighbour's)
    required_own: list[frozenset[str]] = field(default_factory=list)
    # term -> how the question's own sentence writes it (for messages)
    words: dict[str, str] = field(default_factory=dict)
    unknown_names: list[str] = field(default_factory=list)
    # terms that hold the kind of answer asked for (years and months for "when"): a passage
    # with one is preferred among those that bear on the question
    answer_terms: frozenset[str] = frozenset()
    # terms that give the answer itself (dates for "when", figures for "how many" or a claimed
    # figure): a cited sentence without one takes the neighbour that has it (`bot.answer.engine`)
    answer_forms: frozenset[str] = frozenset()
    # each group: a year or ordinal that qualifies a noun ("the 2021 festival"); also in
    # `required_own`
    qualifiers: list[frozenset[str]] = field(default_factory=list)
    # names the sources know -> weight: a passage must hold at least MIN_NAME_SHARE of it
    names: dict[str, float] = field(default_factory=dict)
    name_forms: dict[str, frozenset[str]] = field(default_factory=dict)
    # "Toyota's market share": (the owner's forms, the owned noun); see `owned_by_another`
    possessions: list[tuple[frozenset[str], str]] = field(default_factory=list)
    # "What did Honda say…?": who is asked to have said it (as the question writes it)
    speaker: str = ""


@dataclass(frozen=True)
class SourceFacts:
    """What the question analysis needs to know about the indexed sources."""

    document_frequency: Callable[[str], int]
    idf: Callable[[str], float]
    names: Collection[str]
    numbers: Mapping[str, float]
    frame_of: Mapping[str, frozenset[str]]
    # names by their first four letters, where a demonym shares them (Japan, Japanese)
    names_by_prefix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the sources' terms that are years or month names
    dates: frozenset[str] = frozenset()
    # the sources' terms that give a figure (numbers, "billions"): one set, built once
    figures: frozenset[str] = frozenset()
    # figures that are not dates (years, months): what answers "how large…?"
    amounts: frozenset[str] = frozenset()
    # acronyms the sources define -> the terms of their phrase (`bot.index.acronyms`), and a term ->
    # the acronyms that are it or start with it
    acronyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    acronyms_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def date_terms(vocabulary: Iterable[str]) -> frozenset[str]:
    """The terms of `vocabulary` that are years or month names."""
    months = {term_of(month) for month in MONTHS}
    return frozenset(t for t in vocabulary if _YEAR.match(t) or t in months)


def figure_terms(numbers: Iterable[str]) -> frozenset[str]:
    """Number terms with the words for magnitudes ("billions"): what gives a figure."""
    return frozenset(numbers) | MAGNITUDES


def names_by_prefix(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name in names:
        index.setdefault(name[:4], []).append(name)
    return {prefix: tuple(group) for prefix, group in index.items()}


def build_query(text: str, facts: SourceFacts) -> Query:
    preamble, asked = _split_preamble(text)
    # the question first, so a word it shares with the preamble counts as the question's
    question_tokens, scene_tokens = tokenize(asked), tokenize(preamble)
    tokens = question_tokens + scene_tokens
    scene = len(question_tokens)  # tokens from this index on only set the scene
    framing = framing_positions(question_tokens) | {
        scene + i for i in framing_positions(scene_tokens)
    }
    framing |= message_framing(asked, question_tokens, lambda word: term_of(word) in facts.names)
    surface = surface_words(text)
    owners = {m.group(1).lower() for m in _POSSESSOR.finditer(asked)}
    japanese_words = _japanese_words(text)
    kind = asked_by(asked)
    claim = kind is Asked.YES_NO
    query = Query(answer_terms=facts.dates if kind is Asked.WHEN else frozenset())
    approximate = False
    run_head, previous_name = "", -2
    predicates: list[frozenset[str]] = []
    event_nouns: list[frozenset[str]] = []  # predicates named by a noun ("the ban")
    scene_terms: set[str] = set()  # words only the preamble has
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        # the question's last word is followed by nothing (not by the preamble's first)
        after = tokens[i + 1] if i + 1 < len(tokens) and i + 1 != scene else ""
        if i in framing:
            if before == "how" and token in MEASURE_NOUNS:
                _add_measure(query, MEASURE_NOUNS[token], facts)  # "how long" asks a length
            if before == "how" and token in _COUNTING and kind is Asked.AMOUNT and i < scene:
                # "how many…?" is answered by a figure: the passage or its neighbours give one
                query.required.append(facts.figures)
            continue
        if token in _APPROXIMATORS:
            approximate = True
        term = term_of(token)
        if not term or term in query.weights:
            continue
        known = facts.document_frequency(term) > 0
        if not known and (written := _written_demonym(term, facts)):
            term, known = written, True  # "France" asked, "French" written
            if term in query.weights:
                continue
        if len(term) == 1 and not known:
            continue  # a one-letter fragment no source has ("… Did J") is noise, not a topic
        if not known and is_kana_bigram(term):
            continue  # grammar across a word boundary, not a topic
        unknown_name = not known and _is_name(token, surface, i)
        if unknown_name:
            query.unknown_names.append(surface.get(token, token))
        weight = facts.idf(term) * (MODIFIER_WEIGHT if is_modifier(token) else 1.0)
        if before in _WH_DETERMINERS and term not in facts.names and _may_be_noun(token):
            weight *= ANSWER_KIND_WEIGHT  # "which city…?": a source names the city, not "city"
        query.terms.append(term)
        if i >= scene:
            weight *= PREAMBLE_WEIGHT
            scene_terms.add(term)
        elif claim and (_NUMBER.match(term) or token in MONTHS):
            weight *= VALUE_WEIGHT  # what a yes/no claim asserts; a source may say otherwise
        query.weights[term] = weight
        query.matches[term] = frozenset({term})
        if unknown_name and i < scene and _capitalised_name(surface.get(token, token), i):
            # a name no source writes is a subject no passage is about: it counts against the
            # share of names a passage must hold ("When does the Cybertruck launch in India?")
            query.names[term] = weight
            query.name_forms[term] = frozenset({term})
        if i < scene and not is_kana_bigram(term):  # "です" is grammar, not a word to name
            query.words[term] = japanese_words.get(token) or surface.get(token, token)
        if i >= scene:
            pass  # a scene-setting sentence requires nothing of a passage
        elif (
            term in facts.frame_of
            and not _inside_name(question_tokens, i, surface)
            and not _adjective_before_noun(tokens, i, scene)
        ):
            # the claim's predicate ("banned") must be in the passage itself; a noun after a
            # determiner ("in response to the ban") may be in the sentences around it
            query.matches[term] = facts.frame_of[term]
            noun = before in _DETERMINERS
            (query.required if noun else predicates).append(facts.frame_of[term])
            if noun:
                event_nouns.append(facts.frame_of[term])
        elif term in facts.names:
            query.matches[term] = _name_forms(term, facts.names_by_prefix.get(term[:4], ())) | {
                form for form in demonym_forms(term) if form in facts.names
            }
            # "John Henry Seadlund" is one name, met by any part of it ("Seadlund")
            head = run_head if previous_name == i - 1 else term
            query.names[head] = max(query.names.get(head, 0.0), weight)
            query.name_forms[head] = query.name_forms.get(head, frozenset()) | query.matches[term]
            if head != term:  # the name weighs once, however many words it has
                query.weights[head] = query.names[head]
                query.matches[head] = query.name_forms[head]
                query.weights[term] = 0.0
            run_head, previous_name = head, i
        elif (i + 1 not in framing and _qualifies(after)) and (
            (_YEAR.match(token) and not is_plural(after))
            or (_ORDINAL.match(token) and surface.get(after, after).islower())
        ):
            query.qualifiers.append(frozenset({term}))  # "the 2019 race", "the 5th season"
            query.required_own.append(frozenset({term}))
        elif _YEAR.match(token) and kind is Asked.AMOUNT and before in _WITHIN:
            # "how many were sold in 2021?" asks for 2021's figure, not 2019's
            query.required.append(frozenset({term}))
        elif _NUMBER.match(term) and approximate and not _YEAR.match(token):
            query.matches[term] = _near(term, facts.numbers)
        approximate = approximate and token in _APPROXIMATORS
        if token in owners and i < scene and (term in facts.names or _name_like(surface, token)):
            supported = not _DO_SUPPORT.isdisjoint(tokens[:i])
            _add_owner(query, term, tokens[i + 1 : scene], framing, i + 1, supported)
    _cap_scene(query, scene_terms)
    if reporter := _REPORT_ASKED.search(asked):
        _require_report(query, reporter.group(1))
    for first, last in _YEAR_SPAN.findall(asked):
        _add_year_span(query, first, last, facts)
    # the acronyms the question writes, or whose phrase's first word it writes
    for acronym in {a for term in query.weights for a in facts.acronyms_of.get(term, ())}:
        _meet_acronym(query, acronym, facts.acronyms[acronym])
    for left, right in _alternatives(question_tokens, framing) + _listed_alternatives(asked):
        _merge_alternatives(query, left, right)
    if event_nouns:
        # "when did the ban start?", "…come into force?": the verb only gives the event its phase
        phase = _ASPECT_TERMS | _phase_idioms(question_tokens)
        for term in query.terms:
            if term in phase and term in query.weights:
                query.weights[term] *= ASPECT_WEIGHT
    for _, owned in query.possessions:
        # "BYD's market share": a passage about BYD that never speaks of a share is no answer
        query.required.append(query.matches.get(owned, frozenset({owned})))
    claimed = [t for t in query.words if _NUMBER.match(t)] if claim else []
    if kind is Asked.WHEN or (claimed and all(t in facts.dates for t in claimed)):
        query.answer_forms = facts.dates  # "when…?", "Did she die in 1860?"
    elif kind is Asked.AMOUNT or claimed:
        query.answer_forms = facts.amounts  # "how large…?", "Is the range more than 2 m?"
    if predicates:
        # one predicate to a claim: "Japan's ban started" and "when did the ban start?" are
        # met by a sentence with the ban alone (the event named; "started" is its aspect)
        query.required_own.append(frozenset().union(*predicates, *event_nouns))
    return query


def _cap_scene(query: Query, scene: set[str]) -> None:
    """A long preamble sets the scene and no more: its words together weigh at most
    PREAMBLE_WEIGHT of what the question itself weighs, so a passage that answers the question
    is not outweighed by all the preamble's words it lacks."""
    scene_weight = sum(query.weights[term] for term in scene)
    limit = PREAMBLE_WEIGHT * sum(w for term, w in query.weights.items() if term not in scene)
    if scene_weight > limit:
        for term in scene:
            query.weights[term] *= limit / scene_weight


def _meet_acronym(query: Query, acronym: str, phrase: tuple[str, ...]) -> None:
    """An acronym the sources define and its phrase meet each other: "FSD" is asked as "Full
    Self-Driving" (each word a share of its weight, met by the word or by "FSD"), and the words
    of "electric vehicles" are met by "EVs" too."""
    if acronym in query.weights:
        weight, query.weights[acronym] = query.weights[acronym], 0.0
        for term in phrase:
            if term not in query.weights:
                query.terms.append(term)
                query.weights[term] = weight / len(phrase)
                query.matches[term] = frozenset({term})
        if acronym in query.name_forms:
            query.name_forms[acronym] |= frozenset(phrase)
    if all(term in query.weights for term in phrase):
        for term in phrase:
            query.matches[term] = query.matches[term] | {acronym}
        for head, forms in query.name_forms.items():
            if not forms.isdisjoint(phrase):  # "the Harbour Safety Board" is met by "HSB"
                query.name_forms[head] = forms | {acronym}
                query.matches[head] = query.matches[head] | {acronym}


def _phase_idioms(tokens: list[str]) -> set[str]:
    """The nouns of "come into force", "take effect", "go into effect": idioms of a start."""
    return {
        term_of(token)
        for before, token in zip(tokens, tokens[1:], strict=False)
        if token in _PHASE_NOUNS and before in _PHASE_LINKS
    }


def _written_demonym(term: str, facts: SourceFacts) -> str | None:
    """The form the sources write of a place or people the question names in the other form."""
    return next(
        (form for form in sorted(demonym_forms(term)) if facts.document_frequency(form)), None
    )


def _japanese_words(text: str) -> dict[str, str]:
    """Bigram -> the Japanese word it is part of, for messages: in text with kana, a run of
    kanji and katakana between hiragana (particles, endings) is a word ("東京タワーの高さ"
    -> 東京タワー, 高さ's 高). Chinese has no such mark of a word's end: its bigrams stay."""
    if not HIRAGANA.search(text):
        return {}
    words: dict[str, str] = {}
    for run in _KANJI_KATAKANA.findall(text):
        for bigram in (run[i : i + 2] for i in range(max(1, len(run) - 1))):
            words.setdefault(bigram, run)
    return words


def _alternatives(tokens: list[str], framing: Collection[int]) -> list[tuple[str, str]]:
    """The terms "or" joins: "Japan or China", "in Tokyo or in Osaka", "high or low"; not a
    quantifier that names no alternative ("apomorphine or neither")."""
    pairs = []
    for i, token in enumerate(tokens):
        if token != "or" or i in framing:
            continue
        left = next((term_of(t) for t in reversed(tokens[max(0, i - 2) : i]) if term_of(t)), None)
        right = next((t for t in tokens[i + 1 : i + 3] if term_of(t)), None)
        if left and right and right not in _NO_ALTERNATIVE and left != term_of(right):
            pairs.append((left, term_of(right)))
    return pairs


def _listed_alternatives(text: str) -> list[tuple[str, str]]:
    """The earlier items of a list "A, B, or C" joined to the one before "or" (B)."""
    pairs = []
    for match in _OR_LIST.finditer(text):
        items = [term_of(item.split()[-1].lower()) for item in match.group(1).split(",")[:-1]]
        last = term_of(match.group(2).lower())
        pairs += [(item, last) for item in items if item and last and item != last]
    return pairs


def _merge_alternatives(query: Query, left: str, right: str) -> None:
    """Either of two alternatives answers "Did Japan or China ban Tesla?": they weigh as one
    word, met by either, and as one name when either is a name the passage must hold."""
    left, right = _weighed(query, left), _weighed(query, right)
    if not left or not right or left == right:
        return  # already merged ("japan or or tesla")
    heads = [h for h, forms in query.name_forms.items() if left in forms or right in forms]
    query.weights[left] = max(query.weights[left], query.weights[right])
    query.weights[right] = 0.0
    query.matches[left] = query.matches[left] | query.matches[right]
    if heads:
        head, *others = heads
        for other in others:
            query.name_forms[head] |= query.name_forms.pop(other)
            query.names[head] = max(query.names[head], query.names.pop(other))
        query.name_forms[head] |= query.matches[left]
        if head in query.weights and head != left:
            query.matches[head] = query.name_forms[head]


def _weighed(query: Query, term: str) -> str | None:
    """The term that carries `term`'s weight: itself, or the head of the name it is part of
    ("Musk" in "Elon Musk")."""
    if query.weights.get(term):
        return term
    return next(
        (h for h, forms in query.name_forms.items() if term in forms and query.weights.get(h)),
        None,
    )


def _name_like(surface: Mapping[str, str], token: str) -> bool:
    """Whether the question writes `token` capitalised (a name, or an acronym: "BYD")."""
    written = surface.get(token, token)
    return written[:1].isupper()


def _add_owner(
    query: Query,
    owner: str,
    following: list[str],
    framing: Collection[int],
    start: int,
    supported: bool,
) -> None:
    """ "BYD's market share": the owner is a name the passage must hold (or its neighbours),
    and the owned noun (the last of the words after it: *share*) is recorded for
    `owned_by_another`."""
    forms = next((f for f in query.name_forms.values() if owner in f), None)
    if forms is None:  # not yet a name the passage must hold (an acronym: "BYD's")
        forms = query.name_forms[owner] = query.matches[owner]
        query.names[owner] = query.weights[owner]
    run: list[tuple[str, str]] = []  # the noun phrase after the owner: "market share"
    for offset, token in enumerate(following[:_MAX_COMPOUND]):
        term = term_of(token)
        if not term or start + offset in framing:
            break
        if not (_may_be_noun(token) or is_modifier(token)):
            break  # a verb: "Why did Japan's government act…"
        run.append((token, term))
    if supported and len(run) > 1 and "VERB" in word_classes(run[-1][0]):
        run.pop()  # "Did Musk's post say…?": after do-support, the bare verb ends the subject
    nouns = [term for token, term in run if _may_be_noun(token)]
    owned = nouns[-1] if nouns else None
    if owned and owned != owner and owned not in _TIME_UNIT_TERMS:
        query.possessions.append((forms, owned))


def owned_by_another(
    text: str, owner_forms: Collection[str], owned: str, names: Collection[str]
) -> bool:
    """Whether every mention of the term `owned` in `text` gives it to another name.

    "What is Toyota's market share?" is not answered by "Tesla shares" or "Tesla's relatively
    modest market share": the noun's owner is the word written capitalised before it, past its
    modifiers and the rest of its compound. "our market share" (a pronoun) says nothing against
    it, nor does a capital that only starts the sentence ("Market share…"): there, a word is a
    name when it is possessive ("Arden's"), a name of the sources, or no dictionary word.
    """
    words = WORD.findall(text)
    # a word's stem starts as the word does (an irregular form missed only spares the passage)
    mentions = [
        i for i, w in enumerate(words) if w[:2].lower() == owned[:2] and _word_term(w) == owned
    ]
    return bool(mentions) and all(_owner_before(words, i, owner_forms, names) for i in mentions)


def _word_term(word: str) -> str | None:
    return term_of(fold_latin(word.lower().replace("’", "'").removesuffix("'s")))


def _owner_before(
    words: list[str], at: int, owner_forms: Collection[str], names: Collection[str]
) -> bool:
    """Whether a name other than the owner stands before the noun at `at`, past modifiers."""
    for j in range(at - 1, max(-1, at - 1 - _MAX_COMPOUND), -1):
        word, term = words[j], _word_term(words[j])
        if term is None or term in owner_forms:
            return False  # a determiner or pronoun owns it ("our market share"), or the owner
        if word[0].isupper() and (j > 0 or _name_at_start(word, term, names)):
            return True
        if not (is_modifier(word.lower()) or _may_be_noun(word.lower())):
            return False
    return False


def _name_at_start(word: str, term: str, names: Collection[str]) -> bool:
    """Whether a capitalised word that starts a sentence is a name rather than any word."""
    possessive = word.endswith(("'s", "’s"))
    return possessive or term in names or not word_classes(word.lower())


def _add_year_span(query: Query, first: str, last: str, facts: SourceFacts) -> None:
    """ "the Novo Kwanza (1990–1995)": the years in parentheses say which one is meant, so the
    passage itself must give a year of the span, and either end is met by any year in it."""
    ends = {term_of(first), term_of(last)}
    years = (
        frozenset(t for t in facts.dates if _YEAR.match(t) and int(first) <= int(t) <= int(last))
        | ends
    )
    # the span's last year may have been taken for a qualifier of the word after it
    query.qualifiers[:] = [group for group in query.qualifiers if not group <= ends]
    query.required_own[:] = [group for group in query.required_own if not group <= ends]
    query.qualifiers.append(years)
    query.required_own.append(years)
    for end in ends & query.matches.keys():
        query.matches[end] = years


def _require_report(query: Query, reporter: str) -> None:
    """ "What did Honda say…?" is answered by a passage where Honda speaks: the passage itself
    reports speech and it or a sentence around it names the reporter (any name of the sources
    the question gives it), not by one that only mentions Honda ("automotive giants like
    Toyota and Honda")."""
    query.speaker = reporter
    said_by = {term_of(word) for word in tokenize(reporter)}
    for name, forms in query.name_forms.items():
        if name in query.names and not forms.isdisjoint(said_by):
            query.required.append(forms)  # or the sentence before: "In X, he added…"
    query.required_own.append(_reporting_terms())


@lru_cache(maxsize=1)
def _reporting_terms() -> frozenset[str]:
    return frozenset(analyze(_REPORTING_WORDS))


def _qualifies(after: str) -> bool:
    """Whether a number is followed by the noun it qualifies (not a function word, a number)."""
    return bool(after) and after not in STOPWORDS and not _NUMBER.match(after)


def _split_preamble(text: str) -> tuple[str, str]:
    """(sentences before the question, the question): a question mark ends the last one."""
    text = text.strip()
    if not text.endswith("?"):
        return "", text
    starts = [m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z\"“'‘])", text)]
    if not starts:
        return "", text
    return text[: starts[-1]], text[starts[-1] :]


def _add_measure(query: Query, noun: str, facts: SourceFacts) -> None:
    """The measure "how + adjective" asks for, weighed like a word of the question."""
    term = term_of(noun)
    if term and term not in query.weights and facts.document_frequency(term):
        query.terms.append(term)
        query.weights[term] = facts.idf(term)
        query.matches[term] = frozenset({term})


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


def _name_forms(name: str, names: Collection[str]) -> frozenset[str]:
    """A name with the names that differ from it by a demonym suffix (Japan, Japanese)."""
    forms = {name}
    for other in names:
        short, long = sorted((name, other), key=len)
        if len(short) >= 4 and long.startswith(short) and long[len(short) :] in _DEMONYM:
            forms.add(other)
    return frozenset(forms)


def number_value(term: str) -> float | None:
    if not _NUMBER.match(term):
        return None
    try:
        return float(term.replace(",", ""))
    except ValueError:
        return None


def _near(term: str, numbers: Mapping[str, float]) -> frozenset[str]:
    value = number_value(term)
    if value is None:
        return frozenset({term})
    tolerance = abs(value) * APPROXIMATE_TOLERANCE
    return frozenset({term} | {t for t, v in numbers.items() if abs(v - value) <= tolerance})


def surface_words(text: str) -> dict[str, str]:
    """Lowercase token -> how the question wrote it (the first time)."""
    words: dict[str, str] = {}
    for match in WORD.finditer(text):
        word = fold_latin(match.group().lower().replace("’", "'").removesuffix("'s"))
        words.setdefault(word, match.group())
    return words


def _capitalised_name(written: str, position: int) -> bool:
    """Whether an unknown word is written as a name: capitalised, not first, not an acronym.

    Only such a name counts against a passage: an acronym (*METI*) may be spelt out by a source,
    a lowercase word no dictionary has may be new (*hashtag*), and a script without capitals
    (Arabic, Chinese) cannot tell a name from grammar.
    """
    inner = any(ch.isupper() for ch in written[1:])
    return not written.isupper() and (inner or (position > 0 and written[0].isupper()))


def _inside_name(tokens: list[str], position: int, surface: Mapping[str, str]) -> bool:
    """Whether a word is part of a name rather than a verb: capitalised inside a sentence
    that is not in title case, next to another capitalised word ("the organization *Stop*
    Child Trafficking Now"; not "Did Japan Ban Tesla?")."""

    def capitalised(at: int) -> bool:
        return 0 < at < len(tokens) and surface.get(tokens[at], tokens[at])[:1].isupper()

    lowercase = any(surface.get(t, t)[:1].islower() for t in tokens[1:] if t.isalpha())
    return (
        lowercase
        and capitalised(position)
        and (capitalised(position - 1) or capitalised(position + 1))
    )


def _adjective_before_noun(tokens: list[str], position: int, end: int) -> bool:
    """Whether a predicate word is an adjective here: in its plain form, after a determiner,
    a degree adverb or a form of *have*/*be*, and before a noun ("have *close* ties", "the
    *open* market"; not "will close stores", "Tesla closed stores")."""
    word = tokens[position]
    before = tokens[position - 1] if position else ""
    after = tokens[position + 1] if position + 1 < end else ""
    return (
        "ADJ" in word_classes(word)
        and not word.endswith(("ed", "ing"))
        and (before in _DETERMINERS or before in _BEFORE_ADJECTIVE)
        and bool(after)
        and after not in STOPWORDS
        and "NOUN" in word_classes(after)
    )


def _may_be_noun(word: str) -> bool:
    """A noun in the dictionary, or a word it does not know (*hashtag*)."""
    classes = word_classes(word)
    return not classes or "NOUN" in classes


def _is_name(token: str, surface: Mapping[str, str], position: int) -> bool:
    """A word the sources lack that reads as a name: capitalised, or no dictionary word."""
    if _NUMBER.match(token):
        return False
    if not token.isalpha() or not token.isascii():
        return True
    written = surface.get(token, token)
    inner_capital = any(ch.isupper() for ch in written[1:])
    if inner_capital or (written[0].isupper() and position > 0):
        return True
    return not word_classes(token)
