"""How a finding is said: both sides quoted verbatim, with their [n]."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lemminflect import getAllLemmas

from bot.answer.types import Contradiction, Side
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.tokens import tokenize
from bot.passages.sentences import Passage

_SNIPPET_WORDS = 12


@dataclass(frozen=True)
class PassageConflict:
    """Two passages of different sources that disagree, for moderators (`python -m bot conflicts`).

    `quotes` are verbatim substrings of each passage's text; `explanation` names the sources by id.
    """

    kind: str
    explanation: str
    passages: tuple[Passage, Passage]
    quotes: tuple[str, str]
    # what was found, to say it again between two cited excerpts (`bot.answer.both_sides`)
    finding: Finding | None = field(default=None, compare=False, repr=False)


def to_contradiction(finding: Finding) -> Contradiction:
    """The finding between two cited excerpts, for the answer (both clauses have a number)."""
    first, second = finding.first.n, finding.second.n
    if first is None or second is None:
        raise ValueError("a contradiction is between two cited excerpts")
    sides = (Side(first, finding.first.text), Side(second, finding.second.text))
    return Contradiction(kind=finding.kind, explanation=explain(finding), sides=sides)


def to_passage_conflict(finding: Finding, first: Passage, second: Passage) -> PassageConflict:
    passages = (first, second) if finding.first.group == first.source.id else (second, first)
    return PassageConflict(
        kind=finding.kind,
        explanation=explain(finding),
        passages=passages,
        quotes=(finding.first.text, finding.second.text),
        finding=finding,
    )


def explain(finding: Finding) -> str:
    """Both answers in plain words, each with its [n] and the words around it quoted."""
    a, b = finding.first, finding.second
    first = _snippet(a.text, finding.first_span)
    second = _snippet(b.text, finding.second_span)
    said_a = a.text[slice(*finding.first_span)]
    said_b = b.text[slice(*finding.second_span)]
    if finding.kind in (FindingKind.NUMBER, FindingKind.DATE, FindingKind.PLACE) or (
        finding.aligned and finding.kind is not FindingKind.NAME
    ):  # an aligned statement's slot is said by its value, as a figure is
        return f"{a.label} says {said_a} (“{first}”); {b.label} says {said_b} (“{second}”)."
    if finding.kind is FindingKind.NAME:
        return f"{a.label} names {said_a} (“{first}”); {b.label} names {said_b} (“{second}”)."
    if finding.event is not None:
        event, actor = finding.event, finding.event.actor
        account = f"{actor}'s own account" if event.own else f"an account of what {actor} did"
        return (
            f"{a.label} reports a “{_lemma(event.word)}” by {event.agent} (“{first}”); {b.label} "
            f"reports no “{_lemma(event.word)}”, only {account}: “{second}”."
        )
    if finding.kind is FindingKind.POLARITY:
        return f"{a.label} says “{first}”, while {b.label} says “{second}”."
    return f"{a.label} says “{first}”, but {b.label} says “{second}”."


def _lemma(word: str) -> str:
    """The dictionary form to name a predicate by: its noun if it has one (*banned* -> *ban*)."""
    lemmas = getAllLemmas(word.lower())
    for pos in ("NOUN", "VERB"):
        if pos in lemmas:
            return lemmas[pos][0]
    return word.lower()


def _snippet(text: str, span: tuple[int, int]) -> str:
    """Up to `_SNIPPET_WORDS` words either side of `span`, with "…" where the clause goes on."""
    words = list(re.finditer(r"\S+", text))
    centre = next((i for i, w in enumerate(words) if w.end() > span[0]), 0)
    lo, hi = max(0, centre - _SNIPPET_WORDS), min(len(words), centre + _SNIPPET_WORDS)
    piece = text[words[lo].start() : words[hi - 1].end()] if words else text
    return ("…" if lo > 0 else "") + piece + ("…" if hi < len(words) else "")


def question_order(question: str, key: str) -> tuple[int, str]:
    """Sort question words so the last content word (usually the claim) is tried first."""
    positions = [t.start for t in tokenize(question) if t.key == key]
    return (-(positions[-1] if positions else 0), key)


def surface_word(question: str, key: str) -> str:
    return next((t.text for t in tokenize(question) if t.key == key), key)
