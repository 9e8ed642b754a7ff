"""Passages: a source cut into sentences, each a span of the source's own text.

Nothing here rewrites text. A passage is only a pair of character offsets into its source, so
what a user is shown is always `source.text[start:end]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count, repeat
from typing import overload

import numpy as np

from bot.english.function_words import CLAUSE_OPENERS
from bot.english.names import SENTENCE_END_DESIGNATORS
from bot.passages.wraps import (
    BULLET,
    HARD_LINE_ENDS,
    joined_wraps,
    last_line,
)
from bot.sources import Source

# Words that end in a period without ending a sentence. Initials ("J.") and dotted
# abbreviations ("U.S.", "a.m.", "e.g.") are recognised by shape in `_ends_in_abbreviation`.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr rev gen col lt sgt capt gov sen rep pres mt ft dept univ
    assn est approx vs no nos vol fig op cf al jan feb mar apr jun jul aug sep sept oct nov
    dec mon tue wed thu fri sat sun
    """.split()
)
_NEXT_WORD = re.compile(r"[A-Z][a-z]*")

# (The lookahead lets the regex engine skip to the next mark instead of trying every position.)
_TERMINAL = re.compile(r"(?=[.!?…。！？])(?:[.!?…]+[”’\"')\]]*\s+|[。！？]+[」』”’]*\s*)")
_DATELINE = re.compile(
    r"[ \t]*(?:date[ \t]+)?\d{4}-\d{2}-\d{2}[ \t]+(?:[A-Z][\w.'’-]*[ \t]+){0,4}[—–-][ \t]+"
    r"|[ \t]*[A-Z][A-Z .,'’-]{2,40}(?:\([^)\n]{1,40}\))?[ \t]+[—–-][ \t]+",
    re.IGNORECASE,
)
_DASH = re.compile(r"[—–-]")
# An initial ("J") or a dotted abbreviation ("U.S", "a.m") before a period.
_INITIALS = re.compile(r"[A-Za-z]|(?:[A-Za-z]\.)+[A-Za-z]")
_SOFT_WRAP_MIN_CHARS = 60
# `_blocks` as one regex pass, for ASCII text whose only line break is "\n" (most sources): there
# "lowercase" is a-z and the whitespace inside a line is space, tab and \x1f. A block is a
# line that is not blank, then each following line it soft-wraps onto (`_is_soft_wrap`): the
# line before it ends in no hard end (`HARD_LINE_ENDS`), and either that line is long and this
# one is no bullet, or this one starts in lowercase.
_OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e"
_LINE_SPACE = r"[ \t\x1f]"
_SOFT_ENDED_LINE = rf"[^\n]*[^\n \t\x1f.!?:;\"')\]]{_LINE_SPACE}*\n"
_ASCII_BLOCK = re.compile(
    rf"^(?={_LINE_SPACE}*\S)(?:"
    rf"(?=[^\n]{{{_SOFT_WRAP_MIN_CHARS}}}){_SOFT_ENDED_LINE}(?={_LINE_SPACE}*\S)(?!{BULLET.pattern})"
    rf"|{_SOFT_ENDED_LINE}(?={_LINE_SPACE}*[a-z])"
    r")*[^\n]*",
    re.MULTILINE,
)
_ALNUM = re.compile(r"[^\W_]")  # a character `str.isalnum` accepts


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence (or heading, or bullet) of a source, by its offsets in the source text."""

    source: Source
    position: int
    paragraph: int
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]


class _MadeWhenRead(Sequence[Passage]):
    """A sequence of passages that makes each one when it is read (`_at`)."""

    @overload
    def __getitem__(self, index: int) -> Passage: ...

    @overload
    def __getitem__(self, index: slice) -> list[Passage]: ...

    def __getitem__(self, index: int | slice) -> Passage | list[Passage]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError("passage index out of range")
        return self._at(index % len(self))

    def _at(self, index: int) -> Passage:
        raise NotImplementedError


class PassageList(_MadeWhenRead):
    """The passages of many sources, in order, held as arrays: each `Passage` is made when it
    is read. A library of 160k passages keeps three numbers each rather than 160k objects, and
    is ready as soon as its arrays are."""

    def __init__(self, sources: Sequence[Source], counts: np.ndarray, spans: np.ndarray) -> None:
        """`counts`: passages per source; `spans`: (paragraph, start, end) of every passage."""
        self._sources = sources
        self._first = np.concatenate(([0], np.cumsum(counts))).tolist()  # each one's first
        self._source_of = np.repeat(np.arange(len(sources), dtype=np.int32), counts)
        self._spans = spans

    def __len__(self) -> int:
        return len(self._spans)

    def _at(self, index: int) -> Passage:
        source = int(self._source_of[index])
        paragraph, start, end = self._spans[index].tolist()
        position = index - self._first[source]
        return Passage(self._sources[source], position, paragraph, start, end)

    def __iter__(self) -> Iterator[Passage]:
        for source in range(len(self._sources)):
            yield from self.source_passages(source)

    def of_source(self, source: int) -> Sequence[Passage]:
        """The passages of `sources[source]`, in order (positions from 0), made when read."""
        return _SourcePassages(self, source, self._first[source], self._first[source + 1])

    @property
    def sources(self) -> Sequence[Source]:
        return self._sources

    @property
    def source_of(self) -> np.ndarray:
        """The number (position in `sources`) of each passage's source."""
        return self._source_of

    @property
    def spans(self) -> np.ndarray:
        """(paragraph, start, end) of each passage."""
        return self._spans

    def first_of(self, source: int) -> int:
        """The index of `sources[source]`'s first passage."""
        return self._first[source]

    def with_sources(self, sources: Sequence[Source]) -> PassageList:
        """The same passages (arrays shared, not copied) of other `Source` objects, one for
        each of `sources` here: a server's labels over a shared library's passages."""
        copy = PassageList.__new__(PassageList)
        copy.__dict__.update(self.__dict__)
        copy._sources = sources
        return copy

    def source_passages(self, source: int) -> list[Passage]:
        """The passages of `sources[source]`, all made now."""
        first, last = self._first[source], self._first[source + 1]
        paragraphs, starts, ends = self._spans[first:last].T.tolist()
        return list(map(Passage, repeat(self._sources[source]), count(), paragraphs, starts, ends))


class PassagesBySource(Mapping[str, Sequence[Passage]]):
    """Source id -> that source's passages in a `PassageList` (the last source of an id)."""

    def __init__(self, passages: PassageList, sources: Sequence[Source]) -> None:
        self._passages = passages
        self._number = {source.id: number for number, source in enumerate(sources)}

    def __getitem__(self, source_id: str) -> Sequence[Passage]:
        return self._passages.of_source(self._number[source_id])

    def number(self, source_id: str) -> int | None:
        """The source's number (position in the sources), None for an unknown id."""
        return self._number.get(source_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._number)

    def __len__(self) -> int:
        return len(self._number)


class _SourcePassages(_MadeWhenRead):
    """One source's passages in a `PassageList`."""

    __slots__ = ("_passages", "_source", "_first", "_last")

    def __init__(self, passages: PassageList, source: int, first: int, last: int) -> None:
        self._passages, self._source, self._first, self._last = passages, source, first, last

    def __len__(self) -> int:
        return self._last - self._first

    def _at(self, index: int) -> Passage:
        return self._passages[self._first + index]

    def __iter__(self) -> Iterator[Passage]:
        return iter(self._passages.source_passages(self._source))


def split_into_passages(source: Source) -> list[Passage]:
    """Cut a source into sentence-level passages, in reading order."""
    return [
        Passage(source, position, paragraph, start, end)
        for position, (paragraph, start, end) in enumerate(passage_spans(source.text))
    ]


def passage_spans(text: str) -> list[tuple[int, int, int]]:
    """(paragraph, start, end) of each passage of `text`, in reading order."""
    return [
        (paragraph, start, end)
        for paragraph, (block_start, block_end) in _blocks(text)
        for start, end in split_sentences(text, block_start, block_end)
    ]


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return the sentence spans of `text[start:end]`, a block with no hard line breaks."""
    start = _skip_lead(text, start, end)
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for match in _TERMINAL.finditer(text, start, end):
        boundary = match.end()
        if boundary >= end or not _is_sentence_end(text, match, end):
            continue
        spans.append(_trimmed(text, sentence_start, boundary))
        sentence_start = boundary
    if sentence_start < end:
        spans.append(_trimmed(text, sentence_start, end))
    return [(s, e) for s, e in spans if _ALNUM.search(text, s, e)]  # a word or number


def _is_sentence_end(text: str, match: re.Match[str], end: int) -> bool:
    # The first character after the marks and any opening quotes (no slice of the whole rest).
    following = match.end()
    while following < end and text[following] in "“‘\"'([":
        following += 1
    if following >= end or text[following].islower() or text[following] in ",;:":
        return False
    marks = match.group().rstrip()
    if marks[0] in "。！？":
        return True
    is_period = marks.rstrip("”’\"')]") == "."
    return not (is_period and _ends_in_abbreviation(text, match.start(), following))


def _ends_in_abbreviation(text: str, period: int, following: int) -> bool:
    """Whether the period at `period` only ends an abbreviation (the next word at `following`)."""
    word_start = period
    while (
        word_start > 0
        and not text[word_start - 1].isspace()
        and text[word_start - 1] not in "(“\"'‘"
    ):
        word_start -= 1
    word = text[word_start:period]
    if _INITIALS.fullmatch(word):
        return True
    if word.lower() in SENTENCE_END_DESIGNATORS:
        return not _opens_clause(text, following)
    return word.lower() in ABBREVIATIONS


def _opens_clause(text: str, start: int) -> bool:
    """A capitalised function word or -ing form at `start`: "The", "In", "Citing"."""
    word = _NEXT_WORD.match(text, start)
    if word is None:
        return False
    lowered = word.group().lower()
    return lowered in CLAUSE_OPENERS or (len(lowered) > 4 and lowered.endswith("ing"))


def _blocks(text: str) -> list[tuple[int, tuple[int, int]]]:
    """Group lines into blocks: a block is a line, or lines joined by soft wraps.

    Returns (paragraph number, (start, end)) pairs; the paragraph number grows at blank lines.
    """
    if text.isascii() and not any(mark in text for mark in _OTHER_LINE_BREAKS):
        return joined_wraps(text, _ascii_blocks(text))
    return joined_wraps(text, _line_blocks(text))


def _line_blocks(text: str) -> list[tuple[int, tuple[int, int]]]:
    """`_blocks` line by line (any text)."""
    blocks: list[tuple[int, tuple[int, int]]] = []
    paragraph = 0
    current: tuple[int, int] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")  # text[line_start:line_end]
        line_start, line_end = offset, offset + len(body)
        offset += len(line)
        if not body or body.isspace():
            if current is not None:
                blocks.append((paragraph, current))
                current = None
            paragraph += 1
            continue
        if current is not None and _is_soft_wrap(last_line(text, *current), body):
            current = (current[0], line_end)
            continue
        if current is not None:
            blocks.append((paragraph, current))
        current = (line_start, line_end)
    if current is not None:
        blocks.append((paragraph, current))
    return blocks


def _ascii_blocks(text: str) -> list[tuple[int, tuple[int, int]]]:
    """`_blocks` of ASCII text with "\n" line breaks only, a regex match per block."""
    blocks: list[tuple[int, tuple[int, int]]] = []
    paragraph = end = 0
    for match in _ASCII_BLOCK.finditer(text):
        start = match.start()
        # the blank lines in between (after a block, the first "\n" ends its last line)
        paragraph += text.count("\n", end, start) - (1 if blocks else 0)
        end = match.end()
        blocks.append((paragraph, (start, end)))
    return blocks


def _is_soft_wrap(previous: str, line: str) -> bool:
    """Whether `line` continues the sentence of the line before it, `previous` (hard-wrapped
    prose)."""
    if previous.rstrip()[-1:] in HARD_LINE_ENDS or BULLET.match(line):
        return False
    first = line.lstrip()[:1]
    return first.islower() or len(previous) >= _SOFT_WRAP_MIN_CHARS


def _skip_lead(text: str, start: int, end: int) -> int:
    """Skip a bullet or heading marker and a dateline ("2020-03-03 Southfield —")."""
    match = BULLET.match(text, start, end)
    if match and match.end() < end:
        start = match.end()
    # Every dateline ends in a dash: most blocks have none, and the pattern costs to try.
    if _DASH.search(text, start, end):
        match = _DATELINE.match(text, start, end)
        if match and match.end() < end:
            start = match.end()
    while start < end and text[start].isspace():
        start += 1
    return start


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def trimmed_end(text: str, start: int, end: int, limit: int) -> int:
    """Where `text[start:end]` ends when kept to `limit` characters: after the last word that
    fits (at a space in the second half of the span), never after a trailing sign."""
    if end - start <= limit:
        return end
    cut = start + limit
    space = text.rfind(" ", start, cut)
    if space > start + limit // 2:
        cut = space
    while cut > start and not text[cut - 1].isalnum():
        cut -= 1
    return cut
