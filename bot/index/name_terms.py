"""Which terms are names: the words the sources write capitalised at least 3 times in 4.

The counts come from `bot.index.names` (cheap, in the analysis workers); the decision needs the
analyser's terms, so it is made here, in the process that builds the index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.english.time import MONTHS
from bot.index.names import NameTally, name_tally
from bot.retrieval import term_of


def name_terms(texts: Iterable[str]) -> frozenset[str]:
    """Terms the texts write capitalised (not first in a sentence) at least 3 times in 4."""
    return names_of(name_tally(texts))


def names_of(
    tally: NameTally, term_of_word: Callable[[str], str | None] = term_of
) -> frozenset[str]:
    """Terms written capitalised at least 3 times in 4 (months are not names); `term_of_word`
    gives each word's term."""
    return names_in(term_counts(tally, term_of_word))


# term -> (times written capitalised, times in lowercase)
TermCounts = dict[str, tuple[int, int]]


def term_counts(tally: NameTally, term_of_word: Callable[[str], str | None]) -> TermCounts:
    """A tally's counts by term (months left out): what `names_in` decides from. Counts of
    parts of a library add up, term by term."""
    capitalised, lowercase = tally
    by_term: TermCounts = {}
    for word in capitalised.keys() | lowercase.keys():
        term = term_of_word(word.replace("’", "'").removesuffix("'s"))
        if term and word not in MONTHS:
            up, down = by_term.get(term, (0, 0))
            by_term[term] = (up + capitalised.get(word, 0), down + lowercase.get(word, 0))
    return by_term


def is_name(up: int, down: int) -> bool:
    """Whether a term written capitalised `up` times and in lowercase `down` times is a name."""
    return up > 0 and up >= 3 * down


def names_in(by_term: TermCounts) -> frozenset[str]:
    return frozenset(term for term, (up, down) in by_term.items() if is_name(up, down))
