"""Which passages a question reaches, with BM25 score, coverage and term counts, in numpy.

A question of a few words can share a word with a third of the passages. Everything the answer
engine decides over all of them (coverage, the best coverage, how many question terms each
holds) is computed here from the postings of the question's terms in one pass each, so Python
only ever loops over the few hundred passages that can be cited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bot.corpus import IndexedCorpus

# Words found in the sentences around a passage (same paragraph) count as its context.
CONTEXT_SENTENCES = 2
_NEIGHBOURS = [o for o in range(-CONTEXT_SENTENCES, CONTEXT_SENTENCES + 1) if o]


@dataclass(frozen=True)
class Matches:
    """Every passage holding at least one question term (ascending ids), aligned arrays."""

    doc_ids: np.ndarray
    scores: np.ndarray  # BM25 (rank-bm25's score)
    coverage: np.ndarray  # share of the question's weight in the passage (context counts less)
    held: np.ndarray  # how many question terms the passage itself holds


class Matcher:
    """Scores and coverage of passages for weighted question terms."""

    def __init__(self, corpus: IndexedCorpus, context_weight: float) -> None:
        self.index = corpus.index
        self.source_of = corpus.source_of
        self._block_of = corpus.block_of
        self._context_weight = context_weight

    def match(self, weights: dict[str, float]) -> Matches:
        """Coverage is summed term by term in question order, exactly as a loop would."""
        size = self.index.size
        postings, values = [], []
        held = []
        for term, weight in weights.items():
            own = self.index.postings(term)
            near = self._near(own)
            postings += [own, near]
            values += [np.full(len(own), weight), np.full(len(near), self._context_weight * weight)]
            held.append(own)
        if not held:
            empty = np.empty(0)
            return Matches(np.empty(0, dtype=np.int64), empty, empty, empty)
        count = np.bincount(np.concatenate(held), minlength=size)
        doc_ids = np.flatnonzero(count)
        total = sum(weights.values())
        shared = np.bincount(np.concatenate(postings), np.concatenate(values), minlength=size)
        coverage = shared[doc_ids] / total if total else np.zeros(len(doc_ids))
        scores = self.index.scores(list(weights))[doc_ids]
        return Matches(doc_ids, scores, coverage, count[doc_ids])

    def hits(self, terms: Iterable[str], doc_ids: np.ndarray) -> np.ndarray:
        """How many of `terms` each passage in `doc_ids` holds."""
        held = [self.index.postings(term) for term in terms]
        if not held:
            return np.zeros(len(doc_ids), dtype=np.int64)
        return np.bincount(np.concatenate(held), minlength=self.index.size)[doc_ids]

    def _near(self, own: np.ndarray) -> np.ndarray:
        """Passages within CONTEXT_SENTENCES of one in `own`, same paragraph, not in `own`.

        Computed per question term (a mask over the passages, no sort): storing every
        passage's context terms would take more memory than the index itself.
        """
        near = np.zeros(self.index.size, dtype=bool)
        for offset in _NEIGHBOURS:
            there = own + offset
            inside = (there >= 0) & (there < self.index.size)
            here, there = own[inside], there[inside]
            near[there[self._block_of[there] == self._block_of[here]]] = True
        near[own] = False
        return np.flatnonzero(near)
