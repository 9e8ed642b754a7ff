"""Word forms beyond inflection: derivational families and word classes, from lemminflect.

Snowball already joins *produced*/*produces*; this joins a noun to the verb it is made from
(*driver* → *drive*, *production* → *produce*, *payment* → *pay*), so a question's word meets a
source's other form of it (also *expansion* → *expand*, *decision* → *decide*, *response* →
*respond*, *failure* → *fail*, *supplier* → *supply*, *employee* → *employ*). A suffix is only
stripped when the word is a noun and nothing else in
lemminflect's dictionary and what remains is a verb there, which keeps *number* (also a verb),
*million* and *banner* (no rule for them) whole. Agent nouns in *-or* are left alone: *factor*
and *error* are not *fact* and *err* (it cost Cranfield nDCG).

The other way, an adverb made from a present participle (*increasingly*, *surprisingly*,
*seemingly*) keeps its own form: it grades or comments ("increasingly common" is "more and more
common"), it does not report the verb's event, so it must not meet *increase* as Snowball's
stem *increas* would have it. Adverbs made from adjectives (*rapidly*) still meet *rapid*.
"""

from __future__ import annotations

from functools import lru_cache

from lemminflect import getAllLemmas

# suffix -> ways of rebuilding the verb from what is left, tried in order.
_DERIVATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("uction", ("uce",)),  # production -> produce, reduction -> reduce
    ("ission", ("it",)),  # permission -> permit, transmission -> transmit
    ("ansion", ("and",)),  # expansion -> expand
    ("ension", ("end",)),  # extension -> extend, suspension -> suspend
    ("ision", ("ide",)),  # decision -> decide, collision -> collide
    ("osion", ("ode",)),  # explosion -> explode, erosion -> erode
    ("asion", ("ade",)),  # invasion -> invade, evasion -> evade
    ("usion", ("ude", "use")),  # conclusion -> conclude, confusion -> confuse
    ("iance", ("y",)),  # reliance -> rely, compliance -> comply
    ("ence", ("end", "", "e")),  # defence -> defend, conference -> confer, emergence -> emerge
    ("ense", ("end",)),  # defense -> defend, expense -> expend
    ("onse", ("ond",)),  # response -> respond
    ("ure", ("", "e")),  # failure -> fail, closure -> close
    ("ier", ("y",)),  # supplier -> supply, carrier -> carry
    ("ee", ("",)),  # employee -> employ, trainee -> train
    ("ation", ("e", "", "ate")),  # discontinuation -> discontinue, information -> inform
    ("tion", ("te", "t", "")),  # creation -> create, election -> elect
    ("ment", ("",)),  # payment -> pay, government -> govern
    ("iage", ("y",)),  # marriage -> marry, carriage -> carry
    ("age", ("e", "")),  # usage -> use, storage -> store
    ("er", ("e", "")),  # driver -> drive, seller -> sell
)
_MIN_BASE = 3
_SUFFIXES = tuple(suffix for suffix, _ in _DERIVATIONS)


@lru_cache(maxsize=4096)
def word_classes(word: str) -> frozenset[str]:
    """Universal POS tags lemminflect knows for `word` (empty: not an English dictionary word)."""
    return frozenset(getAllLemmas(word))


@lru_cache(maxsize=4096)
def base_verb(word: str) -> str | None:
    """The verb a noun-only `word` (or its plural) is derived from, or None."""
    if not word.rstrip("s").endswith(_SUFFIXES):
        return None  # most words: no derivational suffix, no dictionary look-up
    lemmas = getAllLemmas(word)
    if set(lemmas) != {"NOUN"}:
        return None
    noun = lemmas["NOUN"][0]
    for suffix, endings in _DERIVATIONS:
        if not noun.endswith(suffix):
            continue
        stem = noun[: -len(suffix)]
        for ending in endings:
            candidate = stem + ending
            if len(candidate) >= _MIN_BASE and candidate in getAllLemmas(candidate).get("VERB", ()):
                return candidate
        return None
    return None


@lru_cache(maxsize=4096)
def is_participle_adverb(word: str) -> bool:
    """An *-ingly* word that is an adverb and nothing else (*increasingly*, not *kingly*)."""
    return word.endswith("ingly") and word_classes(word) == {"ADV"}


def is_plural(word: str) -> bool:
    """A plural noun (*units*, *cars*; a word lemminflect lacks when it ends in a single s)."""
    nouns = getAllLemmas(word).get("NOUN")
    if nouns:
        return word not in nouns
    return word.endswith("s") and not word.endswith("ss")


def is_modifier(word: str) -> bool:
    """An adjective or adverb and nothing else (*biggest*, *basically*): it qualifies a head."""
    classes = word_classes(word)
    return bool(classes) and classes <= {"ADJ", "ADV"}
