"""The answer a question gets: what every renderer (terminal, JSON, Discord) receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.sources import Source


class Status(StrEnum):
    ANSWERED = "answered"
    # no passage meets the question fully, but these hold its names: the closest, not an answer
    RELATED = "related"
    NO_MATCH = "no_match"
    INVALID = "invalid"


@dataclass(frozen=True)
class Citation:
    """A numbered, verbatim excerpt: `source.text[start:end]`, plus "…" when trimmed."""

    n: int
    source: Source
    start: int
    end: int
    score: float
    trimmed: bool = False

    @property
    def excerpt(self) -> str:
        return self.source.text[self.start : self.end] + ("…" if self.trimmed else "")


@dataclass(frozen=True)
class Side:
    """One side of a disagreement: the citation number and the words that collide."""

    n: int
    quote: str


@dataclass(frozen=True)
class Contradiction:
    """Two cited excerpts from different sources that disagree about what was asked."""

    kind: str
    explanation: str
    sides: tuple[Side, Side]


@dataclass(frozen=True)
class Answer:
    question: str
    status: Status
    message: str
    citations: tuple[Citation, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # The message ends "see the list of sources."; the caller says where (`where_to_look`).
    points_to_sources: bool = False

    @property
    def shows_passages(self) -> bool:
        """Whether the answer is shown with its excerpts: an answer, or the closest passages
        (`related`); else it is a short note (not covered, unusable)."""
        return self.status in (Status.ANSWERED, Status.RELATED)


def where_to_look(answer: Answer, sources_command: str) -> str:
    """The answer's message, naming the caller's command for the list of sources when it points
    there: the engine does not know whether a terminal or Discord shows it."""
    if not answer.points_to_sources:
        return answer.message
    return f"{answer.message.removesuffix('.')} ({sources_command})."


def count_of(number: int, noun: str) -> str:
    """ "1 excerpt", "2 excerpts": a count with its noun, for every message and renderer."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
