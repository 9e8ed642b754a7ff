"""The query's rules, one named function each, in two ordered sequences: `TOKEN_RULES` (each
word of the question, the first that applies) and `QUESTION_RULES` (the question as a whole).
A new rule is a function added to one sequence, in the place its order needs."""

from __future__ import annotations

from collections.abc import Callable

from bot.english.function_words import COPULA, DO_SUPPORT, GENITIVE_PREPOSITIONS
from bot.english.wordforms import is_plural
from bot.relevance.combine import (
    add_measure,
    add_year_span,
    alternatives,
    cap_scene,
    listed_alternatives,
    meet_acronym,
    merge_alternatives,
    phase_idioms,
    require_report,
)
from bot.relevance.demonyms import demonym_forms
from bot.relevance.expansion import expand
from bot.relevance.kind import Asked
from bot.relevance.owners import add_owner
from bot.relevance.reading import ASPECT_WEIGHT, Reading, Word
from bot.relevance.words import (
    ASPECT_TERMS,
    COUNTING,
    DETERMINERS,
    MAX_COMPOUND,
    MEASURE_NOUNS,
    NUMBER,
    ORDINAL,
    REPORT_ASKED,
    WITHIN,
    YEAR,
    YEAR_SPAN,
    adjective_before_noun,
    inside_name,
    name_forms,
    name_like,
    near,
    qualifies,
)
from bot.retrieval import term_of

# Token rules, in order: the first that applies to a word is the only one applied.


def scene_requires_nothing(r: Reading, w: Word) -> bool:
    """A scene-setting sentence requires nothing of a passage."""
    return w.at >= r.scene


def predicate(r: Reading, w: Word) -> bool:
    """The claim's predicate ("banned") must be in the passage itself, met by any word of its
    frame; a noun after a determiner ("in response to the ban") may be in the sentences around
    it."""
    facts, query = r.facts, r.query
    if (
        w.term not in facts.frame_of
        or inside_name(r.question_tokens, w.at, r.surface)
        or adjective_before_noun(r.tokens, w.at, r.scene)
    ):
        return False
    query.matches[w.term] = facts.frame_of[w.term]
    noun = w.before in DETERMINERS
    (query.required if noun else r.predicates).append(facts.frame_of[w.term])
    if noun:
        r.event_nouns.append(facts.frame_of[w.term])
    return True


def known_name(r: Reading, w: Word) -> bool:
    """A name the sources write: met by its demonym forms; consecutive names are one name
    ("John Henry Seadlund"), met by any part of it ("Seadlund") and weighing once."""
    facts, query, term = r.facts, r.query, w.term
    if term not in facts.names:
        return False
    query.matches[term] = name_forms(term, facts.names_by_prefix.get(term[:4], ())) | {
        form for form in demonym_forms(term) if form in facts.names
    }
    head = r.run_head if r.previous_name == w.at - 1 else term
    query.names[head] = max(query.names.get(head, 0.0), w.weight)
    query.name_forms[head] = query.name_forms.get(head, frozenset()) | query.matches[term]
    if head != term:  # the name weighs once, however many words it has
        query.weights[head] = query.names[head]
        query.matches[head] = query.name_forms[head]
        query.weights[term] = 0.0
    r.run_head, r.previous_name = head, w.at
    return True


def qualifier(r: Reading, w: Word) -> bool:
    """A year or ordinal that qualifies a noun ("the 2019 race", "the 5th season") must be in
    the passage itself."""
    if not (w.at + 1 not in r.framing and qualifies(w.after)):
        return False
    if not (
        (YEAR.match(w.token) and not is_plural(w.after))
        or (ORDINAL.match(w.token) and r.surface.get(w.after, w.after).islower())
    ):
        return False
    r.query.qualifiers.append(frozenset({w.term}))
    r.query.required_own.append(frozenset({w.term}))
    return True


def year_of_figure(r: Reading, w: Word) -> bool:
    """ "how many were sold in 2021?" asks for 2021's figure, not 2019's."""
    if YEAR.match(w.token) and r.kind is Asked.AMOUNT and w.before in WITHIN:
        r.query.required.append(frozenset({w.term}))
        return True
    return False


def approximate_number(r: Reading, w: Word) -> bool:
    """ "about 1,400" is met by a number within 10% (1,378)."""
    if NUMBER.match(w.term) and r.approximate and not YEAR.match(w.token):
        r.query.matches[w.term] = near(w.term, r.facts.numbers)
        return True
    return False


def related_word(r: Reading, w: Word) -> bool:
    """A word no source uses ("spying", "shielded") is met by the sources' words for the same
    thing in a general thesaurus (`bot.relevance.expansion`), at reduced weight."""
    if r.facts.document_frequency(w.term) or not w.token.isalpha():
        return False
    return expand(r.query, w.token, w.term, r.facts)


TOKEN_RULES: tuple[Callable[[Reading, Word], bool], ...] = (
    scene_requires_nothing,
    predicate,
    known_name,
    qualifier,
    year_of_figure,
    approximate_number,
    related_word,
)


def framing_word(r: Reading, at: int, before: str) -> None:
    """A framing word asks nothing itself, but "how long" asks a length and "how many" a
    figure."""
    token = r.tokens[at]
    if before == "how" and token in MEASURE_NOUNS:
        add_measure(r.query, MEASURE_NOUNS[token], r.facts)  # "how long" asks a length
    if before == "how" and token in COUNTING and r.kind is Asked.AMOUNT and at < r.scene:
        # "how many…?" is answered by a figure: the passage or its neighbours give one
        r.query.required.append(r.facts.figures)


def possessive_owner(r: Reading, w: Word) -> None:
    """ "BYD's market share": the owner must be in the passage, and the share its own."""
    term, at = w.term, w.at
    if (
        w.token in r.owners
        and at < r.scene
        and (term in r.facts.names or name_like(r.surface, w.token))
    ):
        supported = not DO_SUPPORT.isdisjoint(r.tokens[:at])
        add_owner(r.query, term, r.tokens[at + 1 : r.scene], r.framing, at + 1, supported)


# Question rules, in order: each reads the whole question once its words are read.


def scene_capped(r: Reading) -> None:
    cap_scene(r.query, r.scene_terms)


def reported_speech(r: Reading) -> None:
    if reporter := REPORT_ASKED.search(r.asked):
        require_report(r.query, reporter.group(1))


def year_spans(r: Reading) -> None:
    for first, last in YEAR_SPAN.findall(r.asked):
        add_year_span(r.query, first, last, r.facts)


def acronyms(r: Reading) -> None:
    """The acronyms the question writes, or whose phrase's first word it writes."""
    facts, query = r.facts, r.query
    for acronym in {a for term in query.weights for a in facts.acronyms_of.get(term, ())}:
        meet_acronym(query, acronym, facts.acronyms[acronym])


def either_alternative(r: Reading) -> None:
    for left, right in alternatives(r.question_tokens, r.framing) + listed_alternatives(r.asked):
        merge_alternatives(r.query, left, right)


def aspect_of_event(r: Reading) -> None:
    """ "when did the ban start?", "…come into force?": the verb only gives the event its
    phase."""
    if not r.event_nouns:
        return
    phase = ASPECT_TERMS | phase_idioms(r.question_tokens)
    for term in r.query.terms:
        if term in phase and term in r.query.weights:
            r.query.weights[term] *= ASPECT_WEIGHT


def owner_after_of(r: Reading) -> None:
    """ "Who is the chief executive of Southmark?" asks what "Who is Southmark's chief
    executive?" does: when a question asks who holds a role ("who is the N of …"), the name
    after "of" (past a determiner) owns it (`add_owner`), so a passage about another company's
    chief executive is no answer. The name is one the sources write or the question
    capitalises, and its first word the sources have stands for it ("U.S. Healthcare":
    *healthcare*). A source names a role-holder with the role; an attribute ("what is the
    population of …") it may give in other words ("5,000 inhabitants"), an "of" elsewhere only
    places ("who built the hut near the peak of Mount Pleasant?"), and a claim may word it
    otherwise: none of those owns anything."""
    tokens, query, surface = r.question_tokens, r.query, r.surface
    if len(tokens) < 5 or r.kind is not Asked.WHO or tokens[1] not in COPULA:
        return
    start = 3 if tokens[2] in DETERMINERS else 2
    of = next((i for i in range(start + 1, len(tokens)) if tokens[i] in GENITIVE_PREPOSITIONS), 0)
    noun = tokens[start:of]
    if not 0 < len(noun) <= MAX_COMPOUND or any(name_like(surface, t) for t in noun):
        return
    owned = term_of(noun[-1])
    if of in r.framing or not query.weights.get(owned or ""):
        return
    after = of + 2 if of + 2 < len(tokens) and tokens[of + 1] in DETERMINERS else of + 1
    for token in tokens[after : after + MAX_COMPOUND]:
        owner = term_of(token)
        if not (owner in r.facts.names or name_like(surface, token)):
            return
        if owner in query.weights:
            add_owner(query, owner, [noun[-1]], r.framing, of - 1, False)
            return


def possessions(r: Reading) -> None:
    """ "BYD's market share": a passage about BYD that never speaks of a share is no answer."""
    for _, owned in r.query.possessions:
        r.query.required.append(r.query.matches.get(owned, frozenset({owned})))


def answer_forms(r: Reading) -> None:
    """The terms that give the answer: dates for "when…?" or a claimed date, figures for "how
    large…?" or a claimed figure."""
    query, facts = r.query, r.facts
    claimed = [t for t in query.words if NUMBER.match(t)] if r.claim else []
    if r.kind is Asked.WHEN or (claimed and all(t in facts.dates for t in claimed)):
        query.answer_forms = facts.dates  # "when…?", "Did she die in 1860?"
    elif r.kind is Asked.AMOUNT or claimed:
        query.answer_forms = facts.amounts  # "how large…?", "Is the range more than 2 m?"


def one_predicate(r: Reading) -> None:
    """One predicate to a claim: "Japan's ban started" and "when did the ban start?" are met
    by a sentence with the ban alone (the event named; "started" is its aspect)."""
    if r.predicates:
        r.query.required_own.append(frozenset().union(*r.predicates, *r.event_nouns))


QUESTION_RULES: tuple[Callable[[Reading], None], ...] = (
    scene_capped,
    reported_speech,
    year_spans,
    acronyms,
    either_alternative,
    aspect_of_event,
    owner_after_of,
    possessions,
    answer_forms,
    one_predicate,
)
