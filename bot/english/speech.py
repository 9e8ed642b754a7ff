"""Speech: the verbs and nouns by which a text reports what someone said, heard or believes.

One base, `SAYING` (every form of *say* and *tell*); each stage's set is the base with a named
addition: chat's verbs of passing a claim on (`HEARSAY`), the finite reporting verbs a news
text quotes with (`REPORTED`), and the words by which a passage reports a statement
(`STATEMENT_WORDS`, read as index terms, so one form stands for all).
"""

from __future__ import annotations

from bot.english.function_words import words

SAYING = words("say says said saying tell tells told telling")
# "I heard…", "my cousin thinks…": verbs of reporting, perceiving and believing in chat.
HEARSAY = SAYING | words(
    """hear heard hears hearing think thinks thought believe believes believed guess guessed
    reckon reckons suppose supposed wonder wondering wondered seem seems seemed appear appears
    appeared know knows knew read see saw seen"""
)
# Finite verbs that report what someone else states ("Lifetime said the bank intends…").
REPORTED = (SAYING - words("say saying tell telling")) | words(
    "reported reports announced announces added stated"
)
# Words by which a passage reports what someone said ("What did Honda say…?" is answered by
# one); read as index terms. *Tell* is one of the index's stopwords: its other forms would bring
# it back as a term.
STATEMENT_WORDS = (SAYING - words("tells telling")) | words(
    """announce announcement statement stated respond response reply replied reaction tweet
    tweeted post posted write wrote comment according quote quoted add added declare insist
    warn argue explain claim note admit confirm deny predict believe"""
)
