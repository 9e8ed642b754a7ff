"""A claim shows both sides: a cited passage that is one side of a disagreement the library
holds brings the other side and its caveat, whatever the question's wording.

The library's disagreements are what `/library conflicts` lists (`bot.caveat.scan_conflicts`).
A scan costs milliseconds a passage, so it runs once per engine and never while answering:
while the engine is built for a small library, in a background thread for a larger one (used
once it is done), and for a larger library still only when a moderator's scan is done
(`KnownConflicts.adopt`). An answer only looks its cited passages up in the table left behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot.answer.excerpts import excerpt_for
from bot.answer.types import Citation, Contradiction
from bot.caveat import MAX_CONTRADICTIONS, ConflictScan, PassageConflict, scan_conflicts
from bot.caveat.align import noting_corrections
from bot.caveat.tokens import content_keys
from bot.caveat.wording import to_contradiction
from bot.passages.sentences import Passage
from bot.relevance.reading import Query
from bot.relevance.words import YEAR
from bot.retrieval import analyze
from bot.settings import DEFAULT_CONFLICTS_SECONDS

log = logging.getLogger(__name__)

# A library of this many passages at most is scanned while its engine is built (about half a
# second); one of up to `BACKGROUND_SCAN_PASSAGES` in a background thread, for at most
# `DEFAULT_CONFLICTS_SECONDS` (the time `/library conflicts` takes by default). A larger one
# (the 160k-passage benchmark would take minutes) is left to a moderator's scan.
BUILD_SCAN_PASSAGES = 200
BACKGROUND_SCAN_PASSAGES = 20_000


def scan_within(passages: Sequence[Passage], seconds: float | None) -> ConflictScan:
    """`scan_conflicts` stopped after `seconds` (None: however long it takes)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    return scan_conflicts(passages, lambda: deadline is not None and time.monotonic() >= deadline)


@dataclass(frozen=True)
class Claim:
    """What a known conflict must bear on to be shown with an answer: a name of the question
    (as the caveat keys it), a word of the question besides its names (the index terms that
    meet it: "on sale" meets "sold"), and the question's years, when it names any."""

    keys: frozenset[str]
    words: frozenset[str]
    years: frozenset[str]
    own: frozenset[str]  # the question's own terms besides its names (no word that meets them)


def claim_of(question: str, query: Query) -> Claim:
    """The claim of `question`, read into `query`."""
    own = frozenset(t for t, w in query.weights.items() if w and t not in query.names)
    words = frozenset().union(*(query.matches.get(t, {t}) for t in own))
    years = frozenset(t for t in query.terms if YEAR.match(t))
    return Claim(content_keys(question), words, years, own)


@dataclass(frozen=True)
class _Side:
    """One passage of a known conflict, the passage on the other side, the conflict, the
    index terms of the two clauses that disagree, and those of the rest of this passage."""

    passage: Passage
    other: Passage
    conflict: PassageConflict
    terms: frozenset[str]
    rest: frozenset[str]

    def bears_on(self, claim: Claim) -> bool:
        """The disagreement is about what the claim says: one of its names, one of its other
        words, and its year (a ban now says nothing of sales in 2019); and the claim is not
        about another clause of the passage ("custom orders" in "Tesla will only sell existing
        stock, and new custom orders will no longer be accepted")."""
        finding = self.conflict.finding
        return (
            finding is not None
            and bool((finding.first.names | finding.second.names) & claim.keys)
            and bool(self.terms & claim.words)
            and (not claim.years or bool(self.terms & claim.years))
            and (bool(claim.own & self.terms) or not claim.own & self.rest)
        )


class KnownConflicts:
    """The library's disagreements by source, found once (see the module's docstring)."""

    def __init__(
        self,
        passages: Sequence[Passage],
        seconds: float = DEFAULT_CONFLICTS_SECONDS,
        *,
        background: bool = True,
    ) -> None:
        """`background`: whether a library too large to scan at build is scanned in a thread
        (a server's engine over the shared base is not: one scan per server would starve
        answering; its moderators' scan fills the table)."""
        self._sides: dict[str, list[_Side]] = {}
        self._complete = False
        self._done = threading.Event()
        if len(passages) <= BUILD_SCAN_PASSAGES:
            self.adopt(scan_within(passages, seconds))
        elif background and len(passages) <= BACKGROUND_SCAN_PASSAGES:
            scan = threading.Thread(
                target=self._scan, args=(passages, seconds), name="known-conflicts", daemon=True
            )
            scan.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until a scan is kept; False when none is after `timeout` seconds."""
        return self._done.wait(timeout)

    def adopt(self, scan: ConflictScan) -> None:
        """Keep what `scan` found; a stopped scan only until a complete one is kept."""
        if self._complete and not scan.complete:
            return
        sides: dict[str, list[_Side]] = {}
        for conflict in scan.conflicts:
            if conflict.finding is None:
                continue
            terms = frozenset(analyze(" ".join(conflict.quotes)))
            for (passage, other), quote in zip(
                (conflict.passages, conflict.passages[::-1]), conflict.quotes, strict=True
            ):
                rest = frozenset(analyze(passage.text)) - frozenset(analyze(quote))
                side = _Side(passage, other, conflict, terms, rest)
                sides.setdefault(passage.source.id, []).append(side)
        self._sides, self._complete = sides, scan.complete  # answers read one table or the other
        self._done.set()

    def _scan(self, passages: Sequence[Passage], seconds: float) -> None:
        try:
            self.adopt(scan_within(passages, seconds))
        except Exception:  # a thread's failure must not pass unseen; answers go on without it
            log.exception("scanning the library for disagreements failed")

    def with_other_sides(
        self,
        claim: Claim,
        citations: list[Citation],
        by_source: Mapping[str, Sequence[Passage]],
        limit: int,
    ) -> list[Citation]:
        """`citations`, renumbered, with the other side of each known conflict that a cited
        excerpt quotes one side of, that bears on the claim. Past `limit` citations,
        an other side takes the place of the last citation that is no such side."""
        anchored = self._anchored(claim, citations)
        if not anchored:
            return citations
        chosen = list(citations)
        keep = {id(cited) for cited, _ in anchored}
        for _, side in anchored:
            if any(_quotes(c, side.other) for c in chosen):
                continue
            excerpt = excerpt_for(by_source[side.other.source.id], side.other.position)
            other = Citation(0, side.other.source, excerpt.start, excerpt.end, 0.0, excerpt.trimmed)
            if len(chosen) >= limit:
                dropped = next((c for c in reversed(chosen) if id(c) not in keep), None)
                if dropped is None:
                    continue
                chosen.remove(dropped)
            chosen.append(other)
            keep.add(id(other))
        return [replace(citation, n=n) for n, citation in enumerate(chosen, start=1)]

    def caveats(
        self, claim: Claim, citations: Sequence[Citation], found: list[Contradiction]
    ) -> list[Contradiction]:
        """`found`, then the caveat of each known conflict whose two sides are cited, unless a
        caveat already sets those two sources against each other."""
        by_number = {c.n: c.source.id for c in citations}
        paired = {frozenset(by_number.get(s.n) for s in c.sides) for c in found}
        said = list(found)
        for cited, side in self._anchored(claim, citations):
            other = next(
                (c for c in citations if _quotes(c, side.other)),
                None,
            )
            pair = frozenset((cited.source.id, side.other.source.id))
            if other is None or pair in paired or len(said) >= MAX_CONTRADICTIONS:
                continue
            contradiction = _numbered(side.conflict, {c.source.id: c for c in (cited, other)})
            if contradiction is not None:
                paired.add(pair)
                said.append(contradiction)
        return said

    def _anchored(
        self, claim: Claim, citations: Sequence[Citation]
    ) -> list[tuple[Citation, _Side]]:
        """(citation, side) for each known conflict a citation quotes one side of, that bears
        on the claim."""
        if not self._sides:
            return []
        return [
            (citation, side)
            for citation in citations
            for side in self._sides.get(citation.source.id, ())
            if _quotes(citation, side.passage) and side.bears_on(claim)
        ]


def _quotes(citation: Citation, passage: Passage) -> bool:
    """Whether the citation's excerpt overlaps the passage."""
    return (
        citation.source.id == passage.source.id
        and citation.start < passage.end
        and passage.start < citation.end
    )


def _numbered(conflict: PassageConflict, cited: dict[str, Citation]) -> Contradiction | None:
    """The conflict said as an answer's caveat, each side by its citation's number; None when
    a side's words are not in its excerpt (trimmed away)."""
    finding = conflict.finding
    if finding is None:
        return None
    first, second = cited[finding.first.group], cited[finding.second.group]
    if finding.first.text not in first.excerpt or finding.second.text not in second.excerpt:
        return None
    finding = replace(
        finding,
        first=replace(finding.first, n=first.n),
        second=replace(finding.second, n=second.n),
    )
    contradiction = to_contradiction(finding)
    texts = {c.source.id: c.source.text for c in (first, second)}
    return replace(
        contradiction, explanation=noting_corrections(contradiction.explanation, finding, texts)
    )
