"""Aligned statements: two sources that say the same thing but for one slot disagree on it.

The first way a caveat finds a disagreement (after de Marneffe et al.'s alignment step, taken
literally). Each clause is read as a *statement*: its words less stopwords, as lemmas, with its
figures, its names, its hedges and modals and its quantifiers kept, and with who it is
attributed to ("Moody's said …", "…, an Alcan spokesman said") set aside as its *speaker*.
Two statements of different sources are aligned word for word (`difflib.SequenceMatcher`).
They disagree when everything matches except exactly one slot:

- a figure ("60 mln dlrs" / "80 mln dlrs"), read with its unit, whose values do not overlap,
  or the same figure per another unit of time ("46,000 barrels a year" / "… a day");
- a full date ("March 3, 1987" / "March 5, 1987"), or a month with the same day and no year
  ("starting August six" / "starting April six");
- a name after the statement's own (shared) name, not one of a list;
- a quantifier ("all" / "few");
- a polarity: every word matches, but a negation denies a word in one only ("agreed not to
  take" / "has not agreed").

Because the words around the slot are the same, what is compared is like with like: the same
measure of the same thing over the same period (a year is not a quarter: "year" and "quarter"
would be a second slot), a name in the same role. A hedge or an attribution no longer hides the
disagreement when both sides share it; two speakers who differ are two views, not compared (one
named more fully than the other, "Moody's" / "Moody's Investors Service", is the same). A
statement must name what it is about before the slot (a shared name, or the speaker of "Acme said
it …"); in an answer, the question's names written in both sources (title, excerpt or the text
before it) anchor a figure, a date or a polarity, never a name (who did it may be the slot). One
placed in time relative to its writing ("this morning", "next week") is never compared: two
articles, two days. Two names are no slot when one continues a shared name ("Reuters Inc" /
"Reuters Holdings Plc"), when they are one name spelt two ways, or when the clause is in title
case (a headline, markup: hardly a word in lower case). Bounds: clauses of at most 60 words,
slots of at most 4.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum

from bot.caveat.clauses import Clause
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.quantities import Date, Quantity, number_value
from bot.caveat.statements import Item, Statement, statement_of, title_case
from bot.caveat.tokens import is_content
from bot.english import caveat_words as lex
from bot.english.function_words import QUANTIFIERS
from bot.english.time import MONTHS, PERIODS

__all__ = [
    "AlignedDisagreement",
    "SlotKind",
    "aligned_disagreement",
    "aligned_finding",
    "is_figure_word",
    "noting_corrections",
]

# A slot longer than this is a different statement, not one differing value.
_MAX_SLOT = 4
_MIN_MATCHED = 4
# A source's own correction note: a line opened by a dash or a bracket, then "corrects"…
# ("-- corrects year of loss in third paragraph", "- Corrects dollar figure of notes placed").
_CORRECTION = re.compile(
    r"^[ \t]*(?:-+|[–—(])[ \t]*(?:corrects?|corrected|correcting|correction)\b[^\n]*",
    re.IGNORECASE | re.MULTILINE,
)
_NOTE_CHARS = 100
_SAME_SPELLING = 0.8  # two names this alike are one name spelt two ways
_SCORE = 30.0  # above every other finding: the two sources state the same thing
_LIST_JOINERS = frozenset({"and", "or", "&"})


class SlotKind(Enum):
    """What the one differing slot of two aligned statements is (the caveat's kind)."""

    FIGURE = "number"
    DATE = "date"
    NAME = "name"
    POLARITY = "polarity"
    QUANTIFIER = "quantifier"


@dataclass(frozen=True)
class AlignedDisagreement:
    """Two clauses of different sources that state the same thing but for one slot.

    The spans are offsets into each clause's text of what each side says in that slot.
    """

    slot: SlotKind
    first: Clause
    second: Clause
    first_span: tuple[int, int]
    second_span: tuple[int, int]

    def finding(self) -> Finding:
        return Finding(
            FindingKind(self.slot.value),
            _SCORE,
            self.first,
            self.second,
            self.first_span,
            self.second_span,
            aligned=True,
        )


def noting_corrections(explanation: str, finding: Finding, texts: Mapping[str, str]) -> str:
    """`explanation` of an aligned finding, with the correction note of each side's source
    (`texts` by source id) quoted after it: evidence of which figure was superseded."""
    if not finding.aligned:
        return explanation
    for side in (finding.first, finding.second):
        match = _CORRECTION.search(texts.get(side.group, ""))
        if match is not None:
            note = " ".join(match.group().split()).rstrip(".")
            note = note if len(note) <= _NOTE_CHARS else note[: _NOTE_CHARS - 1] + "…"
            explanation += f" {side.label}'s source marks itself a correction: “{note}”."
    return explanation


def aligned_finding(
    first: Sequence[Clause], second: Sequence[Clause], anchored: bool = False
) -> Finding | None:
    """The aligned disagreement between two excerpts' clauses, as a caveat finding, or None.
    `anchored`: what the two are about is known already (both sources name the question's
    names), so a statement need not name it itself ("The unit produces … a year")."""
    for a, b in itertools.product(first, second):
        found = aligned_disagreement(a, b, anchored)
        if found is not None:
            return found.finding()
    return None


def aligned_disagreement(
    a: Clause, b: Clause, anchored: bool = False
) -> AlignedDisagreement | None:
    """Whether `a` and `b` state the same thing but for one slot, and that slot."""
    x, y = statement_of(a), statement_of(b)
    if x is None or y is None or x.deictic or y.deictic or not _same_speaker(x, y):
        return None
    keys_x, keys_y = [i.key for i in x.items], [i.key for i in y.items]
    longest = max(len(keys_x), len(keys_y))
    if len(set(keys_x) & set(keys_y)) < min(_MIN_MATCHED, longest - _MAX_SLOT):
        return None  # cheap test before aligning: too few words in common
    ops = SequenceMatcher(None, keys_x, keys_y, autojunk=False).get_opcodes()
    matched = [
        (x.items[i + k], y.items[j + k])
        for tag, i, i2, j, _ in ops
        if tag == "equal"
        for k in range(i2 - i)
    ]
    slots = [op for op in ops if op[0] != "equal" and not _name_variant(op, x, y)]
    if len(matched) + len(x.speaker) < _MIN_MATCHED:
        return None  # the speaker's words, the same in both, are aligned too
    denials = [(p, q) for p, q in matched if (p.denied is None) != (q.denied is None)]
    if not slots:
        if len(denials) != 1:
            return None
        p, q = denials[0]
        if not (anchored or x.own_speaker or _anchored(matched, p.token.start, set())):
            return None
        if p.denied is None:  # the negating side speaks first, as the polarity detector's does
            return AlignedDisagreement(SlotKind.POLARITY, b, a, _denial_span(q), _denial_span(p))
        return AlignedDisagreement(SlotKind.POLARITY, a, b, _denial_span(p), _denial_span(q))
    if len(slots) != 1 or denials:
        return None
    tag, i1, i2, j1, j2 = slots[0]
    if tag != "replace" or max(i2 - i1, j2 - j1) > _MAX_SLOT:
        return None
    left, right = x.items[i1:i2], y.items[j1:j2]
    if i1 > 0 and x.items[i1 - 1].name and left[0].name:
        return None  # "Reuters Inc" / "Reuters Holdings Plc": one name written two ways
    return _classify(a, b, left, right, matched, x.own_speaker, anchored)


def _classify(
    a: Clause,
    b: Clause,
    left: tuple[Item, ...],
    right: tuple[Item, ...],
    matched: list[tuple[Item, Item]],
    own_speaker: bool,
    anchored: bool = False,
) -> AlignedDisagreement | None:
    """The slot's kind and each side's value in it, when the two values disagree."""
    first_start = left[0].token.start
    if all(is_figure_word(i) for i in left + right):
        x, y = _quantity_at(a, left), _quantity_at(b, right)
        if x is None or y is None or x.unit != y.unit or x.of_keys != y.of_keys:
            return None
        if x.low <= y.high and y.low <= x.high:
            return None  # "about 1,000" and "1,020" agree
        kind, spans = SlotKind.FIGURE, (_with_noun(a, x), _with_noun(b, y))
    elif (x := _date_at(a, left)) is not None and (y := _date_at(b, right)) is not None:
        if x.low <= y.high and y.low <= x.high:
            return None  # "March 1987" and "March 3, 1987" agree
        kind, spans = SlotKind.DATE, ((x.start, x.end), (y.start, y.end))
    elif all(i.name for i in left + right):
        if title_case(a) or title_case(b):
            return None  # a headline or markup capitalises what is no name
        if _in_list(a, left) or _in_list(b, right):
            return None  # one name of a list against another is two members, not two answers
        spans = (_span(left), _span(right))
        said = [
            clause.text[slice(*span)].lower() for clause, span in zip((a, b), spans, strict=True)
        ]
        if SequenceMatcher(None, *said, autojunk=False).ratio() >= _SAME_SPELLING:
            return None  # "Sonoira" / "Sonora": one name, misspelt once
        kind = SlotKind.NAME
    elif len(left) == len(right) == 1 and {left[0].key, right[0].key} <= QUANTIFIERS:
        kind, spans = SlotKind.QUANTIFIER, (_span(left), _span(right))
    elif (rates := _rates(a, b, left, right)) is not None:
        kind, spans = SlotKind.FIGURE, rates
    elif (days := _month_days(a, b, left, right)) is not None:
        kind, spans = SlotKind.DATE, days
    else:
        return None
    # What the statement is about is named before the slot (a name in the slot must not be the
    # subject itself; "The bond … of 5,000 dlrs … listed in Luxembourg" names no subject).
    slot_keys = {i.key for i in left + right}
    before = None if kind is SlotKind.QUANTIFIER else first_start
    # The question's names, in both sources, anchor a figure or a date, never a name: who did it
    # is what a name slot may be ("Beta Corp sold…" / "Gamma Corp sold…": two sales).
    if not (
        own_speaker
        or (anchored and kind is not SlotKind.NAME)
        or _anchored(matched, before, slot_keys)
    ):
        return None
    return AlignedDisagreement(kind, a, b, *spans)


def _same_speaker(x: Statement, y: Statement) -> bool:
    """Both statements are attributed to no one, or to the same speaker, named as fully or
    less ("Moody's Investors Service" / "Moody's"; "Rexnord nc" / "Rexnord Inc")."""
    if x.speaker == y.speaker:
        return True
    return bool(x.speaker and y.speaker) and (x.speaker <= y.speaker or y.speaker <= x.speaker)


def _rates(
    a: Clause, b: Clause, left: tuple[Item, ...], right: tuple[Item, ...]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The same figure per another unit of time ("46,000 barrels … a year" / "… a day"): each
    side's span from the figure to its unit of time, when one word of `PERIODS` differs and a
    figure stands before it on both sides."""
    if len(left) != 1 or len(right) != 1:
        return None
    if not all(i.token.lower.removesuffix("s") in PERIODS for i in (left[0], right[0])):
        return None
    x = next((q for q in reversed(a.quantities) if q.end <= left[0].token.start), None)
    y = next((q for q in reversed(b.quantities) if q.end <= right[0].token.start), None)
    if x is None or y is None or (x.low, x.high, x.unit) != (y.low, y.high, y.unit):
        return None
    return (x.start, left[0].token.end), (y.start, right[0].token.end)


def _month_days(
    a: Clause, b: Clause, left: tuple[Item, ...], right: tuple[Item, ...]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Two months in the slot, each with the same day or none ("starting August six" /
    "starting April six", a date with no year that the date reader leaves): each side's span
    from the month to its day."""
    if len(left) != 1 or len(right) != 1:
        return None
    if not all(i.token.text[:1].isupper() and i.token.lower in MONTHS for i in left + right):
        return None
    return _with_day(a, left[0]), _with_day(b, right[0])


def _with_day(clause: Clause, month: Item) -> tuple[int, int]:
    """A month's span with the day written after it, if one is."""
    after = next((t for t in clause.tokens if t.start >= month.token.end), None)
    value = number_value(after) if after is not None else None
    end = after.end if value is not None and 1 <= value <= 31 else month.token.end
    return month.token.start, end


def _anchored(matched: list[tuple[Item, Item]], before: int | None, slot_keys: set[str]) -> bool:
    """A shared name outside the slot (before offset `before` of `a`'s text, when given)."""
    return any(
        p.name and q.name and p.key not in slot_keys and (before is None or p.token.start < before)
        for p, q in matched
    )


def _name_variant(op: tuple[str, int, int, int, int], x: Statement, y: Statement) -> bool:
    """An insertion of name words next to a matched name word ("Mobil Oil Corp" / "Mobil Corp"):
    the same name written more fully, not a second slot."""
    tag, i1, i2, j1, j2 = op
    if tag not in ("insert", "delete"):
        return False
    items, lo, hi = (x.items, i1, i2) if tag == "delete" else (y.items, j1, j2)
    if not all(i.name for i in items[lo:hi]):
        return False
    return (lo > 0 and items[lo - 1].name) or (hi < len(items) and items[hi].name)


def _denial_span(item: Item) -> tuple[int, int]:
    """The denied word with its negation ("not closing"), or the word alone."""
    return (item.token.start if item.denied is None else item.denied), item.token.end


def is_figure_word(item: Item) -> bool:
    return item.key.startswith("#") or item.token.lower in lex.MULTIPLIERS


def _quantity_at(clause: Clause, items: tuple[Item, ...]) -> Quantity | None:
    """The figure of `clause` (with its unit) that holds the slot's words, if one does."""
    start, end = _span(items)
    return next((q for q in clause.quantities if q.start <= start and end <= q.end), None)


def _with_noun(clause: Clause, quantity: Quantity) -> tuple[int, int]:
    """A figure's span with the noun it counts ("four games", "10 cts"), as a reader says it."""
    end = quantity.end
    if quantity.unit.startswith("#"):
        after = [t for t in clause.tokens if t.start >= quantity.end][:4]
        noun = quantity.unit[1:]
        end = next((t.end for t in after if noun in (t.key, t.lower)), end)
    return quantity.start, end


def _date_at(clause: Clause, items: tuple[Item, ...]) -> Date | None:
    """The full date of `clause` that holds every word of the slot, if one does."""
    start, end = _span(items)
    return next((d for d in clause.dates if d.start <= start and end <= d.end), None)


def _span(items: tuple[Item, ...]) -> tuple[int, int]:
    return items[0].token.start, items[-1].token.end


def _in_list(clause: Clause, items: tuple[Item, ...]) -> bool:
    """The slot's name is joined by a comma, "and" or "or" to another name beside it."""
    tokens = clause.tokens
    first = tokens.index(items[0].token)
    last = tokens.index(items[-1].token)
    return _joined(clause, first, -1) or _joined(clause, last, 1)


def _joined(clause: Clause, index: int, step: int) -> bool:
    tokens, text = clause.tokens, clause.text
    near = index + step
    while 0 <= near < len(tokens) and tokens[near].text[:1].isupper() and is_content(tokens[near]):
        index, near = near, near + step  # the rest of the slot's own name
    if not 0 <= near < len(tokens):
        return False
    lo, hi = sorted((tokens[index], tokens[near]), key=lambda t: t.start)
    gap = text[lo.end : hi.start]
    joiner = tokens[near].lower in _LIST_JOINERS
    if not ("," in gap or joiner):
        return False
    beyond = near + step if joiner else near
    return 0 <= beyond < len(tokens) and tokens[beyond].text[:1].isupper()
