"""What the question rules do to a query: cap the scene, meet acronyms and alternatives,
spans of years, reported speech, measures."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from bot.english.function_words import NO_ALTERNATIVE
from bot.english.speech import STATEMENT_WORDS
from bot.passages.tokens import tokenize
from bot.relevance.reading import PREAMBLE_WEIGHT, Query, SourceFacts
from bot.relevance.words import OR_LIST, PHASE_LINKS, PHASE_NOUNS, YEAR
from bot.retrieval import analyze, term_of


def cap_scene(query: Query, scene: set[str]) -> None:
    """A long preamble sets the scene and no more: its words together weigh at most
    PREAMBLE_WEIGHT of what the question itself weighs, so a passage that answers the question
    is not outweighed by all the preamble's words it lacks."""
    scene_weight = sum(query.weights[term] for term in scene)
    limit = PREAMBLE_WEIGHT * sum(w for term, w in query.weights.items() if term not in scene)
    if scene_weight > limit:
        for term in scene:
            query.weights[term] *= limit / scene_weight


def meet_acronym(query: Query, acronym: str, phrase: tuple[str, ...]) -> None:
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


def phase_idioms(tokens: list[str]) -> set[str]:
    """The nouns of "come into force", "take effect", "go into effect": idioms of a start."""
    return {
        term_of(token)
        for before, token in zip(tokens, tokens[1:], strict=False)
        if token in PHASE_NOUNS and before in PHASE_LINKS
    }


def alternatives(tokens: list[str], framing: Collection[int]) -> list[tuple[str, str]]:
    """The terms "or" joins: "Japan or China", "in Tokyo or in Osaka", "high or low"; not a
    quantifier that names no alternative ("apomorphine or neither")."""
    pairs = []
    for i, token in enumerate(tokens):
        if token != "or" or i in framing:
            continue
        left = next((term_of(t) for t in reversed(tokens[max(0, i - 2) : i]) if term_of(t)), None)
        right = next((t for t in tokens[i + 1 : i + 3] if term_of(t)), None)
        if left and right and right not in NO_ALTERNATIVE and left != term_of(right):
            pairs.append((left, term_of(right)))
    return pairs


def listed_alternatives(text: str) -> list[tuple[str, str]]:
    """The earlier items of a list "A, B, or C" joined to the one before "or" (B)."""
    pairs = []
    for match in OR_LIST.finditer(text):
        items = [term_of(item.split()[-1].lower()) for item in match.group(1).split(",")[:-1]]
        last = term_of(match.group(2).lower())
        pairs += [(item, last) for item in items if item and last and item != last]
    return pairs


def merge_alternatives(query: Query, left: str, right: str) -> None:
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


def add_year_span(query: Query, first: str, last: str, facts: SourceFacts) -> None:
    """ "the Novo Kwanza (1990–1995)": the years in parentheses say which one is meant, so the
    passage itself must give a year of the span, and either end is met by any year in it."""
    ends = {term_of(first), term_of(last)}
    years = (
        frozenset(t for t in facts.dates if YEAR.match(t) and int(first) <= int(t) <= int(last))
        | ends
    )
    # the span's last year may have been taken for a qualifier of the word after it
    query.qualifiers[:] = [group for group in query.qualifiers if not group <= ends]
    query.required_own[:] = [group for group in query.required_own if not group <= ends]
    query.qualifiers.append(years)
    query.required_own.append(years)
    for end in ends & query.matches.keys():
        query.matches[end] = years


def require_report(query: Query, reporter: str) -> None:
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
    return frozenset(analyze(" ".join(sorted(STATEMENT_WORDS))))


def add_measure(query: Query, noun: str, facts: SourceFacts) -> None:
    """The measure "how + adjective" asks for, weighed like a word of the question."""
    term = term_of(noun)
    if term and term not in query.weights and facts.document_frequency(term):
        query.terms.append(term)
        query.weights[term] = facts.idf(term)
        query.matches[term] = frozenset({term})
