"""Text -> tokens: lowercase words and numbers, apostrophes folded, and the stopwords.

What a worker process needs to read sources without the lemmatisers (`bot.analysis`), so it
imports nothing heavier than the standard library.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from bot.text_cleanup import without_escapes, without_zero_width

# NLTK's English stopword list (a superset of Snowball's), plus words that only frame a question.
STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself
    yourselves he him his himself she she's her hers herself it it's its itself they them
    their theirs themselves what which who whom this that that'll these those am is are was
    were be been being have has had having do does did doing a an the and but if or because
    as until while of at by for with about against between into through during before after
    above below to from up down in out on off over under again further then once here there
    when where why how all any both each few more most other some such no nor not only own
    same so than too very s t can will just don don't should should've now d ll m o re ve y
    ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven
    haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
    shouldn't wasn wasn't weren weren't won won't wouldn wouldn't also could would may might
    must shall whether tell please anyone anything something someone really actually still
    yet already ever
    """.split()
)

# The longest token that can be a search term (`is_term_token`). The longest words in the shared
# data are 24 letters in Reuters ("beteiligungsgesellschaft") and 36 in AG News (a URL slug run
# together); a longer token is a base64 blob, a hex dump or one letter repeated, which nobody
# searches for, and which every term of a library's saved vocabulary used to be padded to.
MAX_TERM_CHARS = 64

_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)(?![^\W\d_])|\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*",
    re.UNICODE,
)
# `_TOKEN` on lowercase ASCII text, where its classes are plain ranges (a third faster).
_ASCII_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?:(?:st|nd|rd|th)(?![a-z]))?|[a-z]+(?:'[a-z]+)*")
# Put between the texts `scan_ascii` tokenises in one pass; a token of its own in what it finds.
TEXT_SEPARATOR = "\x00"
# `_ASCII_TOKEN` for ASCII text in any case: what it finds, lowercased, is what `_ASCII_TOKEN`
# finds in the lowercased text (the ordinal suffixes and the lookahead take either case).
_ASCII_TOKEN_ANY_CASE = re.compile(
    r"[0-9]+(?:[.,][0-9]+)*(?:(?:[sS][tT]|[nN][dD]|[rR][dD]|[tT][hH])(?![A-Za-z]))?"
    r"|[A-Za-z]+(?:'[A-Za-z]+)*|" + TEXT_SEPARATOR
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Hiragana, the Japanese script of particles and endings.
HIRAGANA = re.compile(r"[\u3040-\u309f]")


def is_term_token(token: str) -> bool:
    """Whether a token from `tokenize` can be a search term: not a stopword, and no longer than
    any real word (MAX_TERM_CHARS). Passages and questions both get their terms through this."""
    return len(token) <= MAX_TERM_CHARS and token not in STOPWORDS


def tokenize(text: str) -> list[str]:
    """Lowercase word and number tokens, apostrophes folded, possessive 's dropped."""
    text = without_escapes(text)  # "\x1b[31mQuillby" is the word "Quillby"
    if text.isascii():  # NFKC leaves ASCII alone; of the apostrophes only ` is ASCII
        text = text.replace("`", "'").lower()
        tokens = _ASCII_TOKEN.findall(text)
    else:
        text = without_zero_width(text)
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
        text = fold_latin(text)
        tokens = _TOKEN.findall(text)
        if _CJK.search(text):
            return _split_cjk_and_apostrophes(tokens)
    if "'" not in text:
        return tokens  # the common case: nothing to split
    return _split_apostrophes(" ".join(tokens))


class AsciiScan(NamedTuple):
    """Several ASCII texts tokenised in one pass (`scan_ascii`)."""

    joined: str  # TEXT_SEPARATOR before each text
    words: list[str]  # words and numbers as written, and a TEXT_SEPARATOR before each text's
    tokens: list[str]  # what `tokenize` gives each text, one after another, separated the same


def scan_ascii(texts: Sequence[str]) -> AsciiScan | None:
    """`tokenize` of each of `texts` in one regex pass (the pass per text was most of its cost);
    None unless they are plain ASCII (no escape sequences, backticks or TEXT_SEPARATOR)."""
    joined = TEXT_SEPARATOR + TEXT_SEPARATOR.join(texts)
    plain = "\x1b" not in joined and "`" not in joined
    if not (joined.isascii() and plain and joined.count(TEXT_SEPARATOR) == len(texts)):
        return None
    words = _ASCII_TOKEN_ANY_CASE.findall(joined)
    # one call lowercases all (no word holds a space)
    return AsciiScan(joined, words, _split_apostrophes(" ".join(words).lower()))


def _split_apostrophes(spaced: str) -> list[str]:
    """The tokens of `spaced` (tokens, a space after each but the last) with a possessive 's
    dropped and other apostrophes split ("don't" -> "don", "t"), in calls over all of them at
    once: no token holds a space or starts with an apostrophe."""
    return (spaced + " ").replace("'s ", " ").replace("'", " ").split()


def _split_cjk_and_apostrophes(found: list[str]) -> list[str]:
    tokens: list[str] = []
    for token in found:
        if token.endswith("'s"):
            token = token[:-2]
        if _CJK.search(token):
            tokens.extend(_cjk_bigrams(token))
        else:
            tokens.extend(part for part in token.split("'") if part)
    return tokens


def fold_latin(text: str) -> str:
    """Latin letters without their accents ("Muḥammad" meets "Muhammad"); other scripts, whose
    marks can change the letter (Japanese kana), are left as they are."""
    if text.isascii():
        return text
    return "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if not ("\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"):
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base or ch


def is_kana_bigram(term: str) -> bool:
    """Whether `term` is a Japanese bigram holding hiragana, the script of particles and
    endings: unseen in the sources, such a bigram straddles a word boundary ("はい" of
    "橋はいつ") rather than naming something, as an unseen kanji bigram ("大阪") does."""
    return len(term) == 2 and bool(_CJK.search(term)) and bool(HIRAGANA.search(term))


def _cjk_bigrams(token: str) -> list[str]:
    if len(token) == 1:
        return [token]
    return [token[i : i + 2] for i in range(len(token) - 1)]
