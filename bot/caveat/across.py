"""Disagreements with no question: the list a moderator reads (`python -m bot conflicts`).

With no question to say what is compared, two statements disagree only when they are plainly
about the same thing, and when in doubt nothing is said:

- the same subject: the name before the verb, the same in both (less Inc, Co, Corp…); a name
  in the possessive ("Indonesia's exports") or after a preposition ("production in Indonesia")
  is not the subject, and a clause with no named subject is never compared;
- the same time: a clause placed in time relative to its writing ("today", "this morning",
  "last week") is never compared, for two sources are written on different days; a figure or
  an opposite reached by a verb of change ("rose to", "raised its offer to") is a value at one
  moment, compared only when both clauses give the same date;
- two dates only when they date the same kind of event ("born", "founded").
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from lemminflect import getAllLemmas

from bot.caveat.clauses import Clause
from bot.caveat.detectors import best_finding
from bot.caveat.findings import Finding, FindingKind
from bot.caveat.tokens import Token, is_content, runs_of
from bot.english import caveat_words as lex
from bot.english.function_words import PREPOSITIONS, SUBJECT_PRONOUNS
from bot.english.names import DESIGNATORS
from bot.english.speech import REPORTED
from bot.english.time import DEICTIC_DETERMINERS, MONTHS, PERIODS, WRITTEN_DEICTIC_TIME
from bot.english.wordforms import word_classes


def conflict_between(first: list[Clause], second: list[Clause]) -> Finding | None:
    """The strongest disagreement between two passages' clauses about the same subject at the
    same time, or None."""
    best: Finding | None = None
    for a, b in itertools.product(first, second):
        if a.hedged or b.hedged or _deictic(a) or _deictic(b) or not same_subject(a, b):
            continue
        finding = best_finding([a], [b], frozenset())
        if finding is None or not _same_occasion(finding):
            continue
        if best is None or finding.score > best.score:
            best = finding
    return best


def same_subject(a: Clause, b: Clause) -> bool:
    """Both clauses name their subject, and it is the same name: the same words, or one with a
    middle name the other leaves out ("Marina Baker", "Marina Augusta Baker"; never "Merrill
    Lynch" and "Merrill Lynch Capital Markets")."""
    first, second = subject_names(a, b.names), subject_names(b, a.names)
    shorter, longer = sorted((first, second), key=len)
    if not shorter or first == second:
        return bool(shorter)
    return (
        len(shorter) >= 2
        and set(shorter) <= set(longer)
        and (shorter[0], shorter[-1]) == (longer[0], longer[-1])
    )


def subject_names(clause: Clause, known: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Keys of the name the clause is about: its first run of capitalised words that is not a
    date, the object of a preposition ("production of cocoa in Indonesia"), or an opening word
    no name ("Starting April 1, Tesla…": a dictionary word, unless the clause or `known`, the
    other clause's names, writes it as a name). Empty when that name is in the possessive
    ("Indonesia's exports": the subject is what it owns). A speaker reporting another's
    statement ("Lifetime said the bank intends…") is not its subject; "said it…" keeps him,
    and a name after "said" or after a figure comes after the verb: it is no subject."""
    tokens = clause.tokens
    first_figure = min((q.start for q in clause.quantities), default=len(clause.text))
    for run in runs_of(tokens, _is_name_word):
        head, last = run[0], run[-1]
        if head.start >= first_figure:
            break
        index = tokens.index(head)
        if index > 0 and tokens[index - 1].lower in PREPOSITIONS | REPORTED:
            continue
        opening = head is tokens[0] and len(run) == 1
        if opening and word_classes(head.lower) and head.key not in clause.names | known:
            continue
        if last.lower.endswith(("'s", "’s")):
            return ()
        reported = _reported_clause(tokens, tokens.index(last) + 1)
        if reported is not None:
            return _subject_of_tokens(clause, reported, known)
        return tuple(t.key for t in run if t.lower not in DESIGNATORS)
    return ()


def _subject_of_tokens(
    clause: Clause, tokens: tuple[Token, ...], known: frozenset[str]
) -> tuple[str, ...]:
    """The subject of the reported clause `tokens` of `clause`."""
    return subject_names(replace(clause, tokens=tokens), known) if tokens else ()


def _reported_clause(tokens: tuple[Token, ...], after: int) -> tuple[Token, ...] | None:
    """The words another's statement takes after "said"/"told … that", when its subject is not
    the speaker again (a pronoun: "said it affirmed…"); None when no such verb follows."""
    for index in range(after, min(after + 3, len(tokens))):
        if tokens[index].lower in REPORTED:
            rest = tokens[index + 1 :]
            if rest and rest[0].lower == "that":
                rest = rest[1:]
            if rest and rest[0].lower in SUBJECT_PRONOUNS:
                return None
            return rest
    return None


def _is_name_word(token: Token) -> bool:
    return (
        token.text[:1].isupper()
        and is_content(token)
        and token.lower.rstrip(".") not in MONTHS
        and not token.lower.isdigit()
    )


def _deictic(clause: Clause) -> bool:
    """The clause places itself in time relative to when it was written."""
    words = [t.lower for t in clause.tokens]
    if any(w in WRITTEN_DEICTIC_TIME for w in words):
        return True
    return any(
        w in DEICTIC_DETERMINERS and n in PERIODS for w, n in zip(words, words[1:], strict=False)
    ) or ("so", "far") in zip(words, words[1:], strict=False)


def _changes(clause: Clause) -> bool:
    """The clause reports a change ("rose", "was increased", "cut … to")."""
    return any(lemma in lex.CHANGE_VERBS for t in clause.tokens for lemma in _verb_lemmas(t.lower))


def _verb_lemmas(word: str) -> tuple[str, ...]:
    return tuple(getAllLemmas(word).get("VERB", ())) if "VERB" in word_classes(word) else ()


def _same_occasion(finding: Finding) -> bool:
    """The two values compared belong to one occasion: the same kind of event for two dates;
    the same date for a figure or an opposite reached by a change."""
    a, b = finding.first, finding.second
    if finding.kind is FindingKind.DATE:
        x = next(d for d in a.dates if (d.start, d.end) == finding.first_span)
        y = next(d for d in b.dates if (d.start, d.end) == finding.second_span)
        if not (_of_the_subject(a, x.start, b.names) and _of_the_subject(b, y.start, a.names)):
            return False
        if x.event or y.event:
            return x.event == y.event
        return _same_predicate(a, b)
    if finding.kind is FindingKind.NUMBER and not _same_owners(finding):
        return False
    if finding.kind in (FindingKind.NUMBER, FindingKind.ANTONYM) and (_changes(a) or _changes(b)):
        return bool(a.dates and b.dates) and any(
            x.low <= y.high and y.low <= x.high for x in a.dates for y in b.dates
        )
    if finding.kind is FindingKind.POLARITY:
        return _denied_after_subject(a, b) and _denied_after_subject(b, a)
    return True


def _denied_after_subject(clause: Clause, other: Clause) -> bool:
    """A denial before the subject's name is another clause's ("results would not be changed
    and Paul Hamm would keep his medal" does not deny that he keeps it)."""
    first_denied = next((t for t in clause.tokens if t.negated), None)
    subject = set(subject_names(clause, other.names))
    named = next((t for t in clause.tokens if t.key in subject), None)
    return first_denied is None or named is None or named.start < first_denied.start


def _same_owners(finding: Finding) -> bool:
    """The names near each figure, beside the subject, are the same: "AVX Corp's 28 mln dlrs of
    debt" and "AFG Industries Inc's 185 mln dlrs" are two debts."""
    a, b = finding.first, finding.second
    x = next(q for q in a.quantities if (q.start, q.end) == finding.first_span)
    y = next(q for q in b.quantities if (q.start, q.end) == finding.second_span)
    subject = frozenset(subject_names(a, b.names))
    return (x.window & a.names) - subject == (y.window & b.names) - subject


def _same_predicate(a: Clause, b: Clause) -> bool:
    """Every content word of one clause, besides its dates, is in the other: the same subject
    does the same thing ("In 1965, Paul Fraisse becomes the director of…" / "1961 : Paul
    Fraisse becomes the only director of…"), so two dates for it are two answers to "when"."""
    dated = {t.key for c in (a, b) for d in c.dates for t in c.tokens if d.start <= t.start < d.end}
    first, second = a.keys - dated, b.keys - dated
    return bool(first and second) and (first <= second or second <= first)


def _of_the_subject(clause: Clause, start: int, known: frozenset[str]) -> bool:
    """A date in parentheses right after a name ("the son of Rabbi Marx Levi (1743–1804)")
    belongs to that name: it is the subject's only when that name shares a word with it."""
    opening = clause.text.rfind("(", 0, start)
    if opening < 0 or ")" in clause.text[opening:start]:
        return True
    before = [t for t in clause.tokens if t.end <= opening]
    run: list[Token] = []
    for token in reversed(before):
        if not _is_name_word(token):
            break
        run.append(token)
    subject = set(subject_names(clause, known))
    return not run or bool(subject & {t.key for t in run})
