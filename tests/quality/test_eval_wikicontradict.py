"""The WikiContradict harness, false-alarm pass included: on a file in the dataset's layout, and
(`pytest -m shared_data`) on a few real rows."""

from __future__ import annotations

import csv
from pathlib import Path

import corpora
import pytest

from bot.evaluation.wikicontradict import CSV_NAME, Tally, evaluate, load_rows

COLUMNS = ("question_ID", "question", "context1", "context2", "answer1", "answer2",
           "contradictType", "samepassage", "WikipediaArticleTitle")  # fmt: skip
ROWS = [
    ("1", "When did the Harbour Bridge open?", "The Harbour Bridge opened to traffic in 1932.",
     "The Harbour Bridge opened to traffic in 1934.", "1932", "1934", "Explicit", "Different",
     "Harbour Bridge"),
    ("2", "How long is the Quillby pier?", "The Quillby pier is 300 metres long.",
     "The Quillby pier is 300 metres long.", "300", "300", "Explicit", "Same", "Quillby"),
]  # fmt: skip


def test_a_file_in_the_dataset_layout_is_read_and_tallied(tmp_path: Path) -> None:
    with (tmp_path / CSV_NAME).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([COLUMNS, *ROWS])
    rows = load_rows(tmp_path)
    assert [row["question_ID"] for row in rows] == ["1"]  # one passage for both: not a pair
    [(key, tally)] = [(key, t) for key, t in evaluate(rows).items() if key[1] == "all"]
    assert key == ("odd (tuning)", "all")
    assert (tally.rows, tally.both_cited, tally.caveats, tally.false_alarms) == (1, 1, 1, 0)


@pytest.mark.shared_data
def test_a_few_rows_are_tallied_with_their_false_alarm_check() -> None:
    rows = load_rows(corpora.shared_data("data", "wikicontradict"))[:4]
    tallies = evaluate(rows)
    assert sum(t.rows for (_, kind), t in tallies.items() if kind == "all") == len(rows)


def test_only_rows_with_both_contexts_cited_and_no_caveat_are_listed_as_missed() -> None:
    tally = Tally()
    tally.add("1", both=True, caveat=False, alarm=False)  # a caveat miss: listed
    tally.add("3", both=False, caveat=False, alarm=False)  # a citation miss: not the caveat's
    tally.add("5", both=True, caveat=True, alarm=False)
    assert tally.missed == ["1"]
    assert (tally.rows, tally.both_cited, tally.caveats) == (3, 2, 1)
