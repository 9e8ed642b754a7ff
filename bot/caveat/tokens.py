"""Tokens of a caveat clause: words, numbers and signs with their comparison keys."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getAllLemmas

from bot.english import caveat_words as lex
from bot.english.demonyms import place_of_people
from bot.english.function_words import CAVEAT_STOPWORDS
from bot.english.time import MONTHS
from bot.passages.tokens import WORD_OR_SIGN
from bot.retrieval import analyze


@dataclass(frozen=True)
class Token:
    text: str
    lower: str
    key: str
    start: int
    end: int
    negated: bool = False


@lru_cache(maxsize=256)
def tokenize(text: str) -> tuple[Token, ...]:
    """The tokens of `text`; an answer's detectors read each excerpt several times (kept for
    the last few hundred texts)."""
    tokens = []
    for match in WORD_OR_SIGN.finditer(text):
        word = match.group()
        lower = word.lower()
        tokens.append(Token(word, lower, key_of(lower), match.start(), match.end()))
    return tuple(tokens)


@lru_cache(maxsize=100_000)
def key_of(lower: str) -> str:
    """The comparison key of a lowercased token: lemma-stem, stopwords kept as themselves."""
    lower = place_of_people().get(lower, lower)
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(ch)
    )
    terms = analyze(folded)
    return terms[0] if terms else lower


def names_in(text: str) -> frozenset[str]:
    """Keys of capitalised words that do not open the text: the names in it."""
    tokens = tokenize(text)
    return frozenset(t.key for t in tokens[1:] if is_content(t) and t.text[0].isupper())


def content_keys(text: str) -> frozenset[str]:
    return frozenset(t.key for t in tokenize(text) if is_content(t))


def is_content(token: Token) -> bool:
    return (
        token.lower not in CAVEAT_STOPWORDS
        and token.lower not in MONTHS
        and not token.lower[0].isdigit()
        and token.lower not in lex.NEGATION_CUES
        and len(token.lower) > 1
        and token.lower not in lex.HEDGE_WORDS
    )


@lru_cache(maxsize=100_000)
def forms_of(lower: str) -> frozenset[str]:
    """The keys a word may stand for: its own, and its verb's when it is a verb form the key
    does not reduce ("won" is a form of *win*, "sold" of *sell*)."""
    verbs = getAllLemmas(lower).get("VERB", ())
    return frozenset({key_of(lower), *(key_of(verb) for verb in verbs)})


def runs_of(tokens: tuple[Token, ...], member: Callable[[Token], bool]) -> list[list[Token]]:
    """Each run of consecutive tokens that are `member`s (the words of a name: "Carrow United")."""
    runs: list[list[Token]] = []
    previous: Token | None = None
    for token in tokens:
        if member(token):
            if runs and previous is runs[-1][-1]:
                runs[-1].append(token)
            else:
                runs.append([token])
        previous = token
    return runs


def possessors(tokens: tuple[Token, ...], owned: frozenset[str] = frozenset()) -> frozenset[str]:
    """Keys of the names in the possessive before a noun ("Ada Brook's husband"), unless that
    noun is one of `owned` (the question's words: "Carrow's population" is Carrow's)."""
    found: set[str] = set()
    for i, token in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        if not token.text[:1].isupper() or not token.lower.endswith(("'s", "’s")):
            continue
        if not following.text[:1].islower() or not is_content(following):
            continue
        if following.key in owned:
            continue
        start = i
        while start > 0 and tokens[start - 1].text[:1].isupper() and is_content(tokens[start - 1]):
            start -= 1
        found.update(t.key for t in tokens[start : i + 1])
    return frozenset(found)
