"""The question's kind: what its last sentence asks for (rules of English question syntax).

- *who*/*whom*/*whose*, "what is the name of…" ask for a name;
- *when*, "in what year", "which month" ask for a date;
- *how* + adjective (*how many*, *how large*) or "what is the population/length…" ask for an amount;
- *where* asks for a place;
- an auxiliary first (*did*, *is*, *can*…) or a plain statement (a chat claim) asks yes or no;
- anything else: "other".

Relevance weighs the query by it; the caveat makes only the comparisons that bear on it.
"""

from __future__ import annotations

from enum import StrEnum

from bot.english.function_words import AUXILIARIES, MANNER_AUXILIARIES, WH_WORDS
from bot.english.time import DATE_NOUNS
from bot.passages.sentences import split_sentences
from bot.passages.tokens import words


class Asked(StrEnum):
    WHO = "who"
    WHEN = "when"
    AMOUNT = "amount"
    WHERE = "where"
    YES_NO = "yes/no"
    OTHER = "other"


# Nouns that name a measure: "what is the population of…" asks for an amount.
MEASURES = frozenset(
    """population number size length height width depth area weight mass salinity temperature
    distance speed cost price age count total amount percentage share rate capacity volume
    range altitude elevation diameter duration budget revenue salary attendance""".split()
)
# Words that ask for a name ("what is the name of…"; a chat framing of it, `bot.relevance.framing`)
NAMING_WORDS = frozenset({"name", "names", "called"})
NAMING = NAMING_WORDS | {"title"}


def asked_by(question: str) -> Asked:
    """What the question's last sentence asks for (a preamble before it only sets the scene)."""
    spans = split_sentences(question, 0, len(question))  # "Fort D. A. Russell", "Jr." go on
    sentences = [question[s:e] for s, e in spans if words(question[s:e])]
    last = sentences[-1] if sentences else question
    said = words(last)
    if not said:
        return Asked.OTHER
    if not last.rstrip().endswith("?") and not set(said) & WH_WORDS:
        return Asked.YES_NO  # a claim stated plainly: is it so?
    first_wh = next((i for i, w in enumerate(said) if w in WH_WORDS), None)
    if (
        first_wh is None
    ):  # "Did…?", "As of 2011, are…?", or a statement asked ("Japan banned Tesla?")
        return Asked.YES_NO
    wh, rest = said[first_wh], said[first_wh + 1 : first_wh + 5]
    if said[0] in AUXILIARIES and first_wh > 2:
        return Asked.YES_NO  # "Did X say who…": still a yes/no question
    if wh in ("who", "whom", "whose") or (wh in ("what", "which") and set(rest) & NAMING):
        return Asked.WHO
    if wh == "when" or (wh in ("what", "which") and rest[:1] and rest[0] in DATE_NOUNS):
        return Asked.WHEN
    if wh == "how" and rest[:1] and rest[0] not in MANNER_AUXILIARIES:
        return Asked.AMOUNT
    if wh in ("what", "which") and set(rest) & MEASURES:
        return Asked.AMOUNT
    if wh == "where":
        return Asked.WHERE
    return Asked.OTHER
