"""Renderers: one per output kind (terminal, JSON, Discord embed), all from an `Answer`.

What every layout shares lives here: the order excerpts are shown in, and the one line that
names both sides of a disagreement, so the terminal and Discord say the same thing first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.answer_types import Answer, Citation, Contradiction
from bot.sources import Source

DISAGREE = "Sources disagree"
# A quote the explanation repeats from a side is only dropped or shortened when it is at least
# this many words, so a quoted key word ("ban") stays.
_MIN_QUOTE_WORDS = 3
# A quote that is the claim itself ("[1] says “…”") is shortened to about this many words
# around the middle of the engine's snippet (which is centred on the words that collide).
_CLAIM_WORDS = 16
_LABEL = re.compile(r"\[(\d+)\]")


def describe_date(source: Source) -> str:
    """The date a reader sees: the ISO date, or "undated" when the source states none."""
    return source.date or "undated"


def describe_label(source: Source) -> str:
    """A moderator's label as shown next to every citation ("" when the source has none)."""
    return f"[{source.label}]" if source.label else ""


def display_order(answer: Answer) -> list[Citation]:
    """Citations in the order a reader needs them: both sides of each disagreement first (in
    the order of the disagreements), then the others in the engine's best-first order."""
    by_n = {c.n: c for c in answer.citations}
    sides = [side.n for c in answer.contradictions for side in c.sides if side.n in by_n]
    return [by_n[n] for n in dict.fromkeys([*sides, *by_n])]


def disagreement_lines(answer: Answer) -> list[str]:
    """One plain-text line per disagreement, naming each side's source, date and [n]."""
    by_n = {c.n: c for c in answer.citations}
    return [disagreement_line(c, by_n) for c in answer.contradictions]


def disagreement_line(contradiction: Contradiction, citations: Mapping[int, Citation]) -> str:
    """The engine's explanation with each side's [n] followed by its source id and date, and
    without the quotes the excerpts already show ("[3] 001 (2025-03-25) reports a “ban” by
    Japanese officials; [2] 000 (undated) reports no “ban”, only Tesla's own account.")."""
    line = _without_repeated_quotes(
        contradiction.explanation, [side.quote for side in contradiction.sides]
    )
    for side in contradiction.sides:
        citation = citations.get(side.n)
        if citation is not None:
            line = line.replace(f"[{side.n}]", f"[{side.n}] {_tag(citation.source)}", 1)
    return line


def _tag(source: Source) -> str:
    label = describe_label(source)
    return f"{source.id} ({describe_date(source)})" + (f" {label}" if label else "")


def _without_repeated_quotes(explanation: str, quotes: Sequence[str]) -> str:
    """Drop quoted evidence ("(“…”)", ": “…”") that repeats a side's quote; shorten a quote
    that is the claim itself. Quotes that are not from a side (a key word) stay as they are."""
    out: list[str] = []
    at = 0
    for start, end in _quoted_spans(explanation, quotes):
        before = explanation[at:start]
        if before.endswith("(") and explanation[end + 1 : end + 2] == ")":
            out.append(before[:-1].rstrip())
            at = end + 2
        elif before.rstrip().endswith(":"):
            out.append(before.rstrip()[:-1].rstrip())
            at = end + 1
        else:
            out.append(before + "“" + _shortened(explanation[start + 1 : end]) + "”")
            at = end + 1
    out.append(explanation[at:])
    return "".join(out).strip()


def _quoted_spans(text: str, quotes: Sequence[str]) -> list[tuple[int, int]]:
    """(index of “, index of ”) of each quotation in `text` whose words come from `quotes`;
    the longest such quotation from each opening mark, since a quote may hold quotes itself."""
    spans: list[tuple[int, int]] = []
    start = text.find("“")
    while start >= 0:
        closes = [i for i in range(len(text) - 1, start, -1) if text[i] == "”"]
        end = next((i for i in closes if _is_from(text[start + 1 : i], quotes)), None)
        if end is not None:
            spans.append((start, end))
        start = text.find("“", (end if end is not None else start) + 1)
    return spans


def _is_from(inner: str, quotes: Sequence[str]) -> bool:
    core = inner.strip().strip("…").strip()
    return len(core.split()) >= _MIN_QUOTE_WORDS and any(core in quote for quote in quotes)


def _shortened(snippet: str) -> str:
    """About `_CLAIM_WORDS` words around where the engine centred its snippet."""
    lead, trail = snippet.startswith("…"), snippet.endswith("…")
    words = snippet.strip("…").split()
    if len(words) <= _CLAIM_WORDS:
        return snippet
    # The engine's snippet holds up to 12 words either side of the colliding words; a missing
    # "…" means it reached that end of the sentence, so the centre is 12 words from the other.
    half = _CLAIM_WORDS // 2
    centre = 12 if lead else len(words) - 12 if trail else len(words) // 2
    lo = max(0, min(centre - half, len(words) - _CLAIM_WORDS))
    hi = lo + _CLAIM_WORDS
    return (
        ("…" if lead or lo > 0 else "")
        + " ".join(words[lo:hi])
        + ("…" if trail or hi < len(words) else "")
    )
