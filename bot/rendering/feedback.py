"""The feedback report as lines of text, for `/library feedback` and `library feedback`."""

from __future__ import annotations

from collections.abc import Callable

from bot.library.base import DislikedAnswer, FeedbackReport, UncoveredQuestion

MAX_NOTES_SHOWN = 3
FEEDBACK_REPORT_DAYS = 30  # the report covers this many days (or the retention, if shorter)


def report_days(retention_days: int) -> int:
    """The days a report covers: the last 30, or fewer when feedback is kept fewer days."""
    return min(FEEDBACK_REPORT_DAYS, retention_days)


def printable(text: str) -> str:
    """`text` on one line, with no control characters (a terminal shows it as it is)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def feedback_sections(
    report: FeedbackReport, show: Callable[[str], str] = printable
) -> list[tuple[str, list[str]]]:
    """(heading, lines) per part of the report; `show` turns a member's text into display text
    (escaped and shortened for Discord). Empty parts say so in one line."""
    disliked = [_disliked_line(d, show) for d in report.disliked]
    uncovered = [_uncovered_line(u, show) for u in report.uncovered]
    return [
        ("Most disliked answers", disliked or ["No answer got a 👎."]),
        (
            "Questions the sources lacked (not covered, or “Missing a source?”)",
            uncovered or ["None."],
        ),
    ]


def feedback_text(report: FeedbackReport) -> str:
    """The whole report as plain text (the command line's output)."""
    lines = [f"Feedback on answers of the last {report.days} days"]
    for heading, items in feedback_sections(report):
        lines += ["", f"{heading}:", *(f"  {item}" for item in items)]
    return "\n".join(lines)


def _disliked_line(answer: DislikedAnswer, show: Callable[[str], str]) -> str:
    sources = ", ".join(answer.source_ids) or "none"
    return f"👎 {answer.down} · 👍 {answer.up}: “{show(answer.question)}” (sources {sources})"


def _uncovered_line(question: UncoveredQuestion, show: Callable[[str], str]) -> str:
    counts = []
    if question.not_covered:
        counts.append(f"{question.not_covered}× not covered")
    if question.missing:
        counts.append(f"{question.missing}× missing a source")
    line = f"{', '.join(counts)}: “{show(question.question)}”"
    if question.notes:
        said = "; ".join(f"“{show(note)}”" for note in question.notes[:MAX_NOTES_SHOWN])
        line += f"; members said missing: {said}"
    return line
