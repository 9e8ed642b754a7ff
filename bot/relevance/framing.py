"""Words that frame a claim rather than state it, by class of English.

A chat message wraps its claim in words that say how the writer came by it or feels about it:
"I *heard* Japan banned Tesla *last week*, *apparently*, *lol*". No source needs to use them for
the claim to be checked, so they must not count against a passage. Each class below is a closed
class (or a productive pattern) of English, not a list of topic words:

- interjections and chat particles (*lol*, *wow*, *omg*, *tbh*), indefinite pronouns and the
  way a message calls its readers (*everyone*, *y'all*);
- function words NLTK's stopword list lacks (*every*, *per*, *among*, chat *u*);
- who passed a claim on, when a message opens with them before a reporting verb ("*my cousin*
  says…", "*a guy on reddit* said…"); a named reporter ("Musk said…") stays, it is the claim;
- discourse markers, evidential and hedging adverbs (*apparently*, *basically*, *allegedly*),
  conjunctive adverbs (*instead*, *however*, *meanwhile*);
- verbs of reporting, perceiving and believing (*heard*, *said*, *think*, *seems*);
- deictic time: expressions that place the report in time relative to now (*yesterday*,
  *anymore*, *last week*, *three days ago*, *next month*);
- the future and modal periphrases of chat (*gonna*, *going to*) and light verbs, whose
  meaning is in the words around them (*came*, *got*, *happened*, "is *done* selling");
- nouns that only quantify what follows them (*a lot of*, *tons of*);
- whom a message calls (*@Mods*) and a label before a colon that opens it (*BREAKING:*, *fact
  check:*), unless the label is a name the sources know ("Musk: …");
- the measure a question asks for: *how* + adjective or adverb (*how many*, *how long*),
  *which*/*what* + a unit of time (*in which year*), "what is the *name* of", "what does X
  *mean*" or "*stand for*".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.english.function_words import (
    INDEFINITE_PRONOUNS,
    LIGHT_VERBS,
    MORE_FUNCTION_WORDS,
    REPORTER_OPENERS,
    WH_DETERMINERS,
)
from bot.english.speech import HEARSAY
from bot.english.time import CHAT_DEICTIC_DETERMINERS, CHAT_DEICTIC_TIME, TIME_UNITS
from bot.english.wordforms import word_classes
from bot.relevance.kind import NAMING_WORDS

INTERJECTIONS = frozenset(
    """lol lmao lmfao rofl omg omfg wow whoa woah haha hahaha hah heh hehe hmm hm huh ugh
    ooh oh ah aha yay yeah yea yep yup nope nah ok okay k wtf wth smh tbh imo imho fyi btw
    idk ikr iirc afaik lmk pls plz thx ty bruh bro dude guys folks yo hey hi hello oops
    damn dang gosh jeez meh welp rip fr ngl istg""".split()
)

DISCOURSE_AND_HEDGES = frozenset(
    """apparently reportedly allegedly supposedly seemingly evidently obviously clearly
    basically literally honestly seriously totally definitely probably possibly maybe
    perhaps surely certainly truly indeed anyway anyways anyhow kinda sorta somehow like
    well true false right wrong correct rumor rumour rumors rumours news real officially
    essentially practically virtually pretty quite rather fairly wait""".split()
)
# Conjunctive adverbs: they link a claim to what came before ("…colonize Mars *instead*").
CONJUNCTIVE_ADVERBS = frozenset(
    """instead however though therefore thus hence moreover furthermore besides otherwise
    nevertheless nonetheless meanwhile regardless""".split()
)


_NUMBER_WORDS = frozenset(
    "a an one two three four five six seven eight nine ten several many few couple".split()
)

_MAX_REPORTER = 5

# "@Mods", "@Crosscheck": whom a message calls; "BREAKING:", "fact check:": what it calls itself.
_ADDRESSED = re.compile(r"@([^\W\d_][\w-]*)")
_LABEL = re.compile(r"^\W*([^\W\d_]+(?:\s+[^\W\d_]+)?)\s*:\s")
# Verbs that gloss a word: "what does FSD *mean*", "what does EV *stand for*".
_GLOSSING = frozenset("mean means stand stands".split())
_QUANTIFIERS = frozenset("many much few little".split())
CHAT_FUTURE = frozenset("gonna wanna gotta".split())
# Nouns that quantify what follows them ("a lot of", "tons of"): a quantity word, not a topic.
_QUANTITY_NOUNS = frozenset("lot lots bunch ton tons loads plenty heaps".split())


def framing_positions(tokens: Sequence[str]) -> set[int]:
    """Indexes of `tokens` (lowercase, from `bot.passages.tokens.tokenize`) that only frame
    the claim."""
    framing: set[int] = set()
    single = (INTERJECTIONS | DISCOURSE_AND_HEDGES | CHAT_FUTURE | HEARSAY | CHAT_DEICTIC_TIME) | (
        LIGHT_VERBS | INDEFINITE_PRONOUNS | MORE_FUNCTION_WORDS | CONJUNCTIVE_ADVERBS
    )
    framing.update(_reporter(tokens))
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in single or (token == "going" and after == "to"):
            framing.add(i)
        elif token in _QUANTITY_NOUNS and after == "of":
            framing.add(i)  # "a lot of batteries": how many, not what
        elif token in NAMING_WORDS and WH_DETERMINERS & set(tokens[max(0, i - 4) : i]):
            framing.add(i)  # "what is the name of…": the answer is a name, not about names
        elif token in _GLOSSING and _asks_what_it_means(tokens, i):
            framing.add(i)  # "what does FSD stand for?": the answer is what FSD is
        elif before == "how" and (token in _QUANTIFIERS or word_classes(token) & {"ADJ", "ADV"}):
            framing.add(i)  # "how many", "how long ago": the measure asked for
        elif token in TIME_UNITS and (
            before in WH_DETERMINERS or i - 2 in framing and before == "and"
        ):
            framing.add(i)  # "in which year and month": the kind of date asked for
        elif token in TIME_UNITS and (before in CHAT_DEICTIC_DETERMINERS or after == "ago"):
            # "last week", "next month"; "three days ago" also drops its number word
            framing.update(
                (i - 1, i) if before in CHAT_DEICTIC_DETERMINERS | _NUMBER_WORDS else (i,)
            )
    return framing


def message_framing(text: str, tokens: Sequence[str], is_name: Callable[[str], bool]) -> set[int]:
    """Indexes of `tokens` (of `text`) that address or label a message rather than state it:
    the people it calls ("@Crosscheck did Japan ban Tesla", "@Mods"), and a label of one or two
    words before a colon that opens it ("BREAKING: Japan bans Tesla", "fact check: …"), unless
    the label is a name the sources know ("Musk: Japan loses" quotes Musk)."""
    framing: set[int] = set()
    addressed = {word.lower() for word in _ADDRESSED.findall(text)}
    framing.update(i for i, token in enumerate(tokens) if token in addressed)
    label = _LABEL.match(text)
    if label:
        words = label.group(1).lower().split()
        if list(tokens[: len(words)]) == words and not any(map(is_name, words)):
            framing.update(range(len(words)))
    return framing


def _asks_what_it_means(tokens: Sequence[str], i: int) -> bool:
    """ "what does X mean?", "what does X stand for?": the glossing verb ends the question."""
    ends = i + 1 == len(tokens) or (tokens[i + 1 :] == ["for"] and tokens[i].startswith("stand"))
    return ends and tokens[0] in WH_DETERMINERS and bool({"do", "does", "did"} & set(tokens[1:i]))


def _reporter(tokens: Sequence[str]) -> range:
    """Positions of a message-initial reporter: "my cousin (says)", "a guy on reddit (said)"."""
    if not tokens or tokens[0] not in REPORTER_OPENERS:
        return range(0)
    for i, token in enumerate(tokens[1 : _MAX_REPORTER + 1], start=1):
        if token in HEARSAY:
            return range(i)
    return range(0)
