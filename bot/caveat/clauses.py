"""Clauses of an excerpt, analysed for comparison: keys, names, negation scope, hedges."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.caveat.quantities import (
    Date,
    Quantity,
    dates_in,
    days_in,
    number_value,
    quantities_in,
    year_of,
)
from bot.caveat.tokens import Token, forms_of, is_content, tokenize
from bot.english import caveat_words as lex
from bot.english.function_words import COPULA, DO_FORMS, HAVE_FORMS, MODALS, THIRD_PERSON_SUBJECTS
from bot.passages.sentences import passage_spans, split_sentences
from bot.passages.tables import cells, is_table_row

_NEGATION_SCOPE = 8
_PRONOUN_REACH = 5
# ", and" opens a clause of its own when a finite auxiliary follows within five words
_AUXILIARY = "|".join(sorted(DO_FORMS | COPULA | HAVE_FORMS | MODALS))
_CLAUSE_BREAK = re.compile(
    r";\s+|:\s+(?=[A-Z])|,?\s+but\s+|\s+[—–]\s+"
    r"|,\s+(?:however|whereas|while|although|though|yet)\s+"
    r"|,\s+so\s+(?!that\b|as\b)"
    rf"|,\s+and\s+(?=(?:[\w'’-]+\s+){{0,4}}(?:{_AUXILIARY})\b)"
)
_SCOPE_STOP = re.compile(r"[,;:()\[\]—–]|\s-\s")

_STOP_HEAD = Token("", "", "", -1, -1)


@dataclass(frozen=True)
class Clause:
    """One clause of a cited excerpt or passage, analysed for comparison.

    `n` is the citation number of the excerpt (None for a passage of the conflicts list, which
    its source's id, `group`, names).
    """

    n: int | None
    group: str
    text: str
    tokens: tuple[Token, ...]
    keys: frozenset[str]
    names: frozenset[str]
    negated: frozenset[str]
    asserted: frozenset[str]
    hedged: bool
    quantities: tuple[Quantity, ...]
    dates: tuple[Date, ...]
    days: frozenset[int] = frozenset()  # days of the year named, with or without a year
    row: bool = False  # a table row, read field by field

    @property
    def label(self) -> str:
        """How the wording names the clause's side: "[2]", or the source's id."""
        return self.group if self.n is None else f"[{self.n}]"


def clauses_of(
    text: str,
    n: int | None,
    group: str,
    columns: list[str] | None = None,
    subject: str | None = None,
    year: int | None = None,
    antecedent: frozenset[str] = frozenset(),
) -> list[Clause]:
    """Split an excerpt into sentences and clauses and analyse each.

    A table row is one clause whose figures belong to their columns: `columns` names them (the
    table's header), or a two-field row names its figure by its own first field; `subject` (the
    line that titles the table) tells what the row is about when the row does not say it;
    `year` is the year the text last gave before the excerpt, for "on 25 February";
    `antecedent` the names of the last sentence before it that has any, for "He died in 1972".
    """
    clauses: list[Clause] = []
    for start, end, is_row in _pieces(text):
        if is_row:
            clauses.append(_table_row(text[start:end], n, group, columns, subject))
            continue
        for cstart, cend in _clause_spans(text, start, end):
            clause = _analyse(text[cstart:cend], n, group, year)
            if antecedent and _opens_with_pronoun(clause):
                clause = replace(
                    clause, names=clause.names | antecedent, keys=clause.keys | antecedent
                )
            clauses.append(clause)
            year = next((year_of(d.low) for d in reversed(clause.dates)), year)
            antecedent = clause.names or antecedent
    return clauses


def names_before(before: str) -> frozenset[str]:
    """The names of the last sentence of `before` (the paragraph before an excerpt) that has
    any: what a pronoun opening the excerpt ("He died in Taiwan in 1972") most likely stands
    for."""
    for first, last in reversed(split_sentences(before, 0, len(before))):
        names = _analyse(before[first:last], "", "").names
        if names:
            return names
    return frozenset()


def _opens_with_pronoun(clause: Clause) -> bool:
    """A personal pronoun as the subject, before any name ("In 1972, he died…", "It can…")."""
    for token in clause.tokens[:_PRONOUN_REACH]:
        if token.key in clause.names:
            return False
        if token.lower in THIRD_PERSON_SUBJECTS:
            return True
    return False


def _pieces(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is a table row) of each table row and each prose sentence of `text`.

    Prose is read as passages are: a hard-wrapped line that goes on in the next one is one
    sentence with it ("fell by 4.4 mln barrels in the week ended Feb\n27"), so a figure keeps
    the qualifier the wrap put on the next line.
    """
    pieces: list[tuple[int, int, bool]] = []
    prose_start = offset = 0
    for line in [*text.splitlines(keepends=True), ""]:
        row = line.rstrip("\r\n")
        if line and not is_table_row(row):
            offset += len(line)
            continue
        pieces += [
            (prose_start + s, prose_start + e, False)
            for _, s, e in passage_spans(text[prose_start:offset])
        ]
        if row.strip():
            pieces.append((offset, offset + len(row), True))
        offset += len(line)
        prose_start = offset
    return pieces


def _table_row(
    row: str, n: int | None, group: str, columns: list[str] | None, subject: str | None
) -> Clause:
    """A row of fields: each figure and date is read within its field and named by its column."""
    clause = replace(_analyse(row, n, group), row=True)
    if subject:
        about = [t for t in tokenize(subject) if is_content(t)]
        clause = replace(
            clause,
            keys=clause.keys | {t.key for t in about},
            names=clause.names | {t.key for t in about if t.text[:1].isupper()},
        )
    spans = cells(row)
    names = columns if columns and len(columns) == len(spans) else None
    if names is None and len(spans) == 2:
        names = [row[slice(*spans[0])], ""]
    if names is None:
        return clause
    quantities: list[Quantity] = []
    dates: list[Date] = []
    for (start, end), column in zip(spans, names, strict=True):
        field = row[start:end]
        tokens = tokenize(field)
        column_key = " ".join(t.key for t in tokenize(column) if is_content(t))
        event = next(
            (lex.DATE_EVENTS[t.lower] for t in tokenize(column) if t.lower in lex.DATE_EVENTS), None
        )
        for date in dates_in(field, tokens):
            dates.append(
                replace(
                    date, start=date.start + start, end=date.end + start, event=event or date.event
                )
            )
        found = quantities_in(field, tokens, dates_in(field, tokens))
        if not found and len(tokens) == 1 and (value := number_value(tokens[0])) is not None:
            found = (Quantity(value, value, "#" + column_key, frozenset(), 0, len(field)),)
        for quantity in found:
            quantities.append(
                replace(
                    quantity,
                    start=quantity.start + start,
                    end=quantity.end + start,
                    column=column_key,
                )
            )
    return replace(clause, quantities=tuple(quantities), dates=tuple(dates))


def _clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        if text.count("(", start, match.start()) > text.count(")", start, match.start()):
            continue  # never split inside parentheses: "(8 September 1838 – 2 March 1881)"
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed: list[tuple[int, int]] = []
    label: tuple[int, int] | None = None
    for s, e in spans:
        while s < e and text[s] in " \t,":
            s += 1
        while e > s and text[e - 1] in " \t,.":
            e -= 1
        if label is not None:
            s, label = label[0], None
        if not any(is_content(t) for t in tokenize(text[s:e])):
            # no word of its own ("1961 : Paul Fraisse becomes…"): it labels what follows
            if any(ch.isalnum() for ch in text[s:e]):
                label = (s, e)
            continue
        trimmed.append((s, e))
    if label is not None:
        trimmed.append(label)
    return trimmed


def _analyse(text: str, n: int | None, group: str, year: int | None = None) -> Clause:
    tokens = _negate(text, tokenize(text))
    content = [t for t in tokens if is_content(t)]
    keys = frozenset(t.key for t in content)
    negated = _negated_heads(tokens)
    asserted = frozenset(k for t in tokens if not t.negated and t.key for k in forms_of(t.lower))
    dates = dates_in(text, tokens, year)
    return Clause(
        n=n,
        group=group,
        text=text,
        tokens=tokens,
        keys=keys,
        names=frozenset(t.key for t in content if t.text[0].isupper() and t is not tokens[0]),
        negated=negated,
        asserted=asserted,
        hedged=_is_hedged(tokens),
        quantities=quantities_in(text, tokens, dates),
        dates=dates,
        days=days_in(text),
    )


def _negate(text: str, tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """Mark the tokens in the scope of a negation cue: after it, up to punctuation."""
    lowers = [t.lower for t in tokens]
    negated = [False] * len(tokens)
    seen_cue = False
    for i, lower in enumerate(lowers):
        if starts_phrase(lowers, i, lex.NOT_NEGATION):
            continue
        phrase = starts_phrase(lowers, i, lex.NEGATION_PHRASES)
        single = lower in lex.NEGATION_CUES or lower.endswith(("n't", "n’t"))
        if lower in ("except", "excluding") and seen_cue:
            continue  # "no industry except fishing": the exception is asserted
        if not (phrase or single):
            continue
        seen_cue = True
        first = i + max(phrase, 1)
        for j in range(first, min(len(tokens), first + _NEGATION_SCOPE)):
            if _SCOPE_STOP.search(text[tokens[j - 1].end : tokens[j].start]):
                break
            negated[j] = True
    return tuple(
        Token(t.text, t.lower, t.key, t.start, t.end, flag)
        for t, flag in zip(tokens, negated, strict=True)
    )


def _negated_heads(tokens: tuple[Token, ...]) -> frozenset[str]:
    """What each negation denies: the first content word of its scope, with the words joined to
    it by "or"/"and" ("no longer sold or serviced") or continuing a name ("not Windows Server")."""
    heads: set[str] = set()
    previous_head: Token | None = None
    for previous, token in zip((None, *tokens), tokens, strict=False):
        if not token.negated:
            previous_head = None
            continue
        if previous is None or not previous.negated:
            previous_head = None
        if not is_content(token):
            if previous_head is not None and token.lower not in ("or", "and", "nor"):
                previous_head = _STOP_HEAD
            continue
        if previous_head is None or _continues(previous_head, previous, token):
            heads |= forms_of(token.lower)
            previous_head = token
        else:
            previous_head = _STOP_HEAD
    return frozenset(heads)


def _continues(head: Token, previous: Token | None, token: Token) -> bool:
    if head is _STOP_HEAD:
        return False
    joined = previous is not None and previous.lower in ("or", "and", "nor")
    name = previous is head and head.text[0].isupper() and token.text[0].isupper()
    return joined or name


def starts_phrase(lowers: list[str], i: int, phrases: Iterable[tuple[str, ...]]) -> int:
    for phrase in phrases:
        if tuple(lowers[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _is_hedged(tokens: tuple[Token, ...]) -> bool:
    lowers = [t.lower for t in tokens]
    # "May" the month is capitalised; "may" the modal is not.
    if any(t.lower in lex.HEDGE_WORDS and t.text != "May" for t in tokens):
        return True
    return any(starts_phrase(lowers, i, lex.HEDGE_PHRASES) for i in range(len(lowers)))
