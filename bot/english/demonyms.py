"""Place names and the adjectives of their people (demonyms), from countryinfo's country data.

*France* and *French*, *Netherlands* and *Dutch*, *Philippines* and *Filipino* share no prefix
that a rule of English could find, so the pairs come from a maintained data set
([countryinfo](https://pypi.org/project/countryinfo/), loaded on first use, about 75 ms) rather
than a hand list. Only one-word pairs, or pairs that differ in their last word alone (*South
Korea*, *South Korean*: *Korea*, *Korean*), are kept: a term meets a term. A demonym of several
places (*French*: France, Martinique, Réunion…) stands for none of them.
"""

from __future__ import annotations

from functools import lru_cache

from bot.retrieval import term_of


def demonym_forms(term: str) -> frozenset[str]:
    """The terms of the places or peoples paired with the term `term` (empty for most words)."""
    return _pairs().get(term, frozenset())


@lru_cache(maxsize=1)
def _pairs() -> dict[str, frozenset[str]]:
    from countryinfo import all_countries  # its data is read only when a question needs it

    pairs: dict[str, set[str]] = {}  # place -> its people; people -> its one place
    places: dict[str, set[str]] = {}
    for country in all_countries():
        name, demonym = country.name(), country.demonym()
        if not name or not demonym:
            continue
        place, people = name.lower().split(), demonym.lower().split()
        if len(place) != len(people) or place[:-1] != people[:-1]:
            continue  # "United States" / "American": no one word stands for the other
        a, b = term_of(place[-1]), term_of(people[-1])
        if a and b and a != b:
            pairs.setdefault(a, set()).add(b)
            places.setdefault(b, set()).add(a)
    for people_term, named in places.items():
        if len(named) == 1:  # "French" is the people of France, Martinique, Réunion…: of none
            pairs.setdefault(people_term, set()).update(named)
    return {term: frozenset(forms) for term, forms in pairs.items()}
