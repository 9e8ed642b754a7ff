"""Demonym pairs as index terms: *France* meets *French* (the words: `bot.english.demonyms`)."""

from __future__ import annotations

from functools import lru_cache

from bot.english.demonyms import word_pairs
from bot.retrieval import term_of


def demonym_forms(term: str) -> frozenset[str]:
    """The terms of the places or peoples paired with the term `term` (empty for most words)."""
    return _pairs().get(term, frozenset())


@lru_cache(maxsize=1)
def _pairs() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}  # place -> its people; people -> its one place
    places: dict[str, set[str]] = {}
    for place, people in word_pairs():
        a, b = term_of(place), term_of(people)
        if a and b and a != b:
            pairs.setdefault(a, set()).add(b)
            places.setdefault(b, set()).add(a)
    for people_term, named in places.items():
        if len(named) == 1:  # "French" is the people of France, Martinique, Réunion…: of none
            pairs.setdefault(people_term, set()).update(named)
    return {term: frozenset(forms) for term, forms in pairs.items()}
