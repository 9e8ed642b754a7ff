"""What an answer engine derives from its indexed library, once: the table rows and the facts
question analysis reads (names, numbers, dates, acronyms…); and the same for a server's library
layered over a shared base (`bot.index.layered`), computed for what the server changed only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from bot.index.acronyms import acronym_phrases, acronyms_by_word, acronyms_from
from bot.index.headlines import Headlines, headline_terms
from bot.index.layered import Joined, layer_corpus
from bot.index.overlaid import Overlaid, overlaid, overlaid_mapping
from bot.index.store import IndexedCorpus, IndexStore
from bot.index.tables import TableRows, table_rows
from bot.relevance.query import date_terms, figure_terms, names_by_prefix
from bot.relevance.reading import SourceFacts
from bot.relevance.words import term_value
from bot.retrieval import BM25Config
from bot.sources import Source

# Acronyms as one source defines them (`bot.index.acronyms.acronym_phrases`), by source number.
Phrases = tuple[tuple[int, dict[str, list[str]]], ...]


@dataclass(frozen=True)
class Derived:
    """A library's corpus, table rows, headlines and facts, and each source's acronym
    definitions."""

    corpus: IndexedCorpus
    rows: TableRows
    facts: SourceFacts
    phrases: Phrases
    headlines: Headlines


@dataclass(frozen=True)
class _TermFacts:
    """What a library's vocabulary says: number terms and their values, dates, figures."""

    numbers: Mapping[str, float]
    dates: AbstractSet[str]
    figures: AbstractSet[str]
    amounts: AbstractSet[str]


def _term_facts(vocabulary: Iterable[str]) -> _TermFacts:
    terms = list(vocabulary)
    numbers = {t: v for t in terms if (v := term_value(t)) is not None}
    dates = date_terms(terms)
    figures = figure_terms(numbers)
    return _TermFacts(numbers, dates, figures, figures - dates)


def derive(
    sources: Sequence[Source], corpus: IndexedCorpus, frames: dict[str, frozenset[str]]
) -> Derived:
    """What an engine over `sources` (indexed as `corpus`) needs, computed at build: from what
    the index keeps of the texts (`features`, `phrases`, `headlines`), so that only the texts
    with a table are read."""
    terms = _term_facts(corpus.index.vocabulary)  # type: ignore[union-attr]
    phrases = tuple((n, found) for n, found in enumerate(corpus.phrases) if found)
    facts = _facts(corpus, terms, frames, acronyms_from(p for _, p in phrases))
    rows, headlines = _rows_and_headlines(corpus)
    return Derived(corpus, rows, facts, phrases, headlines)


def _rows_and_headlines(corpus: IndexedCorpus) -> tuple[TableRows, Headlines]:
    """The table rows and headlines of a corpus built by `IndexStore.build` (not layered)."""
    rows = table_rows(corpus.passages, corpus.features.tolist())  # type: ignore[arg-type, union-attr]
    return rows, headline_terms(corpus.headlines)


def _facts(
    corpus: IndexedCorpus,
    terms: _TermFacts,
    frames: Mapping[str, frozenset[str]],
    acronyms: Mapping[str, tuple[str, ...]],
    by_prefix: Mapping[str, tuple[str, ...]] | None = None,
    acronyms_of: Mapping[str, tuple[str, ...]] | None = None,
) -> SourceFacts:
    return SourceFacts(
        document_frequency=corpus.index.document_frequency,
        idf=corpus.index.idf,
        names=corpus.names,
        numbers=terms.numbers,
        frame_of=frames,
        names_by_prefix=names_by_prefix(corpus.names) if by_prefix is None else by_prefix,
        dates=terms.dates,  # type: ignore[arg-type]
        figures=terms.figures,  # type: ignore[arg-type]
        amounts=terms.amounts,  # type: ignore[arg-type]
        acronyms=acronyms,
        acronyms_of=acronyms_by_word(dict(acronyms)) if acronyms_of is None else acronyms_of,
    )


def split_library(
    base: Sequence[Source], sources: Sequence[Source]
) -> tuple[list[int], list[Source]]:
    """(numbers of the base sources `sources` does not show, the sources after those it does):
    `sources` shows a base source, in base order, while it has one with its id and text."""
    hidden: list[int] = []
    shown = 0
    for number, source in enumerate(base):
        at = sources[shown] if shown < len(sources) else None
        if at is not None and at.id == source.id and at.text == source.text:
            shown += 1
        else:
            hidden.append(number)
    return hidden, list(sources[shown:])


def layered(
    base: Derived,
    base_sources: Sequence[Source],
    sources: Sequence[Source],
    index_store: IndexStore,
    config: BM25Config,
) -> Derived:
    """`derive` for `sources` over `base` (built from `base_sources`): the overlay of the
    sources it adds is indexed, and everything else is the base's but for what changes."""
    hidden, added = split_library(base_sources, sources)
    overlay = index_store.build(added, config, allow_empty=True) if added else None
    corpus = layer_corpus(base.corpus, overlay, hidden, sources)
    gone, new = corpus.index.vocabulary_change()  # type: ignore[union-attr]
    base_facts = base.facts
    removed, more, none = _term_facts(gone), _term_facts(new), _term_facts(())
    terms = _TermFacts(
        overlaid_mapping(base_facts.numbers, removed.numbers, more.numbers),
        overlaid(base_facts.dates, removed.dates - none.dates, more.dates),
        overlaid(base_facts.figures, removed.figures - none.figures, more.figures),
        overlaid(base_facts.amounts, removed.amounts - none.amounts, more.amounts),
    )
    hidden_set = set(hidden)
    phrases = base.phrases
    mine = tuple(
        (len(base_sources) + n, found)
        for n, found in enumerate(overlay.phrases if overlay else map(acronym_phrases, added))
        if found
    )
    if mine or any(n in hidden_set for n, _ in phrases):
        phrases = tuple((n, p) for n, p in phrases if n not in hidden_set) + mine
        acronyms = acronyms_from(p for _, p in phrases)
        acronyms_of = None
    else:
        acronyms, acronyms_of = base_facts.acronyms, base_facts.acronyms_of  # type: ignore[assignment]
    prefixes = _prefixes(base_facts.names_by_prefix, corpus.names)
    facts = _facts(corpus, terms, base_facts.frame_of, acronyms, prefixes, acronyms_of)
    rows, headlines = base.rows, base.headlines
    if overlay is not None:
        rows, more = _rows_and_headlines(overlay)
        rows = _joined_rows(base.rows, rows, len(base.corpus.passages))
        headlines = Headlines(
            headlines.sources + more.sources,
            _JoinedTerms(headlines.terms, more.terms, headlines.sources),  # type: ignore[arg-type]
        )
    return Derived(corpus, rows, facts, phrases, headlines)


def _prefixes(
    base: Mapping[str, tuple[str, ...]], names: AbstractSet[str]
) -> Mapping[str, tuple[str, ...]]:
    """`names_by_prefix(names)` from the base's, `names` being the base's names or `Overlaid`
    over them."""
    if not isinstance(names, Overlaid):
        return base
    changed = names.removed | names.added
    groups = {
        prefix: tuple(n for n in base.get(prefix, ()) if n in names)
        + tuple(n for n in changed if n[:4] == prefix and n in names)
        for prefix in {n[:4] for n in changed}
    }
    empty = [prefix for prefix, group in groups.items() if not group]
    return overlaid_mapping(base, empty, {p: g for p, g in groups.items() if g})


def _joined_rows(base: TableRows, overlay: TableRows, offset: int) -> TableRows:
    """The rows of base and overlay. A hidden base row is never read: a row's terms are only
    looked up for passages that hold a question term, which hidden ones never do."""
    return TableRows(
        Joined(base.is_row, overlay.is_row),  # type: ignore[arg-type]
        _JoinedTerms(base.columns, overlay.columns, offset),  # type: ignore[arg-type]
        _JoinedTerms(base.subjects, overlay.subjects, offset),  # type: ignore[arg-type]
    )


class _JoinedTerms(Mapping[str, np.ndarray]):
    """Term -> ids of the rows holding it, in the base and (offset) in the overlay."""

    def __init__(
        self, base: Mapping[str, np.ndarray], overlay: Mapping[str, np.ndarray], offset: int
    ) -> None:
        self._base, self._overlay, self._offset = base, overlay, offset

    def __getitem__(self, term: str) -> np.ndarray:
        parts = [self._base[term]] if term in self._base else []
        if term in self._overlay:
            parts.append(self._overlay[term] + self._offset)
        if not parts:
            raise KeyError(term)
        return np.concatenate(parts)

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from self._base
        yield from (t for t in self._overlay if t not in self._base)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return bool(self._base) or bool(self._overlay)
