"""How a finding is said: both sides quoted verbatim, with their [n]."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lemminflect import getAllLemmas

from bot.answer_types import Contradiction, Side
from bot.caveat.detectors import Finding
from bot.caveat.tokens import tokenize
from bot.passages import Passage

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


def to_contradiction(finding: Finding) -> Contradiction:
    sides = (
        Side(_number_of(finding.first.label), finding.first.text),
        Side(_number_of(finding.second.label), finding.second.text),
    )
    return Contradiction(kind=finding.kind, explanation=explain(finding), sides=sides)


def to_passage_conflict(finding: Finding, first: Passage, second: Passage) -> PassageConflict:
    passages = (first, second) if finding.first.group == first.source.id else (second, first)
    return PassageConflict(
        kind=finding.kind,
        explanation=explain(finding),
        passages=passages,
        quotes=(finding.first.text, finding.second.text),
    )


def _number_of(label: str) -> int:
    return int(label.strip("[]"))


def explain(finding: Finding) -> str:
    """Both answers in plain words, each with its [n] and the words around it quoted."""
    a, b = finding.first, finding.second
    first = _snippet(a.text, finding.first_span)
    second = _snippet(b.text, finding.second_span)
    said_a = a.text[slice(*finding.first_span)]
    said_b = b.text[slice(*finding.second_span)]
    if finding.kind in ("number", "date", "place") or (
        finding.detail == "aligned" and finding.kind != "name"
    ):  # an aligned statement's slot is said by its value, as a figure is
        return f"{a.label} says {said_a} (“{first}”); {b.label} says {said_b} (“{second}”)."
    if finding.kind == "name":
        return f"{a.label} names {said_a} (“{first}”); {b.label} names {said_b} (“{second}”)."
    if finding.kind == "event":
        word, agent, actor, own = finding.detail.split("|")
        account = f"{actor}'s own account" if own else f"an account of what {actor} did"
        return (
            f"{a.label} reports a “{_lemma(word)}” by {agent} (“{first}”); {b.label} reports no "
            f"“{_lemma(word)}”, only {account}: “{second}”."
        )
    if finding.kind == "polarity":
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
