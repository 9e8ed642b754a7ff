"""Which passages a question reaches, with BM25 score, coverage and term counts, in numpy.

A question of a few words can share a word with a third of the passages. Everything the answer
engine decides over all of them (coverage, the best coverage, how many question terms each
holds) is computed here from the postings of the question's terms in one pass each, so Python
only ever loops over the few hundred passages that can be cited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from bot.index.headlines import Headlines
from bot.index.store import IndexedCorpus
from bot.index.tables import TableRows
from bot.passages.sentences import Passage
from bot.relevance.reading import MIN_NAME_SHARE, Query

# Words found in the sentences around a passage (same paragraph) count as its context.
CONTEXT_SENTENCES = 2
_NEIGHBOURS = [o for o in range(-CONTEXT_SENTENCES, CONTEXT_SENTENCES + 1) if o]


@dataclass(frozen=True)
class Matches:
    """Every passage holding at least one question term (ascending ids), aligned arrays."""

    doc_ids: np.ndarray
    scores: np.ndarray  # BM25 (rank-bm25's score)
    coverage: np.ndarray  # share of the question's weight (context counts less); 0 when vetoed
    held: np.ndarray  # how many question terms the passage itself holds
    answers: np.ndarray  # whether the passage holds the kind of answer asked (a date for "when")


class Matcher:
    """Scores and coverage of passages for a question (`bot.relevance.reading.Query`), in numpy.

    A passage *holds* a group of terms (a question term and the words that meet it) when one of
    them is among its own terms, or, for a table row, among its table's column names. The group
    is *near* when a sentence around it (same paragraph, `CONTEXT_SENTENCES` either side) holds
    one; a table row's context is the line titling its table instead. A source's headline
    (`bot.index.headlines`) is context for every passage under it, and a name it holds is the
    subject of each of them: held, as if the passage named it ("Net 1.2 mln vs 1.0 mln" under
    "ACME CORP 1ST QTR NET" answers "What was Acme's first quarter net?").
    """

    def __init__(
        self,
        corpus: IndexedCorpus,
        context_weight: float,
        rows: TableRows,
        headlines: Headlines | None = None,
    ) -> None:
        self.index = corpus.index
        self.source_of = corpus.source_of
        self._headlines = headlines or Headlines()
        self._block_of = corpus.block_of
        self._context_weight = context_weight
        self._rows = rows

    def marks(self, group: AbstractSet[str]) -> np.ndarray:
        """Which passages hold a term of `group` (the index keeps those of a large group)."""
        return self.index.marks(group)

    def around(self, passage_id: int, reach: int = CONTEXT_SENTENCES) -> list[int]:
        """A passage and the sentences within `reach` of it in its paragraph, in order: the
        sentences `match` reads as its context."""
        block = self._block_of[passage_id]
        first, last = max(0, passage_id - reach), min(self.index.size, passage_id + reach + 1)
        return [j for j in range(first, last) if self._block_of[j] == block]

    def match(self, query: Query) -> Matches:
        """Coverage as `bot.relevance.query` defines it, for every passage holding a question
        term."""
        count = self._counts(query.terms)
        if count is None:
            empty = np.empty(0)
            return Matches(np.empty(0, dtype=np.int64), empty, empty, empty, empty)
        doc_ids = np.flatnonzero(count)
        presence = _Presence(self, doc_ids)
        shared = np.zeros(len(doc_ids))
        for term, weight in query.weights.items():
            group = query.matches.get(term, frozenset((term,)))
            own, near = presence.of(group)
            if term in query.names:
                own = own | presence.headed(group)
            shared += np.where(own, weight, np.where(near, self._context_weight * weight, 0.0))
        total = sum(query.weights.values())
        coverage = shared / total if total else np.zeros(len(doc_ids))
        keep = np.ones(len(doc_ids), dtype=bool)
        for group in query.required:
            own, near = presence.of(group)
            keep &= own | near
        for group in query.required_own:
            keep &= presence.of(group)[0]
        names = sum(query.names.values())
        if names:
            named = np.zeros(len(doc_ids))
            for name, weight in query.names.items():
                own, near = presence.of(query.name_forms[name])
                named += np.where(own | near | presence.headed(query.name_forms[name]), weight, 0.0)
            keep &= named >= MIN_NAME_SHARE * names
        coverage = np.where(keep, coverage, 0.0)
        scores = self.index.scores(query.terms)[doc_ids]
        answers = presence.of(query.answer_terms)[0]
        return Matches(doc_ids, scores, coverage, count[doc_ids], answers)

    def near_all(self, groups: Iterable[frozenset[str]], doc_ids: np.ndarray) -> np.ndarray:
        """Which of `doc_ids` hold, or have in the sentences around them, a term of every
        group."""
        presence = _Presence(self, doc_ids)
        held = np.ones(len(doc_ids), dtype=bool)
        for group in groups:
            own, near = presence.of(group)
            held &= own | near
        return held

    def hits(self, terms: Iterable[str], doc_ids: np.ndarray) -> np.ndarray:
        """How many of `terms` each passage in `doc_ids` holds."""
        count = self._counts(terms)
        return np.zeros(len(doc_ids), dtype=np.int64) if count is None else count[doc_ids]

    def _counts(self, terms: Iterable[str]) -> np.ndarray | None:
        """How many of `terms` each passage holds; None for no terms."""
        held = [self.index.postings(term) for term in terms]
        return np.bincount(np.concatenate(held), minlength=self.index.size) if held else None


class _Presence:
    """Which of `doc_ids` hold a group of terms, and which have it near; cached per group."""

    def __init__(self, matcher: Matcher, doc_ids: np.ndarray) -> None:
        self._matcher = matcher
        self._doc_ids = doc_ids
        self._cache: dict[frozenset[str], tuple[np.ndarray, np.ndarray]] = {}
        size = matcher.index.size
        block_of = matcher._block_of
        # For each offset: the neighbour's id and whether it is in the same paragraph.
        self._neighbours = []
        for offset in _NEIGHBOURS:
            there = doc_ids + offset
            inside = (there >= 0) & (there < size)
            there = np.clip(there, 0, size - 1)
            same = inside & (block_of[there] == block_of[doc_ids])
            self._neighbours.append((there, same))
        self._is_row = matcher._rows.is_row[doc_ids]
        self._source_of = matcher.source_of[doc_ids]
        self._headed: dict[frozenset[str], np.ndarray] = {}

    def headed(self, group: frozenset[str]) -> np.ndarray:
        """Whether the headline of each of `doc_ids`' sources holds a term of `group`."""
        if group not in self._headed:
            headlines = self._matcher._headlines
            if headlines.terms:
                sources = _marked(headlines.sources, headlines.terms.get, group)
                self._headed[group] = sources[self._source_of]
            else:  # no headline read (a matcher made without them)
                self._headed[group] = np.zeros(len(self._source_of), dtype=bool)
        return self._headed[group]

    def of(self, group: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        """(holds, has near) for each of `doc_ids`."""
        if group not in self._cache:
            self._cache[group] = self._compute(group)
        return self._cache[group]

    def _compute(self, group: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        matcher, doc_ids = self._matcher, self._doc_ids
        rows = matcher._rows
        mark = matcher.marks(group)
        own = mark[doc_ids]
        near = np.zeros(len(doc_ids), dtype=bool)
        for there, same in self._neighbours:
            near |= same & mark[there]
        near |= self.headed(group)
        if rows.columns or rows.subjects:
            own = own | _marked(len(mark), rows.columns.get, group)[doc_ids]
            titled = _marked(len(mark), rows.subjects.get, group)[doc_ids]
            near = np.where(self._is_row, titled, near)
        return own, near & ~own


def _marked(
    size: int, postings: Callable[[str], np.ndarray | None], group: frozenset[str]
) -> np.ndarray:
    """Which of `size` passages hold a term of `group`, given each term's passage ids."""
    mark = np.zeros(size, dtype=bool)
    for term in group:
        ids = postings(term)
        if ids is not None:
            mark[ids] = True
    return mark


@dataclass(frozen=True)
class Neighbours:
    """Which passages give the answer asked for, and which can be quoted as a neighbour that
    gives it (holding a word of the question and its qualifiers too)."""

    gives: np.ndarray
    eligible: np.ndarray
    passages: Sequence[Passage]
    matcher: Matcher

    def of(self, passage_id: int) -> int | None:
        """The position (in its source) of the neighbour to quote with a passage, if any."""
        if self.gives[passage_id]:
            return None
        in_paragraph = self.matcher.around(passage_id, reach=1)
        for j in (passage_id + 1, passage_id - 1):
            if j in in_paragraph and self.eligible[j]:
                return self.passages[j].position
        return None
