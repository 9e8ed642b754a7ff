"""Informal spellings of chat English, read as the words they stand for in a question.

Members write *ppl*, *gov*, *didnt*, *lol*: no source does, so each would weigh as a rare word
and the question would look uncovered. A filler (*lol*, *tbh*) and a contraction written without
its apostrophe (*didnt*, *thats*) ask nothing, as *didn't* and *that's* do not; an abbreviation
stands for its word (*ppl* for *people*).
"""

from __future__ import annotations

from bot.english.function_words import words

# Discourse markers and reactions: they frame a message, they never name what it is about.
FILLERS = words(
    """lol lmao lmfao rofl tbh imo imho idk smh omg btw ngl fr rn iirc afaik ikr fwiw tho
    pls plz thx ty ya yall gonna wanna gotta kinda sorta dunno ok okay yeah yep nah hmm"""
)

# Contractions written without their apostrophe: function words, as with it.
UNAPOSTROPHED = words(
    """didnt doesnt dont cant wont isnt arent wasnt werent havent hasnt hadnt couldnt shouldnt
    wouldnt mustnt thats whats whos theyre youre im ive theyve weve"""
)

# Abbreviations of chat English -> the word they stand for.
ABBREVIATIONS = {
    "ppl": "people",
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
    if token in FILLERS or token in UNAPOSTROPHED:
        return ""
    return ABBREVIATIONS.get(token, token)
