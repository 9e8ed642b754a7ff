"""The WikiContradict harness runs on a few real rows, false-alarm pass included."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.wikicontradict import Tally, evaluate, load_rows

WIKICONTRADICT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wikicontradict"


@pytest.mark.skipif(not WIKICONTRADICT.is_dir(), reason=f"{WIKICONTRADICT} is absent")
def test_a_few_rows_are_tallied_with_their_false_alarm_check() -> None:
    rows = load_rows(WIKICONTRADICT)[:4]
    tallies = evaluate(rows)
    assert sum(t.rows for (_, kind), t in tallies.items() if kind == "all") == len(rows)


def test_only_rows_with_both_contexts_cited_and_no_caveat_are_listed_as_missed() -> None:
    tally = Tally()
    tally.add("1", both=True, caveat=False, alarm=False)  # a caveat miss: listed
    tally.add("3", both=False, caveat=False, alarm=False)  # a citation miss: not the caveat's
    tally.add("5", both=True, caveat=True, alarm=False)
    assert tally.missed == ["1"]
    assert (tally.rows, tally.both_cited, tally.caveats) == (3, 2, 1)
