"""Measure the caveat detector on WikiContradict (rows with samepassage == Different).

Two modes:

* ``--mode direct`` (no answer engine): each row's context1 and context2 are two citations of
  different sources; a hit is a caveat whose sides quote one context each. False alarms: context1
  against the three contexts of *other* articles that BM25 ranks highest for the question, and
  SNLI entailment/neutral pairs (premise as question).
* ``--mode full``: the issue's protocol, `python -m bot eval wikicontradict`
  (`bot/evaluation/wikicontradict.py`).

Tune on odd question_IDs; even IDs are held out. Identical contexts shared by several rows are
written once, so removing a row's context2 removes every copy of that text.

Usage: python research/caveat/wikicontradict_eval.py --mode direct|full [--split odd|even|all]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from bot.answer.types import Citation, Contradiction
from bot.caveat import find_disagreements
from bot.evaluation.wikicontradict import load_rows, run_wikicontradict
from bot.retrieval import PassageIndex, analyze
from bot.sources import Source

DATA = Path("/work/shared/data")
WIKI_DIR = DATA / "wikicontradict"
SNLI = DATA / "snli-dev-subset" / "snli_1.0_dev.first1289.jsonl"


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


VERBOSE = False


def main(argv: list[str] | None = None) -> int:
    global VERBOSE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("direct", "full"), default="direct")
    parser.add_argument("--split", choices=("odd", "even", "all"), default="all")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    VERBOSE = args.verbose
    rows = [
        r for r in load_rows(WIKI_DIR) if args.split == "all" or r["split"].startswith(args.split)
    ]
    started = time.perf_counter()
    if args.mode == "full":  # the protocol lives in the project
        return run_wikicontradict(WIKI_DIR)
    report = direct(rows)
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
