"""For a yes/no question: one source reports the question's predicate (a ban) where the other
reports only a different kind of event by a different actor (an end of production announced by
the banned party itself)."""

from __future__ import annotations

import re

from bot.caveat.asked import AGENT_MARKER, all_frames, frame_of, prohibition, question_parts
from bot.caveat.clauses import Clause
from bot.caveat.detectors import alignment
from bot.caveat.findings import EventDetail, Finding, FindingKind
from bot.caveat.tokens import Token, is_content, tokenize
from bot.english.function_words import PASSIVE_AUXILIARIES
from bot.english.time import MONTHS
from bot.english.wordforms import is_modifier, word_classes

_NEAR = 6


def other_event(question: str, first: list[Clause], second: list[Clause]) -> Finding | None:
    """`first` reports the question's predicate (a ban) by one actor; `second` never does, and
    reports instead another kind of event about the same subject (an end, a sale) by another."""
    names, _ = question_parts(question, frozenset().union(*(c.names for c in first + second)))
    # a prohibition is imposed by one party on another: the contrast with an account of the
    # other party's own doing ("the ban started": the event is the ban, "started" its aspect)
    asked = {t.key for t in tokenize(question)} & prohibition()
    if not asked or not names:
        return None
    frame = prohibition()
    if any(frame & c.keys for c in second):
        return None  # the other source speaks of the same kind of event: no contrast here
    reports = [
        (c, t)
        for c in first
        if not c.hedged
        for t in c.tokens
        if t.key in frame and not t.negated and not is_modifier(t.lower)
    ]
    others = [
        (c, t)
        for c in second
        if not c.hedged and c.keys & names
        for t in c.tokens
        if t.key in all_frames() and not t.negated and not is_modifier(t.lower)
    ]
    best: Finding | None = None
    for clause, word in reports:
        agent = _agent(clause, word, names)
        if agent is None or not (clause.keys & names):
            continue
        for other, event in others:
            actor = _agent(other, event, names)
            if actor is None or actor.key == agent.key or not (clause.keys & other.keys & names):
                continue
            score = 1.5 + alignment(clause, other, names)
            if best is None or score > best.score:
                who, by = _with_head(clause, agent), _bare(actor.text)
                detail = EventDetail(word.text, who, by, _own(question, word, actor))
                span_a, span_b = (word.start, word.end), (event.start, event.end)
                best = Finding(
                    FindingKind.EVENT, score, clause, other, span_a, span_b, event=detail
                )
    return best


def _agent(clause: Clause, word: Token, names: frozenset[str]) -> Token | None:
    """Who does it: a name after "by" following the word (a passive), else the clause's first
    name, its subject in English word order ("Japan has imposed a ban", "Tesla has announced
    that production will cease"). A capital that only opens the clause (or the sentence of the
    word) is not a name."""
    tokens = list(clause.tokens)
    at = tokens.index(word)
    for i in range(at + 1, min(len(tokens) - 1, at + _NEAR)):
        if tokens[i].lower == AGENT_MARKER and tokens[i + 1].text[:1].isupper():
            return tokens[i + 1]
    # the sentence of the word: a period before a capital ends one, even after an abbreviation
    # kept whole ("…SpaceX, and X Corp. Citing concerns…, Japanese officials have banned")
    opens = [m.end() for m in _SENTENCE_END.finditer(clause.text, 0, word.start)]
    first = next((i for i, t in enumerate(tokens) if opens and t.start >= opens[-1]), 0)
    for i, token in enumerate(tokens[first:at], start=first):
        if not token.text[:1].isupper() or not is_content(token) or token.lower in MONTHS:
            continue
        if i > first or token.key in names:
            return token
    return None


_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])")


def _with_head(clause: Clause, name: Token) -> str:
    """A name with the noun it modifies, when it modifies one ("Japanese officials")."""
    tokens = list(clause.tokens)
    at = tokens.index(name)
    after = tokens[at + 1] if at + 1 < len(tokens) else None
    if (
        after is not None
        and after.text.islower()
        and is_content(after)
        and word_classes(after.lower) == {"NOUN"}
    ):
        return f"{name.text} {after.text}"
    return _bare(name.text)


def _bare(name: str) -> str:
    return re.sub(r"['’]s$", "", name)


def _own(question: str, word: Token, actor: Token) -> bool:
    """Whether the other actor is what the question's predicate applies to (its object)."""
    tokens = tokenize(question)
    frames = frame_of()
    position = next((i for i, t in enumerate(tokens) if t.key in frames), None)
    if position is None:
        return False
    before = tokens[:position]
    if any(t.lower in PASSIVE_AUXILIARIES for t in before) and not tokens[position].lower.endswith(
        "ing"
    ):
        # a passive ("Tesla got banned", "was Tesla banned?"): it applies to its subject
        applies_to = {t.key for t in before}
    else:
        applies_to = {t.key for t in tokens[position + 1 :]}
    return actor.key in applies_to
