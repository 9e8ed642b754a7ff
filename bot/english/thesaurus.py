"""A general English thesaurus: words related to a word in WordNet 3.0.

The data file (`data/thesaurus.tsv.gz`, WordNet's licence beside it) is compiled by
`bot.english.build_thesaurus`; it is read once, on first use. A word is looked up as written and
by its lemmas (*tanking* → *tank*), so any inflection finds its entry.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from lemminflect import getAllLemmas

DATA = Path(__file__).parent / "data" / "thesaurus.tsv.gz"
RELATIONS = ("synonyms", "derived", "hypernyms")


@cache
def _entries(path: Path = DATA) -> dict[str, tuple[str, str, str]]:
    """word -> its three fields as written (parsed only when the word is asked)."""
    entries: dict[str, tuple[str, str, str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            word, *fields = line.rstrip("\n").split("\t")
            if len(fields) == len(RELATIONS):
                entries[word] = (fields[0], fields[1], fields[2])
    return entries


def load(path: Path = DATA) -> int:
    """Reads the file now (else on first use); returns how many words it has."""
    return len(_entries(path))


@lru_cache(maxsize=8192)
def related_words(
    word: str,
    relations: tuple[str, ...] = ("synonyms", "derived"),
    max_rank: int = 3,
    path: Path = DATA,
) -> frozenset[str]:
    """The words related to `word` (or to one of its lemmas) by `relations`, through its
    `max_rank` most frequent senses; never the word itself, never an antonym."""
    entries = _entries(path)
    wanted = [RELATIONS.index(r) for r in relations]
    found: set[str] = set()
    for form in _forms(word.lower()):
        fields = entries.get(form)
        if fields is None:
            continue
        for at in wanted:
            found.update(_within(fields[at], max_rank))
    return frozenset(found - {word.lower()})


def _forms(word: str) -> Iterable[str]:
    yield word
    for lemmas in getAllLemmas(word).values():
        yield from (lemma.lower() for lemma in lemmas if lemma.lower() != word)


def _within(field: str, max_rank: int) -> Iterable[str]:
    for entry in field.split():
        other, _, rank = entry.rpartition("/")
        if int(rank) <= max_rank:
            yield other
