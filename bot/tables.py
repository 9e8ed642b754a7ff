"""Table and infobox lines: fields separated by tabs or pipes.

Real sources hold tables ("Bridge | Opened | Length") and infobox-like lines ("Length<TAB>1,410 m").
A figure in such a line belongs to its row and its column, not to the whole table: the column is
named by the block's first row (its header), or, in a two-field line, by the line's own first
field. Excerpts quote one row at a time; relevance and caveats read the column names with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def _line_at(text: str, start: int) -> tuple[int, str | None]:
    """(start, text) of the line holding offset `start`; None for its text when it is longer
    than `MAX_ROW_CHARS` (no table row, and reading it for each of its sentences would cost
    its length squared)."""
    line_start = text.rfind("\n", max(0, start - MAX_ROW_CHARS), start) + 1
    line_end = text.find("\n", start, start + MAX_ROW_CHARS + 1)
    if line_end < 0:
        line_end = len(text) if len(text) - start <= MAX_ROW_CHARS else -1
    if (line_start == 0 and start > MAX_ROW_CHARS) or line_end < 0:
        return line_start, None
    return line_start, text[line_start:line_end]


def column_names(text: str, start: int) -> list[str] | None:
    """The header fields of the table holding the line at offset `start` of `text`.

    None when the line is no table row, or when it is a two-field line (an infobox: its own first
    field names it). The header is the first line of the block of table rows the line is in.
    """
    line_start, line = _line_at(text, start)
    if line is None or not is_table_row(line) or len(cells(line)) < 3:
        return None
    header = line
    cursor = line_start
    while cursor > 0:
        previous_start, previous = _line_at(text, cursor - 1)
        if previous is None or not is_table_row(previous):
            break
        header, cursor = previous, previous_start
    if header == line:
        return None  # the row is its own header
    return [header[s:e] for s, e in cells(header)]


def subject_of(text: str, start: int) -> str | None:
    """The line that titles the table or infobox holding the line at `start`: the nearest line
    before its block of rows that is not a row ("Carrow Viaduct" above "Length<TAB>1,410 m")."""
    line_start, line = _line_at(text, start)
    if line is None or not is_table_row(line):
        return None
    cursor = line_start
    while cursor > 0:
        previous_start, previous = _line_at(text, cursor - 1)
        if previous is None:
            return None  # a line of prose too long to title anything
        if previous.strip() and not is_table_row(previous):
            return previous.strip()
        cursor = previous_start
    return None


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
