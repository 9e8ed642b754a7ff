"""The answer engine: a question in, numbered verbatim citations (or a clear refusal) out.

Relevance is decided from what a passage shares with the question's meaningful words, weighted
by how rare each word is in the sources, never from a raw BM25 score: "Tokyo" alone does not
make a passage about the weather in Tokyo tomorrow.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.answer.both_sides import KnownConflicts, claim_of, scan_within
from bot.answer.derived import derive, layered
from bot.answer.excerpts import excerpt_for
from bot.answer.matching import Matcher, Matches, Neighbours
from bot.answer.types import Answer, Citation, Status, count_of
from bot.answer.uncovered import (
    RELATED_CITATIONS,
    closest,
    not_mentioned,
    quoted,
    related_message,
)
from bot.answer.validation import question_problem, searchable_text
from bot.caveat import (
    ConflictScan,
    PassageConflict,
    find_conflicts_across,
    find_disagreements,
    find_single_source_claims,
)
from bot.index.layered import library_passages
from bot.index.store import IndexStore
from bot.passages.sentences import Passage
from bot.relevance.owners import owned_by_another
from bot.relevance.query import build_query, predicate_frames
from bot.relevance.reading import Query
from bot.relevance.words import surface_words, term_value
from bot.retrieval import BM25Config, analyze, term_of
from bot.sources import Source, SourceError, load_sources

log = logging.getLogger(__name__)

MAX_CITATIONS = 5
# A passage bears on the question when it holds at least this share of the question's weight.
MIN_COVERAGE = 0.5
# A source's best passage is only cited when it comes this close to the best passage overall.
MIN_RELATIVE_COVERAGE = 0.6
# Words found only in the sentences around a passage count this much (passage-level evidence).
CONTEXT_WEIGHT = 0.5
# An uncited source's passage about the same entity needs at least this share of the question.
OTHER_SIDE_COVERAGE = 0.3
# A question keeps at most this many of its most specific terms (a 2,000-character question
# costs what a short one does).
MAX_QUESTION_TERMS = 32
# A passage that holds the kind of answer asked for (a date for "when") ranks as if its
# BM25 x coverage were this much higher.
ANSWER_PREFERENCE = 2.0
# Relevant passages ranked one by one in Python; the rest are only counted (see `_relevant`).
TOP_CANDIDATES = 300
BM25 = BM25Config()


@dataclass(frozen=True)
class _Candidate:
    passage_id: int
    score: float
    coverage: float


def _candidate(matches: Matches, i: int) -> _Candidate:
    return _Candidate(int(matches.doc_ids[i]), float(matches.scores[i]), float(matches.coverage[i]))


class AnswerEngine:
    """Indexes a set of sources once and answers questions about them.

    `index_store` keeps each source's analysis (and, with a path, a saved file of the whole
    library) so that rebuilding the engine after a change re-analyses only what changed; pass
    the same store for every engine of the same library.
    """

    def __init__(
        self,
        sources: Sequence[Source],
        *,
        index_store: IndexStore | None = None,
        base: AnswerEngine | None = None,
    ) -> None:
        """With `base`, an engine over the library `sources` makes with the base's: the base's
        index shared, only what `sources` adds indexed (in `index_store`), what it hides left
        out (`bot.index.layered`); its answers are those of an engine built from `sources`."""
        if not sources:
            raise SourceError("there are no sources to answer from")
        self.sources: tuple[Source, ...] = tuple(sources)
        store = index_store or IndexStore()
        if base is None:
            corpus = store.build(self.sources, BM25)
            derived = derive(self.sources, corpus, predicate_frames())
        else:
            derived = layered(base._derived, base.sources, self.sources, store, BM25)
        self._derived = derived
        corpus, self._facts = derived.corpus, derived.facts
        self._by_source = corpus.by_source
        self.passages: Sequence[Passage] = corpus.passages
        self._index = corpus.index
        self._matcher = Matcher(corpus, CONTEXT_WEIGHT, derived.rows, derived.headlines)
        # every term of every predicate frame (ban, sell, cease, expand…): one family
        self._predicate_family = frozenset(self._facts.frame_of)
        self._dates = self._facts.dates
        for answers in (self._facts.dates, self._facts.amounts):
            self._matcher.marks(answers)  # made once here, not inside someone's answer
        # the library's passages in order, without a server's hidden ones (what a scan reads)
        self._library = library_passages(corpus, self.sources)
        # a server's engine scans in the background only what the base would: not per server
        self.known_conflicts = KnownConflicts(self._library, background=base is None)
        log.info(
            "indexed %d passages from %d sources", self._index.passage_count, len(self.sources)
        )

    @classmethod
    def from_folder(cls, folder: Path, *, index_store: IndexStore | None = None) -> AnswerEngine:
        return cls(load_sources(folder), index_store=index_store)

    def passages_of(self, source_id: str) -> list[Passage]:
        return list(self._by_source.get(source_id, []))

    def conflicts(self) -> list[PassageConflict]:
        """Disagreements between sources across the whole set, strongest first."""
        return find_conflicts_across(self._library)

    def scan_conflicts(self, seconds: float | None) -> ConflictScan:
        """`conflicts`, stopped after `seconds` (None: however long it takes) with what was
        found so far and what was not checked; kept for answers (`KnownConflicts.adopt`)."""
        scan = scan_within(self._library, seconds)
        self.known_conflicts.adopt(scan)
        return scan

    def answer(self, question: str) -> Answer:
        problem = question_problem(question)
        if problem:
            return Answer(question, Status.INVALID, problem)
        searchable = searchable_text(question)
        query = self.query_for(searchable)
        terms = query.terms
        if not terms:
            return Answer(
                question,
                Status.NO_MATCH,
                "The question has only common words, nothing specific to look up. "
                "Name what you want checked, e.g. a person, a place or an event.",
            )
        matches = self._without_other_owners(query, self._matcher.match(query))
        best = float(matches.coverage.max(initial=0.0))
        if best < MIN_COVERAGE:
            message = self._no_match_message(searchable, query)
            found = closest(searchable, query, self._matcher)
            near = [_Candidate(*passage) for passage in found]
            if near:
                message = related_message(query, self._index.document_frequency, message)
                cited = self._cite(near)[:RELATED_CITATIONS]
                return Answer(question, Status.RELATED, message, tuple(cited))
            return Answer(question, Status.NO_MATCH, message, points_to_sources=True)
        floor = max(MIN_COVERAGE, best * MIN_RELATIVE_COVERAGE)
        relevant = self._relevant(matches, floor)
        relevant += self._other_sides(query, relevant, matches, floor)
        claim = claim_of(searchable, query)
        citations = self.known_conflicts.with_other_sides(
            claim,
            self._cite(relevant, self._answer_neighbours(query)),
            self._by_source,
            MAX_CITATIONS,
        )
        found = find_disagreements(searchable, citations)
        sources = {c.source.id for c in citations}
        message = f"{count_of(len(citations), 'excerpt')} from {count_of(len(sources), 'source')}."
        return Answer(
            question,
            Status.ANSWERED,
            message,
            tuple(citations),
            tuple(self.known_conflicts.caveats(claim, citations, found)),
            tuple(find_single_source_claims(searchable, citations)),
        )

    def query_for(self, question: str) -> Query:
        """What the engine looks up for `question`: at most MAX_QUESTION_TERMS terms.

        A long question keeps its rarest terms (lowest document frequency, first occurrence on
        ties), in question order, so the work per question does not grow with its length.
        """
        query = build_query(question, self._facts)
        if len(query.terms) <= MAX_QUESTION_TERMS:
            return query
        by_specificity = sorted(query.terms, key=self._index.document_frequency)
        kept = set(by_specificity[:MAX_QUESTION_TERMS])
        return replace(
            query,
            terms=[term for term in query.terms if term in kept],
            weights={t: w for t, w in query.weights.items() if t in kept},
            matches={t: m for t, m in query.matches.items() if t in kept},
        )

    def _without_other_owners(self, query: Query, matches: Matches) -> Matches:
        """No coverage for a passage whose own or nearby mentions of the owned noun of
        "Toyota's market share" all belong to another name ("Tesla shares"). A passage that
        holds both the owner and the noun keeps its coverage; only passages that could bear on
        the question are looked at, and each sentence that mentions the noun is read once."""
        if not query.possessions:
            return matches
        coverage = matches.coverage.copy()
        for owner_forms, owned in query.possessions:
            mentions = self._matcher.marks(frozenset({owned}))
            holds_owner = self._matcher.marks(owner_forms)[matches.doc_ids]
            suspects = np.flatnonzero(
                (coverage >= MIN_COVERAGE) & ~(mentions[matches.doc_ids] & holds_owner)
            )
            anothers: dict[int, bool] = {}  # passage id -> its mentions belong to another name
            for i in suspects.tolist():
                around = [j for j in self._matcher.around(int(matches.doc_ids[i])) if mentions[j]]
                for j in around:
                    if j not in anothers:
                        text = self.passages[j].text
                        anothers[j] = owned_by_another(text, owner_forms, owned, self._facts.names)
                if around and all(anothers[j] for j in around):
                    coverage[i] = 0.0
        return replace(matches, coverage=coverage)

    def _relevant(self, matches: Matches, floor: float) -> list[_Candidate]:
        """Passages covering at least `floor`, by BM25 score x coverage (the first few hundred).

        Ties go to the higher score, then the earlier passage. Only the best TOP_CANDIDATES
        (and any tied with the last) become Python objects: citations take each source's best
        passage first, and those are the same as over the whole list whenever the top holds
        MAX_CITATIONS sources.
        """
        keep = np.flatnonzero(matches.coverage >= floor)
        scores, coverage = matches.scores[keep], matches.coverage[keep]
        strength = -scores * coverage * np.where(matches.answers[keep], ANSWER_PREFERENCE, 1.0)
        if len(keep) > TOP_CANDIDATES:
            cut = np.partition(strength, TOP_CANDIDATES - 1)[TOP_CANDIDATES - 1]
            top = strength <= cut
            keep, scores, coverage, strength = keep[top], scores[top], coverage[top], strength[top]
        order = np.lexsort((matches.doc_ids[keep], -scores, strength))
        return [_candidate(matches, i) for i in keep[order].tolist()]

    def _other_sides(
        self, query: Query, relevant: list[_Candidate], matches: Matches, floor: float
    ) -> list[_Candidate]:
        """Best passages of sources not yet cited that speak of the same event or entity.

        A caveat needs both sides, but the other side often words things differently: a source
        that says "production will cease" answers "Did Japan ban Tesla?" as much as one that
        says "ban". A passage of an uncited source is added (one per source) when it names two
        of the question's words and either
        - uses a word of the question's predicate family (`bot.english.frames`) and shares a
          specific detail (a rare word, a date, a number) with a passage already found, or
        - covers part of the question (any part, when it gives the kind of answer asked: a
          date, a figure) and shares two rare words with a passage already found (the same
          entity: "Little America II", "Mount Pleasant").
        The counts are taken over every match at once (`Matcher.hits`); only the passages that
        qualify are looked at one by one.
        """
        question_terms = set(query.terms)
        family = self._predicate_family
        related = family if not family.isdisjoint(question_terms) else frozenset()
        rare_limit = max(3, self._index.passage_count // 30)
        anchors = set().union(
            *(analyze(self.passages[c.passage_id].text) for c in relevant[:MAX_CITATIONS])
        )
        rare = {t for t in anchors - family if self._index.document_frequency(t) <= rare_limit}
        relevant_ids = matches.doc_ids[matches.coverage >= floor]
        source_of = self._matcher.source_of  # sources numbered in order: the last is the largest
        covered = np.zeros(int(source_of[self._index.size - 1]) + 1, dtype=bool)
        covered[source_of[relevant_ids]] = True
        subjects = matches.held
        shared_rare = self._matcher.hits(rare, matches.doc_ids)
        # a date or figure the question names itself is a detail too: both passages give it
        words = {t for t in question_terms if term_value(t) is None and t not in self._dates}
        same_event = (self._matcher.hits(related, matches.doc_ids) > 0) & (
            self._matcher.hits(rare - words, matches.doc_ids) > 0
        )
        # a passage that gives the kind of answer asked (a date, a figure) may word the rest
        # otherwise: "…was built in 1920" against "…was active from 1911"
        gives = (
            self._matcher.marks(query.answer_forms)[matches.doc_ids]
            if query.answer_forms
            else np.zeros(len(matches.doc_ids), dtype=bool)
        )
        enough = np.where(gives, matches.coverage > 0, matches.coverage >= OTHER_SIDE_COVERAGE)
        same_entity = enough & (shared_rare >= 2)
        qualifies = (
            ~covered[source_of[matches.doc_ids]]
            & (subjects >= min(2, len(question_terms)))
            & (same_event | same_entity)
        )
        chosen_ids = np.flatnonzero(qualifies)
        # In ranked order (best score first, then earlier passage), as the ranking was read.
        chosen_ids = chosen_ids[
            np.lexsort((matches.doc_ids[chosen_ids], -matches.scores[chosen_ids]))
        ]
        best_per_source: dict[int, tuple[tuple[int, int, float], _Candidate]] = {}
        for i in chosen_ids.tolist():
            candidate = _candidate(matches, i)
            source = int(self._matcher.source_of[candidate.passage_id])
            rank = (int(subjects[i]), int(shared_rare[i]), candidate.score)
            if source not in best_per_source or rank > best_per_source[source][0]:
                best_per_source[source] = (rank, candidate)
        chosen = sorted(best_per_source.values(), key=lambda ranked: ranked[0], reverse=True)
        return [candidate for _, candidate in chosen]

    def _answer_neighbours(self, query: Query) -> Neighbours | None:
        """For a question that asks a date or a figure: which neighbour to quote with a passage
        that lacks one, when the sentence after (else before) it in the paragraph gives one and
        holds a word of the question and its qualifiers ("…organized annual walks." + "In 2009,
        organizers… walks in 41 cities"). None when the question asks neither."""
        if not query.answer_forms:
            return None
        gives = self._matcher.marks(query.answer_forms)
        words = frozenset().union(*(query.matches.get(t, {t}) for t in query.weights))
        # a neighbour about another edition ("The 2019 festival drew…") is no answer
        eligible = gives & self._matcher.marks(words)
        for qualifier in query.qualifiers:
            eligible &= self._matcher.marks(qualifier)
        return Neighbours(gives, eligible, self.passages, self._matcher)

    def _cite(
        self, relevant: list[_Candidate], neighbours: Neighbours | None = None
    ) -> list[Citation]:
        """Up to MAX_CITATIONS: each source's best passage first, then the next best overall.

        With `neighbours`, a passage that lacks the answer asked for is quoted with the
        neighbouring sentence that gives it (when that excerpt does not overlap another)."""
        firsts: dict[str, _Candidate] = {}
        rest: list[_Candidate] = []
        for candidate in relevant:
            source_id = self.passages[candidate.passage_id].source.id
            if source_id in firsts:
                rest.append(candidate)
            else:
                firsts[source_id] = candidate
        ordered = list(firsts.values()) + rest
        citations: list[Citation] = []
        taken: list[tuple[str, int, int]] = []
        for candidate in ordered:
            passage = self.passages[candidate.passage_id]
            in_source = self._by_source[passage.source.id]
            extra = neighbours.of(candidate.passage_id) if neighbours is not None else None
            excerpts = (
                [excerpt_for(in_source, passage.position, extra)] if extra is not None else []
            )
            excerpts.append(excerpt_for(in_source, passage.position))
            free = [
                x
                for x in excerpts
                if not any(
                    s == passage.source.id and x.start < e and b < x.end for s, b, e in taken
                )
            ]
            if not free:
                continue
            excerpt = free[0]
            taken.append((passage.source.id, excerpt.start, excerpt.end))
            citations.append(
                Citation(
                    n=len(citations) + 1,
                    source=passage.source,
                    start=excerpt.start,
                    end=excerpt.end,
                    score=round(candidate.score, 4),
                    trimmed=excerpt.trimmed,
                )
            )
            if len(citations) == MAX_CITATIONS:
                break
        return citations

    def _covered_without_figures(self, query: Query) -> bool:
        """Whether a passage would bear on the question if it did not have to give a figure."""
        required = [group for group in query.required if group is not self._facts.figures]
        coverage = self._matcher.match(replace(query, required=required)).coverage
        return float(coverage.max(initial=0.0)) >= MIN_COVERAGE

    def _no_match_message(self, question: str, query: Query) -> str:
        unknown = [
            written
            for word, written in surface_words(question).items()
            if len(word) > 1
            and (term := term_of(word))
            and term in query.weights
            and self._index.document_frequency(term) == 0
        ]
        # a Japanese word no source writes (its bigrams are the terms): "東京タワー"
        unknown += [
            written
            for term, written in query.words.items()
            if not term.isascii() and not self._index.document_frequency(term)
        ]
        if unknown:
            return not_mentioned(unknown)
        if self._facts.figures in query.required and self._covered_without_figures(query):
            return (
                f"The sources don't give this figure: they speak of "
                f"{quoted(list(query.words.values()))}, but give no number for it. "
                "Try rephrasing, or see the list of sources."
            )
        if query.speaker:
            return (
                f"The sources don't cover this: no passage reports what {query.speaker} said "
                "about it. Try rephrasing, or see the list of sources."
            )
        if len(query.words) > 1:
            words = quoted(list(query.words.values()))
            return (
                f"The sources don't cover this: no passage speaks of {words} together. "
                "Try rephrasing, or see the list of sources."
            )
        return (
            "The sources don't cover this: no passage speaks to enough of the question. "
            "Try rephrasing, or see the list of sources."
        )
