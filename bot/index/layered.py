"""A server's index as the shared base index, plus an overlay of what the server added, minus
what it hid: nothing of the base is copied.

A server's library is the base sources it did not hide, in base order, then its own
(`bot.library.base.library_sources`). Its passages are numbered as slots: the base's passages
first (hidden ones keep their slots, masked: no posting, score or citation reaches them), then
the overlay's. The visible passages keep the order an index built from the whole library gives
them, so ties rank the same. BM25 needs the whole library's statistics (passage count, average
length, each term's document frequency, BM25Okapi's average IDF), so the base keeps raw term
frequencies and lengths, and a server weighs only its question's terms, base and overlay
entries alike, with the same formulas (`bot.retrieval.weigh`): the scores are those of an
index of the whole library, bit for bit. What it costs a server: the overlay, a boolean per
base passage when it hides something, and a few small sets.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from bot.index.build import count_names
from bot.index.name_terms import TermCounts, is_name, term_counts
from bot.index.names import NameCounter
from bot.index.overlaid import Overlaid, overlaid
from bot.index.store import IndexedCorpus
from bot.passages.sentences import Passage, PassageList, _MadeWhenRead
from bot.retrieval import (
    PassageIndex,
    Ranking,
    _idf,
    everywhere,
    length_norms,
    lucene_idf,
    okapi_average,
    term_of,
    term_of_uncached,
    weigh,
)
from bot.sources import Source, SourceError


class Joined:
    """Two arrays read as one (`a[i]`, `a[ids]`): `first`, then `second` with `offset` added."""

    def __init__(self, first: Any, second: np.ndarray, offset: int = 0) -> None:
        self._first, self._second, self._offset = first, second, offset
        self._split = len(first)

    def __len__(self) -> int:
        return self._split + len(self._second)

    def __getitem__(self, key: Any) -> Any:
        split = self._split
        if isinstance(key, (int, np.integer)):
            return self._first[key] if key < split else self._second[key - split] + self._offset
        key = np.asarray(key)
        high = key >= split
        if not high.any():  # all in the base (most reads: the overlay is small)
            return self._first[key]
        found = self._first[np.minimum(key, split - 1)]
        found = found.astype(np.result_type(found, self._second), copy=False)
        found[high] = self._second[key[high] - split] + self._offset
        return found


class LayeredIndex(Ranking):
    """BM25 over `base` (its passages marked in `hidden` left out) and `overlay`, equal to an
    index of the library they make together (`bot.retrieval.PassageIndex`)."""

    def __init__(
        self, base: PassageIndex, overlay: PassageIndex | None, hidden: np.ndarray | None
    ) -> None:
        self.config = config = base.config
        self._base, self._overlay, self._hidden = base, overlay, hidden
        self._large_groups = {}
        self._offset = base.size
        self.size = base.size + (overlay.size if overlay is not None else 0)
        total = base.total_length + (overlay.total_length if overlay is not None else 0)
        hidden_df = np.zeros(0, dtype=np.int64)
        if hidden is not None:
            total -= int(base.lengths[hidden].sum(dtype=np.int64))
            hidden_df = base.frequencies_among(hidden)
        self.passage_count = self.size - (int(hidden.sum()) if hidden is not None else 0)
        if not self.passage_count:
            raise SourceError("the sources hold no sentences to quote")
        self._average_length = total / self.passage_count
        # base column -> how many of its passages are hidden (the columns hiding touched)
        touched = np.flatnonzero(hidden_df)
        self._hidden_df = dict(zip(touched.tolist(), hidden_df[touched].tolist(), strict=True))
        self._average_idf = (
            okapi_average(self.passage_count, self._library_frequencies(hidden_df))
            if config.variant == "okapi"
            else None
        )

    def _library_frequencies(self, hidden_df: np.ndarray) -> np.ndarray:
        """The document frequency of every term of the library (for BM25Okapi's average)."""
        df = self._base.column_frequencies().astype(np.int64)
        if len(hidden_df):
            df -= hidden_df
        new = []
        if self._overlay is not None:
            for term, count in zip(
                self._overlay.vocabulary, self._overlay.column_frequencies().tolist(), strict=True
            ):
                column = self._base.column(term)
                if column is None:
                    new.append(count)
                else:
                    df[column] += count
        return np.concatenate((df[df > 0], np.asarray(new, dtype=np.int64)))

    def vocabulary_change(self) -> tuple[frozenset[str], frozenset[str]]:
        """(base terms no passage of the library holds, the overlay's terms the base lacks)."""
        overlay = self._overlay
        base = self._base
        df = base.column_frequencies()
        gone = frozenset(
            base.vocabulary[column]
            for column, count in self._hidden_df.items()
            if count == df[column]
            and (overlay is None or overlay.column(base.vocabulary[column]) is None)
        )
        new = frozenset(
            term for term in (overlay.vocabulary if overlay else ()) if base.column(term) is None
        )
        return gone, new

    def document_frequency(self, term: str) -> int:
        df = 0
        column = self._base.column(term)
        if column is not None:
            df = int(self._base.column_frequencies()[column]) - self._hidden_df.get(column, 0)
        if self._overlay is not None:
            df += self._overlay.document_frequency(term)
        return df

    def idf(self, term: str) -> float:
        """`PassageIndex.idf` over the whole library."""
        return lucene_idf(self.passage_count, self.document_frequency(term))

    def postings(self, term: str) -> np.ndarray:
        return self._entries(term, with_tf=False)[0]

    def _marks(self, terms: Iterable[str]) -> np.ndarray:
        """For a group `Overlaid` over one of the base's (every figure): the base's marks, kept
        by the base (the terms the group changes are in no shown base passage), then the
        overlay's; for any other group, its terms' postings."""
        if not isinstance(terms, Overlaid):
            return super()._marks(terms)
        base = self._base.marks(terms.base)
        held = np.concatenate((base, np.zeros(self.size - self._offset, dtype=bool)))
        if self._hidden is not None:
            held[: self._offset] &= ~self._hidden
        if self._overlay is not None:
            overlay = held[self._offset :]
            for term in terms:
                overlay[self._overlay.postings(term)] = True
        return held

    def _entries(self, term: str, with_tf: bool = True) -> tuple[np.ndarray, Any, Any]:
        """(passage slots ascending, raw tf, passage lengths) of the library's passages that
        hold `term` (the base's hidden ones left out); only slots without `with_tf`."""
        parts = []
        column = self._base.column(term)
        if column is not None:
            rows, tf = self._base.column_entries(column)
            if column in self._hidden_df:
                keep = ~self._hidden[rows]
                rows, tf = rows[keep], tf[keep]
            parts.append((rows, tf, self._base.lengths[rows] if with_tf else None))
        column = self._overlay.column(term) if self._overlay is not None else None
        if column is not None:
            rows, tf = self._overlay.column_entries(column)
            lengths = self._overlay.lengths[rows] if with_tf else None
            parts.append((rows + self._offset, tf, lengths))
        if not parts:
            return np.empty(0, dtype=np.int32), None, None
        if len(parts) == 1:
            return parts[0]
        (rows, tf, lengths), (more_rows, more_tf, more_lengths) = parts
        if not with_tf:
            return np.concatenate((rows, more_rows)), None, None
        return (
            np.concatenate((rows, more_rows)),
            np.concatenate((tf.astype(np.int64), more_tf.astype(np.int64))),
            np.concatenate((lengths.astype(np.int64), more_lengths.astype(np.int64))),
        )

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """`PassageIndex.scores` over the whole library: the same arithmetic, entry by entry,
        in the same order (a term's weight, times its count, added term after term)."""
        found = Counter(t for t in terms if self.document_frequency(t))
        if not found:
            return np.zeros(self.size)
        df = np.fromiter(map(self.document_frequency, found), dtype=np.int64, count=len(found))
        counts = np.fromiter(found.values(), dtype=np.float64, count=len(found))
        idf = _idf(self.config, self.passage_count, df, self._average_idf)
        scores = np.zeros(self.size)
        for term, count, term_idf in zip(found, counts, idf, strict=True):
            rows, tf, lengths = self._entries(term)
            weights = tf.astype(np.float64)
            weigh(weights, length_norms(lengths, self._average_length, self.config), self.config)
            weights *= term_idf
            scores[rows] += weights * count
        return scores + float(everywhere(idf, self.config) @ counts)


def layer_corpus(
    base: IndexedCorpus,
    overlay: IndexedCorpus | None,
    hidden_sources: Sequence[int],
    sources: Sequence[Source],
) -> IndexedCorpus:
    """The corpus of `sources` (the base's sources but `hidden_sources`, with the server's
    labels, then the overlay's), sharing every array of `base`."""
    base_passages = base.passages
    assert isinstance(base_passages, PassageList)
    base_count = len(base_passages.sources)
    hidden = None
    if len(hidden_sources):
        by_source = np.zeros(base_count, dtype=bool)
        by_source[np.asarray(hidden_sources)] = True
        hidden = by_source[base.source_of]
    index = LayeredIndex(base.index, overlay.index if overlay else None, hidden)
    shown = PassageList.with_sources(
        base_passages, _BaseSources(base_passages.sources, sources, hidden_sources)
    )
    passages: Sequence[Passage] = shown
    source_of, block_of, features = base.source_of, base.block_of, base.features
    if overlay is not None:
        passages = _Slots(shown, overlay.passages)
        source_of = Joined(source_of, overlay.source_of, base_count)
        block_of = Joined(block_of, overlay.block_of, int(base.block_of[-1]) + 1)
        features = Joined(features, overlay.features)
    by_source = _BySource(shown, base.by_source, overlay, hidden_sources, sources)
    names = _names(base, overlay, hidden_sources)
    return IndexedCorpus(passages, by_source, source_of, block_of, index, features, names)


class _BaseSources(Sequence[Source]):
    """Base source number -> the server's `Source` for it (its label); hidden ones: the base's."""

    def __init__(
        self, base: Sequence[Source], server: Sequence[Source], hidden: Sequence[int]
    ) -> None:
        self._base, self._server, self._hidden = base, server, list(hidden)

    def __len__(self) -> int:
        return len(self._base)

    def __getitem__(self, number: Any) -> Any:
        before = bisect.bisect_left(self._hidden, number)
        if before < len(self._hidden) and self._hidden[before] == number:
            return self._base[number]
        return self._server[number - before]


class _Slots(_MadeWhenRead):
    """The base's passage slots, then the overlay's passages."""

    def __init__(self, base: Sequence[Passage], overlay: Sequence[Passage]) -> None:
        self._base, self._overlay, self._split = base, overlay, len(base)

    def __len__(self) -> int:
        return self._split + len(self._overlay)

    def _at(self, index: int) -> Passage:
        split = self._split
        return self._base[index] if index < split else self._overlay[index - split]


class _BySource(Mapping[str, Sequence[Passage]]):
    """Source id -> its passages, for the server's sources only."""

    def __init__(
        self,
        shown: PassageList,
        base: Mapping[str, Sequence[Passage]],
        overlay: IndexedCorpus | None,
        hidden: Sequence[int],
        sources: Sequence[Source],
    ) -> None:
        self._shown, self._base = shown, base
        self._overlay = overlay.by_source if overlay is not None else {}
        self._hidden = frozenset(hidden)
        self._sources = sources

    def __getitem__(self, source_id: str) -> Sequence[Passage]:
        if source_id in self._overlay:
            return self._overlay[source_id]
        number = self._base.number(source_id)  # type: ignore[attr-defined]
        if number is None or number in self._hidden:
            raise KeyError(source_id)
        return self._shown.of_source(number)

    def __iter__(self) -> Iterator[str]:
        return (source.id for source in self._sources)

    def __len__(self) -> int:
        return len(self._sources)


def library_passages(corpus: IndexedCorpus, sources: Sequence[Source]) -> Sequence[Passage]:
    """The library's passages in order, without hidden slots (what a whole-library scan reads)."""
    if isinstance(corpus.index, PassageIndex):
        return corpus.passages
    return _Chained([corpus.by_source.get(source.id, ()) for source in sources])


class _Chained(_MadeWhenRead):
    """Sequences read as one."""

    def __init__(self, parts: list[Sequence[Passage]]) -> None:
        self._parts = parts
        self._ends = np.cumsum([len(part) for part in parts]).tolist()

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def _at(self, index: int) -> Passage:
        part = bisect.bisect_right(self._ends, index)
        start = self._ends[part - 1] if part else 0
        return self._parts[part][index - start]


def _names(
    base: IndexedCorpus, overlay: IndexedCorpus | None, hidden: Sequence[int]
) -> frozenset[str] | Overlaid:
    """The library's names: the base's, decided again for the terms the server's hidden and
    added sources write (their counts taken from and added to the base's)."""
    base_passages = base.passages
    assert isinstance(base_passages, PassageList)
    taken = _term_counts(base_passages.source_passages(n) for n in hidden)
    added = _term_counts(_each_source(overlay.passages)) if overlay is not None else {}
    if not taken and not added:
        return base.names
    counts = base_term_counts(base)
    became, ceased = set(), set()
    for term in taken.keys() | added.keys():
        up, down = counts.get(term, (0, 0))
        up_taken, down_taken = taken.get(term, (0, 0))
        up_added, down_added = added.get(term, (0, 0))
        name = is_name(up - up_taken + up_added, down - down_taken + down_added)
        if name and term not in base.names:
            became.add(term)
        elif not name and term in base.names:
            ceased.add(term)
    return overlaid(base.names, ceased, became)


def base_term_counts(base: IndexedCorpus) -> TermCounts:
    """The base's name counts by term, counted at the first overlay and kept with it."""
    if "term_counts" not in base.extras:
        passages = base.passages
        assert isinstance(passages, PassageList)
        base.extras["term_counts"] = _term_counts(_each_source(passages), term_of_uncached)
    return base.extras["term_counts"]


def _each_source(passages: Sequence[Passage]) -> Iterator[list[Passage]]:
    assert isinstance(passages, PassageList)
    return (passages.source_passages(n) for n in range(len(passages.sources)))


def _term_counts(
    sources_passages: Iterable[list[Passage]], term_of_word: Callable[[str], str | None] = term_of
) -> TermCounts:
    """The name counts by term of sources (their passages); recent words' terms are cached
    (`term_of`), but for the base's, met once."""
    counter = NameCounter()
    for passages in sources_passages:
        count_names([p.text for p in passages], counter)
    return term_counts(counter.tally(), term_of_word)
