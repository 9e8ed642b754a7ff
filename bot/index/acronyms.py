"""Acronyms the sources define themselves: "electric vehicle (EV)", "Full Self-Driving (FSD)".

A source that writes a phrase followed by its initials in parentheses says the two are the same
thing; the question may use either. No list of acronyms: only what the text itself defines, and
only when the initials of the words before the parentheses spell the acronym (function words
such as *of* and *and* may be skipped: "Ministry of Economy, Trade and Industry (METI)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.english.function_words import STOPWORDS
from bot.english.wordforms import word_classes
from bot.retrieval import analyze, term_of

_DEFINED = re.compile(r"\(([A-Z]{2,8})s?\)")
_WORDS_BEFORE = re.compile(r"[A-Za-z]+")
# How far before the parentheses the phrase may start (characters).
_REACH = 120


# An acronym's term -> the terms of the phrase it stands for.
Acronyms = dict[str, tuple[str, ...]]
# Acronym as one text writes it -> the words of the phrase it stands for there.
DefinedPhrases = dict[str, list[str]]


def defined_acronyms(texts: Iterable[str]) -> Acronyms:
    """Acronym term -> the terms of the phrase it stands for, as the texts define them first.

    An acronym that is also an English word (*GO*, *US*) is left out: a question's lowercase
    word would be taken for it.
    """
    return acronyms_from(map(acronym_phrases, texts))


def acronym_phrases(text: str) -> DefinedPhrases:
    """Acronym as written -> the words of its phrase, as one text defines it first."""
    phrases: DefinedPhrases = {}
    if "(" not in text:
        return phrases
    for match in _DEFINED.finditer(text):
        written = match.group(1)
        if written in phrases:
            continue
        words = _WORDS_BEFORE.findall(text[max(0, match.start() - _REACH) : match.start()])
        # "(EVs)" is the plural of EV; "(GOES)" is an acronym ending in S
        for acronym in (written + "S", written) if match.group().endswith("s)") else (written,):
            phrase = _spelled_by(acronym, words)
            if phrase:
                phrases[written] = phrase
                break
    return phrases


def acronyms_from(texts_phrases: Iterable[DefinedPhrases]) -> Acronyms:
    """`defined_acronyms` of texts whose `acronym_phrases` are given, in the texts' order."""
    phrases: dict[str, list[str]] = {}
    for found_in_text in texts_phrases:
        for written, phrase in found_in_text.items():
            phrases.setdefault(written, phrase)
    found: dict[str, tuple[str, ...]] = {}
    for written, phrase in phrases.items():
        term = term_of(written.lower())
        if not term or term in found or word_classes(written.lower()):
            continue
        terms = tuple(dict.fromkeys(analyze(" ".join(phrase))))
        if len(terms) > 1 and term not in terms:
            found[term] = terms
    return found


def _spelled_by(acronym: str, words: list[str]) -> list[str] | None:
    """The last words before the parentheses whose initials spell `acronym`, or None."""
    letters = acronym.lower()
    phrase: list[str] = []
    i = len(words) - 1
    for letter in reversed(letters):
        while i >= 0 and words[i][0].lower() != letter and words[i].lower() in STOPWORDS:
            phrase.append(words[i])  # "of", "and" inside the phrase
            i -= 1
        if i < 0 or words[i][0].lower() != letter:
            return None
        phrase.append(words[i])
        i -= 1
    return list(reversed(phrase))


def acronyms_by_word(acronyms: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Term -> the acronyms that are that term or whose phrase starts with it: the only ones a
    question holding the term can meet."""
    found: dict[str, list[str]] = {}
    for acronym, phrase in acronyms.items():
        found.setdefault(acronym, []).append(acronym)
        found.setdefault(phrase[0], []).append(acronym)
    return {term: tuple(group) for term, group in found.items()}
