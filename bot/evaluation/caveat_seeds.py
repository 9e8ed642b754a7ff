"""Caveats on the seed dev questions, through the answer engine and `bot.caveat`.

Usage: python research/caveat/seeds_check.py [questions.jsonl]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.caveat import find_disagreements, find_single_source_claims
from bot.sources import DEFAULT_SOURCES_DIR

DEV = Path("/work/shared/eval/seeds-dev.jsonl")


def main(argv: list[str]) -> int:
    engine = AnswerEngine.from_folder(DEFAULT_SOURCES_DIR)
    path = Path(argv[0]) if argv else DEV
    wrong = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("expect") != "answered":
            continue
        answer = engine.answer(item["question"])
        found = find_disagreements(item["question"], answer.citations)
        by_n = {c.n: c.source.id for c in answer.citations}
        pairs = [sorted(by_n[s.n] for s in c.sides) for c in found]
        expected = item.get("contradiction")
        ok = (
            expected is None
            or (expected and sorted(item["conflict"]) in pairs)
            or (not expected and not found)
        )
        wrong += not ok
        print(
            f"{'ok ' if ok else 'BAD'} {item['id']} expect={expected} got={pairs}",
            item["question"],
        )
        print("     cited:", [(c.n, c.source.id) for c in answer.citations])
        for c in found:
            print("     ", c.kind, c.explanation)
        for note in find_single_source_claims(item["question"], answer.citations):
            print("      note:", note)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
