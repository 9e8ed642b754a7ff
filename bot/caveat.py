"""Caveats: where cited excerpts of different sources disagree about what was asked.

After de Marneffe, Rafferty and Manning, "Finding Contradictions in Text" (ACL 2008): first align
two clauses on the same statement (shared content words, and for an answer, the words of the
question), then look for a mismatch on the aligned part: one side negates it (polarity), the two
use incompatible words (antonym), or they give different numbers or dates for the same thing.
Hedged or attributed clauses ("analysts estimate", "might", "reportedly") never carry a caveat.

Nothing here decides who is right: a `Contradiction` quotes both sides verbatim and explains the
collision with a template filled in from those quotes. Pure and deterministic, no I/O.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot import caveat_lexicon as lex
from bot.answer_types import Citation, Contradiction, Side
from bot.lexicon import PREDICATE_FRAMES
from bot.passages import Passage, split_sentences
from bot.retrieval import analyze

log = logging.getLogger(__name__)

MAX_CONTRADICTIONS = 3
_SNIPPET_WORDS = 12
_NEGATION_SCOPE = 8
_APPROXIMATE_TOLERANCE = 0.05

_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?(?!\w)"
    r"|[^\W\d_](?:\w|['’\-](?=[^\W\d_]))*"
    r"|[%$€£¥]"
)
_NUMERIC = re.compile(r"\d+(?:[.,]\d+)*")
_CLAUSE_BREAK = re.compile(
    r";\s+|:\s+(?=[A-Z])|,?\s+but\s+|\s+[—–]\s+"
    r"|,\s+(?:however|whereas|while|although|though|yet)\s+"
    r"|,\s+and\s+(?=(?:[\w'’-]+\s+){0,4}"
    r"(?:will|would|is|are|was|were|has|have|had|can|could|may|might|must|do|does|did)\b)"
)
_SCOPE_STOP = re.compile(r"[,;:()\[\]—–]|\s-\s")

_MONTH = "|".join(sorted(lex.MONTHS, key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>1\d{3}|20\d{2})"
_DATE_PATTERNS = (
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?(?P<m>{_MONTH})\b\.?,?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b(?P<m>{_MONTH})\b\.?\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b(?P<m>{_MONTH})\b\.?,?\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?:(?P<q>early|mid|late)[\s-]+)?(?P<decade>1\d{2}|20\d)0s\b", re.IGNORECASE),
    re.compile(rf"(?<![\w.,$€£¥-]){_YEAR}(?![\w%]|[.,]\d)"),
)
_LIFESPAN = re.compile(r"\(\s*[^()]*?\b(1\d{3}|20\d{2})\s*[–—-]\s*[^()]*?\b(1\d{3}|20\d{2})\b")
_PREPOSITIONS_BEFORE_YEAR = frozenset(
    ["in", "on", "since", "from", "until", "till", "by", "of", "to", "between", "and", "c", "circa"]
)


@dataclass(frozen=True)
class _Token:
    text: str
    lower: str
    key: str
    start: int
    end: int
    negated: bool = False


_STOP_HEAD = _Token("", "", "", -1, -1)


@dataclass(frozen=True)
class _Quantity:
    low: float
    high: float
    unit: str
    of_keys: frozenset[str]
    start: int
    end: int


@dataclass(frozen=True)
class _Date:
    low: int
    high: int
    event: str | None
    window: frozenset[str]
    start: int
    end: int


@dataclass(frozen=True)
class _Clause:
    """One clause of a cited excerpt or passage, analysed for comparison."""

    label: str
    group: str
    text: str
    tokens: tuple[_Token, ...]
    keys: frozenset[str]
    names: frozenset[str]
    negated: frozenset[str]
    asserted: frozenset[str]
    hedged: bool
    quantities: tuple[_Quantity, ...]
    dates: tuple[_Date, ...]


@dataclass(frozen=True)
class _Finding:
    kind: str
    score: float
    first: _Clause
    second: _Clause
    first_span: tuple[int, int]
    second_span: tuple[int, int]
    detail: str = ""


@dataclass(frozen=True)
class PassageConflict:
    """Two passages of different sources that disagree, for moderators (`python -m bot conflicts`).

    `quotes` are verbatim substrings of each passage's text; `explanation` names the sources by id.
    """

    kind: str
    explanation: str
    passages: tuple[Passage, Passage]
    quotes: tuple[str, str]


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
    focus = _content_keys(question)
    clauses = {
        c.n: _clauses_of(c.source.text[c.start : c.end], f"[{c.n}]", c.source.id) for c in citations
    }
    findings: list[_Finding] = []
    for first, second in itertools.combinations(citations, 2):
        if first.source.id == second.source.id:
            continue
        best = _best_finding(clauses[first.n], clauses[second.n], focus)
        if best is not None:
            findings.append(best)
    findings.sort(key=lambda f: -f.score)
    return [_to_contradiction(f) for f in findings[:MAX_CONTRADICTIONS]]


def find_single_source_claims(question: str, citations: Sequence[Citation]) -> list[str]:
    """Notes for a claim of the question that only one of the cited sources bears out.

    When the other cited sources cover the same subject (share a word of the question) but none
    mentions, say, a ban, the note reads "Only [2] mentions “ban”." The claim is the question's
    predicate: only words of the predicate families in `bot.lexicon` (ban, sell, cease, expand…)
    are considered. One note at most, for the question's first such word.
    """
    by_source: dict[str, list[Citation]] = {}
    for citation in citations:
        by_source.setdefault(citation.source.id, []).append(citation)
    focus = _content_keys(question)
    if len(by_source) < 2 or not focus:
        return []
    keys = {sid: _content_keys(" ".join(c.excerpt for c in cs)) for sid, cs in by_source.items()}
    covering = [sid for sid, k in keys.items() if k & focus]
    claims = (focus - _names(question)) & _predicate_keys()
    for key in sorted(claims, key=lambda k: _question_order(question, k)):
        holders = [sid for sid in covering if key in keys[sid]]
        others = [sid for sid in covering if sid not in holders]
        if len(holders) == 1 and others and all(keys[sid] & (focus - {key}) for sid in others):
            numbers = [c.n for c in by_source[holders[0]] if key in _content_keys(c.excerpt)]
            return [_only_note(numbers, _surface_word(question, key))]
    return []


@lru_cache(maxsize=1)
def _predicate_keys() -> frozenset[str]:
    words = (word for frame in PREDICATE_FRAMES.values() for word in frame)
    return frozenset(_key(word) for word in words)


def _only_note(numbers: list[int], word: str) -> str:
    labels = [f"[{n}]" for n in numbers]
    if len(labels) == 1:
        return f"Only {labels[0]} mentions “{word}”; the other sources cited do not."
    listed = ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"Only {listed}, all from one source, mention “{word}”; the other sources cited do not."


def find_conflicts_across(passages: Sequence[Passage]) -> list[PassageConflict]:
    """Disagreements between passages of different sources across a whole source set.

    No question narrows the subject, so alignment must be stronger than for an answer. Passages
    are paired only when they share at least two content words (an inverted index keeps this
    near-linear on a few hundred passages). Returns one conflict per passage pair, strongest first.
    """
    analysed = [_clauses_of(p.text, p.source.id, p.source.id) for p in passages]
    postings: dict[str, list[int]] = {}
    for index, clauses in enumerate(analysed):
        for key in set().union(*(c.keys for c in clauses)) if clauses else ():
            postings.setdefault(key, []).append(index)
    shared_counts: dict[tuple[int, int], int] = {}
    for indices in postings.values():
        if len(indices) > 50:  # a word in most passages aligns nothing
            continue
        for i, j in itertools.combinations(indices, 2):
            if passages[i].source.id != passages[j].source.id:
                shared_counts[(i, j)] = shared_counts.get((i, j), 0) + 1
    conflicts: list[tuple[float, PassageConflict]] = []
    for (i, j), count in sorted(shared_counts.items()):
        if count < 2:
            continue
        finding = _best_finding(analysed[i], analysed[j], frozenset())
        if finding is not None:
            conflicts.append(
                (finding.score, _to_passage_conflict(finding, passages[i], passages[j]))
            )
    conflicts.sort(key=lambda pair: -pair[0])
    return [conflict for _, conflict in conflicts]


# --- analysis -------------------------------------------------------------------------------


def _clauses_of(text: str, label: str, group: str) -> list[_Clause]:
    """Split an excerpt into sentences and clauses and analyse each."""
    clauses: list[_Clause] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        for start, end in split_sentences(text, offset, offset + len(line.rstrip("\r\n"))):
            for cstart, cend in _clause_spans(text, start, end):
                clauses.append(_analyse(text[cstart:cend], label, group))
        offset += len(line)
    return clauses


def _clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        if text.count("(", start, match.start()) > text.count(")", start, match.start()):
            continue  # never split inside parentheses: "(8 September 1838 – 2 March 1881)"
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s] in " \t,":
            s += 1
        while e > s and text[e - 1] in " \t,.":
            e -= 1
        if any(ch.isalnum() for ch in text[s:e]):
            trimmed.append((s, e))
    return trimmed


def _analyse(text: str, label: str, group: str) -> _Clause:
    tokens = _negate(text, _tokenize(text))
    content = [t for t in tokens if _is_content(t)]
    keys = frozenset(t.key for t in content)
    negated = _negated_heads(tokens)
    asserted = frozenset(t.key for t in tokens if not t.negated and t.key)
    dates = _dates(text, tokens)
    return _Clause(
        label=label,
        group=group,
        text=text,
        tokens=tokens,
        keys=keys,
        names=frozenset(t.key for t in content if t.text[0].isupper() and t is not tokens[0]),
        negated=negated,
        asserted=asserted,
        hedged=_is_hedged(tokens),
        quantities=_quantities(text, tokens, dates),
        dates=dates,
    )


def _tokenize(text: str) -> tuple[_Token, ...]:
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        lower = word.lower()
        tokens.append(_Token(word, lower, _key(lower), match.start(), match.end()))
    return tuple(tokens)


@lru_cache(maxsize=100_000)
def _key(lower: str) -> str:
    """The comparison key of a lowercased token: lemma-stem, stopwords kept as themselves."""
    lower = lex.DEMONYMS.get(lower, lower)
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(ch)
    )
    terms = analyze(folded)
    return terms[0] if terms else lower


def _names(text: str) -> frozenset[str]:
    """Keys of capitalised words that do not open the text: the names in it."""
    tokens = _tokenize(text)
    return frozenset(t.key for t in tokens[1:] if _is_content(t) and t.text[0].isupper())


def _content_keys(text: str) -> frozenset[str]:
    return frozenset(t.key for t in _tokenize(text) if _is_content(t))


def _is_content(token: _Token) -> bool:
    return (
        token.lower not in lex.STOPWORDS
        and token.lower not in lex.MONTHS
        and not token.lower[0].isdigit()
        and token.lower not in lex.NEGATION_CUES
        and len(token.lower) > 1
        and token.lower not in lex.HEDGE_WORDS
    )


def _negate(text: str, tokens: tuple[_Token, ...]) -> tuple[_Token, ...]:
    """Mark the tokens in the scope of a negation cue: after it, up to punctuation."""
    lowers = [t.lower for t in tokens]
    negated = [False] * len(tokens)
    seen_cue = False
    for i, lower in enumerate(lowers):
        if _starts_phrase(lowers, i, lex.NOT_NEGATION):
            continue
        phrase = _starts_phrase(lowers, i, lex.NEGATION_PHRASES)
        single = lower in lex.NEGATION_CUES or lower.endswith(("n't", "n’t"))
        if lower in ("except", "excluding") and seen_cue:
            continue  # "no industry except fishing": the exception is asserted
        if not (phrase or single):
            continue
        seen_cue = True
        first = i + max(phrase, 1)
        for j in range(first, min(len(tokens), first + _NEGATION_SCOPE)):
            if _SCOPE_STOP.search(text[tokens[j - 1].end : tokens[j].start]):
                break
            negated[j] = True
    return tuple(
        _Token(t.text, t.lower, t.key, t.start, t.end, flag)
        for t, flag in zip(tokens, negated, strict=True)
    )


def _negated_heads(tokens: tuple[_Token, ...]) -> frozenset[str]:
    """What each negation denies: the first content word of its scope, with the words joined to
    it by "or"/"and" ("no longer sold or serviced") or continuing a name ("not Windows Server")."""
    heads: set[str] = set()
    previous_head: _Token | None = None
    for previous, token in zip((None, *tokens), tokens, strict=False):
        if not token.negated:
            previous_head = None
            continue
        if previous is None or not previous.negated:
            previous_head = None
        if not _is_content(token):
            if previous_head is not None and token.lower not in ("or", "and", "nor"):
                previous_head = _STOP_HEAD
            continue
        if previous_head is None or _continues(previous_head, previous, token):
            heads.add(token.key)
            previous_head = token
        else:
            previous_head = _STOP_HEAD
    return frozenset(heads)


def _continues(head: _Token, previous: _Token | None, token: _Token) -> bool:
    if head is _STOP_HEAD:
        return False
    joined = previous is not None and previous.lower in ("or", "and", "nor")
    name = previous is head and head.text[0].isupper() and token.text[0].isupper()
    return joined or name


def _starts_phrase(lowers: list[str], i: int, phrases: Iterable[tuple[str, ...]]) -> int:
    for phrase in phrases:
        if tuple(lowers[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _is_hedged(tokens: tuple[_Token, ...]) -> bool:
    lowers = [t.lower for t in tokens]
    # "May" the month is capitalised; "may" the modal is not.
    if any(t.lower in lex.HEDGE_WORDS and t.text != "May" for t in tokens):
        return True
    return any(_starts_phrase(lowers, i, lex.HEDGE_PHRASES) for i in range(len(lowers)))


# --- numbers and dates ----------------------------------------------------------------------


def _dates(text: str, tokens: tuple[_Token, ...]) -> tuple[_Date, ...]:
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            bounds = _date_bounds(match, text)
            if bounds is not None:
                taken.append(span)
                found.append((span[0], span[1], *bounds))
    lifespan = _lifespan_events(text)
    dates = []
    for start, end, low, high in sorted(found):
        event = lifespan.get(start) or _event_before(tokens, start)
        dates.append(_Date(low, high, event, _window(tokens, start, end), start, end))
    return tuple(dates)


def _date_bounds(match: re.Match[str], text: str) -> tuple[int, int] | None:
    groups = match.groupdict()
    if groups.get("decade"):
        first = int(groups["decade"]) * 10
        offset = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}.get(
            (groups.get("q") or "").lower(), (0, 9)
        )
        return (first + offset[0]) * 10000 + 101, (first + offset[1]) * 10000 + 1231
    year = int(groups["y"])
    if not groups.get("m"):
        if not _plausible_year(text, match.start()):
            return None
        return year * 10000 + 101, year * 10000 + 1231
    month = lex.MONTHS[groups["m"].lower()]
    if groups.get("d"):
        day = int(groups["d"])
        if not 1 <= day <= 31:
            return None
        return (year * 100 + month) * 100 + day, (year * 100 + month) * 100 + day
    return (year * 100 + month) * 100 + 1, (year * 100 + month) * 100 + 31


def _plausible_year(text: str, start: int) -> bool:
    """A bare four-digit number is a year unless it follows a name ("Office 2013")."""
    before = text[:start].rstrip()
    previous = re.search(r"([\w.]+)\W*$", before)
    if previous is None or before.endswith(("(", ",", "–", "—", "-")):
        return True
    word = previous.group(1).rstrip(".")
    if word.lower() in _PREPOSITIONS_BEFORE_YEAR or word.lower() in lex.MONTHS:
        return True
    return not word[:1].isupper()


def _lifespan_events(text: str) -> dict[int, str]:
    """Dates inside "(8 September 1838 – 2 March 1881)": a birth and a death."""
    events: dict[int, str] = {}
    for match in _LIFESPAN.finditer(text):
        inner = match.group()
        split = re.search(r"\d\s*[–—-]\s*", inner)
        if split is None:
            continue
        events[match.start()] = "birth"
        # The birth date starts after "(", possibly after words ("born ..."): map both positions.
        birth_start = re.search(r"\d|" + _MONTH, inner[1:], re.IGNORECASE)
        if birth_start is not None:
            events[match.start() + 1 + birth_start.start()] = "birth"
        death_start = match.start() + split.end()
        events[death_start] = "death"
    return events


def _event_before(tokens: tuple[_Token, ...], start: int) -> str | None:
    """The event word nearest before a date in its clause ("died on", "was banned ... from")."""
    before = [t for t in tokens if t.end <= start]
    for token in reversed(before):
        event = lex.DATE_EVENTS.get(token.lower) or lex.DATE_EVENTS.get(token.key)
        if event:
            return event
    return None


def _window(tokens: tuple[_Token, ...], start: int, end: int) -> frozenset[str]:
    before = [t for t in tokens if t.end <= start][-6:]
    after = [t for t in tokens if t.start >= end][:3]
    return frozenset(t.key for t in before + after if _is_content(t))


def _quantities(
    text: str, tokens: tuple[_Token, ...], dates: tuple[_Date, ...]
) -> tuple[_Quantity, ...]:
    quantities: list[_Quantity] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        value = _number_value(token)
        if value is None or any(d.start <= token.start < d.end for d in dates):
            i += 1
            continue
        quantity, i = _read_quantity(text, tokens, i, value)
        if quantity is not None:
            quantities.append(quantity)
    return tuple(quantities)


def _number_value(token: _Token) -> float | None:
    if token.lower in lex.NUMBER_WORDS:
        return float(lex.NUMBER_WORDS[token.lower])
    if not _NUMERIC.fullmatch(token.text):
        return None
    digits = token.text
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", digits):
        digits = digits.replace(",", "")
    elif "," in digits:
        digits = digits.replace(",", ".", 1).replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return None


def _read_quantity(
    text: str, tokens: tuple[_Token, ...], i: int, value: float
) -> tuple[_Quantity | None, int]:
    """Read a number at `tokens[i]` with its qualifier, range, multiplier and unit or head noun."""
    lowers = [t.lower for t in tokens]
    low = high = value
    j = i + 1
    if j < len(tokens) and lowers[j] in lex.MULTIPLIERS:
        low = high = value * lex.MULTIPLIERS[lowers[j]]
        j += 1
    # A range "0.2-0.3", "1.5 to 3.8", "between 1.5 and 3.8".
    if j < len(tokens):
        gap = text[tokens[j - 1].end : tokens[j].start]
        nxt = _number_value(tokens[j])
        if nxt is not None and re.fullmatch(r"\s*[-–—]\s*", gap) and nxt > value:
            high = nxt
            j += 1
        elif (
            lowers[j] in ("to", "and")
            and j + 1 < len(tokens)
            and (nxt2 := _number_value(tokens[j + 1])) is not None
            and (lowers[j] == "to" or (i > 0 and lowers[i - 1] == "between"))
        ):
            high = nxt2
            j += 2
    unit = ""
    if i > 0 and tokens[i - 1].text in lex.CURRENCY_SIGNS:
        unit = lex.UNITS[tokens[i - 1].text]
    elif j < len(tokens) and lowers[j] in lex.UNITS and (lowers[j] != "in" or unit):
        unit = lex.UNITS[lowers[j]]
        j += 1
    elif j < len(tokens):
        unit = _head_noun(tokens, j)
    if not unit:
        return None, j
    low, high = _widen(lowers[max(0, i - 2) : i], low, high)
    quantity = _Quantity(low, high, unit, _of_keys(tokens, j), tokens[i].start, tokens[j - 1].end)
    return quantity, j


def _head_noun(tokens: tuple[_Token, ...], j: int) -> str:
    """The counted thing after a number ("four survivors", "thirteen of the fifteen survivors")."""
    for token in tokens[j : j + 4]:
        if _number_value(token) is not None:
            continue
        if _is_content(token):
            return "#" + token.key
    return ""


def _of_keys(tokens: tuple[_Token, ...], j: int) -> frozenset[str]:
    """The denominator of a share: "90% of imported EVs" -> {import, ev}."""
    if j < len(tokens) and tokens[j].lower == "of":
        return frozenset(t.key for t in tokens[j + 1 : j + 4] if _is_content(t))
    return frozenset()


def _widen(qualifier: list[str], low: float, high: float) -> tuple[float, float]:
    """Turn a qualified value into an interval: "about 5", "at least 5", "up to 5"."""
    if set(qualifier[-1:]) & lex.APPROXIMATE:
        return low * (1 - _APPROXIMATE_TOLERANCE), high * (1 + _APPROXIMATE_TOLERANCE)
    if any(tuple(qualifier[-len(p) :]) == p for p in lex.OPEN_ABOVE):
        return low, math.inf
    if any(tuple(qualifier[-len(p) :]) == p for p in lex.OPEN_BELOW):
        return -math.inf, high
    return low, high


# --- comparison -----------------------------------------------------------------------------


def _best_finding(
    first: list[_Clause], second: list[_Clause], focus: frozenset[str]
) -> _Finding | None:
    best: _Finding | None = None
    for a, b in itertools.product(first, second):
        if a.hedged or b.hedged or not _about_the_question(a, b, focus):
            continue
        for detector in (_date_conflict, _number_conflict, _polarity_conflict, _antonym_conflict):
            finding = detector(a, b, focus)
            if finding is not None and (best is None or finding.score > best.score):
                best = finding
    return best


def _about_the_question(a: _Clause, b: _Clause, focus: frozenset[str]) -> bool:
    """Whether two clauses speak of the same thing, and (given a question) of what was asked.

    They must share a name (a capitalised word inside a clause) or three content words; with a
    question, a shared word must be one of its words, and together they must cover two of them.
    """
    shared = a.keys & b.keys
    if not (shared & (a.names | b.names) or len(shared) >= 3):
        return False
    if not focus:
        return len(shared) >= 2
    return bool(shared & focus) and len((a.keys | b.keys) & focus) >= min(2, len(focus))


def _alignment(a: _Clause, b: _Clause, focus: frozenset[str]) -> float:
    """How strongly two clauses speak of the same thing; words of the question count twice."""
    shared = a.keys & b.keys
    return len(shared) + len(shared & focus)


def _date_conflict(a: _Clause, b: _Clause, focus: frozenset[str]) -> _Finding | None:
    pairs = [(x, y) for x in a.dates for y in b.dates if _same_event(x, y)]
    if not pairs or any(x.low <= y.high and y.low <= x.high for x, y in pairs):
        return None  # no comparable dates, or they agree on one
    x, y = pairs[0]
    subject = (a.keys & b.keys) - set(lex.DATE_EVENTS)
    if not subject:
        return None
    score = 2.0 + _alignment(a, b, focus)
    return _Finding("date", score, a, b, (x.start, x.end), (y.start, y.end))


def _same_event(x: _Date, y: _Date) -> bool:
    if x.event and y.event:
        return x.event == y.event
    if x.event or y.event:
        return False
    return bool(x.window & y.window)


def _number_conflict(a: _Clause, b: _Clause, focus: frozenset[str]) -> _Finding | None:
    pairs = [(x, y) for x in a.quantities for y in b.quantities if _same_measure(x, y)]
    if not pairs or any(x.low <= y.high and y.low <= x.high for x, y in pairs):
        return None
    heads = {x.unit.lstrip("#") for x, _ in pairs}
    if not (a.keys & b.keys) - heads:
        return None
    x, y = min(pairs, key=lambda p: abs(math.log(_magnitude(p[0]) / _magnitude(p[1]))))
    score = 2.0 + _alignment(a, b, focus)
    return _Finding("number", score, a, b, (x.start, x.end), (y.start, y.end))


def _magnitude(q: _Quantity) -> float:
    """A positive size for a quantity: its lower end, or its upper one for "up to 5" (-inf..5)."""
    return abs(q.low if math.isfinite(q.low) else q.high) + 1e-9


def _same_measure(x: _Quantity, y: _Quantity) -> bool:
    """Same unit or counted thing, and the same denominator ("90% of imported EVs" is not "2%
    of all cars")."""
    return x.unit == y.unit and x.of_keys == y.of_keys


def _polarity_conflict(a: _Clause, b: _Clause, focus: frozenset[str]) -> _Finding | None:
    for neg, pos in ((a, b), (b, a)):
        collide = (neg.negated - neg.asserted) & (pos.asserted - pos.negated) & pos.keys
        names = collide & (neg.names | pos.names)
        if len(names) < 2:
            collide -= names  # "not in Japan" vs "in Japan" is about Japan only with more in common
        if not collide or len(neg.keys & pos.keys) < 2:
            continue
        token = next(t for t in neg.tokens if t.negated and t.key in collide)
        other = next(t for t in pos.tokens if t.key == token.key)
        score = 1.0 + _alignment(a, b, focus)
        return _Finding(
            "polarity", score, neg, pos, (token.start, token.end), (other.start, other.end)
        )
    return None


@lru_cache(maxsize=1)
def _antonyms() -> frozenset[tuple[str, str]]:
    pairs = set()
    for left, right in lex.ANTONYM_PAIRS:
        pairs.add((_key(left), _key(right)))
        pairs.add((_key(right), _key(left)))
    return frozenset(pairs)


def _antonym_conflict(a: _Clause, b: _Clause, focus: frozenset[str]) -> _Finding | None:
    antonyms = _antonyms()
    for x in a.tokens:
        if x.negated or x.key in b.asserted:
            continue
        for y in b.tokens:
            if y.negated or (x.key, y.key) not in antonyms or y.key in a.asserted:
                continue
            shared = (a.keys & b.keys) - {x.key, y.key}
            if len(shared) < 2:
                continue
            score = 1.0 + _alignment(a, b, focus)
            return _Finding(
                "antonym", score, a, b, (x.start, x.end), (y.start, y.end), f"{x.text}/{y.text}"
            )
    return None


# --- wording --------------------------------------------------------------------------------


def _to_contradiction(finding: _Finding) -> Contradiction:
    sides = (
        Side(_number_of(finding.first.label), finding.first.text),
        Side(_number_of(finding.second.label), finding.second.text),
    )
    return Contradiction(kind=finding.kind, explanation=_explain(finding), sides=sides)


def _to_passage_conflict(finding: _Finding, first: Passage, second: Passage) -> PassageConflict:
    passages = (first, second) if finding.first.group == first.source.id else (second, first)
    return PassageConflict(
        kind=finding.kind,
        explanation=_explain(finding),
        passages=passages,
        quotes=(finding.first.text, finding.second.text),
    )


def _number_of(label: str) -> int:
    return int(label.strip("[]"))


def _explain(finding: _Finding) -> str:
    a, b = finding.first, finding.second
    first = _snippet(a.text, finding.first_span)
    second = _snippet(b.text, finding.second_span)
    if finding.kind == "number":
        return f"{a.label} and {b.label} give different figures: “{first}” vs “{second}”."
    if finding.kind == "date":
        return f"{a.label} and {b.label} give different dates: “{first}” vs “{second}”."
    if finding.kind == "polarity":
        return f"{a.label} says “{first}”, while {b.label} says “{second}”."
    return f"{a.label} says “{first}”, but {b.label} says “{second}”."


def _snippet(text: str, span: tuple[int, int]) -> str:
    """Up to `_SNIPPET_WORDS` words either side of `span`, with "…" where the clause goes on."""
    words = list(re.finditer(r"\S+", text))
    centre = next((i for i, w in enumerate(words) if w.end() > span[0]), 0)
    lo, hi = max(0, centre - _SNIPPET_WORDS), min(len(words), centre + _SNIPPET_WORDS)
    piece = text[words[lo].start() : words[hi - 1].end()] if words else text
    return ("…" if lo > 0 else "") + piece + ("…" if hi < len(words) else "")


def _question_order(question: str, key: str) -> tuple[int, str]:
    """Sort question words so the last content word (usually the claim) is tried first."""
    positions = [t.start for t in _tokenize(question) if t.key == key]
    return (-(positions[-1] if positions else 0), key)


def _surface_word(question: str, key: str) -> str:
    return next((t.text for t in _tokenize(question) if t.key == key), key)
