"""A general English thesaurus: words related to a word in WordNet 3.0.

The data file (`data/thesaurus.tsv.gz`, WordNet's licence beside it) is compiled by
`bot.english.build_thesaurus`; it is read once, on first use (~30 ms), and kept as bytes that a
binary search reads (its lines are sorted). A word is looked up as written and
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
def _text(path: Path = DATA) -> bytes:
    """The file's lines (sorted by word), held as one UTF-8 string of bytes: ~4.5 MB, where a
    dict of its 72,000 entries would take several times that (and a decoded copy as much
    again, at the moment it is made). UTF-8 sorts as the words do."""
    return gzip.decompress(path.read_bytes())


def _fields(word: str, path: Path = DATA) -> list[str] | None:
    """The word's three fields, found by binary search over the sorted lines; None if absent."""
    text, wanted = _text(path), word.encode("utf-8")
    low, high = 0, len(text)  # both always at the start of a line (or the end)
    while low < high:
        start = text.rfind(b"\n", 0, (low + high) // 2) + 1
        end = text.find(b"\n", start)
        end = len(text) if end < 0 else end
        tab = text.find(b"\t", start, end)
        key = text[start:tab]
        if key == wanted:
            fields = text[tab + 1 : end].decode("utf-8").split("\t")
            return fields if len(fields) == len(RELATIONS) else None
        if key < wanted:
            low = end + 1
        else:
            high = start
    return None


def load(path: Path = DATA) -> int:
    """Reads the file now (else on first use); returns how many words it has."""
    return _text(path).count(b"\n")


@lru_cache(maxsize=8192)
def related_words(
    word: str,
    relations: tuple[str, ...] = ("synonyms", "derived"),
    max_rank: int = 3,
    path: Path = DATA,
) -> frozenset[str]:
    """The words related to `word` (or to one of its lemmas) by `relations`, through its
    `max_rank` most frequent senses; never the word itself, never an antonym."""
    wanted = [RELATIONS.index(r) for r in relations]
    found: set[str] = set()
    for form in _forms(word.lower()):
        fields = _fields(form, path)
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
