"""Which words the sources write as names: how often each word is written capitalised (not
first in a sentence, not an acronym) and how often in lowercase.

Counts are of words as written; `bot.index.name_terms` turns them into terms and decides. Like
`bot.passages.tokens`, this needs no lemmatiser, so an analysis worker (`bot.index.parallel`)
imports it cheaply; tallies of parts of a library add up (`add_tallies`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np

from bot.passages.tokens import TEXT_SEPARATOR, WORD

# Where a sentence starts (for a capital that is not a name's).
_SENTENCE_START = re.compile(r"[.!?:;]['\"”’)]*\s+|\n")
# `WORD`'s words in ASCII text; a capitalised non-acronym (a capital, then a small letter), and
# such words at the start of a sentence.
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_ASCII_NAME = re.compile(r"[A-Z][a-z][A-Za-z]*(?:'[A-Za-z]+)*")
_ASCII_SENTENCE_NAME = re.compile(rf"(?:{_SENTENCE_START.pattern})({_ASCII_NAME.pattern})")
# The same, over a source's passages at once (`NameCounter.add_ascii`), TEXT_SEPARATOR before each.
ASCII_WORD_SCAN = re.compile(rf"{_ASCII_WORD.pattern}|{TEXT_SEPARATOR}")
_ASCII_NAME_AFTER_START = re.compile(
    rf"(?:{_SENTENCE_START.pattern}|{TEXT_SEPARATOR})({_ASCII_NAME.pattern})"
)
# A number with an ordinal suffix: a tokenizer finds "1st", `_ASCII_WORD` finds "st".
_ORDINAL_SUFFIX = re.compile(r"[0-9](?:[sS][tT]|[nN][dD]|[rR][dD]|[tT][hH])(?![A-Za-z])")
_ORDINAL_APOSTROPHE = re.compile(rf"{_ORDINAL_SUFFIX.pattern}'[A-Za-z]")


# How often each word is written capitalised (not first in a sentence) and in lowercase.
NameTally = tuple[Counter[str], Counter[str]]


def name_tally(texts: Iterable[str]) -> NameTally:
    """The counts `bot.index.name_terms.names_of` decides from."""
    counter = NameCounter()
    counter.add(texts)
    return counter.tally()


class NameCounter:
    """Adds up `name_tally`'s counts, passage by passage (`add`) or a source's passages at once
    (`add_ascii`, the fast way for ASCII text: a few calls per source, not per word or passage).

    ASCII words are tallied by whole lists: every word, with the capitalised and the
    sentence-initial ones taken back at the end (`tally`); `add_ascii` counts words as written,
    sorted into lowercase and capitalised ones once, over their distinct forms, at the end.
    """

    def __init__(self) -> None:
        self.capitalised: Counter[str] = Counter()
        self.lowercase: Counter[str] = Counter()
        self._words: Counter[str] = Counter()
        self._upper: Counter[str] = Counter()
        self._initial: Counter[str] = Counter()
        self._as_written: Counter[str] = Counter()  # `add_ascii`'s words, numbers and all

    def add(self, texts: Iterable[str]) -> None:
        for text in texts:
            if text.isascii():
                _tally_ascii_words(text, self._words, self._upper, self.capitalised, self._initial)
            else:
                _tally_words(text, self.capitalised, self.lowercase)

    def add_ascii(self, passages: Sequence[str], joined: str, words: list[str]) -> None:
        """`add(passages)` for ASCII passages, from `joined` (TEXT_SEPARATOR, then the passages
        with TEXT_SEPARATOR between them) and `words`, the words `ASCII_WORD_SCAN` finds in
        `joined`, in order, among numbers (a tokenizer's pass over `joined`, whose ordinal
        "1st" is the word "st" here, or "st's" in "1st's")."""
        if not passages:
            return
        if _ORDINAL_SUFFIX.search(joined):
            if _ORDINAL_APOSTROPHE.search(joined):
                words = ASCII_WORD_SCAN.findall(joined)
            else:
                words = _ordinals_as_suffixes(words)
        self._as_written.update(words)
        self._initial.update(_lowercase_words(_ASCII_NAME_AFTER_START.findall(joined)))
        alpha, capital, separators = _word_kinds(words)
        # A heading or title in title case says nothing about names: its counts are taken back.
        headings = np.flatnonzero(2 * capital > alpha).tolist()
        if headings:
            bounds = [*separators, len(words)]
            self._as_written.subtract(
                chain.from_iterable(words[bounds[i] : bounds[i + 1]] for i in headings)
            )
            titles = TEXT_SEPARATOR + TEXT_SEPARATOR.join(passages[i] for i in headings)
            self._initial.subtract(_lowercase_words(_ASCII_NAME_AFTER_START.findall(titles)))

    def tally(self) -> NameTally:
        words = self._words - self._upper  # without the capitalised ones, and only counts > 0
        lowercase, capitalised = Counter(words), Counter(self.capitalised)
        for word, count in self._as_written.items():
            if word >= "a":  # written in lowercase (numbers and separators sort before A)
                lowercase[word.lower()] += count
            elif word >= "A" and word[1:2].islower():  # capitalised, not an acronym
                capitalised[word.lower()] += count
        return capitalised - self._initial, self.lowercase + lowercase


def _ordinals_as_suffixes(words: list[str]) -> list[str]:
    """`words` with each ordinal (a number ending in letters: "1st") as its suffix ("st")."""
    text = np.frombuffer(("\x01" + "\x01".join(words) + "\x01").encode("ascii"), np.uint8)
    bounds = np.flatnonzero(text == 1)
    first, last = text[bounds[:-1] + 1], text[bounds[1:] - 1]
    words = list(words)
    for i in np.flatnonzero((first >= ord("0")) & (first <= ord("9")) & (last >= ord("A"))):
        words[i] = words[i][-2:]
    return words


def _word_kinds(words: list[str]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Per text of `words` (each text's after a TEXT_SEPARATOR): how many words, how many
    capitalised, and where in `words` its separator is."""
    first = np.frombuffer(("\x01" + "\x01".join(words)).encode("ascii"), dtype=np.uint8)
    first = first[np.flatnonzero(first == 1) + 1]  # each word's first character
    separator = first == 0
    text_of = np.cumsum(separator) - 1
    letter = first >= ord("A")  # numbers and separators sort before letters
    alpha = np.bincount(text_of, weights=letter)
    capital = np.bincount(text_of, weights=letter & (first <= ord("Z")), minlength=len(alpha))
    return alpha, capital, np.flatnonzero(separator).tolist()


def _tally_words(text: str, capitalised: Counter[str], lowercase: Counter[str]) -> None:
    """Count one text's capitalised words (not first in a sentence) and lowercase words."""
    found = [(m.start(), m.group()) for m in WORD.finditer(text)]
    words = [(start, word) for start, word in found if word[0].isalpha()]
    upper = [(start, word) for start, word in words if word[0].isupper()]
    if len(upper) * 2 > len(words):
        return  # a heading or title in title case says nothing about names
    lowercase.update([word.lower() for _, word in words if not word[0].isupper()])
    if upper:
        starts = {0} | {m.end() for m in _SENTENCE_START.finditer(text)}
        # not sentence-initial, nor an acronym (EV = "electric vehicle")
        capitalised.update(
            [w.lower() for start, w in upper if start not in starts and not w[:2].isupper()]
        )


def _tally_ascii_words(
    text: str,
    words: Counter[str],
    upper: Counter[str],
    capitalised: Counter[str],
    initial: Counter[str],
) -> None:
    """`_tally_words` for ASCII text, with no offsets and few calls per word: counts every word
    in `words`, the capitalised ones in `upper`, the capitalised non-acronyms in `capitalised`
    and those of them first in a sentence in `initial` (all lowercased)."""
    found = _ASCII_WORD.findall(text)
    capitals = [word for word in found if word[0] < "a"]  # A-Z sort before a-z
    if len(capitals) * 2 > len(found):
        return  # a heading or title in title case
    words.update(_lowercase_words(found))
    if capitals:
        upper.update(_lowercase_words(capitals))
        capitalised.update(_lowercase_words([w for w in capitals if w[1:2].islower()]))
        firsts = _ASCII_SENTENCE_NAME.findall(text)
        if first := _ASCII_NAME.match(text):
            firsts.append(first.group())
        initial.update(_lowercase_words(firsts))


def _lowercase_words(words: list[str]) -> list[str]:
    return " ".join(words).lower().split()  # words hold no spaces: one join lowercases all


def add_tallies(tallies: Iterable[NameTally]) -> NameTally:
    """The tally of a library whose parts have these tallies."""
    capitalised: Counter[str] = Counter()
    lowercase: Counter[str] = Counter()
    for part_capitalised, part_lowercase in tallies:
        capitalised.update(part_capitalised)
        lowercase.update(part_lowercase)
    return capitalised, lowercase
