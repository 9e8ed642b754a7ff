"""Table and infobox lines: fields separated by tabs or pipes.

Real sources hold tables ("Bridge | Opened | Length") and infobox-like lines ("Length<TAB>1,410 m").
A figure in such a line belongs to its row and its column, not to the whole table: the column is
named by the block's first row (its header), or, in a two-field line, by the line's own first
field. Excerpts quote one row at a time; relevance and caveats read the column names with it.
"""

from __future__ import annotations

import re

_PIPES = re.compile(r"\s*\|\s*")


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


def column_names(text: str, start: int) -> list[str] | None:
    """The header fields of the table holding the line at offset `start` of `text`.

    None when the line is no table row, or when it is a two-field line (an infobox: its own first
    field names it). The header is the first line of the block of table rows the line is in.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if not is_table_row(line) or len(cells(line)) < 3:
        return None
    header = line
    cursor = line_start
    while cursor > 0:
        previous_start = text.rfind("\n", 0, cursor - 1) + 1
        previous = text[previous_start : cursor - 1]
        if not is_table_row(previous):
            break
        header, cursor = previous, previous_start
    if header == line:
        return None  # the row is its own header
    return [header[s:e] for s, e in cells(header)]


def subject_of(text: str, start: int) -> str | None:
    """The line that titles the table or infobox holding the line at `start`: the nearest line
    before its block of rows that is not a row ("Carrow Viaduct" above "Length<TAB>1,410 m")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if not is_table_row(text[line_start : line_end if line_end >= 0 else len(text)]):
        return None
    cursor = line_start
    while cursor > 0:
        previous_start = text.rfind("\n", 0, cursor - 1) + 1
        previous = text[previous_start : cursor - 1]
        if previous.strip() and not is_table_row(previous):
            return previous.strip()
        cursor = previous_start
    return None
