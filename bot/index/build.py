"""A source's text analysed: its passages and their terms as ids into a growing vocabulary.

This is what building an engine costs (splitting sentences, tokenising, lemmatising, stemming,
and the scan for names), so it is made cheap three ways: each distinct token is analysed once,
after which tokens become term ids by a dictionary look-up made in C; sources are read in
batches, a batch's passages tokenised and their names counted in one regex pass
(`bot.index.names.NameCounter`); and a large
library is shared by two worker processes, one per core.

A worker only splits, tokenises and counts: it numbers its distinct tokens (stopwords out) in
order of first sight, and the caller, whose lemmatisers are loaded, turns each distinct token
into its term. So a worker starts in a fraction of a second (this module imports no
lemmatiser), and the terms come out numbered in order of first sight, as one process numbers
them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import numpy as np

from bot.index.names import NameCounter, NameTally
from bot.passages.sentences import passage_spans
from bot.passages.tokens import TEXT_SEPARATOR, is_term_token, scan_ascii, tokenize

log = logging.getLogger(__name__)

# An empty analysis (a sentence of stopwords) is indexed as one empty term, as rank-bm25 was
# given it, so that lengths and averages stay rank-bm25's.
EMPTY_TERM = ""

# Token -> its index term, None for a stopword (`bot.retrieval.term_of`).
TermOf = Callable[[str], "str | None"]


def token_as_term(token: str) -> str | None:
    """A token as its own term (None where `bot.retrieval.term_of` gives None: a stopword or
    an overlong token): how a worker numbers tokens, leaving the lemmatising to the process it
    works for."""
    return token if is_term_token(token) else None


@dataclass(frozen=True)
class SourceAnalysis:
    """One source's passages (paragraph, start, end) and their terms as store vocabulary ids."""

    spans: np.ndarray  # (passages, 3) int64
    lengths: np.ndarray  # terms per passage, int64, each >= 1
    term_ids: np.ndarray  # int32, the passages' terms one after another


class Analyser:
    """Source texts -> `SourceAnalysis` each, numbering terms (`term_of` of each token) in `ids`
    (term -> id) in order of first sight. Each distinct token is analysed once (`_TokenIds`):
    after that, tokens become term ids by one dictionary look-up each, made in C. Sources are
    read a batch at a time: a batch's passages are tokenised, and their names counted, in one
    regex pass, and its term ids are one array, cut into each source's part at the end.

    The words a build analysed are kept (`term_of`) until `forget_terms`: the scan for names
    meets most of them again."""

    def __init__(self, ids: dict[str, int], term_of: TermOf) -> None:
        self.ids = ids
        # kept apart from the analyser: no reference cycle, so a dropped store is freed by
        # reference counting even once `gc.freeze` has put it out of the collector's reach
        self._kept = _KeptTerms(term_of)
        self.term_of: TermOf = self._kept.term
        self._token_ids = _TokenIds(ids, self.term_of)

    def analyse_tokens_with(self, term_of: TermOf) -> None:
        """Analyse new tokens with `term_of` from now on (a cached one, for a small build)."""
        self._kept.analyse = term_of

    def forget_terms(self) -> None:
        """Drop the kept words (every distinct word of the last build)."""
        self._kept.terms.clear()

    def prepare(self, tokens: Iterable[str]) -> None:
        """Analyse `tokens` ahead of numbering them (`ids_of`), so that numbering is quick and
        ids stay in order of first sight, whenever the tokens were analysed."""
        for token in tokens:
            if token != EMPTY_TERM:
                self.term_of(token)

    def ids_of(self, tokens: list[str]) -> np.ndarray:
        """The ids of the terms of `tokens`, new ones numbered in order; -1 for a stopword. The
        empty term is its own."""
        ids = self.ids
        found = np.empty(len(tokens), dtype=np.int32)
        for i, token in enumerate(tokens):
            term = EMPTY_TERM if token == EMPTY_TERM else self.term_of(token)
            found[i] = -1 if term is None else ids.setdefault(term, len(ids))
        return found

    def analyse(
        self,
        texts: Sequence[str],
        names: NameCounter,
        after_batch: Callable[[], object] = lambda: None,
    ) -> list[SourceAnalysis]:
        """Each text's analysis, in order; their passages' names are added to `names`, and
        `after_batch` is called after each batch."""
        analyses: list[SourceAnalysis] = []
        batch: list[_Passages] = []
        size = 0
        for text in texts:
            found = passage_spans(text)
            batch.append(_Passages(found, [text[start:end] for _, start, end in found]))
            size += len(text)
            if size >= BATCH_CHARS:
                analyses += self._analyse_batch(batch, names)
                after_batch()
                batch, size = [], 0
        if batch:
            analyses += self._analyse_batch(batch, names)
            after_batch()
        return analyses

    def _analyse_batch(self, batch: list[_Passages], names: NameCounter) -> list[SourceAnalysis]:
        everything = [passage for source in batch for passage in source.texts]
        scan = scan_ascii(everything)
        if scan is None:  # some text the one pass cannot read: source by source
            return [self._analysed(s, count_names(s.texts, names)) for s in batch]
        names.add_ascii(everything, scan.joined, scan.words)
        known = len(self.ids)
        lengths, term_ids = self._term_ids(scan.tokens)
        if term_ids is None:
            # The empty term is numbered where first seen, among its source's new terms.
            self._forget_terms_from(known)
            return [self._analysed(s, _tokens(s.texts)) for s in batch]
        counts = np.array([len(source.spans) for source in batch], dtype=np.int64)
        all_spans = [span for source in batch for span in source.spans]
        spans = np.array(all_spans, dtype=np.int64).reshape(-1, 3)
        return by_source(counts, spans, lengths, term_ids)

    def _analysed(self, source: _Passages, tokens: list[str]) -> SourceAnalysis:
        """One source's analysis from its tokens (TEXT_SEPARATOR before each passage's)."""
        spans = np.array(source.spans, dtype=np.int64).reshape(-1, 3)
        known = len(self.ids)
        lengths, term_ids = self._term_ids(tokens)
        if term_ids is None:
            self._forget_terms_from(known)
            return self._with_empty_passages(source.texts, spans)
        return SourceAnalysis(spans, lengths, term_ids)

    def _term_ids(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Terms per passage and the term ids, passage after passage, of `tokens`; a passage
        without a term holds the empty term. None for the ids when the empty term is needed
        before it has an id (the caller takes back the ids numbered since it began)."""
        ids = np.fromiter(map(self._token_ids.__getitem__, tokens), np.int32, count=len(tokens))
        kept = ids >= 0
        kept_before = np.concatenate(([0], np.cumsum(kept)))
        # a separator before each passage's tokens, and the end of the last
        bounds = kept_before[np.concatenate((ids == _SEPARATOR_ID, [True]))]
        starts = bounds[:-1]
        lengths = bounds[1:] - starts
        term_ids = ids[kept]
        empty = lengths == 0
        if empty.any():
            if EMPTY_TERM not in self.ids:
                return lengths, None
            term_ids = np.insert(term_ids, starts[empty], self.ids[EMPTY_TERM])
            lengths[empty] = 1
        return lengths, term_ids

    def _with_empty_passages(self, passages: list[str], spans: np.ndarray) -> SourceAnalysis:
        """The term by term analysis `analyse` saves work over (for the first empty passage)."""
        term_lists = [self._passage_terms(passage) or [EMPTY_TERM] for passage in passages]
        ids = self.ids
        term_ids = np.fromiter(
            (ids.setdefault(term, len(ids)) for term in chain.from_iterable(term_lists)),
            dtype=np.int32,
            count=sum(map(len, term_lists)),
        )
        lengths = np.fromiter(map(len, term_lists), dtype=np.int64, count=len(term_lists))
        return SourceAnalysis(spans, lengths, term_ids)

    def _passage_terms(self, passage: str) -> list[str]:
        return [term for token in tokenize(passage) if (term := self.term_of(token))]

    def _forget_terms_from(self, first: int) -> None:
        """Take back the ids from `first` on (and the tokens that led to them)."""
        for term in list(self.ids)[first:]:
            del self.ids[term]
        token_ids = self._token_ids
        for token in [token for token, found in token_ids.items() if found >= first]:
            del token_ids[token]


# Sources are analysed in batches of about this many characters (`Analyser.analyse`): large
# enough that the work per batch, not per source, is what costs.
BATCH_CHARS = 200_000


class _Passages(NamedTuple):
    """A source's passages: (paragraph, start, end) and their texts."""

    spans: list[tuple[int, int, int]]
    texts: list[str]


def count_names(passages: list[str], names: NameCounter) -> list[str]:
    """The tokens of a source's `passages`, TEXT_SEPARATOR before each passage's, with their
    names added to `names`: for ASCII text, one regex pass serves both."""
    scan = scan_ascii(passages)
    if scan is None:
        names.add(passages)
        return _tokens(passages)
    names.add_ascii(passages, scan.joined, scan.words)
    return scan.tokens


def _tokens(passages: list[str]) -> list[str]:
    """The tokens of `passages`, TEXT_SEPARATOR before each passage's."""
    return list(chain.from_iterable((TEXT_SEPARATOR, *tokenize(p)) for p in passages))


# What `_TokenIds` gives TEXT_SEPARATOR: below every term id and the stopwords' -1.
_SEPARATOR_ID = -2


class _KeptTerms:
    """A token's term (None for a stopword) by `analyse`, kept until `terms` is cleared."""

    def __init__(self, analyse: TermOf) -> None:
        self.analyse = analyse
        self.terms: dict[str, str | None] = {}

    def term(self, token: str) -> str | None:
        terms = self.terms
        if token in terms:
            return terms[token]
        term = terms[token] = self.analyse(token)
        return term


class _TokenIds(dict[str, int]):
    """Token -> id of its term in `ids`, or -1 for a stopword; a token is analysed (`term_of`)
    the first time it is looked up."""

    def __init__(self, ids: dict[str, int], term_of: TermOf) -> None:
        super().__init__({TEXT_SEPARATOR: _SEPARATOR_ID})
        self._ids = ids
        self._term_of = term_of

    def __missing__(self, token: str) -> int:
        term = self._term_of(token)
        ids = self._ids
        found = ids.setdefault(term, len(ids)) if term else -1
        self[token] = found
        return found


def by_source(
    counts: np.ndarray, spans: np.ndarray, lengths: np.ndarray, term_ids: np.ndarray
) -> list[SourceAnalysis]:
    """Arrays of consecutive sources (`counts` passages each) cut into each one's analysis."""
    cuts = np.cumsum(counts)[:-1]  # where each source but the first starts
    term_cuts = np.concatenate(([0], np.cumsum(lengths)))[cuts]
    parts = zip(
        np.split(spans, cuts),
        np.split(lengths, cuts),
        np.split(term_ids, term_cuts),
        strict=True,
    )
    return [SourceAnalysis(*arrays) for arrays in parts]


def name_tally_of(texts: Sequence[str], analyses: Sequence[SourceAnalysis]) -> NameTally:
    """The names' tally of analysed texts (sources whose analysis was cached or saved)."""
    names = NameCounter()
    for text, analysis in zip(texts, analyses, strict=True):
        count_names([text[start:end] for _, start, end in analysis.spans.tolist()], names)
    return names.tally()
