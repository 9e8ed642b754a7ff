"""What a question names and asks, as the caveat's keys: its names, its other content words, and
the predicate frames they belong to."""

from __future__ import annotations

from functools import lru_cache

from bot.caveat.tokens import Token, is_content, key_of, tokenize
from bot.english.frames import PREDICATE_FRAMES
from bot.english.function_words import AUXILIARIES, WH_WORDS
from bot.english.time import DATE_NOUNS
from bot.english.wordforms import word_classes
from bot.relevance.kind import NAMING

AGENT_MARKER = "by"


def question_parts(
    question: str, known_names: frozenset[str] = frozenset()
) -> tuple[frozenset[str], frozenset[str]]:
    """(names, other content keys) of the question: what it is about and what it asks of it.

    A word the excerpts write as a name (`known_names`) is one however the question writes it:
    chat is often all lowercase ("japan banned tesla").
    """
    tokens = tokenize(question)
    content = [t for t in tokens if is_content(t) and t.lower not in WH_WORDS and not _shouted(t)]
    names = frozenset(t.key for t in content[1:] if t.text[0].isupper()) | frozenset(
        t.key for t in content[:1] if t.text[0].isupper() and t.lower not in AUXILIARIES
    )
    names |= frozenset(t.key for t in content if t.key in known_names)
    content += [t for t in tokens if _shouted(t)]
    others = frozenset(t.key for t in content) - names - _asking_keys()
    return names, others


def _shouted(token: Token) -> bool:
    """A dictionary word in capitals ("BANNED") is emphasis, not a name."""
    return len(token.text) > 1 and token.text.isupper() and bool(word_classes(token.lower))


@lru_cache(maxsize=1)
def _asking_keys() -> frozenset[str]:
    return frozenset(key_of(w) for w in NAMING | DATE_NOUNS | {"name", "year", "time"})


@lru_cache(maxsize=1)
def frame_of() -> dict[str, frozenset[str]]:
    own: dict[str, frozenset[str]] = {}
    for words in PREDICATE_FRAMES.values():
        frame = frozenset(key_of(w) for w in words)
        for key in frame:
            own[key] = own.get(key, frozenset()) | frame
    return own


@lru_cache(maxsize=1)
def prohibition() -> frozenset[str]:
    return frozenset(key_of(w) for w in PREDICATE_FRAMES["prohibition"])


@lru_cache(maxsize=1)
def all_frames() -> frozenset[str]:
    return frozenset(frame_of())


def family(keys: frozenset[str]) -> frozenset[str]:
    """Keys with the words of their predicate frames (*enter* with *start*, *begin*…)."""
    frames = frame_of()
    return keys.union(*(frames.get(k, frozenset()) for k in keys))
