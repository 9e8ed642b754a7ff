"""Text analysis and BM25 ranking: pure, deterministic, no I/O.

`analyze` turns text into index terms (lowercase, stopwords out, irregular forms lemmatised by
simplemma, nouns made from verbs taken back to the verb by `bot.english.wordforms`, then
Snowball-stemmed by PyStemmer), so "ban"/"banned"/"bans", "sell"/"sold", "driver"/"drives"
and "Teslas"/"Tesla's" meet. `PassageIndex` scores term lists with BM25 as a sparse-matrix
product, equal to rank-bm25's scores (rank-bm25 stays the reference the tests compare with).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import simplemma
import Stemmer
from rank_bm25 import BM25L, BM25Okapi, BM25Plus
from scipy import sparse

from bot.english.function_words import STOPWORDS
from bot.english.wordforms import base_verb, is_participle_adverb
from bot.passages.tokens import is_term_token, tokenize

_STEMMER = Stemmer.Stemmer("english")
# Without a cache of its own: `_term` keeps the terms, and a second cache of the same words
# would only hold memory.
_LEMMATIZER = simplemma.Lemmatizer(cache_max_size=0)


def analyze(text: str) -> list[str]:
    """Index terms of `text`: tokens without stopwords, lemmatised and stemmed."""
    return [term for token in tokenize(text) if (term := _term(token))]


def term_of(token: str) -> str | None:
    """The index term of one token from `tokenize` (None for a stopword or a token longer than
    any word, `bot.passages.tokens.is_term_token`); recent ones are cached, as questions and
    excerpts repeat words."""
    return _term(token)


def load_dictionaries() -> None:
    """Load the lemmatisers' tables now (each loads at its first word, ~0.5 s in all)."""
    _term("drivers")  # simplemma's, and lemminflect's for the derived noun


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


def term_of_uncached(token: str) -> str | None:
    """`term_of` without its cache, for a build or a scan of the whole library: it meets
    each distinct word once (an `Analyser` keeps token -> id), and caching them all would only
    hold memory (~40 MiB at 160k passages)."""
    if not is_term_token(token):
        return None
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    if ordinal := _ORDINAL_DIGITS.match(token):
        return ordinal.group(1)
    if _THOUSANDS.fullmatch(token):
        return token.replace(",", "")  # "1,378" meets "1378"
    if token.isdigit() or not token.isascii():
        return token
    if is_participle_adverb(token):
        return token  # "increasingly" is not "increase" (bot.english.wordforms)
    verb = base_verb(token)
    if verb in STOPWORDS:
        verb = None  # "owner" -> "own", a stopword ("their own"): keep the noun
    lemma = verb or _LEMMATIZER.lemmatize(token, lang="en").lower()
    if lemma in STOPWORDS:
        lemma = token  # "us" -> "we", a stopword: "US" may be the country, keep the word
    return _STEMMER.stemWord(lemma)


_term = lru_cache(maxsize=100_000)(term_of_uncached)


# A group of more terms than this (every figure of the sources) has its passages kept (`marks`).
LARGE_GROUP = 256

BM25_VARIANTS = {"okapi": BM25Okapi, "plus": BM25Plus, "l": BM25L}


@dataclass(frozen=True)
class BM25Config:
    """Which BM25 variant to use and its parameters (rank-bm25's names and formulas).

    The defaults are the bot's: BM25Plus scored best on Cranfield (README) and, unlike
    BM25Okapi, gives "tesla" a positive weight in sources that all mention Tesla. BM25Plus
    adds `delta` times each query term's IDF to every passage alike, so it does not change the
    ranking.
    """

    variant: str = "plus"
    k1: float = 2.0
    b: float = 0.75
    delta: float = 1.0

    def build(self, corpus: Sequence[list[str]]) -> BM25Okapi | BM25Plus | BM25L:
        """The rank-bm25 scorer itself: the reference `PassageIndex` is checked against."""
        if self.variant == "okapi":
            return BM25Okapi(corpus, k1=self.k1, b=self.b)
        return BM25_VARIANTS[self.variant](corpus, k1=self.k1, b=self.b, delta=self.delta)


class Ranking:
    """What every index offers on top of `postings` and `scores` (a passage index, or a
    layered one: `bot.index.layered`): `size` passage slots, `passage_count` of them indexed."""

    size: int
    passage_count: int
    _large_groups: dict[AbstractSet[str], np.ndarray]

    def postings(self, term: str) -> np.ndarray:
        raise NotImplementedError

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def marks(self, terms: AbstractSet[str]) -> np.ndarray:
        """Which passages hold at least one of `terms` (a boolean per passage slot); kept for a
        large group (every figure of the library). Do not modify."""
        large = len(terms) > LARGE_GROUP
        if large and (cached := self._large_groups.get(terms)) is not None:
            return cached
        held = self._marks(terms)
        if large:
            self._large_groups[terms] = held
        return held

    def _marks(self, terms: Iterable[str]) -> np.ndarray:
        held = np.zeros(self.size, dtype=bool)
        for term in terms:
            held[self.postings(term)] = True
        return held

    def candidates(self, terms: Sequence[str]) -> np.ndarray:
        """Passages that contain at least one of `terms`, ascending."""
        return np.flatnonzero(self.marks(set(terms)))

    def search(self, terms: Sequence[str], limit: int | None = None) -> list[tuple[int, float]]:
        """(passage id, BM25 score) of passages sharing a term with the query, best first."""
        doc_ids = self.candidates(terms)
        if not len(doc_ids):
            return []
        scores = self.scores(terms)[doc_ids]
        if limit is not None and limit < len(doc_ids):
            keep = scores >= np.partition(scores, len(scores) - limit)[len(scores) - limit]
            doc_ids, scores = doc_ids[keep], scores[keep]
        order = np.lexsort((doc_ids, -scores))[:limit]
        return list(zip(doc_ids[order].tolist(), scores[order].tolist(), strict=True))


class PassageIndex(Ranking):
    """Exact BM25 over analysed passages, scored as one sparse-matrix product.

    Scores equal rank-bm25's `get_scores` (same IDF formulas, BM25Okapi's epsilon floor, an
    empty passage counted as one empty term): a passage-by-term matrix holds each term's
    weight in each passage, a query is a vector of term counts, and the scores are their
    product plus the part BM25Plus gives every passage alike. The matrix's columns double as
    the postings (which passages hold a term) the answer engine reads coverage from. The raw
    term frequencies and passage lengths are kept too (`term_frequencies`, `lengths`): a
    layered index (`bot.index.layered`) weighs them again with the statistics of a library
    this index is part of.
    """

    def __init__(self, corpus: Sequence[Sequence[str]], config: BM25Config = BM25Config()) -> None:
        if not corpus:
            raise ValueError("cannot index an empty corpus")
        columns: dict[str, int] = {}
        # rank-bm25 divides by the average length: an empty passage counts as one empty term.
        term_ids = [columns.setdefault(t, len(columns)) for ts in corpus for t in (ts or ("",))]
        lengths = np.fromiter((len(ts) or 1 for ts in corpus), dtype=np.int64, count=len(corpus))
        self._build(list(columns), np.asarray(term_ids, dtype=np.int32), lengths, config)

    @classmethod
    def from_term_ids(
        cls,
        vocabulary: list[str],
        term_ids: np.ndarray,
        lengths: np.ndarray,
        config: BM25Config = BM25Config(),
    ) -> PassageIndex:
        """An index from passages given as runs of `lengths` ids into `vocabulary` (no empties)."""
        if len(lengths) == 0:
            raise ValueError("cannot index an empty corpus")
        index = cls.__new__(cls)
        index._build(vocabulary, term_ids, lengths, config)
        return index

    def _build(
        self, vocabulary: list[str], term_ids: np.ndarray, lengths: np.ndarray, config: BM25Config
    ) -> None:
        self.size = self.passage_count = len(lengths)
        self.config = config
        self._large_groups = {}
        self.vocabulary = vocabulary
        self._columns = {term: column for column, term in enumerate(vocabulary)}
        ones = np.ones(len(term_ids), dtype=np.float32)  # small counts: exact in float32
        shape = (self.size, len(vocabulary))
        # Passages are runs of `term_ids`: rows of a CSR matrix, turned by columns; within a
        # column, a passage's repeats of the term are neighbours, summed into its tf.
        row_starts = np.concatenate(([0], np.cumsum(lengths)))
        counts = sparse.csr_matrix((ones, term_ids, row_starts), shape=shape).tocsc()
        del ones, row_starts
        counts.sum_duplicates()
        counts.sort_indices()
        self._df = np.diff(counts.indptr)
        self.total_length = int(lengths.sum())
        self.lengths = lengths.astype(np.min_scalar_type(int(lengths.max())))
        tf = counts.data
        self.term_frequencies = tf.astype(np.min_scalar_type(int(tf.max(initial=0))))
        idf = _idf(config, self.size, self._df)
        norm = length_norms(lengths, self.total_length / self.size, config)
        weights = counts.data.astype(np.float64)  # tf, made weights in place
        indices, indptr = counts.indices, counts.indptr
        del counts  # its float32 counts: `weights` has them
        # Column by column, a few hundred thousand entries at a time: each entry's arithmetic is
        # the same as over the whole array, and no temporary is as large as the matrix.
        for first, last in _column_runs(indptr, _CHUNK):
            tf = weights[indptr[first] : indptr[last]]
            weigh(tf, norm[indices[indptr[first] : indptr[last]]], config)
            tf *= np.repeat(idf[first:last], self._df[first:last])
        self._weights = sparse.csc_matrix((weights, indices, indptr), shape=shape)
        # BM25Plus scores `delta` for a term even in passages without it: the same for all.
        self._everywhere = everywhere(idf, config)

    def document_frequency(self, term: str) -> int:
        column = self._columns.get(term)
        return 0 if column is None else int(self._df[column])

    def idf(self, term: str) -> float:
        """A never-negative IDF (Lucene's), for weighing terms: unseen terms weigh the most."""
        return lucene_idf(self.passage_count, self.document_frequency(term))

    def column(self, term: str) -> int | None:
        """The term's column in the index's matrices, or None when no passage holds it."""
        return self._columns.get(term)

    def column_entries(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids ascending, raw term frequencies) of one column (views: do not modify)."""
        indptr = self._weights.indptr
        run = slice(indptr[column], indptr[column + 1])
        return self._weights.indices[run], self.term_frequencies[run]

    def frequencies_among(self, marked: np.ndarray) -> np.ndarray:
        """How many of each column's passages are `marked` (a boolean per passage)."""
        indptr = self._weights.indptr
        return np.add.reduceat(marked[self._weights.indices].astype(np.int64), indptr[:-1])

    def column_frequencies(self) -> np.ndarray:
        """Each column's document frequency (a view: do not modify)."""
        return self._df

    def postings(self, term: str) -> np.ndarray:
        """Ids of the passages holding `term`, ascending (a view: do not modify)."""
        column = self._columns.get(term)
        if column is None:
            return np.empty(0, dtype=np.int32)
        indptr = self._weights.indptr
        return self._weights.indices[indptr[column] : indptr[column + 1]]

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query `terms` (repeats count, as in rank-bm25)."""
        found = Counter(self._columns[t] for t in terms if t in self._columns)
        if not found:
            return np.zeros(self.size)
        columns = np.fromiter(found, dtype=np.int64, count=len(found))
        counts = np.fromiter(found.values(), dtype=np.float64, count=len(found))
        return self._weights[:, columns] @ counts + float(self._everywhere[columns] @ counts)


def length_norms(lengths: np.ndarray, average: float, config: BM25Config) -> np.ndarray:
    """rank-bm25's length normalisation of passages of `lengths` terms."""
    return 1 - config.b + config.b * lengths.astype(np.float64) / average


def weigh(tf: np.ndarray, norms: np.ndarray, config: BM25Config) -> None:
    """rank-bm25's term-frequency part of each entry, in place (float64 `tf`, before the IDF)."""
    k1 = config.k1
    if config.variant == "l":
        ctd = tf / norms
        tf[:] = tf * (k1 + 1) * (ctd + config.delta) / (k1 + ctd + config.delta)
    else:  # plus and okapi: tf (k1 + 1) / (tf + k1 norm)
        denominator = k1 * norms
        denominator += tf
        tf *= k1 + 1
        tf /= denominator


def everywhere(idf: np.ndarray, config: BM25Config) -> np.ndarray:
    """What each term adds to every passage alike: BM25Plus's `delta` times its IDF."""
    return idf * config.delta if config.variant == "plus" else np.zeros_like(idf)


def lucene_idf(size: int, df: int) -> float:
    """Lucene's never-negative IDF of a term in `df` of `size` passages."""
    return math.log(1 + (size - df + 0.5) / (df + 0.5))


# Matrix entries computed at a time when building an index (`PassageIndex._build`).
_CHUNK = 1 << 18


def _column_runs(indptr: np.ndarray, entries: int) -> list[tuple[int, int]]:
    """Runs of consecutive columns of a CSC matrix holding about `entries` entries each."""
    cuts = np.searchsorted(indptr, np.arange(0, int(indptr[-1]), entries), side="right") - 1
    bounds = np.unique(np.concatenate((cuts, [len(indptr) - 1])))
    return list(itertools.pairwise(bounds.tolist()))


def _idf(config: BM25Config, size: int, df: np.ndarray, average: float | None = None) -> np.ndarray:
    """rank-bm25's IDF for each term, from its document frequency. BM25Okapi's floor is
    `okapi_average` of the library's terms: of `df`'s when not given."""
    if config.variant == "plus":
        return np.log((size + 1) / df)
    if config.variant == "l":
        return math.log(size + 1) - np.log(df + 0.5)
    idf = np.log(size - df + 0.5) - np.log(df + 0.5)
    # BM25Okapi floors negative IDFs at epsilon (0.25) times the average IDF.
    floor = 0.25 * (okapi_average(size, df) if average is None else average)
    return np.where(idf < 0, floor, idf)


def okapi_average(size: int, df: np.ndarray) -> float:
    """BM25Okapi's average IDF over a library's terms (`df`: each one's document frequency),
    correctly rounded (`math.fsum`): the same whatever order the terms come in."""
    idf = np.log(size - df + 0.5) - np.log(df + 0.5)
    return math.fsum(idf.tolist()) / len(idf)
