"""Caveats: where cited excerpts of different sources disagree about what was asked.

After de Marneffe, Rafferty and Manning, "Finding Contradictions in Text" (ACL 2008): first align
two clauses on the same statement (shared content words, and for an answer, the words of the
question), then look for a mismatch on the aligned part: one side negates it (polarity), the two
use incompatible words (antonym), or they give different numbers or dates for the same thing.
Two statements aligned word for word but for one slot come first (`bot.caveat.align`), whoever
they are attributed to as long as it is the same speaker or none, and a hedge both share does
not hide them; otherwise a hedged clause ("analysts estimate", "might", "reportedly") carries no
caveat, and a figure is compared only with its like (`like_with_like`).

Nothing here decides who is right: a `Contradiction` quotes both sides verbatim and explains the
collision with a template filled in from those quotes. Pure and deterministic, no I/O.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.answer.types import Citation, Contradiction
from bot.caveat.across import conflict_between
from bot.caveat.align import aligned_finding, noting_corrections
from bot.caveat.clauses import Clause, clauses_of, names_before
from bot.caveat.detectors import best_finding
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.focus import answering, detectors_for, focused_finding
from bot.caveat.like import like_with_like
from bot.caveat.quantities import last_year_before
from bot.caveat.tokens import content_keys, is_content, key_of, names_in, tokenize
from bot.caveat.wording import (
    PassageConflict,
    question_order,
    surface_word,
    to_contradiction,
    to_passage_conflict,
)
from bot.english.frames import PREDICATE_FRAMES
from bot.english.function_words import TIME_PREPOSITIONS
from bot.english.time import YEAR
from bot.passages.sentences import Passage, trimmed_end
from bot.passages.tables import column_names, subject_of
from bot.relevance.kind import asked_by

__all__ = [
    "MAX_CONTRADICTIONS",
    "ConflictScan",
    "PassageConflict",
    "find_conflicts_across",
    "scan_conflicts",
    "find_disagreements",
    "find_single_source_claims",
]

log = logging.getLogger(__name__)

MAX_CONTRADICTIONS = 3
_YEAR = re.compile(YEAR)
# Comparisons that say nothing of when: they bear on a question that names a year only when
# one of the two excerpts speaks of that year.
# findings that answer the question itself (who, where, the event asked about) rank first
_ANSWERING_KINDS = frozenset({FindingKind.NAME, FindingKind.PLACE, FindingKind.EVENT})
_UNDATED_KINDS = frozenset({FindingKind.POLARITY, FindingKind.ANTONYM})
# What the text before an excerpt is read for (its last year, the names a pronoun stands for):
# at most this many characters of its paragraph, about two pages. Reading the whole paragraph
# made a source with no blank lines cost its length squared.
BEFORE_CHARS = 10_000
# A passage compared across a whole source set is read up to this many characters (to its last
# whole word): a "sentence" of a megabyte with no full stop would be compared word by word
# with every other. Excerpts of answers are shorter already (`bot.answer.excerpts`).
MAX_COMPARED_CHARS = 2_000
# A word in more passages than this aligns nothing across a source set.
_COMMON_WORD_PASSAGES = 50


def find_disagreements(question: str, citations: Sequence[Citation]) -> list[Contradiction]:
    """Contradictions between cited excerpts of different sources about what `question` asks.

    Parameters
    ----------
    question
        The user's question; its content words decide which statements are "about what was asked".
    citations
        The numbered excerpts of an answer. Excerpts of the same source are never compared.

    Returns
    -------
    list[Contradiction]
        At most `MAX_CONTRADICTIONS`, strongest first, at most one per pair of citations.
    """
    focus = content_keys(question)
    years = _years_asked_about(question)
    asked = asked_by(question)
    kinds = detectors_for(asked, question)
    clauses = {c.n: _clauses_at(c.source.text, c.start, c.end, c.n, c.source.id) for c in citations}
    named = _question_names(question)
    named_in = {c.n: _names_around(c, named) for c in citations}
    best_per_pair: dict[frozenset[str], Finding] = {}
    for first, second in itertools.combinations(citations, 2):
        if first.source.id == second.source.id:
            continue
        a, b = clauses[first.n], clauses[second.n]
        anchored = bool(named) and named <= named_in[first.n] and named <= named_in[second.n]
        # two statements of the same thing but one slot first, then one on the very thing
        # asked, then any other between the two
        finding = (
            aligned_finding(a, b, anchored)
            or focused_finding(asked, question, a, b)
            or best_finding(
                answering(asked, question, a),
                answering(asked, question, b),
                focus,
                kinds,
                like_with_like,
            )
        )
        if finding and finding.kind in _UNDATED_KINDS and _of_other_years(years, a + b):
            finding = None  # "sold 1,378 cars in 2019" vs two statements about other years
        pair = frozenset((first.source.id, second.source.id))
        if finding is not None and (
            pair not in best_per_pair or _rank(finding) > _rank(best_per_pair[pair])
        ):
            best_per_pair[pair] = finding
    findings = sorted(best_per_pair.values(), key=lambda f: -_rank(f))
    texts = {c.source.id: c.source.text for c in citations}
    said = [(f, to_contradiction(f)) for f in findings[:MAX_CONTRADICTIONS]]
    return [replace(c, explanation=noting_corrections(c.explanation, f, texts)) for f, c in said]


def _question_names(question: str) -> frozenset[str]:
    """The names the question writes (capitalised words inside it), lowercased as written."""
    return frozenset(
        t.lower for t in tokenize(question)[1:] if is_content(t) and t.text[:1].isupper()
    )


def _names_around(citation: Citation, names: frozenset[str]) -> frozenset[str]:
    """Which of `names` the citation's source writes in its title, in the excerpt or in the
    `BEFORE_CHARS` before it (its headline, its dateline, the sentence naming the company)."""
    text, title = citation.source.text, citation.source.title
    first = max(0, citation.start - BEFORE_CHARS)
    return frozenset(
        name
        for name in names
        if (pattern := re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)).search(title)
        or pattern.search(text, first, citation.end)
    )


def _years_asked_about(question: str) -> frozenset[str]:
    """Years that qualify the question's time ("in 2019"), not part of a name (Office 2013)."""
    tokens = tokenize(question)
    return frozenset(
        t.key
        for before, t in zip(tokens, tokens[1:], strict=False)
        if _YEAR.fullmatch(t.key) and before.lower in TIME_PREPOSITIONS
    )


def _of_other_years(years: frozenset[str], clauses: list[Clause]) -> bool:
    """Whether the question names a year and neither excerpt speaks of it."""
    return bool(years) and not any(years & c.keys for c in clauses)


def _clauses_at(
    text: str, start: int, end: int, n: int | None, group: str, pronouns: bool = True
) -> list[Clause]:
    """Clauses of `text[start:end]`, a table row read with its columns and title, a pronoun
    opening a clause with the names it stands for (unless `pronouns` is false: without a
    question to align on, only names a clause writes count). The paragraph before the excerpt
    gives the year of its last full date and the names of its last sentence that has any (only
    its last `BEFORE_CHARS` characters are read)."""
    paragraph = text.rfind("\n\n", max(0, start - BEFORE_CHARS - 1), start) + 1
    first = max(paragraph, start - BEFORE_CHARS)
    return clauses_of(
        text[start:end],
        n,
        group,
        column_names(text, start),
        subject_of(text, start),
        last_year_before(text, first, start),
        names_before(text[first:start]) if pronouns else frozenset(),
    )


def _rank(finding: Finding) -> float:
    """Findings on what was asked (name, event, focused date) rank above the general ones."""
    return finding.score + (10.0 if finding.kind in _ANSWERING_KINDS else 0.0)


def find_single_source_claims(question: str, citations: Sequence[Citation]) -> list[str]:
    """Notes for a claim of the question that only one of the cited sources bears out.

    When the other cited sources cover the same subject (share a word of the question) but none
    mentions, say, a ban, the note reads "Only [2] mentions “ban”." The claim is the question's
    predicate: only words of the predicate families in `bot.english.frames` (ban, sell, cease,
    expand…) are considered. One note at most, for the question's first such word.
    """
    by_source: dict[str, list[Citation]] = {}
    for citation in citations:
        by_source.setdefault(citation.source.id, []).append(citation)
    focus = content_keys(question)
    if len(by_source) < 2 or not focus:
        return []
    keys = {sid: content_keys(" ".join(c.excerpt for c in cs)) for sid, cs in by_source.items()}
    covering = [sid for sid, k in keys.items() if k & focus]
    claims = (focus - names_in(question)) & _predicate_keys()
    for key in sorted(claims, key=lambda k: question_order(question, k)):
        holders = [sid for sid in covering if key in keys[sid]]
        others = [sid for sid in covering if sid not in holders]
        if len(holders) == 1 and others and all(keys[sid] & (focus - {key}) for sid in others):
            numbers = [c.n for c in by_source[holders[0]] if key in content_keys(c.excerpt)]
            return [_only_note(numbers, surface_word(question, key))]
    return []


@lru_cache(maxsize=1)
def _predicate_keys() -> frozenset[str]:
    words = (word for frame in PREDICATE_FRAMES.values() for word in frame)
    return frozenset(key_of(word) for word in words)


def _only_note(numbers: list[int], word: str) -> str:
    labels = [f"[{n}]" for n in numbers]
    if len(labels) == 1:
        return f"Only {labels[0]} mentions “{word}”; the other sources cited do not."
    listed = ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"Only {listed}, all from one source, mention “{word}”; the other sources cited do not."


@dataclass(frozen=True)
class ConflictScan:
    """The disagreements found across a source set, and how much of it was read in the time."""

    conflicts: list[PassageConflict]
    passages: int  # in the set
    read: int  # passages analysed (all of them unless stopped)
    sources: int  # in the set
    sources_read: int  # sources all of whose passages were analysed
    pairs: int  # pairs of passages of different sources sharing two words or more
    compared: int  # of those pairs, how many were compared (all unless stopped)

    @property
    def complete(self) -> bool:
        return self.read == self.passages and self.compared == self.pairs

    def shortfall(self) -> str | None:
        """What a stop left unchecked, in one sentence; None when everything was checked."""
        if self.complete:
            return None
        if self.read < self.passages:
            return (
                f"Stopped at the time limit: checked {self.read:,} of {self.passages:,} passages "
                f"({self.sources_read:,} of {self.sources:,} sources in full); the rest were "
                "not compared."
            )
        return (
            f"Stopped at the time limit: compared {self.compared:,} of {self.pairs:,} pairs of "
            "passages that share words; the rest were not compared."
        )


def find_conflicts_across(passages: Sequence[Passage]) -> list[PassageConflict]:
    """Every disagreement between passages of different sources (`scan_conflicts`, unhurried)."""
    return scan_conflicts(passages).conflicts


def scan_conflicts(
    passages: Sequence[Passage], should_stop: Callable[[], bool] = lambda: False
) -> ConflictScan:
    """Disagreements between passages of different sources across a whole source set.

    No question narrows the subject, so two statements are compared only when they share a
    subject and a time (`bot.caveat.across`). Passages are paired only when they share at least
    two content words (an inverted index keeps this near-linear on a few hundred passages).
    Each passage is read up to `MAX_COMPARED_CHARS`. `should_stop` is asked between passages
    and between pairs: once it says so, what was found so far is returned, with counts of what
    was read and compared. Conflicts come one per passage pair, strongest first.
    """
    words: list[frozenset[str]] = []  # each passage's content words; its clauses are not kept
    for p in passages:
        if should_stop():
            break
        words.append(frozenset().union(*(c.keys for c in _compared_clauses(p))))
    postings: dict[str, list[int]] = {}
    for index, keys in enumerate(words):
        for key in keys:
            postings.setdefault(key, []).append(index)
    shared_counts: dict[tuple[int, int], int] = {}
    for indices in postings.values():
        if len(indices) > _COMMON_WORD_PASSAGES:
            continue
        for i, j in itertools.combinations(indices, 2):
            if passages[i].source.id != passages[j].source.id:
                shared_counts[(i, j)] = shared_counts.get((i, j), 0) + 1
    pairs = sorted(pair for pair, count in shared_counts.items() if count >= 2)
    # Only paired passages are analysed again, each once, and let go after its last pair: in
    # this order a passage never comes back once the pairs it opens are done.
    analysed: dict[int, list[Clause]] = {}
    held: list[int] = []  # the indices in `analysed`, a heap
    conflicts: list[tuple[float, PassageConflict]] = []
    compared = 0
    for i, j in pairs:
        if should_stop():
            break
        while held and held[0] < i:
            del analysed[heapq.heappop(held)]
        for k in (i, j):
            if k not in analysed:
                analysed[k] = _compared_clauses(passages[k])
                heapq.heappush(held, k)
        compared += 1
        finding = aligned_finding(analysed[i], analysed[j]) or conflict_between(
            analysed[i], analysed[j]
        )
        if finding is not None and like_with_like(finding):
            conflict = to_passage_conflict(finding, passages[i], passages[j])
            texts = {p.source.id: p.source.text for p in conflict.passages}
            explanation = noting_corrections(conflict.explanation, finding, texts)
            conflicts.append((finding.score, replace(conflict, explanation=explanation)))
    conflicts.sort(key=lambda pair: -pair[0])
    return ConflictScan(
        conflicts=[conflict for _, conflict in conflicts],
        passages=len(passages),
        read=len(words),
        sources=len({p.source.id for p in passages}),
        sources_read=_sources_read(passages, len(words)),
        pairs=len(pairs),
        compared=compared,
    )


def _compared_clauses(passage: Passage) -> list[Clause]:
    """The clauses of a passage (up to `MAX_COMPARED_CHARS`) as a whole source set compares them."""
    text = passage.source.text
    end = trimmed_end(text, passage.start, passage.end, MAX_COMPARED_CHARS)
    group = passage.source.id
    return _clauses_at(text, passage.start, end, None, group, pronouns=False)


def _sources_read(passages: Sequence[Passage], read: int) -> int:
    """How many sources have all their passages among the first `read` of `passages`."""
    unread = {p.source.id for p in passages[read:]}
    return len({p.source.id for p in passages[:read]} - unread)
