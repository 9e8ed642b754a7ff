"""Scores answers on a question set in the `shared/eval` format (see its README)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answer.engine import AnswerEngine
from bot.answer.types import Answer, Status

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class QuestionResult:
    id: str
    question: str
    status_ok: bool
    citations_ok: bool | None  # None: not an answered question
    caveat_ok: bool | None  # None: not scored
    detail: str

    @property
    def passed(self) -> bool:
        return self.status_ok and self.citations_ok is not False and self.caveat_ok is not False


class QuestionFileError(ValueError):
    """A question file that is not in the shared/eval format; the message says where."""


def load_questions(path: Path) -> list[dict[str, Any]]:
    """One question object a line; each needs `id`, `question` and `expect`."""
    questions = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            question = json.loads(line)
        except json.JSONDecodeError as error:
            raise QuestionFileError(f"{path.name} line {number}: not JSON ({error.msg})") from None
        if not isinstance(question, dict) or not {"id", "question", "expect"} <= question.keys():
            raise QuestionFileError(f"{path.name} line {number}: needs id, question and expect")
        questions.append(question)
    return questions


def score(engine: AnswerEngine, questions: Iterable[dict[str, Any]]) -> list[QuestionResult]:
    return [score_one(engine.answer(q["question"]), q) for q in questions]


def score_one(answer: Answer, expected: dict[str, Any]) -> QuestionResult:
    """Status, citations and caveat against what the question expects. A `related` answer
    (the closest passages, no answer) is a right status where `no_match` is expected, since
    it answers nothing, and its citations are scored where an answer is expected."""
    status_ok = answer.status.value == expected["expect"] or (
        expected["expect"] == Status.NO_MATCH.value and answer.status is Status.RELATED
    )
    citations_ok = caveat_ok = None
    related = answer.status is Status.RELATED
    problems: list[str] = [] if status_ok else [f"status {answer.status.value}"]
    if expected["expect"] == Status.ANSWERED.value:
        missing = [
            "/".join(g["source"]) if isinstance(g["source"], list) else g["source"]
            for g in expected.get("cite", [])
            if not _group_cited(answer, g)
        ]
        citations_ok = (status_ok or related) and not missing
        problems += [f"no cite from {source}" for source in missing]
        caveat_ok = _caveat_ok(answer, expected)
        if caveat_ok is False:
            problems.append("caveat wrong")
    return QuestionResult(
        expected["id"],
        expected["question"],
        status_ok,
        citations_ok,
        caveat_ok,
        "; ".join(problems),
    )


def summarise(results: list[QuestionResult]) -> dict[str, str]:
    def ratio(values: list[bool]) -> str:
        return f"{sum(values)}/{len(values)}"

    return {
        "status right": ratio([r.status_ok for r in results]),
        "citations right (answered or related)": ratio(
            [r.citations_ok for r in results if r.citations_ok is not None]
        ),
        "answered and cited": ratio(
            [bool(r.citations_ok and r.status_ok) for r in results if r.citations_ok is not None]
        ),
        "caveat right (scored)": ratio([r.caveat_ok for r in results if r.caveat_ok is not None]),
        "questions fully right": ratio([r.passed for r in results]),
    }


def _group_cited(answer: Answer, group: dict[str, Any]) -> bool:
    """A citation from the group's source (or one of its list of sources) holding a wording."""
    wanted = [_fold(text) for text in group["any"]]
    sources = group["source"]
    prefixes = tuple(sources) if isinstance(sources, list) else (sources,)
    return any(
        citation.source.id.startswith(prefixes)
        and any(w in _fold(citation.excerpt) for w in wanted)
        for citation in answer.citations
    )


def _caveat_ok(answer: Answer, expected: dict[str, Any]) -> bool | None:
    label = expected.get("contradiction")
    if label is None:
        return None
    if label is False:
        return not answer.contradictions
    by_number = {c.n: c.source.id for c in answer.citations}
    wanted = set(expected.get("conflict", []))
    return any(
        {by_number.get(side.n, "")[:3] for side in contradiction.sides} == wanted
        for contradiction in answer.contradictions
    )


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).lower()
