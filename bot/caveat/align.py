"""Aligned statements: two sources that say the same thing but for one slot disagree on it.

The first way a caveat finds a disagreement (after de Marneffe et al.'s alignment step, taken
literally). Each clause is read as a *statement*: its words less stopwords, as lemmas, with its
figures, its names, its hedges and modals and its quantifiers kept, and with who it is
attributed to ("Moody's said …", "…, an Alcan spokesman said") set aside as its *speaker*.
Two statements of different sources are aligned word for word (`difflib.SequenceMatcher`).
They disagree when everything matches except exactly one slot:

- a figure ("60 mln dlrs" / "80 mln dlrs"), read with its unit, whose values do not overlap;
- a full date ("March 3, 1987" / "March 5, 1987");
- a name after the statement's own (shared) name, not one of a list;
- a quantifier ("all" / "few");
- a polarity: every word matches, but a negation denies a word in one only ("agreed not to
  take" / "has not agreed").

Because the words around the slot are the same, what is compared is like with like: the same
measure of the same thing over the same period (a year is not a quarter: "year" and "quarter"
would be a second slot), a name in the same role. A hedge or an attribution no longer hides the
disagreement when both sides share it; two speakers who differ are two views, not compared. A
statement must name what it is about before the slot (a shared name, or the speaker of "Acme said
it …"), and one placed in time relative to its writing ("this morning", "next week") is never
compared: two articles, two days. Two names are no slot when one continues a shared name
("Reuters Inc" / "Reuters Holdings Plc"), when they are one name spelt two ways, or when the
clause is in title case (a headline, markup). Bounds: clauses of at most 60 words, slots of at
most 4.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum
from functools import lru_cache

from bot import caveat_lexicon as lex
from bot.caveat.clauses import Clause, starts_phrase
from bot.caveat.detectors import Finding
from bot.caveat.quantities import Date, Quantity, number_value
from bot.caveat.tokens import Token, forms_of, is_content

__all__ = [
    "AlignedDisagreement",
    "SlotKind",
    "aligned_disagreement",
    "aligned_finding",
    "like_with_like",
    "noting_corrections",
]

# Bounds: a clause longer than this is no single statement to align; a slot longer than this
# is a different statement, not one differing value.
_MAX_ITEMS = 60
_MAX_SLOT = 4
_MIN_MATCHED = 4
_SPEAKER_REACH = 12  # "Finance Secretary Jaime Ongpin told reporters yesterday …"
# A source's own correction note: a line opened by a dash or a bracket, then "corrects"…
# ("-- corrects year of loss in third paragraph", "- Corrects dollar figure of notes placed").
_CORRECTION = re.compile(
    r"^[ \t]*(?:-+|[–—(])[ \t]*(?:corrects?|corrected|correcting|correction)\b[^\n]*",
    re.IGNORECASE | re.MULTILINE,
)
_NOTE_CHARS = 100
_SAME_SPELLING = 0.8  # two names this alike are one name spelt two ways
_SCORE = 30.0  # above every other finding: the two sources state the same thing
_BRACKETS = (("(", ")"), ("[", "]"), ("<", ">"), ("&lt;", "&gt;"))
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
            self.slot.value,
            _SCORE,
            self.first,
            self.second,
            self.first_span,
            self.second_span,
            detail="aligned",
        )


@dataclass(frozen=True)
class _Item:
    """One word of a statement, as aligned."""

    key: str
    token: Token
    name: bool
    denied: int | None  # the first word after a negation (what it denies): the cue's offset


@dataclass(frozen=True)
class _Statement:
    items: tuple[_Item, ...]
    speaker: frozenset[str]
    deictic: bool
    own_speaker: bool  # "Acme said it …": the speaker names what the statement is about


def noting_corrections(explanation: str, finding: Finding, texts: Mapping[str, str]) -> str:
    """`explanation` of an aligned finding, with the correction note of each side's source
    (`texts` by the sides' labels) quoted after it: evidence of which figure was superseded."""
    if finding.detail != "aligned":
        return explanation
    for label in (finding.first.label, finding.second.label):
        match = _CORRECTION.search(texts.get(label, ""))
        if match is not None:
            note = " ".join(match.group().split()).rstrip(".")
            note = note if len(note) <= _NOTE_CHARS else note[: _NOTE_CHARS - 1] + "…"
            explanation += f" {label}'s source marks itself a correction: “{note}”."
    return explanation


def aligned_finding(first: Sequence[Clause], second: Sequence[Clause]) -> Finding | None:
    """The aligned disagreement between two excerpts' clauses, as a caveat finding, or None."""
    for a, b in itertools.product(first, second):
        found = aligned_disagreement(a, b)
        if found is not None:
            return found.finding()
    return None


def aligned_disagreement(a: Clause, b: Clause) -> AlignedDisagreement | None:
    """Whether `a` and `b` state the same thing but for one slot, and that slot."""
    x, y = _statement(a), _statement(b)
    if x is None or y is None or x.deictic or y.deictic or x.speaker != y.speaker:
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
        if not (x.own_speaker or _anchored(matched, p.token.start, set())):
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
    return _classify(a, b, left, right, matched, x.own_speaker)


def _classify(
    a: Clause,
    b: Clause,
    left: tuple[_Item, ...],
    right: tuple[_Item, ...],
    matched: list[tuple[_Item, _Item]],
    own_speaker: bool,
) -> AlignedDisagreement | None:
    """The slot's kind and each side's value in it, when the two values disagree."""
    first_start = left[0].token.start
    if all(_is_figure_word(i) for i in left + right):
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
        if _title_case(a) or _title_case(b):
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
    elif len(left) == len(right) == 1 and {left[0].key, right[0].key} <= lex.QUANTIFIERS:
        kind, spans = SlotKind.QUANTIFIER, (_span(left), _span(right))
    else:
        return None
    # What the statement is about is named before the slot (a name in the slot must not be the
    # subject itself; "The bond … of 5,000 dlrs … listed in Luxembourg" names no subject).
    slot_keys = {i.key for i in left + right}
    before = None if kind is SlotKind.QUANTIFIER else first_start
    if not (own_speaker or _anchored(matched, before, slot_keys)):
        return None
    return AlignedDisagreement(kind, a, b, *spans)


def _title_case(clause: Clause) -> bool:
    """Most of the clause's words are capitalised: capitals there mark no names."""
    statement = _statement(clause)
    items = statement.items if statement is not None else ()
    return 2 * sum(i.name for i in items) > len(items)


def _anchored(matched: list[tuple[_Item, _Item]], before: int | None, slot_keys: set[str]) -> bool:
    """A shared name outside the slot (before offset `before` of `a`'s text, when given)."""
    return any(
        p.name and q.name and p.key not in slot_keys and (before is None or p.token.start < before)
        for p, q in matched
    )


def _name_variant(op: tuple[str, int, int, int, int], x: _Statement, y: _Statement) -> bool:
    """An insertion of name words next to a matched name word ("Mobil Oil Corp" / "Mobil Corp"):
    the same name written more fully, not a second slot."""
    tag, i1, i2, j1, j2 = op
    if tag not in ("insert", "delete"):
        return False
    items, lo, hi = (x.items, i1, i2) if tag == "delete" else (y.items, j1, j2)
    if not all(i.name for i in items[lo:hi]):
        return False
    return (lo > 0 and items[lo - 1].name) or (hi < len(items) and items[hi].name)


def _denial_span(item: _Item) -> tuple[int, int]:
    """The denied word with its negation ("not closing"), or the word alone."""
    return (item.token.start if item.denied is None else item.denied), item.token.end


def _is_figure_word(item: _Item) -> bool:
    return item.key.startswith("#") or item.token.lower in lex.MULTIPLIERS


def _quantity_at(clause: Clause, items: tuple[_Item, ...]) -> Quantity | None:
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


def _date_at(clause: Clause, items: tuple[_Item, ...]) -> Date | None:
    """The full date of `clause` that holds every word of the slot, if one does."""
    start, end = _span(items)
    return next((d for d in clause.dates if d.start <= start and end <= d.end), None)


def _span(items: tuple[_Item, ...]) -> tuple[int, int]:
    return items[0].token.start, items[-1].token.end


def _in_list(clause: Clause, items: tuple[_Item, ...]) -> bool:
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


@lru_cache(maxsize=512)
def _statement(clause: Clause) -> _Statement | None:
    """The clause as a statement to align: its words, its speaker, whether it is deictic."""
    tokens = clause.tokens
    if len(tokens) > 2 * _MAX_ITEMS:
        return None
    hidden = _bracketed(clause)
    speaker, said = _attribution(clause.text, tokens, hidden)
    lowers = [t.lower for t in tokens]
    items: list[_Item] = []
    deictic = False
    pending_denial: int | None = None
    skip = 0
    for index, token in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        if index in hidden or index in said or _entity(clause.text, token):
            continue
        lower = token.lower
        following = lowers[index + 1] if index + 1 < len(lowers) else ""
        if lower in lex.DEICTIC_TIME or (
            lower in lex.DEICTIC_DETERMINERS and following in lex.TIME_NOUNS
        ):
            deictic = True
        if starts_phrase(lowers, index, lex.NOT_NEGATION):
            skip = 1
            continue
        phrase = starts_phrase(lowers, index, lex.NEGATION_PHRASES)
        if phrase or lower in lex.NEGATION_CUES or lower.endswith(("n't", "n’t")):
            pending_denial = token.start
            skip = max(phrase - 1, 0)
            continue
        item = _item(token, index, tokens[index + 1] if index + 1 < len(tokens) else None)
        if item is None:
            continue
        items.append(_Item(item[0], token, item[1], pending_denial))
        pending_denial = None
    if len(items) > _MAX_ITEMS:
        return None
    own = (
        bool(speaker)
        and any(
            tokens[k].lower in lex.SUBJECT_PRONOUNS for k in range(len(tokens)) if k not in said
        )
        and _first_outside(tokens, said) in lex.SUBJECT_PRONOUNS
    )
    return _Statement(tuple(items), speaker, deictic, own)


def _first_outside(tokens: tuple[Token, ...], said: set[int]) -> str:
    """The first word of the statement after its attribution."""
    return next((t.lower for k, t in enumerate(tokens) if k not in said), "")


def _entity(text: str, token: Token) -> bool:
    """A character reference left in the text ("California #39;s" for "California's")."""
    return text[token.start - 1 : token.start] == "#" and text[token.end : token.end + 1] == ";"


def _item(token: Token, index: int, following: Token | None) -> tuple[str, bool] | None:
    """(key, is a name) of a statement's word, or None for a word the alignment skips.

    The clause's first word is capitalised whatever it is: it counts as a name when the next
    word is capitalised too ("Acme Corp", "Henry Bibby") or it is written in capitals ("IBM"),
    not alone ("Qtly div", "Shr loss")."""
    lower = token.lower
    value = number_value(token)
    if value is not None:
        return f"#{value:g}", False
    if lower in lex.QUANTIFIERS or lower in lex.MODALS or lower in lex.HEDGE_WORDS:
        return lower, False
    if not is_content(token) and lower not in lex.MONTHS:
        return None
    opening_name = token.text.isupper() or (
        following is not None and following.text[:1].isupper() and is_content(following)
    )
    name = token.text[:1].isupper() and (index > 0 or opening_name)
    return min(forms_of(lower)), name and lower not in lex.MONTHS


def _bracketed(clause: Clause) -> set[int]:
    """Indices of tokens inside brackets or markup: tickers ("<BTOM.MI>"), asides,
    abbreviations, escaped tags ("&lt;FONT face=…&gt;", its "lt" and "gt" too)."""
    text = clause.text
    marks = [
        (
            [m.start() for m in re.finditer(re.escape(o), text)],
            [m.end() for m in re.finditer(re.escape(c), text)],
        )
        for o, c in _BRACKETS
    ]
    return {
        index
        for index, token in enumerate(clause.tokens)
        if any(
            bisect_right(opened, token.start) > bisect_right(closed, token.start)
            for opened, closed in marks
        )
    }


def _attribution(
    text: str, tokens: tuple[Token, ...], hidden: set[int]
) -> tuple[frozenset[str], set[int]]:
    """Who the clause is attributed to (the keys naming the speaker) and the indices of the
    attribution's words: "X said (that) …", "…, X said", "…, said X", "according to X"."""
    lowers = [t.lower for t in tokens]
    for index, lower in enumerate(lowers):
        if lower in lex.REPORTING_VERBS and lowers[index + 1 : index + 2] != ["to"]:
            break
        if lower == "according" and lowers[index + 1 : index + 2] == ["to"]:
            end = next(
                (k for k in range(index + 2, len(tokens)) if _comma_before(text, tokens, k)),
                len(tokens),
            )
            span = set(range(index, end))
            return _speaker_keys(tokens, span), span
    else:
        return frozenset(), set()
    # "…, the company said." or "…, said Smith.": the attribution runs from the last comma
    start = next((k for k in range(index, 0, -1) if _comma_before(text, tokens, k)), 0)
    if start > 0 and (index - start <= 6) and _tail(tokens, index):
        span = set(range(start, len(tokens)))
        return _speaker_keys(tokens, span), span
    if index > _SPEAKER_REACH:
        return frozenset(), set()
    end = index + 1
    while end < len(tokens) and (
        lowers[end] in lex.DEICTIC_TIME
        or lowers[end] in lex.WEEKDAYS
        or lowers[end] == "on"
        or (lowers[end] == "reporters" and lowers[index] in ("told", "tells"))
    ):
        end += 1  # the time of the saying, or its audience, is not the statement
    if end < len(tokens) and lowers[end] == "that":
        end += 1
    return _speaker_keys(tokens, set(range(index)) - hidden), set(range(end))


def _tail(tokens: tuple[Token, ...], verb: int) -> bool:
    """The reporting verb ends the clause (with at most the speaker or a time after it)."""
    return len(tokens) - verb <= 5


def _comma_before(text: str, tokens: tuple[Token, ...], index: int) -> bool:
    """Whether a comma stands between token `index` and the one before it."""
    return index > 0 and "," in text[tokens[index - 1].end : tokens[index].start]


def _speaker_keys(tokens: tuple[Token, ...], span: set[int]) -> frozenset[str]:
    """The words naming a speaker, less pronouns, times, designators and reporting verbs."""
    return frozenset(
        tokens[k].key
        for k in span
        if is_content(tokens[k])
        and tokens[k].lower not in lex.REPORTING_VERBS
        and tokens[k].lower not in lex.COMPANY_DESIGNATORS
        and tokens[k].lower not in lex.DEICTIC_TIME
        and tokens[k].lower not in lex.WEEKDAYS
        and tokens[k].lower not in ("according", "reporters")
    )


def like_with_like(finding: Finding) -> bool:
    """Whether a figure or a name of another detector is compared with its like.

    The words next to each (four before, two after, in its clause) are aligned: where both say
    something different in the same place next to words they share, the two measure different
    things ("Acme's sales force has 200" / "Acme's design team has 40"; "revenue for the year" /
    "revenue for the quarter"; "the Acme Michigan Fund pays" / "the Acme Ohio Fund pays").
    Other kinds, and aligned findings, pass."""
    if finding.detail == "aligned" or finding.kind != "number":
        return True
    x, y = _statement(finding.first), _statement(finding.second)
    if x is None or y is None:
        return False
    left, right = _context(x.items, finding.first_span), _context(y.items, finding.second_span)
    ops = SequenceMatcher(None, left, right, autojunk=False).get_opcodes()
    tags = [op[0] for op in ops]
    keys_x, keys_y = {i.key for i in x.items}, {i.key for i in y.items}
    return not any(
        tag == "replace"
        and "equal" in tags[:k]
        and "equal" in tags[k + 1 :]
        and not set(left[i1:i2]) & keys_y
        and not set(right[j1:j2]) & keys_x
        for k, (tag, i1, i2, j1, j2) in enumerate(ops)
    )


def _context(items: tuple[_Item, ...], span: tuple[int, int]) -> list[str]:
    """The keys of the four words before and the two after `span` (figures aside), with a mark
    where `span` stands."""
    before = [i for i in items if i.token.end <= span[0] and not _is_figure_word(i)][-4:]
    after = [i for i in items if i.token.start >= span[1] and not _is_figure_word(i)][:2]
    return [i.key for i in before] + ["#slot"] + [i.key for i in after]
