"""What the engine says when no passage meets the question fully: the closest passages that
hold its names (status `related`), or why it is not covered (`no_match`).

A question whose names the sources know ("tesla is tanking in japan": Tesla, Japan) gets the
passages that hold all of them, closest first, with the question's words the sources never use
named ("The sources don't say “tanking”"), so a member sees what the sources do say about it
and no reader takes it for an answer. A question with a name no source has ("Did Korea ban
Tesla?") or no name at all stays not covered, as does a question asking for something a
named subject owns ("Who is Acme's chief executive?") that no passage gives: what the sources
say about Acme is not its chief executive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from bot.answer.matching import Matcher
from bot.english.function_words import DETERMINERS, PREPOSITIONS
from bot.passages.tokens import tokenize
from bot.relevance.kind import Asked, asked_by
from bot.relevance.reading import Query
from bot.relevance.words import NUMBER
from bot.retrieval import term_of

# A related answer shows at most this many passages: the closest, not a search result list.
RELATED_CITATIONS = 3
# A passage shown must hold (or have around it) this share of the question's words.
RELATED_MIN_SHARE = 0.5
# Passages within this share of the closest one's are shown.
RELATED_RELATIVE_COVERAGE = 0.6


def closest(question: str, query: Query, matcher: Matcher) -> list[tuple[int, float, float]]:
    """(passage id, BM25 score, share of the question's words held) of the passages that hold
    (or have around them) every word of the question's names and at least RELATED_MIN_SHARE of
    its words, closest first; empty when the question names nothing the sources know, names
    something they lack, or names them only as a setting."""
    if not query.names or query.unknown_names or not _names_a_subject(question, query):
        return []
    if query.possessions and asked_by(question) is not Asked.YES_NO:
        return []  # what the named subject owns was asked for, and no passage gives it
    # Every word counts the same here: what a passage must hold to answer is dropped (the
    # predicate, a figure), but a year or ordinal that qualifies a noun still rules out
    # another edition. (By IDF, "Tesla" in every passage of three articles about Tesla would
    # count for nothing.)
    relaxed = replace(
        query,
        weights={term: float(weight > 0.0) for term, weight in query.weights.items()},
        required=[],
        required_own=list(query.qualifiers),
    )
    matches = matcher.match(relaxed)
    candidates = np.flatnonzero(matches.coverage >= RELATED_MIN_SHARE)
    named = matcher.near_all(_name_words(query), matches.doc_ids[candidates])
    candidates = candidates[named]
    if not len(candidates):
        return []
    coverage = matches.coverage[candidates]
    keep = candidates[coverage >= coverage.max() * RELATED_RELATIVE_COVERAGE]
    order = np.lexsort((matches.doc_ids[keep], -matches.scores[keep], -matches.coverage[keep]))
    return [
        (int(matches.doc_ids[i]), float(matches.scores[i]), float(matches.coverage[i]))
        for i in keep[order].tolist()
    ]


def _name_words(query: Query) -> list[frozenset[str]]:
    """Each word of the question's names, with its forms: a passage shown for its names holds
    every one ("Lars Moravy": both), where an answer may meet a name of several words by any
    part."""
    forms = set().union(*query.name_forms.values())
    return [query.matches.get(term, frozenset({term})) for term in query.terms if term in forms]


def _names_a_subject(question: str, query: Query) -> bool:
    """Whether a name the sources know is what the question is about, not only where or
    whence: not the object of a preposition ("*tesla* is tanking in japan", not "the weather
    in *Tokyo*")."""
    forms = set().union(*query.name_forms.values())
    tokens = tokenize(question)
    for at, token in enumerate(tokens):
        if term_of(token) not in forms:
            continue
        before = at - 1
        while before >= 0 and tokens[before] in DETERMINERS:
            before -= 1
        if before < 0 or tokens[before] not in PREPOSITIONS:
            return True
    return False


def related_message(query: Query, document_frequency: Callable[[str], int], why: str) -> str:
    """ "The sources don't say “tanking”; this is what they say about “tesla” and “japan”:",
    naming the question's words (as it writes them) that no source uses, nor a word the
    thesaurus relates to them (`bot.relevance.expansion`); when the sources use
    them all, `why` (the `no_match` message) says what is missing instead."""
    name_terms = set().union(query.names, *query.name_forms.values())
    unsaid = [
        written
        for term, written in query.words.items()
        if term not in name_terms
        and query.weights.get(term, 0.0) > 0.0
        and not NUMBER.match(term)
        and not any(document_frequency(form) for form in query.matches.get(term, {term}))
    ]
    names = [query.words.get(name, name) for name in query.names if query.names[name] > 0]
    about = f"this is what they say about {_listed(names)}:"
    if unsaid:
        return f"The sources don't say {_listed(unsaid, 'or')}; {about}"
    reason = why.split(". Try ", 1)[0].removesuffix(".")
    return f"{reason}. {about[0].upper()}{about[1:]}"


def not_mentioned(words: list[str]) -> str:
    return (
        f"The sources don't cover this: none of them mentions {quoted(words)}. "
        "Try the words the sources would use, or see the list of sources."
    )


def quoted(words: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in dict.fromkeys(words))


def _listed(words: list[str], conjunction: str = "and") -> str:
    """ "“a”", "“a” and “b”", "“a”, “b” and “c”"."""
    items = [f"“{w}”" for w in dict.fromkeys(words)]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
