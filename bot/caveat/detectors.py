"""Comparisons of two aligned clauses: dates, numbers, polarity and antonyms."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from functools import lru_cache

from bot.caveat.clauses import Clause
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.quantities import Date, Quantity
from bot.caveat.statements import headline
from bot.caveat.tokens import Token, forms_of, is_content, key_of, possessors, runs_of
from bot.english import caveat_words as lex
from bot.english.names import DESIGNATORS
from bot.english.wordforms import word_classes


def best_finding(
    first: list[Clause],
    second: list[Clause],
    focus: frozenset[str],
    kinds: frozenset[str] = frozenset({"date", "number", "polarity", "antonym"}),
    accept: Callable[[Finding], bool] = lambda _: True,
) -> Finding | None:
    """The strongest finding of the `kinds` asked for between two excerpts' clauses that
    `accept` lets through (a figure compared with its like)."""
    detectors = [d for kind, d in _DETECTORS.items() if kind in kinds]
    best: Finding | None = None
    for a, b in itertools.product(first, second):
        if a.hedged or b.hedged or headline(a) or headline(b):
            continue
        if not _about_the_question(a, b, focus):
            continue
        for detector in detectors:
            finding = detector(a, b, focus)
            if finding is None or not accept(finding):
                continue
            if best is None or finding.score > best.score:
                best = finding
    return best


def _about_the_question(a: Clause, b: Clause, focus: frozenset[str]) -> bool:
    """Whether two clauses speak of the same thing, and (given a question) of what was asked.

    They must share a name (a capitalised word inside a clause) or three content words; with a
    question, a shared word must be one of its words, and together they must cover two of them.
    """
    # a name one clause owns something by ("Ada Brook's husband died") and the other has as
    # its subject ("Ada Brook died") is two subjects
    shared = (a.keys & b.keys) - (possessors(a.tokens, focus) ^ possessors(b.tokens, focus))
    # a word of the question both write with a capital is a name even opening a clause
    names = a.names | b.names | (_capitalised(a) & _capitalised(b) & focus)
    if not (shared & names or len(shared) >= 3):
        return False
    if not focus:  # no question names the subject: the names of the two must meet
        return len(shared) >= 2 and _share_a_name(a, b) and not _other_entities(a, b)
    return bool(shared & focus) and len((a.keys | b.keys) & focus) >= min(2, len(focus))


def _other_entities(a: Clause, b: Clause) -> bool:
    """The two clauses' subjects (the first names, before the verb in English word order) have
    no name in common: two statements about two companies ("Piedmont said its load factor…",
    "USAir Group Inc said its…") never disagree, however alike the rest, nor do two issuers
    that name the same underwriter."""
    first, second = _subject_names(a, b.names), _subject_names(b, a.names)
    # "Quaker Oats Co" and "Eastman Kodak Co" share a word, not a name: compare the words no
    # dictionary has, when both subjects have some
    own_first, own_second = _coined(a, first), _coined(b, second)
    if own_first and own_second:
        return not own_first & own_second
    return bool(first and second) and not first & second


def _coined(clause: Clause, keys: frozenset[str]) -> frozenset[str]:
    """The keys of `keys` whose words are in no English dictionary and close no company's name
    ("Kodak", not "Co")."""
    return frozenset(
        t.key
        for t in clause.tokens
        if t.key in keys and not word_classes(t.lower) and t.lower not in DESIGNATORS
    )


def _subject_names(clause: Clause, known: frozenset[str]) -> frozenset[str]:
    """Keys of the clause's first run of capitalised words; an opening word alone is passed
    over unless it is written as a name there or in `known` ("Year to date, Piedmont said…";
    "Tesla will…" beside "…sold Tesla cars")."""
    capitalised = _capitalised(clause)
    runs = runs_of(clause.tokens, lambda t: t.key in capitalised and t.text[:1].isupper())
    for run in runs:
        if len(run) > 1 or run[0] is not clause.tokens[0] or run[0].key in clause.names | known:
            return frozenset(t.key for t in run)
    return frozenset()


def _share_a_name(a: Clause, b: Clause) -> bool:
    """A word both write with a capital, inside the clause in one of them at least ("Tesla will
    only sell…" and "…sold Tesla cars")."""
    return bool((_capitalised(a) & _capitalised(b)) & (a.names | b.names))


def _capitalised(clause: Clause) -> frozenset[str]:
    """The clause's names, with its first word when that is a capitalised content word."""
    head = clause.tokens[0] if clause.tokens else None
    if head is None or not head.text[:1].isupper() or not is_content(head):
        return clause.names
    return clause.names | {head.key}


def alignment(a: Clause, b: Clause, focus: frozenset[str]) -> float:
    """How strongly two clauses speak of the same thing; words of the question count twice."""
    shared = a.keys & b.keys
    return len(shared) + len(shared & focus)


def _date_conflict(a: Clause, b: Clause, focus: frozenset[str]) -> Finding | None:
    pairs = [(x, y) for x in a.dates for y in b.dates if _same_event(x, y)]
    if not pairs or any(x.low <= y.high and y.low <= x.high for x, y in pairs):
        return None  # no comparable dates, or they agree on one
    x, y = pairs[0]
    subject = (a.keys & b.keys) - set(lex.DATE_EVENTS)
    if not subject:
        return None
    score = 2.0 + alignment(a, b, focus)
    return Finding(FindingKind.DATE, score, a, b, (x.start, x.end), (y.start, y.end))


def other_times(a: Clause, b: Clause) -> bool:
    """Both clauses are dated and no date of one overlaps a date of the other, or both name
    days of the year and none in common ("the week ended Feb 27" / "…Feb 20")."""
    if a.days and b.days and not a.days & b.days:
        return True
    return bool(a.dates and b.dates) and not any(
        x.low <= y.high and y.low <= x.high for x in a.dates for y in b.dates
    )


def _same_event(x: Date, y: Date) -> bool:
    if x.event and y.event:
        return x.event == y.event
    if x.event or y.event:
        return False
    return bool(x.window & y.window)


def _number_conflict(a: Clause, b: Clause, focus: frozenset[str]) -> Finding | None:
    if other_times(a, b):
        return None  # figures of two editions, years or seasons are not two answers to one
    pairs = [
        (x, y)
        for x in a.quantities
        for y in b.quantities
        if not (x.baseline or y.baseline)
        and _same_measure(x, y)
        and (focus or _measured_alike(x, y))  # a question says what is measured
    ]
    if not pairs or any(x.low <= y.high and y.low <= x.high for x, y in pairs):
        return None
    heads = {x.unit.lstrip("#") for x, _ in pairs}
    if not (a.keys & b.keys) - heads:
        return None
    x, y = min(pairs, key=lambda p: _distance(p[0], p[1]))
    score = 2.0 + alignment(a, b, focus)
    return Finding(FindingKind.NUMBER, score, a, b, (x.start, x.end), (y.start, y.end))


def _distance(x: Quantity, y: Quantity) -> float:
    """How far apart two figures are, as a log ratio of their midpoints; never raises.

    Open bounds ("up to 5" is -inf..5, "at least 5" is 5..inf), zero and negative values have no
    log ratio: they are as far apart as can be, so a pair with two plain figures is chosen first.
    """
    a, b = _midpoint(x), _midpoint(y)
    if a is None or b is None or a <= 0 or b <= 0:
        return math.inf
    return abs(math.log(a / b))


def _midpoint(q: Quantity) -> float | None:
    if math.isfinite(q.low) and math.isfinite(q.high):
        return (q.low + q.high) / 2
    finite = [v for v in (q.low, q.high) if math.isfinite(v)]
    return finite[0] if finite else None


def _measured_alike(x: Quantity, y: Quantity) -> bool:
    """What two figures measure is the same: they count the same thing ("four survivors",
    "fifteen survivors"), a table's column names it, or the words around them meet beyond
    their unit ("load factor was 54.1 pct" and "load factor rose to 62.2 pct", not "a 15 pct
    stake" and "load factor rose to 66.5 pct")."""
    if x.unit.startswith("#") or x.column or y.column:
        return True  # the counted noun, or the table's column, names the measure
    return bool((x.window & y.window) - {x.unit, y.unit})


def _same_measure(x: Quantity, y: Quantity) -> bool:
    """Same unit or counted thing, and the same denominator ("90% of imported EVs" is not "2%
    of all cars")."""
    if x.column and y.column and x.column != y.column:
        return False  # a table's "Spans" column is not its "Length" column
    return x.unit == y.unit and x.of_keys == y.of_keys


def _polarity_conflict(a: Clause, b: Clause, focus: frozenset[str]) -> Finding | None:
    for neg, pos in ((a, b), (b, a)):
        said = frozenset(k for t in pos.tokens if is_content(t) for k in forms_of(t.lower))
        collide = (neg.negated - neg.asserted) & (pos.asserted - pos.negated) & said
        names = collide & (neg.names | pos.names)
        if len(names) < 2:
            collide -= names  # "not in Japan" vs "in Japan" is about Japan only with more in common
        if not collide or len(neg.keys & pos.keys) < 2:
            continue
        # "did not win" / "won": the words meet through the verb they are forms of
        token = next(t for t in neg.tokens if t.negated and forms_of(t.lower) & collide)
        other = next(t for t in pos.tokens if forms_of(t.lower) & forms_of(token.lower) & collide)
        if _other_subjects(neg, token, pos, other):
            continue
        score = 1.0 + alignment(a, b, focus)
        return Finding(
            FindingKind.POLARITY,
            score,
            neg,
            pos,
            (token.start, token.end),
            (other.start, other.end),
        )
    return None


def _other_subjects(a: Clause, x: Token, b: Clause, y: Token) -> bool:
    """Each clause names someone before the word they meet on, and not the same one: "Tom Aske
    did not win the prize" says nothing against "Ada Brook won the prize"."""
    # a capital opening a clause is a name when the other clause writes it as one ("Tesla")
    first = {t.key for t in a.tokens if t.end <= x.start} & (a.names | (_capitalised(a) & b.names))
    second = {t.key for t in b.tokens if t.end <= y.start} & (b.names | (_capitalised(b) & a.names))
    return bool(first and second) and not first & b.keys and not second & a.keys


@lru_cache(maxsize=1)
def _antonyms() -> frozenset[tuple[str, str]]:
    pairs = set()
    for left, right in lex.ANTONYM_PAIRS:
        pairs.add((key_of(left), key_of(right)))
        pairs.add((key_of(right), key_of(left)))
    return frozenset(pairs)


def _antonym_conflict(a: Clause, b: Clause, focus: frozenset[str]) -> Finding | None:
    antonyms = _antonyms()
    for x in a.tokens:
        if x.negated or x.key in b.asserted:
            continue
        for y in b.tokens:
            if y.negated or (x.key, y.key) not in antonyms or y.key in a.asserted:
                continue
            shared = (a.keys & b.keys) - {x.key, y.key}
            if len(shared) < 2:
                continue
            score = 1.0 + alignment(a, b, focus)
            return Finding(FindingKind.ANTONYM, score, a, b, (x.start, x.end), (y.start, y.end))
    return None


_DETECTORS = {
    FindingKind.DATE: _date_conflict,
    FindingKind.NUMBER: _number_conflict,
    FindingKind.POLARITY: _polarity_conflict,
    FindingKind.ANTONYM: _antonym_conflict,
}
