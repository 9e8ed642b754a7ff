"""The answer engine: a question in, numbered verbatim citations (or a clear refusal) out.

Relevance is decided from what a passage shares with the question's meaningful words, weighted
by how rare each word is in the sources, never from a raw BM25 score: "Tokyo" alone does not
make a passage about the weather in Tokyo tomorrow.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.answer_types import Answer, Citation, Status
from bot.caveat import (
    PassageConflict,
    find_conflicts_across,
    find_disagreements,
    find_single_source_claims,
)
from bot.excerpts import excerpt_for
from bot.lexicon import PREDICATE_FRAMES
from bot.passages import Passage, split_into_passages
from bot.relevance import (
    MIN_NAME_SHARE,
    Query,
    SourceFacts,
    build_query,
    name_terms,
    names_by_prefix,
    number_value,
    predicate_frames,
    surface_words,
)
from bot.retrieval import BM25Config, PassageIndex, analyze, term_of
from bot.sources import Source, SourceError, load_sources
from bot.tables import column_names, is_table_row, subject_of
from bot.validation import question_problem, searchable_text

log = logging.getLogger(__name__)

MAX_CITATIONS = 5
# A passage bears on the question when it holds at least this share of the question's weight.
MIN_COVERAGE = 0.5
# A source's best passage is only cited when it comes this close to the best passage overall.
MIN_RELATIVE_COVERAGE = 0.6
# Words found only in the sentences around a passage count this much (passage-level evidence).
CONTEXT_WEIGHT = 0.5
CONTEXT_SENTENCES = 2
# A line this long is not hard-wrapped: its line break ends a paragraph.
UNWRAPPED_LINE = 120
# An uncited source's passage about the same entity needs at least this share of the question.
OTHER_SIDE_COVERAGE = 0.3
BM25 = BM25Config()


@dataclass(frozen=True)
class _Candidate:
    passage_id: int
    score: float
    coverage: float


class AnswerEngine:
    """Indexes a set of sources once and answers questions about them."""

    def __init__(self, sources: Sequence[Source]) -> None:
        if not sources:
            raise SourceError("there are no sources to answer from")
        self.sources: tuple[Source, ...] = tuple(sources)
        self._by_source: dict[str, list[Passage]] = {
            source.id: split_into_passages(source) for source in self.sources
        }
        self.passages: list[Passage] = [p for ps in self._by_source.values() for p in ps]
        if not self.passages:
            raise SourceError("the sources hold no sentences to quote")
        self._terms: list[frozenset[str]] = []
        corpus = []
        for passage in self.passages:
            terms = analyze(passage.text)
            corpus.append(terms)
            self._terms.append(frozenset(terms))
        self._context_terms = [self._terms_around(i) for i in range(len(self.passages))]
        self._column_terms = [_column_terms(p) for p in self.passages]
        self._index = PassageIndex(corpus, BM25)
        self._frame_of = _frame_terms()
        self._source_facts: SourceFacts | None = None
        log.info("indexed %d passages from %d sources", len(self.passages), len(self.sources))

    @classmethod
    def from_folder(cls, folder: Path) -> AnswerEngine:
        return cls(load_sources(folder))

    def passages_of(self, source_id: str) -> list[Passage]:
        return list(self._by_source.get(source_id, []))

    def conflicts(self) -> list[PassageConflict]:
        """Disagreements between sources across the whole set, strongest first."""
        return find_conflicts_across(self.passages)

    def answer(self, question: str) -> Answer:
        problem = question_problem(question)
        if problem:
            return Answer(question, Status.INVALID, problem)
        searchable = searchable_text(question)
        query = build_query(searchable, self._facts())
        terms = query.terms
        if not terms:
            return Answer(
                question,
                Status.NO_MATCH,
                "The question has only common words, nothing specific to look up. "
                "Name what you want checked, e.g. a person, a place or an event.",
            )
        ranked = [
            _Candidate(pid, score, self._coverage(pid, query))
            for pid, score in self._index.search(terms)
        ]
        best = max((c.coverage for c in ranked), default=0.0)
        if best < MIN_COVERAGE:
            return Answer(question, Status.NO_MATCH, self._no_match_message(searchable, query))
        floor = max(MIN_COVERAGE, best * MIN_RELATIVE_COVERAGE)
        relevant = sorted(
            (c for c in ranked if c.coverage >= floor), key=lambda c: -c.score * c.coverage
        )
        relevant += self._other_sides(terms, relevant, ranked)
        citations = self._cite(relevant)
        sources = {c.source.id for c in citations}
        message = f"{_count(len(citations), 'excerpt')} from {_count(len(sources), 'source')}."
        return Answer(
            question,
            Status.ANSWERED,
            message,
            tuple(citations),
            tuple(find_disagreements(searchable, citations)),
            tuple(find_single_source_claims(searchable, citations)),
        )

    def _coverage(self, passage_id: int, query: Query) -> float:
        """Share of the question's weight found in the passage (its neighbours count half).

        Zero when the passage and its neighbours lack a term the question cannot do without
        (a name, the predicate's family, a qualifying year: `bot.relevance`).
        """
        own = self._terms[passage_id] | self._column_terms[passage_id]
        around = self._context_terms[passage_id]
        if any(group.isdisjoint(own) and group.isdisjoint(around) for group in query.required):
            return 0.0
        if any(group.isdisjoint(own) for group in query.required_own):
            return 0.0
        names = sum(query.names.values())
        named = sum(
            w
            for name, w in query.names.items()
            if not (
                query.name_forms[name].isdisjoint(own) and query.name_forms[name].isdisjoint(around)
            )
        )
        if names and named < MIN_NAME_SHARE * names:
            return 0.0
        total = sum(query.weights.values())
        shared = sum(
            w
            if not query.matches[term].isdisjoint(own)
            else CONTEXT_WEIGHT * w
            if not query.matches[term].isdisjoint(around)
            else 0.0
            for term, w in query.weights.items()
        )
        return shared / total if total else 0.0

    def _facts(self) -> SourceFacts:
        """Facts about the sources that question analysis needs, computed once."""
        if self._source_facts is None:
            vocabulary = set().union(*self._terms)
            numbers = {t: v for t in vocabulary if (v := number_value(t)) is not None}
            names = name_terms(p.text for p in self.passages)
            self._source_facts = SourceFacts(
                document_frequency=self._index.document_frequency,
                idf=self._index.idf,
                names=names,
                numbers=numbers,
                frame_of=predicate_frames(),
                names_by_prefix=names_by_prefix(names),
            )
        return self._source_facts

    def _terms_around(self, passage_id: int) -> frozenset[str]:
        """Terms of the sentences around a passage, within its paragraph (already analysed)."""
        passage = self.passages[passage_id]
        lo = max(passage_id - CONTEXT_SENTENCES, 0)
        hi = min(passage_id + CONTEXT_SENTENCES + 1, len(self.passages))
        if is_table_row(passage.text):
            # the rows around a row are about other things; the line titling the table is not
            subject = subject_of(passage.source.text, passage.start)
            return frozenset(analyze(subject)) if subject else frozenset()
        return frozenset().union(
            *(
                self._terms[i]
                for i in range(lo, hi)
                if i != passage_id
                and self.passages[i].source is passage.source
                and _same_paragraph(passage, self.passages[i])
            )
        )

    def _other_sides(
        self, terms: list[str], relevant: list[_Candidate], ranked: list[_Candidate]
    ) -> list[_Candidate]:
        """Best passages of sources not yet cited that speak of the same event or entity.

        A caveat needs both sides, but the other side often words things differently: a source
        that says "production will cease" answers "Did Japan ban Tesla?" as much as one that
        says "ban". A passage of an uncited source is added (one per source) when it names two
        of the question's words and either
        - uses a word of the question's predicate family (`bot.lexicon`) and shares a specific
          detail (a rare word, a date, a number) with a passage already found, or
        - covers part of the question and shares two rare words with a passage already found
          (the same entity: "Little America II", "Mount Pleasant").
        """
        question_terms = set(terms)
        related = set().union(*(self._frame_of.get(term, ()) for term in terms)) - question_terms
        rare_limit = max(3, self._index.size // 30)
        anchors = set().union(*(self._terms[c.passage_id] for c in relevant[:MAX_CITATIONS]))
        rare = {
            t
            for t in anchors - set(self._frame_of)
            if self._index.document_frequency(t) <= rare_limit
        }
        covered = {self.passages[c.passage_id].source.id for c in relevant}
        best_per_source: dict[str, tuple[tuple[int, int, float], _Candidate]] = {}
        for candidate in ranked:
            source_id = self.passages[candidate.passage_id].source.id
            passage_terms = self._terms[candidate.passage_id]
            subjects = len(passage_terms & question_terms)
            if source_id in covered or subjects < min(2, len(question_terms)):
                continue
            shared_rare = passage_terms & rare
            same_event = bool(passage_terms & related and shared_rare - question_terms)
            same_entity = candidate.coverage >= OTHER_SIDE_COVERAGE and len(shared_rare) >= 2
            if not (same_event or same_entity):
                continue
            rank = (subjects, len(shared_rare), candidate.score)
            if source_id not in best_per_source or rank > best_per_source[source_id][0]:
                best_per_source[source_id] = (rank, candidate)
        chosen = sorted(best_per_source.values(), key=lambda ranked: ranked[0], reverse=True)
        return [candidate for _, candidate in chosen]

    def _cite(self, relevant: list[_Candidate]) -> list[Citation]:
        """Up to MAX_CITATIONS: each source's best passage first, then the next best overall."""
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
            excerpt = excerpt_for(self._by_source[passage.source.id], passage.position)
            if any(
                s == passage.source.id and excerpt.start < e and b < excerpt.end
                for s, b, e in taken
            ):
                continue
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

    def _no_match_message(self, question: str, query: Query) -> str:
        unknown = [
            written
            for word, written in surface_words(question).items()
            if len(word) > 1
            and (term := term_of(word))
            and term in query.weights
            and self._index.document_frequency(term) == 0
        ]
        if unknown:
            return _not_mentioned(unknown)
        if len(query.words) > 1:
            words = _quoted(list(query.words.values()))
            return (
                f"The sources don't cover this: no passage speaks of {words} together. "
                "Try rephrasing, or see /sources list."
            )
        return (
            "The sources don't cover this: no passage speaks to enough of the question. "
            "Try rephrasing, or see /sources list."
        )


def _same_paragraph(a: Passage, b: Passage) -> bool:
    """Same paragraph. A line break between them ends a paragraph too when the line before it
    is longer than hard-wrapped text ever is: such a text puts one paragraph on a line."""
    if a.paragraph != b.paragraph:
        return False
    text = a.source.text
    lo, hi = min(a.end, b.end), max(a.start, b.start)
    newline = text.find("\n", lo, hi)
    if newline < 0:
        return True
    line_start = text.rfind("\n", 0, newline) + 1
    return newline - line_start <= UNWRAPPED_LINE


def _column_terms(passage: Passage) -> frozenset[str]:
    """For a table row, the terms of its table's column names: part of what the row says."""
    columns = column_names(passage.source.text, passage.start)
    return frozenset(analyze(" ".join(columns))) if columns else frozenset()


def _frame_terms() -> dict[str, frozenset[str]]:
    """Analysed term -> every analysed term of the availability frames it belongs to."""
    family = frozenset(
        term for words in PREDICATE_FRAMES.values() for w in words for term in analyze(w)
    )
    return {term: family for term in family}


def _not_mentioned(words: list[str]) -> str:
    return (
        f"The sources don't cover this: none of them mentions {_quoted(words)}. "
        "Try the words the sources would use, or see /sources list."
    )


def _quoted(words: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in dict.fromkeys(words))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
