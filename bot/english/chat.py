"""Informal spellings of chat English, read as the words they stand for in a question.

Members write *ppl*, *gov*, *didnt*, *gonna*: no source does, so each would weigh as a rare word
and the question would look uncovered. A contraction written without its apostrophe (*didnt*,
*thats*) or a reduced form (*gonna*) asks nothing, as *didn't* and *going to* do not; an
abbreviation stands for its word (*ppl* for *people*, *rn* for *now*).
"""

from __future__ import annotations

from bot.english.function_words import words

# Reduced forms of chat ("gonna lose"): the verb after them says what is meant. (Interjections,
# "lol", "tbh", frame a message: `bot.relevance.framing.INTERJECTIONS`.)
REDUCED = words("gonna wanna gotta dunno")

# Contractions written without their apostrophe: function words, as with it.
UNAPOSTROPHED = words(
    """didnt doesnt dont cant wont isnt arent wasnt werent havent hasnt hadnt couldnt shouldnt
    wouldnt mustnt thats whats whos theyre youre im ive theyve weve"""
)

# Abbreviations of chat English -> the word they stand for.
ABBREVIATIONS = {
    "ppl": "people",
    "rn": "now",
    "gov": "government",
    "govt": "government",
    "yr": "year",
    "yrs": "years",
    "bc": "because",
    "cuz": "because",
    "ur": "your",
    "b4": "before",
    "thru": "through",
    "msg": "message",
    "pic": "picture",
    "prob": "probably",
    "bn": "billion",
}


def standard_word(token: str) -> str:
    """The word a lowercase chat token stands for ("" for one that asks nothing)."""
    if token in REDUCED or token in UNAPOSTROPHED:
        return ""
    return ABBREVIATIONS.get(token, token)
