"""`python -m bot eval SUITE`: prints the figures the README reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.answer.engine import BM25, AnswerEngine
from bot.sources import DEFAULT_SOURCES_DIR

# Question sets in the shared/eval format, scored the same way (status, citations, caveat).
QUESTION_FILES = {"seeds": "seeds-dev.jsonl", "claims": "claims-dev.jsonl"}
# The newswire pairs labelled for development (`bot.evaluation.newswire`).
NEWSWIRE_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "newswire-dev2.jsonl"


def run_evaluation(args: argparse.Namespace) -> int:
    data: Path = args.data
    questions: Path | None = getattr(args, "questions", None)
    if not data.is_dir() and not (args.suite in QUESTION_FILES and questions):
        print(f"error: data folder not found: {data} (pass --data)", file=sys.stderr)
        return 2
    if args.suite in QUESTION_FILES:
        questions = questions or data / "eval" / QUESTION_FILES[args.suite]
        if not questions.is_file():
            print(f"error: question file not found: {questions}", file=sys.stderr)
            return 2
        return _seeds(args.sources or DEFAULT_SOURCES_DIR, questions)
    if args.suite == "newswire":
        return _newswire(data, args.pairs or NEWSWIRE_SET, args.verbose)
    if args.suite == "alarms":
        from bot.evaluation.alarms import run_alarms

        return run_alarms(data, args.verbose)
    if args.suite == "cranfield":
        return _cranfield(data / "data" / "cranfield", args.grid)
    if args.suite == "newswire-questions":
        from bot.evaluation.newswire_dev import run_newswire

        run_newswire(data)
        return 0
    from bot.evaluation.wikicontradict import run_wikicontradict

    return run_wikicontradict(data / "data" / "wikicontradict")


def _seeds(sources: Path, questions_path: Path) -> int:
    from bot.evaluation.seeds_dev import QuestionFileError, load_questions, score, summarise

    try:
        questions = load_questions(questions_path)
    except QuestionFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results = score(AnswerEngine.from_folder(sources), questions)
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        print(f"{mark} {result.id}  {result.question.strip()[:60]!r}  {result.detail}")
    print()
    for name, value in summarise(results).items():
        print(f"{name}: {value}")
    return 0


def _newswire(data: Path, pairs: Path, verbose: bool) -> int:
    from bot.evaluation.newswire import NewswireSetError, run_newswire

    if not pairs.is_file():
        print(f"error: set file not found: {pairs}", file=sys.stderr)
        return 2
    try:
        return run_newswire(data, pairs, verbose)
    except NewswireSetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _cranfield(folder: Path, grid: bool) -> int:
    from bot.evaluation.cranfield import grid as all_configs
    from bot.evaluation.cranfield import load_collection, standard_runs

    collection = load_collection(folder)
    runs = sorted(all_configs(collection), key=lambda r: -r.ndcg10) if grid else []
    runs = runs or standard_runs(collection, BM25)
    print(f"{'run':<62} {'nDCG@10':>8} {'R@100':>8}")
    for run in runs:
        print(f"{run.name:<62} {run.ndcg10:>8.4f} {run.recall100:>8.4f}")
    return 0
