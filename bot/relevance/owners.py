"""Possessives: "What is Toyota's market share?" asks for Toyota's share, not Tesla's."""

from __future__ import annotations

from collections.abc import Collection

from bot.english.wordforms import is_modifier, word_classes
from bot.passages.tokens import WORD, fold_latin
from bot.relevance.reading import Query
from bot.relevance.words import MAX_COMPOUND, TIME_UNIT_TERMS, may_be_noun
from bot.retrieval import term_of


def owned_by_another(
    text: str, owner_forms: Collection[str], owned: str, names: Collection[str]
) -> bool:
    """Whether every mention of the term `owned` in `text` gives it to another name.

    "What is Toyota's market share?" is not answered by "Tesla shares" or "Tesla's relatively
    modest market share": the noun's owner is the word written capitalised before it, past its
    modifiers and the rest of its compound. "our market share" (a pronoun) says nothing against
    it, nor does a capital that only starts the sentence ("Market share…"): there, a word is a
    name when it is possessive ("Arden's"), a name of the sources, or no dictionary word.
    """
    words = WORD.findall(text)
    # a word's stem starts as the word does (an irregular form missed only spares the passage)
    mentions = [
        i for i, w in enumerate(words) if w[:2].lower() == owned[:2] and _word_term(w) == owned
    ]
    return bool(mentions) and all(_owner_before(words, i, owner_forms, names) for i in mentions)


def _word_term(word: str) -> str | None:
    return term_of(fold_latin(word.lower().replace("’", "'").removesuffix("'s")))


def _owner_before(
    words: list[str], at: int, owner_forms: Collection[str], names: Collection[str]
) -> bool:
    """Whether a name other than the owner stands before the noun at `at`, past modifiers."""
    for j in range(at - 1, max(-1, at - 1 - MAX_COMPOUND), -1):
        word, term = words[j], _word_term(words[j])
        if term is None or term in owner_forms:
            return False  # a determiner or pronoun owns it ("our market share"), or the owner
        if word[0].isupper() and (j > 0 or _name_at_start(word, term, names)):
            return True
        if not (is_modifier(word.lower()) or may_be_noun(word.lower())):
            return False
    return False


def _name_at_start(word: str, term: str, names: Collection[str]) -> bool:
    """Whether a capitalised word that starts a sentence is a name rather than any word."""
    possessive = word.endswith(("'s", "’s"))
    return possessive or term in names or not word_classes(word.lower())


def add_owner(
    query: Query,
    owner: str,
    following: list[str],
    framing: Collection[int],
    start: int,
    supported: bool,
) -> None:
    """ "BYD's market share": the owner is a name the passage must hold (or its neighbours),
    and the owned noun (the last of the words after it: *share*) is recorded for
    `owned_by_another`."""
    forms = next((f for f in query.name_forms.values() if owner in f), None)
    if forms is None:  # not yet a name the passage must hold (an acronym: "BYD's")
        forms = query.name_forms[owner] = query.matches[owner]
        query.names[owner] = query.weights[owner]
    run: list[tuple[str, str]] = []  # the noun phrase after the owner: "market share"
    for offset, token in enumerate(following[:MAX_COMPOUND]):
        term = term_of(token)
        if not term or start + offset in framing:
            break
        if not (may_be_noun(token) or is_modifier(token)):
            break  # a verb: "Why did Japan's government act…"
        run.append((token, term))
    if supported and len(run) > 1 and "VERB" in word_classes(run[-1][0]):
        run.pop()  # "Did Musk's post say…?": after do-support, the bare verb ends the subject
    nouns = [term for token, term in run if may_be_noun(token)]
    owned = nouns[-1] if nouns else None
    if owned and owned != owner and owned not in TIME_UNIT_TERMS:
        query.possessions.append((forms, owned))
