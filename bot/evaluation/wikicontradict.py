"""WikiContradict, the issue's protocol: do answers cite both sides and raise a caveat?

Rows with `samepassage == Different`. Each row's context1 and context2 become two source files
("<article> A" / "<article> B") in one folder holding every row's pair (a context shared by
several rows is written once); each question is asked of that folder. Counted per row: (a) both
contexts cited, (b) a caveat whose two sides quote the two contexts. False alarms: the same
question with that row's context2 removed from the folder; any caveat is a false alarm.
Odd question_IDs were used for tuning; even ones are held out.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.answer.types import Answer, Contradiction

CSV_NAME = "WikiContradict_dataset_v1_rag_qa.rows1-148.csv"


@dataclass
class Tally:
    rows: int = 0
    both_cited: int = 0
    caveats: int = 0
    false_alarms: int = 0
    missed: list[str] = field(default_factory=list)  # both contexts cited, no caveat

    def add(self, row_id: str, both: bool, caveat: bool, alarm: bool) -> None:
        self.rows += 1
        self.both_cited += both
        self.caveats += caveat
        self.false_alarms += alarm
        if both and not caveat:
            self.missed.append(row_id)


def load_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / CSV_NAME).open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["samepassage"] == "Different"]
    for row in rows:
        row["type"] = "Explicit" if row["contradictType"].startswith("Explicit") else "Implicit"
        row["split"] = "odd (tuning)" if int(row["question_ID"]) % 2 else "even (held out)"
    return rows


def write_folder(rows: Iterable[dict[str, str]], folder: Path) -> dict[str, Path]:
    """One file per distinct context, titled "<article> A|B"; returns context text -> path."""
    paths: dict[str, Path] = {}
    entries = []
    for row in rows:
        for column, letter in (("context1", "A"), ("context2", "B")):
            text = row[column].strip()
            if text in paths:
                continue
            path = folder / f"{len(paths):03d}_{row['question_ID']}{letter}.txt"
            path.write_text(text + "\n", encoding="utf-8")
            paths[text] = path
            title = f"{row['WikipediaArticleTitle']} {letter}".replace('"', "'")
            entries.append(
                f'[[source]]\nfile = "{path.name}"\nid = "{path.stem}"\ntitle = "{title}"\n'
            )
    (folder / "sources.toml").write_text("\n".join(entries), encoding="utf-8")
    return paths


def evaluate(rows: list[dict[str, str]]) -> dict[tuple[str, str], Tally]:
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_folder(rows, folder)
        engine = AnswerEngine.from_folder(folder)
        for row in rows:
            first, second = row["context1"].strip(), row["context2"].strip()
            answer = engine.answer(row["question"])
            cited = [c.source.text[c.start : c.end] for c in answer.citations]
            both = any(t in first for t in cited) and any(t in second for t in cited)
            caveat = any(_quotes_both(c, first, second) for c in answer.contradictions)
            alarm = bool(_without(engine, paths[second], row["question"]).contradictions)
            for key in ((row["split"], row["type"]), (row["split"], "all")):
                tallies[key].add(row["question_ID"], both, caveat, alarm)
    return dict(sorted(tallies.items()))


def run_wikicontradict(folder: Path) -> int:
    rows = load_rows(folder)
    header = ("split", "type", "rows", "both cited", "caveat", "false alarms")
    print("{:<16} {:<9} {:>5} {:>11} {:>8} {:>13}".format(*header))
    tallies = evaluate(rows)
    for (split, kind), tally in tallies.items():
        print(
            f"{split:<16} {kind:<9} {tally.rows:>5} {_pct(tally.both_cited, tally.rows):>11} "
            f"{_pct(tally.caveats, tally.rows):>8} {_pct(tally.false_alarms, tally.rows):>13}"
        )
    # the rows to study are tuning rows only: held-out rows are counted, never listed
    for kind in ("Explicit", "Implicit"):
        missed = tallies.get(("odd (tuning)", kind), Tally()).missed
        print(f"odd {kind} rows with both contexts cited and no caveat: {', '.join(missed)}")
    return 0


def _without(engine: AnswerEngine, removed: Path, question: str) -> Answer:
    """The answer from the same sources less one (not by moving the file: sources.toml would
    then name a missing file, which load_sources refuses)."""
    return AnswerEngine([s for s in engine.sources if s.path != removed]).answer(question)


def _quotes_both(contradiction: Contradiction, first: str, second: str) -> bool:
    a, b = (side.quote for side in contradiction.sides)
    return (a in first and b in second) or (a in second and b in first)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"
