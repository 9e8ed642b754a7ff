"""Like with like: a figure is compared only with a figure of the same measure of the same thing
over the same period (`like_with_like`), by the structure of the two clauses around each, not by
lists of what is measured.

Two checks:

- *another period*: both clauses name a time of one kind (a month, a weekday, a part of the
  day, a unit of time such as a quarter) and none of that kind is the same ("exports totalled
  20,481 tonnes in December" / "… in February"; "revenue for the year" / "sales for the
  quarter"; "in the morning session" / "in the afternoon session");
- *another thing*: the words around each figure (six before and three after, figures aside),
  aligned word for word, say something different in the same place, between words they share
  (in words neither clause has in the other) or in the word right beside the figure ("Acme's
  sales force has 200" / "Acme's design team has 40"; "a 100 mln dlr loan" / "the 285 mln dlr
  project"; "the Acme Michigan Fund pays" / "the Acme Ohio Fund pays").

Aligned findings (`bot.caveat.align`) differ in one slot only, so they are like with like already.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from bot.caveat.align import is_figure_word
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.statements import Item, statement_of
from bot.english.time import DAY_PARTS, MONTHS, PERIODS, WEEKDAYS

_BEFORE = 6
_AFTER = 3
_SLOT = "#slot"


def like_with_like(finding: Finding) -> bool:
    """Whether a figure or a name of another detector is compared with its like.

    Figures of another period or of another thing (the module's two checks) are not; other
    kinds, aligned findings and two tables' figures (their columns name the measure, and the
    number detector compares only one column with the same) pass."""
    if finding.aligned or finding.kind is not FindingKind.NUMBER:
        return True
    if finding.first.row and finding.second.row:
        return True
    x, y = statement_of(finding.first), statement_of(finding.second)
    if x is None or y is None:
        return False
    near_x, near_y = _near(x.items, finding.first_span), _near(y.items, finding.second_span)
    times_x, times_y = _times(x.items), _times(y.items)
    if any(x and y and not x & y for x, y in zip(times_x, times_y, strict=True)):
        return False  # another period
    left, right = _context(near_x), _context(near_y)
    ops = SequenceMatcher(None, left, right, autojunk=False).get_opcodes()
    tags = [op[0] for op in ops]
    slot = left.index(_SLOT)
    keys_x, keys_y = {i.key for i in x.items}, {i.key for i in y.items}
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "replace":
            continue
        if slot in (i1 - 1, i2):  # next to the figure: the two words beside it
            i1, i2, j1, j2 = (
                (i1, i1 + 1, j1, j1 + 1) if slot == i1 - 1 else (i2 - 1, i2, j2 - 1, j2)
            )
        elif not ("equal" in tags[:k] and "equal" in tags[k + 1 :]):
            continue
        if not set(left[i1:i2]) & keys_y and not set(right[j1:j2]) & keys_x:
            return False  # another thing
    return True


def _near(items: tuple[Item, ...], span: tuple[int, int]) -> list[Item | None]:
    """The words before and after `span` (figures aside), with None where `span` stands."""
    before = [i for i in items if i.token.end <= span[0] and not is_figure_word(i)][-_BEFORE:]
    after = [i for i in items if i.token.start >= span[1] and not is_figure_word(i)][:_AFTER]
    return [*before, None, *after]


def _context(near: list[Item | None]) -> list[str]:
    return [_SLOT if i is None else i.key for i in near]


def _times(items: tuple[Item, ...]) -> tuple[frozenset[str], ...]:
    """The times a clause names, by kind: months, weekdays, parts of the day, units of time
    ("the morning session" and "the afternoon session" differ in the part of the day, whatever
    they share)."""
    words = [i.token.lower for i in items]
    return tuple(
        frozenset(w for w in words if is_kind(w))
        for is_kind in (
            MONTHS.__contains__,
            WEEKDAYS.__contains__,
            DAY_PARTS.__contains__,
            lambda w: w.removesuffix("s") in PERIODS and w not in DAY_PARTS,
        )
    )
