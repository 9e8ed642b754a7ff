"""A clause read as a statement for alignment: its items (words and figures with their keys), who
it is attributed to, and what is bracketed or listed."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from bot.caveat.clauses import Clause, starts_phrase
from bot.caveat.quantities import number_value
from bot.caveat.tokens import Token, forms_of, is_content
from bot.english import caveat_words as lex
from bot.english.function_words import MODALS, QUANTIFIERS, SUBJECT_PRONOUNS
from bot.english.names import DESIGNATORS
from bot.english.speech import REPORTED
from bot.english.time import DEICTIC_DETERMINERS, MONTHS, PERIODS, WEEKDAYS, WRITTEN_DEICTIC_TIME

_SPEAKER_REACH = 12  # "Finance Secretary Jaime Ongpin told reporters yesterday …"

# A clause longer than this is no single statement to align.
_MAX_ITEMS = 60

_BRACKETS = (("(", ")"), ("[", "]"), ("<", ">"), ("&lt;", "&gt;"))


@dataclass(frozen=True)
class Item:
    """One word of a statement, as aligned."""

    key: str
    token: Token
    name: bool
    denied: int | None  # the first word after a negation (what it denies): the cue's offset


@dataclass(frozen=True)
class Statement:
    items: tuple[Item, ...]
    speaker: frozenset[str]
    deictic: bool
    own_speaker: bool  # "Acme said it …": the speaker names what the statement is about


@lru_cache(maxsize=512)
def statement_of(clause: Clause) -> Statement | None:
    """The clause as a statement to align: its words, its speaker, whether it is deictic."""
    tokens = clause.tokens
    if len(tokens) > 2 * _MAX_ITEMS:
        return None
    hidden = _bracketed(clause)
    speaker, said = _attribution(clause.text, tokens, hidden)
    lowers = [t.lower for t in tokens]
    items: list[Item] = []
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
        if lower in WRITTEN_DEICTIC_TIME or (lower in DEICTIC_DETERMINERS and following in PERIODS):
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
        items.append(Item(item[0], token, item[1], pending_denial))
        pending_denial = None
    if len(items) > _MAX_ITEMS:
        return None
    own = (
        bool(speaker)
        and any(tokens[k].lower in SUBJECT_PRONOUNS for k in range(len(tokens)) if k not in said)
        and _first_outside(tokens, said) in SUBJECT_PRONOUNS
    )
    return Statement(tuple(items), speaker, deictic, own)


def title_case(clause: Clause) -> bool:
    """Hardly a word of the clause is in lower case (at most one in five): a headline or markup,
    whose capitals mark no names. A sentence with many names still has its verbs and nouns in
    lower case ("… to sell its Railway Maintenance Equipment Co unit to Oak Industries")."""
    return 5 * _lower_case_words(clause) <= len(_words(clause))


def headline(clause: Clause) -> bool:
    """Every word of the clause capitalised, and it is no table row: a headline ("Japan Shares
    Down 1.6 Pct", "U.K. MONEY MARKET GIVEN 24 MLN STG"), whose terse words are compared with
    another story's only when the two align."""
    return not clause.row and len(_words(clause)) > 2 and not _lower_case_words(clause)


def _words(clause: Clause) -> list[Item]:
    statement = statement_of(clause)
    return [i for i in statement.items if not i.key.startswith("#")] if statement else []


def _lower_case_words(clause: Clause) -> int:
    return sum(i.token.text[:1].islower() for i in _words(clause))


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
    if lower in QUANTIFIERS or lower in MODALS or lower in lex.HEDGE_WORDS:
        return lower, False
    if not is_content(token) and lower not in MONTHS:
        return None
    opening_name = token.text.isupper() or (
        following is not None and following.text[:1].isupper() and is_content(following)
    )
    name = token.text[:1].isupper() and (index > 0 or opening_name)
    return min(forms_of(lower)), name and lower not in MONTHS


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
        if lower in REPORTED and lowers[index + 1 : index + 2] != ["to"]:
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
        lowers[end] in WRITTEN_DEICTIC_TIME
        or lowers[end] in WEEKDAYS
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
        and tokens[k].lower not in REPORTED
        and tokens[k].lower not in DESIGNATORS
        and tokens[k].lower not in WRITTEN_DEICTIC_TIME
        and tokens[k].lower not in WEEKDAYS
        and tokens[k].lower not in ("according", "reporters")
    )
