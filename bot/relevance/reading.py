"""What a question reading holds: the query being built, the facts about the sources it is
built against, and the weights the rules give."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from bot.relevance.kind import Asked

MODIFIER_WEIGHT = 0.5


# Words of sentences before the question itself ("X, also called Y, is a politician. Was Y born
# in 1967?") set the scene: they weigh this much and require nothing.
PREAMBLE_WEIGHT = 0.3


# In a yes/no question or a claim, a figure or date is the value asserted ("born on 8 December
# 1967?"): the source that gives another value is the one to find, so it weighs half.
VALUE_WEIGHT = 0.5


# The noun after "which"/"what" names the kind of answer asked for ("which city", "what
# hashtag"); a source states the answer (Kawasaki) and seldom its kind, so it weighs this much.
ANSWER_KIND_WEIGHT = 0.3


# Aspectual verbs, which give an event its phase ("the ban started", "the sale ended"): beside a
# noun naming the event, such a verb weighs this much; a source dates the event, not its phase.
ASPECT_WEIGHT = 0.3


MIN_NAME_SHARE = 0.4


APPROXIMATE_TOLERANCE = 0.10


@dataclass
class Query:
    """A question's terms with weights, what meets each one, and what a passage must hold."""

    terms: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    # term -> passage terms that meet it (itself, its predicate family, near numbers)
    matches: dict[str, frozenset[str]] = field(default_factory=dict)
    # each group: the passage (or its neighbours) must hold at least one of these terms
    required: list[frozenset[str]] = field(default_factory=list)
    # each group: the passage itself must hold one (the claim's predicate, not a neighbour's)
    required_own: list[frozenset[str]] = field(default_factory=list)
    # term -> how the question's own sentence writes it (for messages)
    words: dict[str, str] = field(default_factory=dict)
    unknown_names: list[str] = field(default_factory=list)
    # terms that hold the kind of answer asked for (years and months for "when"): a passage
    # with one is preferred among those that bear on the question
    answer_terms: frozenset[str] = frozenset()
    # terms that give the answer itself (dates for "when", figures for "how many" or a claimed
    # figure): a cited sentence without one takes the neighbour that has it (`bot.answer.engine`)
    answer_forms: frozenset[str] = frozenset()
    # each group: a year or ordinal that qualifies a noun ("the 2021 festival"); also in
    # `required_own`
    qualifiers: list[frozenset[str]] = field(default_factory=list)
    # names the sources know -> weight: a passage must hold at least MIN_NAME_SHARE of it
    names: dict[str, float] = field(default_factory=dict)
    name_forms: dict[str, frozenset[str]] = field(default_factory=dict)
    # "Toyota's market share": (the owner's forms, the owned noun); see `owned_by_another`
    possessions: list[tuple[frozenset[str], str]] = field(default_factory=list)
    # "What did Honda say…?": who is asked to have said it (as the question writes it)
    speaker: str = ""


@dataclass(frozen=True)
class SourceFacts:
    """What the question analysis needs to know about the indexed sources."""

    document_frequency: Callable[[str], int]
    idf: Callable[[str], float]
    names: Collection[str]
    numbers: Mapping[str, float]
    frame_of: Mapping[str, frozenset[str]]
    # names by their first four letters, where a demonym shares them (Japan, Japanese)
    names_by_prefix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the sources' terms that are years or month names
    dates: frozenset[str] = frozenset()
    # the sources' terms that give a figure (numbers, "billions"): one set, built once
    figures: frozenset[str] = frozenset()
    # figures that are not dates (years, months): what answers "how large…?"
    amounts: frozenset[str] = frozenset()
    # acronyms the sources define -> the terms of their phrase (`bot.index.acronyms`), and a term ->
    # the acronyms that are it or start with it
    acronyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    acronyms_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Reading:
    """One question being read: its tokens, what they are, and the query the rules build."""

    asked: str  # the question's own sentence (after any preamble)
    facts: SourceFacts
    tokens: list[str]  # the question's tokens, then the preamble's
    question_tokens: list[str]
    scene: int  # tokens from this index on only set the scene
    framing: set[int]  # indexes of tokens that only frame the claim
    surface: dict[str, str]  # lowercase token -> as written
    owners: set[str]  # words written possessive ("Toyota's")
    japanese_words: dict[str, str]
    kind: Asked
    query: Query
    predicates: list[frozenset[str]] = field(default_factory=list)
    event_nouns: list[frozenset[str]] = field(default_factory=list)  # "the ban"
    scene_terms: set[str] = field(default_factory=set)  # words only the preamble has
    approximate: bool = False  # after "about", "nearly"…
    run_head: str = ""  # the first term of the name being read ("John Henry Seadlund")
    previous_name: int = -2

    @property
    def claim(self) -> bool:
        return self.kind is Asked.YES_NO


@dataclass(frozen=True)
class Word:
    """One token of the question as the token rules see it."""

    at: int
    token: str
    term: str
    before: str
    after: str  # "" at the question's end (the preamble's first word does not follow it)
    weight: float
