"""How the question writes its words: names, nouns, numbers, the preamble, the Japanese words
for messages; and the closed classes of words the query rules read."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from bot.english.function_words import (
    BEFORE_ADJECTIVE,
    DETERMINERS,
    STOPWORDS,
    TAKE_FORMS,
)
from bot.english.time import TIME_UNITS
from bot.english.time import YEAR as YEAR_WRITTEN
from bot.english.wordforms import word_classes
from bot.passages.sentences import split_sentences
from bot.passages.tokens import HIRAGANA, WORD, fold_latin
from bot.relevance.demonyms import demonym_forms
from bot.relevance.reading import APPROXIMATE_TOLERANCE, SourceFacts
from bot.retrieval import term_of

COUNTING = frozenset("many much".split())


# Figures written as words beyond the number words the analyser turns into digits.
MAGNITUDES = frozenset(
    term_of(w) for w in "hundreds thousands millions billions trillions dozens".split()
)


ASPECT_TERMS = frozenset(
    term_of(w) for w in "start begin commence continue resume end finish stop cease".split()
)


# "come into force", "took effect": a noun that, after these, names the start of an event.
PHASE_NOUNS = frozenset("force effect".split())


PHASE_LINKS = TAKE_FORMS | {"into"}


# The noun that names what "how + adjective" asks for ("how long" -> length).
MEASURE_NOUNS = {
    "long": "length",
    "tall": "height",
    "high": "height",
    "wide": "width",
    "deep": "depth",
    "far": "distance",
    "big": "size",
    "large": "size",
    "heavy": "weight",
    "old": "age",
    "many": "number",
}


# What a demonym adds to its place name, as Snowball stems show it: Japan-es(e), India-n.
DEMONYM = frozenset({"es", "n", "an", "ian", "ish", "i"})


NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")


_KANJI_KATAKANA = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


# "What did Honda say about the ban?" asks for Honda's own words: who is asked, the verb
REPORT_ASKED = re.compile(
    r"\bwhat\s+(?:did|does|do|has|have|had|will|would)\s+(.{1,60}?)\s+"
    r"(?:say|announce|tweet|post|write|state|claim|tell|reply|respond|comment|declare|explain)\b",
    re.IGNORECASE,
)


# A possessive: "Toyota's", "BYD’s" (the owner); at most this many words name what it owns.
POSSESSOR = re.compile(r"([^\W_][\w-]*)['’]s\b")


MAX_COMPOUND = 4


# "A, B, or C": the items of a list before its "or" (group 1 ends with B's comma, group 2 is B).
OR_LIST = re.compile(r"((?:[^\W\d_][\w'’-]*\s*,\s*)+)([^\W\d_][\w'’-]*)\s*,?\s+or\b")


# Prepositions that put a figure in a year ("sold in 2021"), as against bounds ("before 1920").
WITHIN = frozenset("in during".split())


# "Lincoln's date of birth" asks for a date: no source need write the word "date".
TIME_UNIT_TERMS = frozenset(term_of(w) for w in TIME_UNITS)


ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")


YEAR = re.compile(rf"^{YEAR_WRITTEN}$")


# "(1990 - 1995)", "(1990–1995)": a span of years in parentheses
YEAR_SPAN = re.compile(rf"\(\s*({YEAR_WRITTEN})\s*[-–—]\s*({YEAR_WRITTEN})\s*\)")


def written_demonym(term: str, facts: SourceFacts) -> str | None:
    """The form the sources write of a place or people the question names in the other form."""
    return next(
        (form for form in sorted(demonym_forms(term)) if facts.document_frequency(form)), None
    )


def japanese_words(text: str) -> dict[str, str]:
    """Bigram -> the Japanese word it is part of, for messages: in text with kana, a run of
    kanji and katakana between hiragana (particles, endings) is a word ("東京タワーの高さ"
    -> 東京タワー, 高さ's 高). Chinese has no such mark of a word's end: its bigrams stay."""
    if not HIRAGANA.search(text):
        return {}
    words: dict[str, str] = {}
    for run in _KANJI_KATAKANA.findall(text):
        for bigram in (run[i : i + 2] for i in range(max(1, len(run) - 1))):
            words.setdefault(bigram, run)
    return words


def name_like(surface: Mapping[str, str], token: str) -> bool:
    """Whether the question writes `token` capitalised (a name, or an acronym: "BYD")."""
    written = surface.get(token, token)
    return written[:1].isupper()


def qualifies(after: str) -> bool:
    """Whether a number is followed by the noun it qualifies (not a function word, a number)."""
    return bool(after) and after not in STOPWORDS and not NUMBER.match(after)


def split_preamble(text: str) -> tuple[str, str]:
    """(sentences before the question, the question): a question mark ends the last one."""
    text = text.strip()
    if not text.endswith("?"):
        return "", text
    spans = split_sentences(text, 0, len(text))
    if len(spans) < 2:
        return "", text
    return text[: spans[-1][0]], text[spans[-1][0] :]


def name_forms(name: str, names: Collection[str]) -> frozenset[str]:
    """A name with the names that differ from it by a demonym suffix (Japan, Japanese)."""
    forms = {name}
    for other in names:
        short, long = sorted((name, other), key=len)
        if len(short) >= 4 and long.startswith(short) and long[len(short) :] in DEMONYM:
            forms.add(other)
    return frozenset(forms)


def term_value(term: str) -> float | None:
    """The value of a number term, its separators dropped ("1,400" -> 1400). A written figure
    (decimal commas, number words) is read by `bot.caveat.quantities.number_value`."""
    if not NUMBER.match(term):
        return None
    try:
        return float(term.replace(",", ""))
    except ValueError:
        return None


def near(term: str, numbers: Mapping[str, float]) -> frozenset[str]:
    value = term_value(term)
    if value is None:
        return frozenset({term})
    tolerance = abs(value) * APPROXIMATE_TOLERANCE
    return frozenset({term} | {t for t, v in numbers.items() if abs(v - value) <= tolerance})


def surface_words(text: str) -> dict[str, str]:
    """Lowercase token -> how the question wrote it (the first time)."""
    words: dict[str, str] = {}
    for match in WORD.finditer(text):
        word = fold_latin(match.group().lower().replace("’", "'").removesuffix("'s"))
        words.setdefault(word, match.group())
    return words


def capitalised_name(written: str, position: int) -> bool:
    """Whether an unknown word is written as a name: capitalised, not first, not an acronym.

    Only such a name counts against a passage: an acronym (*METI*) may be spelt out by a source,
    a lowercase word no dictionary has may be new (*hashtag*), and a script without capitals
    (Arabic, Chinese) cannot tell a name from grammar.
    """
    inner = any(ch.isupper() for ch in written[1:])
    return not written.isupper() and (inner or (position > 0 and written[0].isupper()))


def inside_name(tokens: list[str], position: int, surface: Mapping[str, str]) -> bool:
    """Whether a word is part of a name rather than a verb: capitalised inside a sentence
    that is not in title case, next to another capitalised word ("the organization *Stop*
    Child Trafficking Now"; not "Did Japan Ban Tesla?")."""

    def capitalised(at: int) -> bool:
        return 0 < at < len(tokens) and surface.get(tokens[at], tokens[at])[:1].isupper()

    lowercase = any(surface.get(t, t)[:1].islower() for t in tokens[1:] if t.isalpha())
    return (
        lowercase
        and capitalised(position)
        and (capitalised(position - 1) or capitalised(position + 1))
    )


def adjective_before_noun(tokens: list[str], position: int, end: int) -> bool:
    """Whether a predicate word is an adjective here: in its plain form, after a determiner,
    a degree adverb or a form of *have*/*be*, and before a noun ("have *close* ties", "the
    *open* market"; not "will close stores", "Tesla closed stores")."""
    word = tokens[position]
    before = tokens[position - 1] if position else ""
    after = tokens[position + 1] if position + 1 < end else ""
    return (
        "ADJ" in word_classes(word)
        and not word.endswith(("ed", "ing"))
        and (before in DETERMINERS or before in BEFORE_ADJECTIVE)
        and bool(after)
        and after not in STOPWORDS
        and "NOUN" in word_classes(after)
    )


def may_be_noun(word: str) -> bool:
    """A noun in the dictionary, or a word it does not know (*hashtag*)."""
    classes = word_classes(word)
    return not classes or "NOUN" in classes


def is_name(token: str, surface: Mapping[str, str], position: int) -> bool:
    """A word the sources lack that reads as a name: capitalised, or no dictionary word."""
    if NUMBER.match(token):
        return False
    if not token.isalpha() or not token.isascii():
        return True
    written = surface.get(token, token)
    inner_capital = any(ch.isupper() for ch in written[1:])
    if inner_capital or (written[0].isupper() and position > 0):
        return True
    return not word_classes(token)
