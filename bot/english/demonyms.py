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


@lru_cache(maxsize=1)
def word_pairs() -> tuple[tuple[str, str], ...]:
    """(place, people) as lowercase words: one-word pairs, or the last words of pairs that differ
    in their last word alone ("south korea", "south korean": ("korea", "korean"))."""
    from countryinfo import all_countries  # its data is read only when a question needs it

    pairs: list[tuple[str, str]] = []
    for country in all_countries():
        name, demonym = country.name(), country.demonym()
        if not name or not demonym:
            continue
        place, people = name.lower().split(), demonym.lower().split()
        if len(place) != len(people) or place[:-1] != people[:-1]:
            continue  # "United States" / "American": no one word stands for the other
        pairs.append((place[-1], people[-1]))
    return tuple(pairs)


# Peoples the country data pairs with no one place (a continent's, or a people of several
# places), as the caveat reads them: *Chinese* statements are about China.
MORE_PEOPLES = {
    "chinese": "china",
    "american": "america",
    "french": "france",
    "british": "britain",
    "english": "england",
    "european": "europe",
    "asian": "asia",
}


@lru_cache(maxsize=1)
def place_of_people() -> dict[str, str]:
    """People word -> its one place word ("dutch" -> "netherlands"), from the country data, plus
    `MORE_PEOPLES`."""
    places: dict[str, set[str]] = {}
    for place, people in word_pairs():
        places.setdefault(people, set()).add(place)
    found = {people: next(iter(named)) for people, named in places.items() if len(named) == 1}
    return found | MORE_PEOPLES
