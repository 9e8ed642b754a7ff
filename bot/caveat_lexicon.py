"""Word lists for `bot.caveat`: cues of negation and hedging, antonyms, numbers, dates and units.

Everything here is written as plain English words; `bot.caveat` reduces them with the same
normalisation it applies to the excerpts, so a list entry matches every inflection ("sold",
"selling" and "sells" all match "sell").
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """a an the and or but if then else of in on at by for with from to into onto upon over
    under about above below between through during before after since until till as than that
    this these those there here it its it's he him his she her hers they them their theirs we us
    our ours you your yours i me my mine who whom whose which what when where why how whether is
    are was were be been being am do does did done doing have has had having will would shall
    should can could may might must also just only even still very really quite so too such own
    same other another each every both either any some all most more much many few several one
    ones not no nor never per via s t d ll ve re m o y
    said says say according however although though while whereas because yet thus hence therefore
    like later earlier once ever again further"""
)

# Cues that put the words after them (up to the end of the clause) in the scope of a negation.
NEGATION_CUES = _words(
    "not no never none neither nor without cannot excluding except nobody nowhere"
)
# Multi-word cues, matched on lowercased token sequences.
NEGATION_PHRASES = (
    ("no", "longer"),
    ("not", "any", "longer"),
    ("fail", "to"),
    ("failed", "to"),
    ("fails", "to"),
    ("unable", "to"),
    ("refused", "to"),
    ("refuses", "to"),
    ("declined", "to"),
    ("declines", "to"),
    ("ceased", "to"),
)
# "not only X but also Y" asserts X; these never negate.
NOT_NEGATION = (
    ("not", "only"),
    ("not", "the", "only"),
    ("no", "doubt"),
    ("not", "just"),
    ("nothing", "but"),
)

# A clause with one of these is reported, estimated or uncertain: it cannot carry a caveat alone.
HEDGE_WORDS = _words(
    """might may could possibly perhaps probably reportedly allegedly apparently supposedly
    presumably estimate estimates estimated estimating likely unlikely rumoured rumored speculate
    speculated speculation suggest suggests suggested claim claims claimed believe believes
    believed predict predicts predicted hint hinted expect expects expected worried worry
    worries concerned fear fears feared couldn't couldn’t mightn't"""
)
HEDGE_PHRASES = (("said", "to"), ("is", "thought"), ("according", "to"), ("in", "theory"))

# Pairs of words that cannot both hold of the same thing. Symmetric; kept small and literal.
ANTONYM_PAIRS = (
    ("ban", "sell"),
    ("ban", "allow"),
    ("ban", "permit"),
    ("ban", "legal"),
    ("forbid", "allow"),
    ("prohibit", "allow"),
    ("illegal", "legal"),
    ("cease", "continue"),
    ("cease", "expand"),
    ("discontinue", "continue"),
    ("stop", "continue"),
    ("end", "continue"),
    ("close", "open"),
    ("closed", "open"),
    ("win", "lose"),
    ("won", "lost"),
    ("victory", "defeat"),
    ("increase", "decrease"),
    ("rise", "fall"),
    ("rose", "fell"),
    ("grow", "shrink"),
    ("gain", "loss"),
    ("accept", "reject"),
    ("approve", "reject"),
    ("support", "oppose"),
    ("confirm", "deny"),
    ("admit", "deny"),
    ("alive", "dead"),
    ("survive", "die"),
    ("survived", "killed"),
    ("male", "female"),
    ("larger", "smaller"),
    ("largest", "smallest"),
    ("large", "small"),
    ("high", "low"),
    ("higher", "lower"),
    ("highest", "lowest"),
    ("heavy", "light"),
    ("many", "few"),
    ("better", "worse"),
    ("best", "worst"),
    ("effective", "worse"),
    ("effective", "ineffective"),
    ("success", "failure"),
    ("successful", "unsuccessful"),
    ("true", "false"),
    ("present", "absent"),
    ("include", "exclude"),
    ("public", "private"),
    ("selective", "nonselective"),
    ("selective", "non-selective"),
    ("join", "leave"),
    ("joined", "left"),
    ("arrive", "depart"),
    ("acquit", "convict"),
    ("guilty", "innocent"),
    ("safe", "dangerous"),
    ("legal", "banned"),
    ("native", "introduced"),
    ("oldest", "youngest"),
    ("older", "younger"),
)

# Words that close a company's name ("Eastman Kodak Co"): part of many names, naming none.
COMPANY_DESIGNATORS = _words("inc co corp ltd plc llc lp ag sa nv gmbh bhd pty spa kk")

# Ranks after the first: "the second largest city" is not "the largest city".
ORDINALS = _words("second third fourth fifth sixth seventh eighth ninth tenth 2nd 3rd 4th 5th")

NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}
MULTIPLIERS = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bln": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}
# Words that introduce a figure given only to compare with ("to 62.2 pct from 56.9 pct",
# "50.5 pct vs 48.3 pct", "compared with 67.2 pct"): the figure of another time or thing.
BASELINE_MARKERS = (
    ("from",),
    ("vs",),
    ("versus",),
    ("against",),
    ("compared", "with"),
    ("compared", "to"),
)

# Qualifiers before a number: how they widen its value into an interval.
APPROXIMATE = _words("about around approximately approx roughly nearly almost some circa c ca")
# "at least 5", "more than 5", "over 5" and "at most 5", "less than 5", "up to 5".
OPEN_ABOVE = (("at", "least"), ("more", "than"), ("over",), ("above",), ("exceeding",))
OPEN_BELOW = (
    ("at", "most"),
    ("less", "than"),
    ("fewer", "than"),
    ("up", "to"),
    ("under",),
    ("below",),
)

UNITS = {
    "%": "%",
    "percent": "%",
    "pct": "%",
    "km": "km",
    "kilometre": "km",
    "kilometres": "km",
    "kilometer": "km",
    "kilometers": "km",
    "m": "m",
    "metre": "m",
    "metres": "m",
    "meter": "m",
    "meters": "m",
    "cm": "cm",
    "mm": "mm",
    "ft": "ft",
    "foot": "ft",
    "feet": "ft",
    "in": "in",
    "inch": "in",
    "inches": "in",
    "mi": "mi",
    "mile": "mi",
    "miles": "mi",
    "acre": "acre",
    "acres": "acre",
    "hectare": "ha",
    "hectares": "ha",
    "ha": "ha",
    "m2": "m2",
    "km2": "km2",
    "kg": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "tonne": "t",
    "tonnes": "t",
    "ton": "t",
    "tons": "t",
    "year": "year",
    "years": "year",
    "month": "month",
    "months": "month",
    "day": "day",
    "days": "day",
    "hour": "hour",
    "hours": "hour",
    "minute": "minute",
    "minutes": "minute",
    "$": "$",
    "usd": "$",
    "dollar": "$",
    "dollars": "$",
    "dlr": "$",
    "dlrs": "$",
    "€": "€",
    "euro": "€",
    "euros": "€",
    "£": "£",
    "yen": "¥",
    "¥": "¥",
    "mph": "mph",
    "km/h": "km/h",
    "kph": "km/h",
}
CURRENCY_SIGNS = frozenset("$€£¥")

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

# Words that name the event a date belongs to; dates of different events are not compared.
DATE_EVENTS = {
    "born": "birth",
    "birth": "birth",
    "die": "death",
    "died": "death",
    "death": "death",
    "killed": "death",
    "executed": "death",
    "found": "founding",
    "founded": "founding",
    "establish": "founding",
    "established": "founding",
    "formed": "founding",
    "open": "opening",
    "opened": "opening",
    "close": "closing",
    "closed": "closing",
    "marry": "marriage",
    "married": "marriage",
    "release": "release",
    "released": "release",
    "publish": "publication",
    "published": "publication",
    "rename": "renaming",
    "renamed": "renaming",
    "elect": "election",
    "elected": "election",
    "appoint": "appointment",
    "appointed": "appointment",
    "retire": "retirement",
    "retired": "retirement",
    "launch": "launch",
    "launched": "launch",
    "build": "construction",
    "built": "construction",
    "complete": "completion",
    "completed": "completion",
    "lay": "keel",
    "laid": "keel",
    "sign": "signing",
    "signed": "signing",
    "defeat": "defeat",
    "defeated": "defeat",
    # A ban is imposed by someone on something; an ending is something ceasing: two events.
    "ban": "prohibition",
    "banned": "prohibition",
    "prohibit": "prohibition",
    "prohibited": "prohibition",
    "cease": "ending",
    "end": "ending",
    "ended": "ending",
    "halt": "ending",
    "halted": "ending",
    "stop": "ending",
    "stopped": "ending",
    "discontinue": "ending",
    "discontinued": "ending",
    "withdraw": "ending",
    "withdrawn": "ending",
    "suspend": "ending",
    "suspended": "ending",
}

# Nationality adjectives folded onto their country, so "Japanese roads" aligns with "Japan".
DEMONYMS = {
    "japanese": "japan",
    "chinese": "china",
    "american": "america",
    "french": "france",
    "german": "germany",
    "british": "britain",
    "english": "england",
    "russian": "russia",
    "indian": "india",
    "italian": "italy",
    "spanish": "spain",
    "korean": "korea",
    "canadian": "canada",
    "australian": "australia",
    "mexican": "mexico",
    "irish": "ireland",
    "scottish": "scotland",
    "european": "europe",
    "african": "africa",
    "asian": "asia",
    "dutch": "netherlands",
    "swedish": "sweden",
    "polish": "poland",
    "turkish": "turkey",
}

# Verbs of change: a figure they report ("rose to 62.2 pct", "raised its offer to 42 dlrs") is a
# value at one moment, so two sources giving two such values need not disagree.
CHANGE_VERBS = _words(
    """rise fall increase decrease raise lower cut reduce grow shrink drop climb decline gain
    lose jump slip ease rally narrow widen expand contract boost trim surge plunge slump soar
    sink dip edge bring lift revise adjust mark climb tumble double triple halve"""
)
# Words that place a statement in time relative to when it was written ("today", "this
# morning", "last week"): two sources written on different days mean different times by them.
DEICTIC_TIME = _words(
    """today yesterday tomorrow tonight now currently presently recently lately ago meanwhile
    morning afternoon evening overnight weekend"""
)
# "this/last/next" before one of these is a time relative to the writing ("last week").
DEICTIC_DETERMINERS = _words("this last next past coming")
TIME_NOUNS = _words(
    "week weekend month year quarter season session day night spring summer autumn winter"
)
# Verbs that report what someone else states ("Lifetime said the bank intends…").
REPORTING_VERBS = _words("said says told tells reported reports announced announces added stated")
SUBJECT_PRONOUNS = _words("it he she they we i its")

# Closed classes the statement aligner (`bot.caveat.align`) keeps in a statement although they
# are stopwords: a quantifier or a modal that differs makes two statements say different things.
QUANTIFIERS = _words("all every each both most many several some few half none")
MODALS = _words("will would shall should can could may might must")
# Days of the week place a statement relative to the week it was written in, as "today" does.
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
