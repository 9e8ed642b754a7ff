"""Text analysis and BM25 ranking: pure, deterministic, no I/O.

`analyze` turns text into index terms (lowercase, stopwords out, irregular forms lemmatised by
simplemma, nouns made from verbs taken back to the verb by `bot.wordforms`, then Snowball-stemmed
by PyStemmer), so "ban"/"banned"/"bans", "sell"/"sold", "driver"/"drives" and "Teslas"/"Tesla's"
meet. `PassageIndex` scores term lists with rank-bm25.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import simplemma
import Stemmer
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from bot.wordforms import base_verb

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

_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)(?![^\W\d_])|\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*",
    re.UNICODE,
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_STEMMER = Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lowercase word and number tokens, apostrophes folded, possessive 's dropped."""
    text = fold_latin(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower())
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
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


def analyze(text: str) -> list[str]:
    """Index terms of `text`: tokens without stopwords, lemmatised and stemmed."""
    return [term for token in tokenize(text) if (term := _term(token))]


def term_of(token: str) -> str | None:
    """The index term of one token from `tokenize` (None for a stopword)."""
    return _term(token)


def plain_tokens(text: str) -> list[str]:
    """The baseline analysis: lowercase whitespace tokens, nothing else."""
    return text.lower().split()


# Number words and ordinals are the numbers they name: "second" meets "number two" and "2nd".
_NUMBER_WORDS = {
    word: str(value)
    for value, words in enumerate(
        (
            "zero",
            "one first",
            "two second",
            "three third",
            "four fourth",
            "five fifth",
            "six sixth",
            "seven seventh",
            "eight eighth",
            "nine ninth",
            "ten tenth",
            "eleven eleventh",
            "twelve twelfth",
        )
    )
    for word in words.split()
}
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_ORDINAL_DIGITS = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


@lru_cache(maxsize=200_000)
def _term(token: str) -> str | None:
    if token in STOPWORDS:
        return None
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    if ordinal := _ORDINAL_DIGITS.match(token):
        return ordinal.group(1)
    if _THOUSANDS.fullmatch(token):
        return token.replace(",", "")  # "1,378" meets "1378"
    if token.isdigit() or not token.isascii():
        return token
    verb = base_verb(token)
    if verb in STOPWORDS:
        verb = None  # "owner" -> "own", a stopword ("their own"): keep the noun
    lemma = verb or simplemma.lemmatize(token, lang="en").lower()
    return _STEMMER.stemWord(lemma)


def _cjk_bigrams(token: str) -> list[str]:
    if len(token) == 1:
        return [token]
    return [token[i : i + 2] for i in range(len(token) - 1)]


BM25_VARIANTS = {"okapi": BM25Okapi, "plus": BM25Plus, "l": BM25L}


@dataclass(frozen=True)
class BM25Config:
    """Which rank-bm25 scorer to use and its parameters.

    The defaults are the bot's: BM25Plus scored best on Cranfield (README) and, unlike
    BM25Okapi, gives "tesla" a positive weight in sources that all mention Tesla. rank-bm25
    adds `delta` to every passage alike, so it does not change the ranking.
    """

    variant: str = "plus"
    k1: float = 2.0
    b: float = 0.75
    delta: float = 1.0

    def build(self, corpus: Sequence[list[str]]) -> BM25Okapi | BM25Plus | BM25L:
        if self.variant == "okapi":
            return BM25Okapi(corpus, k1=self.k1, b=self.b)
        return BM25_VARIANTS[self.variant](corpus, k1=self.k1, b=self.b, delta=self.delta)


class PassageIndex:
    """BM25 over analysed passages, with document frequencies for relevance decisions."""

    def __init__(self, corpus: Sequence[list[str]], config: BM25Config = BM25Config()) -> None:
        if not corpus:
            raise ValueError("cannot index an empty corpus")
        self.size = len(corpus)
        # rank-bm25 divides by the average length: an all-empty corpus would divide by zero.
        self._bm25 = config.build([terms or [""] for terms in corpus])
        self._postings: dict[str, list[int]] = {}
        for doc_id, terms in enumerate(corpus):
            for term in set(terms):
                self._postings.setdefault(term, []).append(doc_id)

    def document_frequency(self, term: str) -> int:
        return len(self._postings.get(term, ()))

    def idf(self, term: str) -> float:
        """A never-negative IDF (Lucene's), for weighing terms: unseen terms weigh the most."""
        df = self.document_frequency(term)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def candidates(self, terms: Sequence[str]) -> list[int]:
        """Passages that contain at least one of `terms`, in index order."""
        found: set[int] = set()
        for term in set(terms):
            found.update(self._postings.get(term, ()))
        return sorted(found)

    def search(self, terms: Sequence[str], limit: int | None = None) -> list[tuple[int, float]]:
        """(passage id, BM25 score) of passages sharing a term with the query, best first."""
        doc_ids = self.candidates(terms)
        if not doc_ids:
            return []
        scores = np.asarray(self._bm25.get_batch_scores(list(terms), doc_ids), dtype=float)
        order = sorted(range(len(doc_ids)), key=lambda i: (-scores[i], doc_ids[i]))
        ranked = [(doc_ids[i], float(scores[i])) for i in order]
        return ranked[:limit] if limit is not None else ranked
