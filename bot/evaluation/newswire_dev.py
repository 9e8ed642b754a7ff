"""`python -m bot eval newswire-questions`: questions over a library of real Reuters stories.

The library is the stories numbered in `tests/data/newswire-dev-library.txt` (400 picked at
random, seed 1705); the questions (`tests/data/newswire-dev.jsonl`, the shared/eval format,
source ids `r<NEWID>`) were written before the rules they judge: a figure on a table line under
its story's headline, a sentence hard-wrapped across lines, and a named company's officer that
the stories name or never name. Each story is read two ways: its headline as the source's title
(`title`), and its headline as the first line of its text (`first line`, what an uploaded file
holds).
"""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.evaluation.seeds_dev import QuestionResult, load_questions, score, summarise
from bot.sources import Source

_RECORD = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"(.*?)</REUTERS>", re.S)
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
DEV_FOLDER = Path(__file__).resolve().parents[2] / "tests" / "data"
LIBRARY_FILE = "newswire-dev-library.txt"
QUESTION_FILE = "newswire-dev.jsonl"


def reuters_stories(folder: Path) -> dict[int, tuple[str, str]]:
    """NEWID -> (headline, body) of every Reuters-21578 record with both (bodies unescaped,
    control characters dropped)."""
    stories: dict[int, tuple[str, str]] = {}
    for path in sorted(folder.glob("reut2-*.sgm.gz")):
        text = gzip.decompress(path.read_bytes()).decode("latin-1")
        for number, record in _RECORD.findall(text):
            title, body = _TITLE.search(record), _BODY.search(record)
            if title and body:
                headline = html.unescape(title.group(1)).strip()
                stories[int(number)] = (headline, html.unescape(body.group(1)).replace("\x03", ""))
    return stories


def library(
    stories: dict[int, tuple[str, str]], numbers: list[int], *, headline_in_text: bool
) -> list[Source]:
    """The stories as sources `r<NEWID>`: the headline as title, or as the text's first line."""
    sources = []
    for number in numbers:
        headline, body = stories[number]
        text = f"{headline}\n{body.strip()}" if headline_in_text else body.strip()
        title = f"Reuters {number}" if headline_in_text else headline
        sources.append(Source(f"r{number:05d}", title, None, None, text))
    return sources


def run_newswire(data: Path, dev: Path = DEV_FOLDER) -> dict[str, list[QuestionResult]]:
    """Scores the question set on both readings of the library; prints each miss and figure."""
    stories = reuters_stories(data / "data" / "reuters21578")
    numbers = [int(line) for line in (dev / LIBRARY_FILE).read_text().split()]
    questions = load_questions(dev / QUESTION_FILE)
    results = {}
    for name, in_text in (("title", False), ("first line", True)):
        engine = AnswerEngine(library(stories, numbers, headline_in_text=in_text))
        results[name] = score(engine, questions)
        for result in results[name]:
            if not result.passed:
                print(f"FAIL [{name}] {result.id}  {result.question[:60]!r}  {result.detail}")
        for figure, value in summarise(results[name]).items():
            print(f"[{name}] {figure}: {value}")
    return results
