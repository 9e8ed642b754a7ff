"""The WikiContradict harness runs on a few real rows, false-alarm pass included."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.wikicontradict import evaluate, load_rows

WIKICONTRADICT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wikicontradict"


@pytest.mark.skipif(not WIKICONTRADICT.is_dir(), reason=f"{WIKICONTRADICT} is absent")
def test_a_few_rows_are_tallied_with_their_false_alarm_check() -> None:
    rows = load_rows(WIKICONTRADICT)[:4]
    tallies = evaluate(rows)
    assert sum(t.rows for (_, kind), t in tallies.items() if kind == "all") == len(rows)
