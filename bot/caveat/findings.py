"""What a detector hands on: a finding of one kind between two clauses, typed.

The wording (`bot.caveat.wording`) reads a finding's fields; nothing is packed into a string to
be split again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.caveat.clauses import Clause


class FindingKind(StrEnum):
    """What two clauses disagree on; the value is the caveat's `kind` in JSON and on Discord."""

    DATE = "date"
    NUMBER = "number"
    POLARITY = "polarity"  # one says it happened, the other that it did not
    ANTONYM = "antonym"  # opposite words about the same thing ("rose" / "fell")
    NAME = "name"
    PLACE = "place"
    EVENT = "event"  # a reported event against another party's own account
    QUANTIFIER = "quantifier"  # "all" / "some" in otherwise aligned statements


@dataclass(frozen=True)
class EventDetail:
    """An `EVENT` finding: `agent` is reported to have done `word` (a ban); the other side
    speaks only of what `actor` did, in `actor`'s own account when `own`."""

    word: str
    agent: str
    actor: str
    own: bool


@dataclass(frozen=True)
class Finding:
    """A disagreement between `first` and `second`; the spans are offsets into each clause's
    text of what each side says. `aligned`: found by aligning two statements that say the same
    thing but for one slot (`bot.caveat.align`)."""

    kind: FindingKind
    score: float
    first: Clause
    second: Clause
    first_span: tuple[int, int]
    second_span: tuple[int, int]
    aligned: bool = False
    event: EventDetail | None = None
