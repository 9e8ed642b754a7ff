"""Alternative questions: "Did he join the Rovers club or the Carrow United club?".

A question that offers its answers joined by *or* asks which of them holds. Each source's
answer is the one alternative a clause on the question's subject asserts and no other; two
sources asserting two different alternatives disagree. An alternative is the noun phrase right
before or after *or* (or an item of a list: "apomorphine, aporphine, or neither"), known by
its own words: the words all alternatives share ("club") tell none apart.
"""

from __future__ import annotations

import re

from bot.caveat.clauses import Clause
from bot.caveat.detectors import alignment
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.tokens import Token, is_content, tokenize
from bot.english.wordforms import word_classes

_ARTICLES = frozenset("the a an".split())
_MAX_WORDS = 6
# anything but a space, hyphen, apostrophe or quotation mark ends a phrase
_BREAK = re.compile(r"[^\s\-–'’\"“”]")


def alternatives_of(question: str) -> list[frozenset[str]]:
    """The alternatives the question's last *or* offers, each as its own words' keys; empty
    when it offers fewer than two that differ."""
    tokens = tokenize(question)
    at = next((i for i in range(len(tokens) - 1, 0, -1) if tokens[i].lower == "or"), None)
    if at is None:
        return []
    phrases = _items_before(question, tokens, at) + [_phrase_after(question, tokens, at)]
    keys = [frozenset(t.key for t in phrase if is_content(t)) for phrase in phrases]
    common = frozenset.intersection(*keys) if keys else frozenset()
    own = [k - common for k in keys if k - common]
    return own if len(own) >= 2 and len(set(own)) == len(own) else []


def _items_before(question: str, tokens: tuple[Token, ...], at: int) -> list[list[Token]]:
    """The phrase before *or*, and before it the items of a list separated by commas."""
    items: list[list[Token]] = []
    end = at  # the phrase ends before tokens[end]
    while end > 0 and len(items) < 5:
        gap = question[tokens[end - 1].end : tokens[end].start]
        if items and gap.strip() != ",":
            break  # a list goes on only through commas
        if not items and _BREAK.search(gap.replace(",", "")):
            break
        phrase = _phrase(question, tokens, end - 1, -1)
        if not phrase:
            break
        items.insert(0, phrase)
        end = tokens.index(phrase[0])
    return items


def _phrase_after(question: str, tokens: tuple[Token, ...], at: int) -> list[Token]:
    start = at + 1
    if start < len(tokens) and tokens[start].lower in _ARTICLES:
        start += 1
    return _phrase(question, tokens, start, 1) if start < len(tokens) else []


def _phrase(question: str, tokens: tuple[Token, ...], start: int, step: int) -> list[Token]:
    """The words of a noun phrase from tokens[start] on, walking by `step` (-1: leftwards) up
    to an article, punctuation or a word no noun phrase has."""
    phrase: list[Token] = []
    index = start
    while 0 <= index < len(tokens) and len(phrase) < _MAX_WORDS:
        token = tokens[index]
        if not is_content(token) or (phrase and not _in_phrase(token)):
            break
        phrase.append(token)
        following = index + step
        if not 0 <= following < len(tokens):
            break
        left, right = sorted((tokens[index], tokens[following]), key=lambda t: t.start)
        if _BREAK.search(question[left.end : right.start]):
            break
        index = following
    return phrase if step > 0 else phrase[::-1]


def _in_phrase(token: Token) -> bool:
    """A word that goes on a noun phrase: a name, or a content word that is not only a verb
    (the word next to *or* may be any: "lead or supporting")."""
    if token.text[:1].isupper():
        return is_content(token)
    classes = word_classes(token.lower)
    return is_content(token) and (not classes or bool(classes - {"VERB", "ADV"}))


def alternative_conflict(
    question: str, a: Clause, b: Clause, subject: frozenset[str]
) -> Finding | None:
    """Two clauses on the question's `subject` (its names) asserting two different
    alternatives, each only one."""
    offered = alternatives_of(question)
    if not offered:
        return None
    names = subject - frozenset().union(*offered)
    if names and not (a.keys & b.keys & names):
        return None
    first, second = _chosen(a, offered), _chosen(b, offered)
    if first is None or second is None or first == second:
        return None
    score = 2.0 + alignment(a, b, names)
    return Finding(
        FindingKind.NAME, score, a, b, _span(a, offered[first]), _span(b, offered[second])
    )


def _chosen(clause: Clause, offered: list[frozenset[str]]) -> int | None:
    """The one alternative the clause asserts, or None (none, or more than one, is named)."""
    # written in the clause and asserted there ("not to be confused with X" asserts no X)
    said = frozenset(t.key for t in clause.tokens) & (clause.asserted - clause.negated)
    held = [i for i, keys in enumerate(offered) if keys <= said]
    return held[0] if len(held) == 1 else None


def _span(clause: Clause, keys: frozenset[str]) -> tuple[int, int]:
    found = [t for t in clause.tokens if t.key in keys]
    return (found[0].start, found[-1].end)
