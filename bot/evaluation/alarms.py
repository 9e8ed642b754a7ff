"""`python -m bot eval alarms`: how many caveats answers raise over unlabelled news.

One engine over every Reuters-21578 story with a body and every AG News test item (title and
description); each AG News title is asked of it. Nothing here is labelled, and most cited
excerpts are of different stories, days, even decades: a caveat is a false alarm unless a reader
finds the two quotes really disagree. Prints the counts by kind and a fixed-seed sample of
`SAMPLE` caveats to read (both quotes and the explanation).
"""

from __future__ import annotations

import gzip
import random
from collections import Counter
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.evaluation.newswire import reuters_stories
from bot.sources import Source

SAMPLE = 20
SEED = 17


def ag_news_items(path: Path) -> list[tuple[str, str]]:
    """(title, description) of each AG News test row (CSV fields, `\\n` written as two
    characters, `#39;`-style references left as they are: the data as shipped)."""
    import csv
    import io

    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    return [
        (row[1], row[2].replace("\\n", "\n"))
        for row in csv.reader(io.StringIO(text))
        if len(row) >= 3
    ]


def run_alarms(data: Path, verbose: bool = False) -> int:
    folder = data / "data"
    items = ag_news_items(folder / "ag-news-test" / "test.csv.gz")
    sources = [
        Source(f"reuters-{s.newid}", s.title or "Reuters", None, None, f"{s.title}\n\n{s.body}\n")
        for s in reuters_stories(folder / "reuters21578")
    ]
    sources += [
        Source(f"ag-{k:04d}", title or "AG News", None, None, f"{title}\n\n{text}\n")
        for k, (title, text) in enumerate(items)
    ]
    engine = AnswerEngine(sources)
    kinds: Counter[str] = Counter()
    raised = []
    answered = 0
    for title, _ in items:
        answer = engine.answer(title)
        answered += bool(answer.citations)
        for contradiction in answer.contradictions:
            kinds[contradiction.kind] += 1
            raised.append((title, contradiction))
    with_caveat = len({title for title, _ in raised})
    print(f"questions (AG News titles): {len(items)}; answered with citations: {answered}")
    print(f"answers with a caveat: {with_caveat}; caveats: {len(raised)}")
    print("by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    sample = random.Random(SEED).sample(raised, min(SAMPLE, len(raised)))
    for k, (title, contradiction) in enumerate(sample, start=1):
        print(f"\n[{k}] {title!r} ({contradiction.kind})")
        for side in contradiction.sides:
            print(f"    [{side.n}] {' '.join(side.quote.split())[:300]}")
        if verbose:
            print(f"    {contradiction.explanation[:400]}")
    return 0
