"""Sources -> passages -> analysed terms -> index, with each source's analysis cached.

Analysing text (splitting sentences, lemmatising, stemming) is what building an engine costs.
It depends only on a source's text, so `IndexStore` keeps each source's analysis by the hash of
its text: an engine for a library that differs by one source re-analyses only that source, and
the rest is numpy work. `IndexStore` can also save the whole library's analysis to a `.npz`
file and load it at the next start instead of analysing again (see `bot.index.saved`).
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from bot.index.acronyms import DefinedPhrases, acronym_phrases
from bot.index.build import Analyser, SourceAnalysis, name_tally_of
from bot.index.headlines import source_headline
from bot.index.name_terms import names_of
from bot.index.names import add_tallies
from bot.index.parallel import PARALLEL_MIN_CHARS, analyse_texts
from bot.index.saved import Arrays, IndexFile, compact_ids
from bot.index.text_features import LONG_LINES, text_features
from bot.passages.sentences import Passage, PassageList, PassagesBySource
from bot.passages.wraps import UNWRAPPED_LINE
from bot.retrieval import (
    BM25Config,
    PassageIndex,
    load_dictionaries,
    term_of,
    term_of_uncached,
)
from bot.sources import Source, SourceError, text_hash, text_length, unread_facts

if TYPE_CHECKING:
    from bot.index.layered import Joined, LayeredIndex

log = logging.getLogger(__name__)

# A build of texts shorter than this in all analyses words with the cached `term_of`.
SMALL_BUILD_CHARS = 1_000_000


@dataclass(frozen=True)
class IndexedCorpus:
    """Everything an engine answers from: passages, where each sits, and the BM25 index.

    A server's corpus layered over a shared base (`bot.index.layered`) has passage slots: the
    base's (its hidden ones included), then its own; its arrays read the base's and its own."""

    passages: Sequence[Passage]  # made when read (`PassageList`), by passage id (slot)
    by_source: Mapping[str, Sequence[Passage]]
    source_of: np.ndarray | Joined  # source number of each passage (its position in the sources)
    block_of: np.ndarray | Joined  # paragraph number across the library (same source, paragraph)
    index: PassageIndex | LayeredIndex
    features: np.ndarray | Joined  # each source's `text_features` (uint8)
    # terms the sources write as names (`bot.index.name_terms.name_terms`): a scan of every passage,
    # so it is made once per library and saved with the index
    names: AbstractSet[str] = frozenset()
    # each source's acronyms as it defines them (`bot.index.acronyms.acronym_phrases`), saved
    # likewise; a layered corpus has none (`bot.answer.derived.Derived.phrases` has the library's)
    phrases: Sequence[DefinedPhrases] = ()
    # each source's headline terms (`bot.index.headlines.source_headline`), saved likewise with
    # the title they were made with; a layered corpus has none (`Derived.headlines` has them)
    headlines: Sequence[tuple[str, ...]] = ()
    # what layering a server over this corpus computed once and keeps (`bot.index.layered`)
    extras: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class IndexStore:
    """Analyses by source text hash, plus an optional saved file for a whole library.

    One store per library (a folder, or the sources a server adds to the base: its overlay,
    `bot.index.layered`): pass it to every `AnswerEngine(sources, index_store=store)` built for
    that library. `analysed` counts the
    sources analysed from text (not from the cache or the saved file). Builds through one store
    run one at a time (a lock), so two quick library updates cannot mix their term ids.
    """

    def __init__(
        self, path: Path | None = None, *, parallel_min_chars: int = PARALLEL_MIN_CHARS
    ) -> None:
        self.file = IndexFile(path) if path is not None else None
        self.analysed = 0
        self._ids: dict[str, int] = {}  # term -> id, ids in order of first sight
        self._analyser = Analyser(self._ids, term_of_uncached)
        self._lock = threading.Lock()
        self._analyses: dict[str, SourceAnalysis] = {}
        # text hash -> `text_features`, and -> `acronym_phrases`: what a build reads of a text
        self._features: dict[str, int] = {}
        self._phrases: dict[str, DefinedPhrases] = {}
        # (text hash, title) -> `bot.index.headlines.source_headline`
        self._headlines: dict[tuple[str, str], tuple[str, ...]] = {}
        self._parallel_min_chars = parallel_min_chars

    @overload
    def build(self, sources: Sequence[Source], config: BM25Config) -> IndexedCorpus: ...

    @overload
    def build(
        self, sources: Sequence[Source], config: BM25Config, allow_empty: bool
    ) -> IndexedCorpus | None: ...

    def build(
        self, sources: Sequence[Source], config: BM25Config, allow_empty: bool = False
    ) -> IndexedCorpus | None:
        """The sources' corpus; for sources without a sentence, None with `allow_empty` (an
        overlay of a server's library, `bot.index.layered`), else `SourceError`."""
        with self._lock:
            return self._build(sources, config, allow_empty)

    def _build(
        self, sources: Sequence[Source], config: BM25Config, allow_empty: bool = False
    ) -> IndexedCorpus | None:
        hashes, text_lengths = _hashes_and_lengths(sources)
        saved = self.file.load(hashes, config, text_lengths) if self.file else None
        if saved is not None:
            self._adopt(hashes, saved[:2], saved[3], saved[4], saved[5])
        pending = [i for i, h in enumerate(hashes) if h not in self._analyses]
        texts = [sources[i].text for i in pending]
        # A small build (a server's own sources) meets words that questions and other small
        # builds meet too: their terms are cached (`term_of`); a large one's would only hold memory.
        small = sum(map(len, texts)) < SMALL_BUILD_CHARS
        self._analyser.analyse_tokens_with(term_of if small else term_of_uncached)
        new, name_tally = analyse_texts(
            texts, self._analyser, self._parallel_min_chars, while_waiting=load_dictionaries
        )
        self.analysed += len(pending)
        found = dict(zip(pending, new, strict=True))
        analyses = [found.get(i) or self._analyses[h] for i, h in enumerate(hashes)]
        # Keep only this library's sources: a removed source's analysis is not kept forever.
        self._analyses = dict(zip(hashes, analyses, strict=True))
        features, phrases, headlines = self._read_of_texts(
            sources, hashes, analyses, dict(zip(pending, texts, strict=True))
        )
        if not any(len(a.spans) for a in analyses):
            if allow_empty:
                return None
            raise SourceError("the sources hold no sentences to quote")
        if saved is not None:
            names = saved[2]
        else:
            # The names' tally of the sources analysed just now, plus that of the cached ones.
            cached = [i for i in range(len(sources)) if i not in found]
            texts = [sources[i].text for i in cached]
            more = name_tally_of(texts, [analyses[i] for i in cached])
            names = names_of(add_tallies([name_tally, more]), self._analyser.term_of)
        del name_tally
        self._analyser.forget_terms()
        release_freed_memory()
        terms = list(self._ids)  # id -> term (the dict keeps insertion order)
        # The library's own vocabulary: the terms it uses, in store order, numbered from 0.
        store_ids, term_ids = compact_ids(
            np.concatenate([a.term_ids for a in analyses]), len(terms)
        )
        vocabulary = [terms[i] for i in store_ids.tolist()]
        if saved is None and self.file:  # saved before the index is built: their temporaries
            arrays = [(a.spans, a.lengths) for a in analyses]  # never meet
            titled = [(s.title, h) for s, h in zip(sources, headlines, strict=True)]
            extra = {"features": features, "phrases": phrases, "headlines": titled}
            self.file.save(hashes, config, arrays, vocabulary, term_ids, names, **extra)
        corpus = index_corpus(sources, analyses, vocabulary, term_ids, config, names, features)
        return replace(corpus, phrases=tuple(phrases), headlines=tuple(headlines))

    def _read_of_texts(
        self,
        sources: Sequence[Source],
        hashes: list[str],
        analyses: list[SourceAnalysis],
        texts: dict[int, str],
    ) -> tuple[np.ndarray, list[DefinedPhrases], list[tuple[str, ...]]]:
        """Each source's `text_features`, `acronym_phrases` and headline terms: kept, or found
        in `texts` (source number -> text: those analysed just now); a headline is made anew
        for a title the store does not know it with, reading the text only for a heading."""
        for i, text in texts.items():
            self._features[hashes[i]] = text_features(text, analyses[i].spans)
            self._phrases[hashes[i]] = acronym_phrases(text)
        features = np.array([self._features[h] for h in hashes], dtype=np.uint8)
        phrases = [self._phrases[h] for h in hashes]
        keys = [(h, s.title) for h, s in zip(hashes, sources, strict=True)]
        headlines = [
            self._headlines[key] if key in self._headlines else source_headline(s, a.spans, bits)
            for key, s, a, bits in zip(keys, sources, analyses, features.tolist(), strict=True)
        ]
        self._features = dict(zip(hashes, features.tolist(), strict=True))
        self._phrases = dict(zip(hashes, phrases, strict=True))
        self._headlines = dict(zip(keys, headlines, strict=True))
        return features, phrases, headlines

    def _adopt(
        self,
        hashes: list[str],
        saved: tuple[list[str], list[Arrays]],
        features: np.ndarray,
        phrases: Sequence[DefinedPhrases],
        headlines: Sequence[tuple[str, tuple[str, ...]]],
    ) -> None:
        """Take a saved library's analyses into the cache, mapping its terms to ours."""
        vocabulary, analyses = saved
        ids = self._ids
        remap = np.array([ids.setdefault(t, len(ids)) for t in vocabulary], dtype=np.int32)
        for digest, (spans, lengths, term_ids) in zip(hashes, analyses, strict=True):
            self._analyses[digest] = SourceAnalysis(spans, lengths, remap[term_ids])
        self._features.update(zip(hashes, features.tolist(), strict=True))
        self._phrases.update(zip(hashes, phrases, strict=True))
        for digest, (title, terms) in zip(hashes, headlines, strict=True):
            self._headlines[(digest, title)] = terms


def _hashes_and_lengths(sources: Sequence[Source]) -> tuple[list[str], list[int]]:
    """Each source's `text_hash` and length in characters: for a source still unread in its
    file (`bot.sources.folder_scan`), those its file record gives, so the file is not read."""
    facts = [unread_facts(source) for source in sources]
    hashes = [f.digest if f else text_hash(s.text) for s, f in zip(sources, facts, strict=True)]
    lengths = [text_length(source) for source in sources]
    return hashes, lengths


def index_corpus(
    sources: Sequence[Source],
    analyses: Sequence[SourceAnalysis],
    vocabulary: list[str],
    term_ids: np.ndarray,
    config: BM25Config,
    names: frozenset[str],
    features: np.ndarray,
) -> IndexedCorpus:
    """Passages and BM25 index for `sources` from their analyses, whose terms are given again
    as ids into `vocabulary`, passage after passage.

    The index is built first: its temporary arrays are freed before the passages' are made.
    """
    counts = np.array([len(a.spans) for a in analyses], dtype=np.int64)
    lengths = np.concatenate([a.lengths for a in analyses])
    index = PassageIndex.from_term_ids(vocabulary, term_ids, lengths, config)
    del term_ids, lengths
    release_freed_memory()
    passages = PassageList(sources, counts, np.concatenate([a.spans for a in analyses]))
    source_of, paragraphs = passages.source_of, passages.spans[:, 0]
    # Passages of one paragraph are consecutive: number each run of (source, paragraph).
    starts = np.ones(len(source_of), dtype=bool)
    starts[1:] = (source_of[1:] != source_of[:-1]) | (paragraphs[1:] != paragraphs[:-1])
    starts[1:] |= _unwrapped_breaks(sources, analyses, features)
    block_of = (np.cumsum(starts) - 1).astype(np.int32)
    by_source = PassagesBySource(passages, sources)
    return IndexedCorpus(passages, by_source, source_of, block_of, index, features, names)


def _unwrapped_breaks(
    sources: Sequence[Source], analyses: Sequence[SourceAnalysis], features: np.ndarray
) -> np.ndarray:
    """For each pair of consecutive passages: does a line break between them end a paragraph?

    It does when the line before it is longer than hard-wrapped text ever is: a text with such
    lines puts one paragraph on a line, with no blank line between paragraphs.
    """
    breaks = np.zeros(sum(len(a.spans) for a in analyses), dtype=bool)
    first = 0  # the source's first passage
    for source, analysis, bits in zip(sources, analyses, features.tolist(), strict=True):
        count = len(analysis.spans)
        first += count
        if not bits & LONG_LINES:
            continue  # no line that long: most sources (their texts are not read)
        text = source.text
        spans = analysis.spans.tolist()
        for i, ((_, _, end), (_, start, _)) in enumerate(itertools.pairwise(spans)):
            newline = text.find("\n", end, start)
            if newline >= 0:  # the line ending there
                line_start = text.rfind("\n", 0, newline) + 1
                breaks[first - count + i + 1] = newline - line_start > UNWRAPPED_LINE
    return breaks[1:]  # the first passage of each source starts a block anyway


def release_freed_memory() -> None:
    """Give the memory a build step freed back to the system.

    glibc keeps freed heap pages for reuse, and once a large numpy temporary is freed it raises
    its threshold for serving arrays from their own mappings: without this, a build's
    temporaries (the matrix's coordinates, the analysis's token lists) stayed in the process's
    resident memory for good, 45 MiB at 160k passages. No-op without glibc's `malloc_trim`.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _malloc_trim()


def settle_memory() -> None:
    """Move everything alive into the garbage collector's permanent generation.

    An index is hundreds of thousands of long-lived objects (passages, strings). Left in the
    tracked generations, every full collection walks all of them: 0.4-0.5 s pauses that land
    inside answers. Frozen objects are never scanned again. They are still freed by reference
    counting when an engine is replaced; only garbage in reference cycles at the moment of
    freezing would stay (the build makes none worth a full collection first, which costs as
    much as the pause it avoids). The memory the build freed goes back to the system first.
    """
    release_freed_memory()
    gc.freeze()
