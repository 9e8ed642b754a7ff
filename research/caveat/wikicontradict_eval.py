"""Measure the caveat detector on WikiContradict (rows with samepassage == Different).

Two modes:

* ``--mode direct`` (no answer engine): each row's context1 and context2 are two citations of
  different sources; a hit is a caveat whose sides quote one context each. False alarms: context1
  against the three contexts of *other* articles that BM25 ranks highest for the question, and
  SNLI entailment/neutral pairs (premise as question).
* ``--mode full`` (the issue's protocol): every row's context1 and context2 become two source
  files ("<article> A" / "<article> B") in one folder; each question is asked of the whole folder
  through `AnswerEngine.from_folder`. (a) both contexts cited, (b) a caveat whose sides quote the
  two contexts. False alarms: the same question with that row's context2 removed from the folder;
  any caveat is a false alarm.

Tune on odd question_IDs; even IDs are held out. Identical contexts shared by several rows are
written once, so removing a row's context2 removes every copy of that text.

Usage: python research/caveat/wikicontradict_eval.py --mode direct|full [--split odd|even|all]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.answer_types import Citation, Contradiction
from bot.caveat import find_disagreements
from bot.retrieval import PassageIndex, analyze
from bot.sources import Source

DATA = Path("/work/shared/data")
WIKI_CSV = DATA / "wikicontradict" / "WikiContradict_dataset_v1_rag_qa.rows1-148.csv"
SNLI = DATA / "snli-dev-subset" / "snli_1.0_dev.first1289.jsonl"


def load_rows() -> list[dict[str, str]]:
    with WIKI_CSV.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["samepassage"] == "Different"]
    for row in rows:
        row["type"] = "Explicit" if row["contradictType"].startswith("Explicit") else "Implicit"
        row["split"] = "odd" if int(row["question_ID"]) % 2 else "even"
    return rows


def _source(sid: str, title: str, text: str) -> Source:
    return Source(id=sid, title=title, date=None, path=Path(f"{sid}.txt"), text=text)


def _citation(n: int, source: Source) -> Citation:
    return Citation(n=n, source=source, start=0, end=len(source.text), score=1.0)


def _quotes_both(contradiction: Contradiction, first: str, second: str) -> bool:
    quotes = [side.quote for side in contradiction.sides]
    return (quotes[0] in first and quotes[1] in second) or (
        quotes[0] in second and quotes[1] in first
    )


def direct(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    """Caveat recall on the pairs and false alarms against other articles' contexts."""
    contexts = sorted(
        {(r["WikipediaArticleTitle"], r[c]) for r in rows for c in ("context1", "context2")}
    )
    index = PassageIndex([analyze(text) for _, text in contexts])
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, hits, fa_trials, fa
    for row in rows:
        c1 = _source("c1", "A", row["context1"].strip())
        c2 = _source("c2", "B", row["context2"].strip())
        found = find_disagreements(row["question"], [_citation(1, c1), _citation(2, c2)])
        hit = any(_quotes_both(c, c1.text, c2.text) for c in found)
        others = [
            contexts[i]
            for i, _ in index.search(analyze(row["question"]))
            if contexts[i][0] != row["WikipediaArticleTitle"]
        ][:3]
        citations = [_citation(1, c1)] + [
            _citation(k + 2, _source(f"o{k}", title, text.strip()))
            for k, (title, text) in enumerate(others)
        ]
        alarm = bool(find_disagreements(row["question"], citations))
        for key in (f"{row['split']}/{row['type']}", f"{row['split']}/all"):
            t = tally[key]
            t[0] += 1
            t[1] += hit
            t[2] += 1
            t[3] += alarm
        if VERBOSE:
            print(
                row["question_ID"], row["type"], "HIT" if hit else "miss", "ALARM" if alarm else ""
            )
            for c in found:
                print("   ", c.kind, c.explanation[:300])
    return {
        k: {"n": v[0], "caveat_recall": v[1] / v[0], "false_alarm": v[3] / v[2]}
        for k, v in sorted(tally.items())
    }


def snli_false_alarms() -> dict[str, float]:
    """Share of SNLI entailment/neutral pairs flagged (premise as the question)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with SNLI.open(encoding="utf-8") as handle:
        for line in handle:
            pair = json.loads(line)
            label = pair["gold_label"]
            if label == "-":
                continue
            a = _source("p", "premise", pair["sentence1"])
            b = _source("h", "hypothesis", pair["sentence2"])
            flagged = bool(
                find_disagreements(pair["sentence1"], [_citation(1, a), _citation(2, b)])
            )
            counts[label][0] += 1
            counts[label][1] += flagged
    return {label: f / n for label, (n, f) in sorted(counts.items())}


def full(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    """The issue's protocol through the answer engine (see the module docstring)."""
    from bot.answer import AnswerEngine  # the lead's module; imported late so direct mode works

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = _write_folder(rows, folder)
        engine = AnswerEngine.from_folder(folder)
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for row in rows:
            c1, c2 = row["context1"].strip(), row["context2"].strip()
            answer = engine.answer(row["question"])
            contradictions = answer.contradictions or tuple(
                find_disagreements(row["question"], answer.citations)
            )
            cited = [c.excerpt.rstrip("…") for c in answer.citations]
            both = any(_same_text(t, c1) for t in cited) and any(_same_text(t, c2) for t in cited)
            hit = any(_quotes_both(c, c1, c2) for c in contradictions)
            removed = files[c2]
            parked = removed.with_suffix(".parked")
            removed.rename(parked)
            try:
                alone = AnswerEngine.from_folder(folder).answer(row["question"])
                alarm = bool(
                    alone.contradictions or find_disagreements(row["question"], alone.citations)
                )
            finally:
                parked.rename(removed)
            for key in (f"{row['split']}/{row['type']}", f"{row['split']}/all"):
                t = tally[key]
                t[0] += 1
                t[1] += both
                t[2] += hit
                t[3] += alarm
            if VERBOSE:
                print(
                    row["question_ID"],
                    row["type"],
                    "cited" if both else "-",
                    "HIT" if hit else "miss",
                    "ALARM" if alarm else "",
                )
                for c in contradictions:
                    print("   ", c.kind, c.explanation[:300])
    return {
        k: {
            "n": v[0],
            "both_cited": v[1] / v[0],
            "caveat_recall": v[2] / v[0],
            "false_alarm": v[3] / v[0],
        }
        for k, v in sorted(tally.items())
    }


def _same_text(excerpt: str, context: str) -> bool:
    """An excerpt "cites" a context when it is a piece of it (excerpts may be sentences)."""
    return bool(excerpt.strip()) and excerpt.strip() in context


def _write_folder(rows: Iterable[dict[str, str]], folder: Path) -> dict[str, Path]:
    """One file per distinct context, titled "<article> A|B"; returns text -> path."""
    paths: dict[str, Path] = {}
    lines = []
    for row in rows:
        for column, letter in (("context1", "A"), ("context2", "B")):
            text = row[column].strip()
            if text in paths:
                continue
            path = folder / f"{len(paths):03d}_{row['question_ID']}{letter}.txt"
            path.write_text(text + "\n", encoding="utf-8")
            paths[text] = path
            title = (row["WikipediaArticleTitle"] + " " + letter).replace('"', "'")
            lines.append(
                f'[[source]]\nfile = "{path.name}"\nid = "{path.stem}"\ntitle = "{title}"\n'
            )
    (folder / "sources.toml").write_text("\n".join(lines), encoding="utf-8")
    return paths


VERBOSE = False


def main(argv: list[str] | None = None) -> int:
    global VERBOSE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("direct", "full"), default="direct")
    parser.add_argument("--split", choices=("odd", "even", "all"), default="all")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    VERBOSE = args.verbose
    rows = [r for r in load_rows() if args.split in ("all", r["split"])]
    started = time.perf_counter()
    run: Callable[[list[dict[str, str]]], dict[str, dict[str, float]]] = (
        direct if args.mode == "direct" else full
    )
    report = run(rows)
    for key, figures in report.items():
        print(
            key,
            " ".join(
                f"{name}={value:.2f}" if isinstance(value, float) else f"{name}={value}"
                for name, value in figures.items()
            ),
        )
    if args.mode == "direct":
        print("snli flagged:", {k: round(v, 3) for k, v in snli_false_alarms().items()})
    print(f"{time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
