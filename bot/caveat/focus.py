"""What a question asks, and the disagreements that answer it.

Two statements only disagree when they answer the same question about the same thing. So the
question's kind is read first (`bot.relevance.kind`, rules of English question syntax), and
only the comparisons that bear on it are made: a date conflict for a *when* question, a
figure conflict for a *how many* one; a yes/no question compares dates or figures only when it
names a date or figure itself. Beside the general detectors, three answer a question directly:
names that differ for *who*, dates that differ for *when* (aligned on the question's predicate,
not on a fixed list of events), and for yes/no, one source reporting the question's predicate
(a ban) where the other reports only a different kind of event by a different actor (an end of
production announced by the banned party itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.caveat.alternatives import alternative_conflict, alternatives_of
from bot.caveat.asked import AGENT_MARKER, family, question_parts
from bot.caveat.clauses import Clause
from bot.caveat.detectors import alignment, other_times
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.other_event import other_event
from bot.caveat.quantities import Date
from bot.caveat.tokens import Token, is_content, possessors, tokenize
from bot.english import caveat_words as lex
from bot.english.function_words import AUXILIARIES, COPULA, OBJECT_PREPOSITIONS, PLACE_PREPOSITIONS
from bot.english.time import MONTHS, YEAR
from bot.english.wordforms import is_modifier, word_classes
from bot.relevance.kind import Asked

_AGENT_OR_COPULA = COPULA | {"by", "named", "called", "as"}
_NEAR_ANSWER = 12


def _asks_which(question: str) -> bool:
    """ "Which club…", "what team…", "what is the (largest) city of…": a noun after *which* or
    *what* (or after its copula, article and adjectives) asks for one thing by its name."""
    words = [t.lower for t in tokenize(question)]
    at = next((i for i, w in enumerate(words) if w in ("which", "what")), None)
    after = words[at + 1 : at + 6] if at is not None else []
    if after[:1] and after[0] in COPULA:
        after = after[2:] if after[1:2] and after[1] in ("the", "a", "an") else after[1:]
    while after[1:] and is_modifier(after[0]):
        after = after[1:]  # "the largest city"
    return bool(after) and after[0] not in AUXILIARIES and "NOUN" in word_classes(after[0])


def answering(asked: Asked, question: str, clauses: list[Clause]) -> list[Clause]:
    """The clauses that can answer an amount question about an event ("How old was she when
    she *died*?"): not those that only report another kind of event (an age at a marriage)."""
    asked_events = _events(tokenize(question))
    if asked is not Asked.AMOUNT or not asked_events:
        return clauses
    return [c for c in clauses if not _events(c.tokens) or _events(c.tokens) & asked_events]


def _events(tokens: tuple[Token, ...]) -> frozenset[str]:
    """The kinds of event the words name (a death, a marriage, a founding…)."""
    found = (lex.DATE_EVENTS.get(t.lower) or lex.DATE_EVENTS.get(t.key) for t in tokens)
    return frozenset(event for event in found if event)


def detectors_for(asked: Asked, question: str) -> frozenset[FindingKind]:
    """The general comparisons that bear on what is asked."""
    general = {FindingKind.POLARITY, FindingKind.ANTONYM}
    if asked is Asked.WHEN:
        return frozenset(general | {FindingKind.DATE})
    if asked is Asked.AMOUNT:
        return frozenset(general | {FindingKind.NUMBER})
    if asked is Asked.YES_NO:
        tokens = tokenize(question)
        if any(t.lower in MONTHS or re.fullmatch(YEAR, t.text) for t in tokens):
            general.add(FindingKind.DATE)
        if any(t.lower[0].isdigit() or t.lower in lex.NUMBER_WORDS for t in tokens):
            general.add(FindingKind.NUMBER)
        return frozenset(general)
    if asked in (Asked.WHO, Asked.WHERE):
        return frozenset(general)
    return frozenset(general | {FindingKind.DATE, FindingKind.NUMBER})


def focused_finding(
    asked: Asked, question: str, first: list[Clause], second: list[Clause]
) -> Finding | None:
    """A disagreement on the very thing asked, between the clauses of two excerpts."""
    if alternatives_of(question):  # "…the Rovers club or the Carrow United club?"
        chosen = _best(first, second, question, _alternative_chosen)
        if chosen is not None:
            return chosen
    if asked is Asked.WHO:
        return _best(first, second, question, _name_conflict)
    if asked is Asked.WHERE:
        return _best(first, second, question, _place_conflict)
    if asked is Asked.OTHER and _asks_which(question):
        return _best(first, second, question, _name_conflict)
    if asked is Asked.WHEN:
        return _best(first, second, question, _asked_date_conflict)
    if asked is Asked.YES_NO:
        return (
            other_event(question, first, second)
            or other_event(question, second, first)
            or _best(first, second, question, _offered_answer)
        )
    return None


def _best(
    first: list[Clause],
    second: list[Clause],
    question: str,
    detector: Callable[[str, Clause, Clause], Finding | None],
) -> Finding | None:
    best: Finding | None = None
    for a in first:
        for b in second:
            if a.hedged or b.hedged:
                continue
            finding = detector(question, a, b)
            if finding is not None and (best is None or finding.score > best.score):
                best = finding
    return best


def _alternative_chosen(question: str, a: Clause, b: Clause) -> Finding | None:
    return alternative_conflict(question, a, b, question_parts(question)[0])


# --- who -----------------------------------------------------------------------------------


def _covers(
    clause: Clause, names: frozenset[str], others: frozenset[str], question: str = ""
) -> bool:
    """The clause speaks of the question's subject (a name of it, or all of it) and its topic."""
    about = _subject_keys(clause, question)
    return bool(about & names or not names) and bool(family(others) & clause.keys)


def _subject_keys(clause: Clause, question: str) -> frozenset[str]:
    """The clause's keys less a name it only uses as a possessor ("Ada Brook's husband died":
    the husband died), unless the question uses it so too."""
    owned = frozenset(t.key for t in tokenize(question))
    return clause.keys - (possessors(clause.tokens, owned) - possessors(tokenize(question)))


def _name_conflict(
    question: str,
    a: Clause,
    b: Clause,
    answers: Callable[..., bool] | None = None,
    offered: frozenset[str] = frozenset(),
) -> Finding | None:
    """Two clauses on the question's subject and topic that name different people where English
    puts the answer (`answers`: after "by" or a copula… by default). `offered` is the answer a
    yes/no question names itself ("Was it built by Crawford?"): no part of its subject."""
    names, others = question_parts(question)
    names, others = names - offered, others - offered
    if not others or not (
        _covers(a, names, others, question) and _covers(b, names, others, question)
    ):
        return None
    if names and not (_subject_keys(a, question) & _subject_keys(b, question) & names):
        return None
    if other_times(a, b):
        return None  # the 2017 manager and the 2019 one are not two answers
    if _ranks(a, others) != _ranks(b, others):
        return None  # "the largest city" and "the second largest city" are two things
    answers = answers or _answers
    first = _answer_names(a, names, others, answers)
    second = _answer_names(b, names, others, answers)
    if not first or not second:
        return None
    if {k for _, keys in first for k in keys} & {k for _, keys in second for k in keys}:
        return None  # a name in common: they may well agree
    x, y = first[0][0], second[0][0]
    score = 2.0 + alignment(a, b, names | others)
    kind = FindingKind.PLACE if answers is _located else FindingKind.NAME
    return Finding(kind, score, a, b, x, y)


def _ranks(clause: Clause, others: frozenset[str]) -> frozenset[str]:
    """Ordinals that rank the question's topic word ("the second largest city")."""
    tokens, topic = clause.tokens, family(others)
    return frozenset(
        t.lower
        for i, t in enumerate(tokens)
        if t.lower in lex.ORDINALS and any(u.key in topic for u in tokens[i + 1 : i + 4])
    )


def _place_conflict(question: str, a: Clause, b: Clause) -> Finding | None:
    """*Where*: the places the two clauses give after a preposition of place ("died in Dagana",
    "died in Cayor"); a place in common ("Taichung, Taiwan" and "Taiwan") is agreement."""
    return _name_conflict(question, a, b, _located)


def _offered_answer(question: str, a: Clause, b: Clause) -> Finding | None:
    """A yes/no question that names its own answer, as the subject of a copula ("Is Dagmar the
    largest city…?"), a place ("Was he born in Lyon?") or an agent ("Was the hut built by
    Crawford?"), against a source giving another one for the same subject and topic."""
    tokens = tokenize(question)
    subject = _copula_subject(tokens)
    if subject:
        return _name_conflict(question, a, b, _answers, subject)
    for answers, markers in ((_located, PLACE_PREPOSITIONS), (_answers, {AGENT_MARKER})):
        offered = _names_after(tokens, markers)
        if offered:
            return _name_conflict(question, a, b, answers, offered)
    return None


def _copula_subject(tokens: tuple[Token, ...]) -> frozenset[str]:
    """The name between an opening copula and an article: "Is *Dagmar* the largest city…?"."""
    if not tokens or tokens[0].lower not in COPULA:
        return frozenset()
    run = []
    for token in tokens[1:]:
        if not token.text[:1].isupper():
            break
        run.append(token)
    following = tokens[len(run) + 1] if len(tokens) > len(run) + 1 else None
    if not run or following is None or following.lower not in ("the", "a", "an"):
        return frozenset()
    return frozenset(t.key for t in run)


def _names_after(tokens: tuple[Token, ...], markers: frozenset[str] | set[str]) -> frozenset[str]:
    """Keys of the capitalised words right after one of `markers` ("in Lyon", "by Crawford")."""
    found: set[str] = set()
    for before, token in zip(tokens, tokens[1:], strict=False):
        if not token.text[:1].isupper() or token.lower in MONTHS:
            continue
        if before.lower in markers or before.key in found:
            found.add(token.key)
    return frozenset(found)


def _located(clause: Clause, run: list[int], topic: list[int]) -> bool:
    """Whether a name stands where English puts a place: after a preposition of place."""
    return run[0] > 0 and clause.tokens[run[0] - 1].lower in PLACE_PREPOSITIONS


def _answer_names(
    clause: Clause, names: frozenset[str], others: frozenset[str], answers: Callable[..., bool]
) -> list[tuple[tuple[int, int], frozenset[str]]]:
    """Runs of capitalised words near the question's topic that the question does not name."""
    tokens = clause.tokens
    topic = [i for i, t in enumerate(tokens) if t.key in family(others)]
    runs: list[list[int]] = []
    for i, token in enumerate(tokens):
        capital = token.text[:1].isupper() and token.lower not in MONTHS
        opens = i > 0 or not word_classes(token.lower)  # "Keswick is…", not "Today…"
        if capital and opens and token.key not in names and is_content(token):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        elif capital and runs and runs[-1][-1] == i - 1 and token.key in names:
            runs[-1].append(i)  # "Paul Seadlund": a first name before the family's name
    found = []
    for run in runs:
        distance = min((min(abs(i - j) for i in run) for j in topic), default=_NEAR_ANSWER + 1)
        keys = frozenset(tokens[i].key for i in run) - names
        if distance <= _NEAR_ANSWER and keys and answers(clause, run, topic):
            found.append((distance, (tokens[run[0]].start, tokens[run[-1]].end), keys))
    found.sort(key=lambda item: item[0])
    return [(span, keys) for _, span, keys in found]


def _answers(clause: Clause, run: list[int], topic: list[int]) -> bool:
    """Whether a name stands where English puts who did or is something: after "by" or a copula
    ("given by Gregory Corso", "the manager was Maxi Curran"), right after or in apposition to
    the topic word ("his father, Paul Seadlund", "the club of Carrow United", "played for
    Carrow United"), right before it
    as its name ("the Rovers club"), or as the subject before a copula."""
    tokens = clause.tokens
    first, last = run[0], run[-1]
    before = tokens[first - 1] if first > 0 else None
    after = tokens[last + 1] if last + 1 < len(tokens) else None
    if before is not None and (before.lower in _AGENT_OR_COPULA or first - 1 in topic):
        return True
    if before is not None and before.lower in OBJECT_PREPOSITIONS and first - 2 in topic:
        return True  # "the club of Carrow United", "played for Carrow United"
    return after is not None and (after.lower in COPULA or last + 1 in topic)


# --- when ----------------------------------------------------------------------------------


def _asked_date_conflict(question: str, a: Clause, b: Clause) -> Finding | None:
    names, others = question_parts(question)
    if not a.dates or not b.dates or not others:
        return None
    if not (_subject_keys(a, question) & _subject_keys(b, question) & names):
        return None
    if not (_covers(a, names, others, question) and _covers(b, names, others, question)):
        return None
    x, y = _date_near(a, others), _date_near(b, others)
    if x.low <= y.high and y.low <= x.high:
        return None
    if x.event and y.event and x.event != y.event:
        return None  # a birth and a death are not two answers to one "when"
    score = 2.0 + alignment(a, b, names | others)
    return Finding(FindingKind.DATE, score, a, b, (x.start, x.end), (y.start, y.end))


def _date_near(clause: Clause, others: frozenset[str]) -> Date:
    topic = [t.start for t in clause.tokens if t.key in family(others)]
    return min(clause.dates, key=lambda d: min((abs(d.start - p) for p in topic), default=0))


# --- yes/no: the predicate asked about against another kind of event -------------------------
