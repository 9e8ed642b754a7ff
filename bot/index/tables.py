"""The table rows of a library, read once at build: which passages are rows, and the terms of
their columns and titles (the lines themselves: `bot.passages.tables`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.index.text_features import TABLE_MARKS
from bot.passages.sentences import PassageList
from bot.passages.tables import column_names, is_table_row, subject_of
from bot.retrieval import analyze


@dataclass(frozen=True)
class TableRows:
    """Which passages are table rows, and the terms a row reads with: its table's column names
    (part of what the row says) and the line titling the table (its context, instead of the
    rows around it, which are about other things). Terms map to the ids of the rows holding them.
    """

    is_row: np.ndarray  # bool per passage
    columns: dict[str, np.ndarray]
    subjects: dict[str, np.ndarray]


def table_rows(passages: PassageList, features: Sequence[int]) -> TableRows:
    """The table rows among a library's `passages`, read once at build (`features`: each
    source's `text_features`)."""
    is_row = np.zeros(len(passages), dtype=bool)
    columns: dict[str, list[int]] = {}
    subjects: dict[str, list[int]] = {}
    for number, source in enumerate(passages.sources):
        if not features[number] & TABLE_MARKS:
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
