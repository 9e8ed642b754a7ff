"""Table and infobox lines: fields separated by tabs or pipes.

Real sources hold tables ("Bridge | Opened | Length") and infobox-like lines ("Length<TAB>1,410 m").
A figure in such a line belongs to its row and its column, not to the whole table: the column is
named by the block's first row (its header), or, in a two-field line, by the line's own first
field. Excerpts quote one row at a time; relevance and caveats read the column names with it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.passages import PassageList
from bot.retrieval import analyze

_PIPES = re.compile(r"\s*\|\s*")
MAX_ROW_CHARS = 5_000  # a longer line is prose, not a row of fields


def is_table_row(line: str) -> bool:
    """A line of fields: one tab or more, or two pipes or more."""
    line = line.strip().strip("|")
    return "\t" in line or line.count("|") >= 2 or (line.count("|") == 1 and "\n" not in line)


def cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty field of `line`."""
    separator = re.compile(r"\t+") if "\t" in line else _PIPES
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in [*separator.finditer(line), None]:
        end = match.start() if match else len(line)
        start, stop = cursor, end
        while start < stop and line[start].isspace():
            start += 1
        while stop > start and line[stop - 1].isspace():
            stop -= 1
        if stop > start and line[start:stop] != "|":
            spans.append((start, stop))
        cursor = match.end() if match else len(line)
    return spans


def _line_at(text: str, start: int) -> str | None:
    """The line holding offset `start`; None when it is longer than `MAX_ROW_CHARS` (no table
    row; found without reading more than that either side of `start`)."""
    line_start = text.rfind("\n", max(0, start - MAX_ROW_CHARS - 1), start) + 1
    line_end = text.find("\n", start, line_start + MAX_ROW_CHARS + 1)
    if line_end < 0:
        line_end = len(text)
    if (line_start == 0 and start > MAX_ROW_CHARS) or line_end - line_start > MAX_ROW_CHARS:
        return None
    return text[line_start:line_end]


@dataclass(frozen=True)
class _Lines:
    """Where each line of a text starts, and for each table row its header and title lines."""

    starts: list[int]
    headers: dict[int, int]  # row line -> the first line of its block of rows
    titles: dict[int, int | None]  # row line -> the line titling its table, if any


@lru_cache(maxsize=4)
def _lines_of(text: str) -> _Lines:
    """The rows of `text` with their header and title lines, read in one pass: each row of a
    table of thousands looked back over all the rows above it before."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    headers: dict[int, int] = {}
    titles: dict[int, int | None] = {}
    title: int | None = None  # the last line that is neither blank nor a row (nor too long)
    previous_row = False
    for number, begin in enumerate(starts):
        end = starts[number + 1] - 1 if number + 1 < len(starts) else len(text)
        line = text[begin:end] if end - begin <= MAX_ROW_CHARS else None
        row = line is not None and is_table_row(line)
        if row:
            headers[number] = headers[number - 1] if previous_row else number
            titles[number] = title
        elif line is None:
            title = None  # a line of prose too long to title anything
        elif line.strip():
            title = number
        previous_row = row
    return _Lines(starts, headers, titles)


def _row_number(text: str, start: int) -> tuple[_Lines, int] | None:
    """The text's lines and the number of the line at `start`, when that line is a table row."""
    line = _line_at(text, start)
    if line is None or not is_table_row(line):
        return None
    lines = _lines_of(text)
    return lines, bisect.bisect_right(lines.starts, start) - 1


def _line(text: str, lines: _Lines, number: int) -> str:
    begin = lines.starts[number]
    return text[begin : lines.starts[number + 1] - 1 if number + 1 < len(lines.starts) else None]


def column_names(text: str, start: int) -> list[str] | None:
    """The header fields of the table holding the line at offset `start` of `text`.

    None when the line is no table row, or when it is a two-field line (an infobox: its own first
    field names it). The header is the first line of the block of table rows the line is in.
    """
    found = _row_number(text, start)
    if found is None:
        return None
    lines, number = found
    line, header = _line(text, lines, number), _line(text, lines, lines.headers[number])
    if len(cells(line)) < 3 or header == line:
        return None  # an infobox line, or the row is its own header
    return [header[s:e] for s, e in cells(header)]


def subject_of(text: str, start: int) -> str | None:
    """The line that titles the table or infobox holding the line at `start`: the nearest line
    before its block of rows that is not a row ("Carrow Viaduct" above "Length<TAB>1,410 m")."""
    found = _row_number(text, start)
    if found is None:
        return None
    lines, number = found
    title = lines.titles[number]
    return None if title is None else _line(text, lines, title).strip()


@dataclass(frozen=True)
class TableRows:
    """Which passages are table rows, and the terms a row reads with: its table's column names
    (part of what the row says) and the line titling the table (its context, instead of the
    rows around it, which are about other things). Terms map to the ids of the rows holding them.
    """

    is_row: np.ndarray  # bool per passage
    columns: dict[str, np.ndarray]
    subjects: dict[str, np.ndarray]


def table_rows(passages: PassageList) -> TableRows:
    """The table rows among a library's `passages`, read once at build."""
    is_row = np.zeros(len(passages), dtype=bool)
    columns: dict[str, list[int]] = {}
    subjects: dict[str, list[int]] = {}
    for number, source in enumerate(passages.sources):
        if "\t" not in source.text and "|" not in source.text:
            continue  # most sources hold no table at all: their passages are never made
        first = passages.first_of(number)
        for pid, passage in enumerate(passages.source_passages(number), start=first):
            if not is_table_row(passage.text):
                continue
            is_row[pid] = True
            names = column_names(source.text, passage.start)
            for term in set(analyze(" ".join(names))) if names else ():
                columns.setdefault(term, []).append(pid)
            subject = subject_of(source.text, passage.start)
            for term in set(analyze(subject)) if subject else ():
                subjects.setdefault(term, []).append(pid)
    return TableRows(
        is_row,
        {t: np.array(ids, dtype=np.int64) for t, ids in columns.items()},
        {t: np.array(ids, dtype=np.int64) for t, ids in subjects.items()},
    )
