"""Numbers with their qualifier, range, unit or counted thing, and dates with their event."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from typing import TypeAlias

from bot.caveat.tokens import Token, is_content
from bot.caveat.units import to_base
from bot.english import caveat_words as lex
from bot.english.function_words import BEFORE_YEAR
from bot.english.numbers import WRITTEN_APPROXIMATORS
from bot.english.time import MONTHS, YEAR

_APPROXIMATE_TOLERANCE = 0.05
_MEASURE_REACH = 4
_NUMERIC = re.compile(r"\d+(?:[.,]\d+)*")
# "1-1/4", "9 13/16", "3/4" (not "3/4/1990")
_FRACTION = re.compile(r"(\d+)(?:[- ](\d+))?/(\d+)(?![/\d])")
_MAX_DENOMINATOR = 64
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = rf"(?P<y>{YEAR})"
_DATE_PATTERNS = (
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?(?P<m>{_MONTH})\b\.?,?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b(?P<m>{_MONTH})\b\.?\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b(?P<m>{_MONTH})\b\.?,?\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?:(?P<q>early|mid|late)[\s-]+)?(?P<decade>1\d{2}|20\d)0s\b", re.IGNORECASE),
    re.compile(rf"(?<![\w.,$€£¥-]){_YEAR}(?![\w%]|[.,]\d)"),
)
_DAY_MONTH_PATTERNS = (
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?(?P<m>{_MONTH})\b", re.IGNORECASE),
    re.compile(rf"\b(?P<m>{_MONTH})\b\.?\s+{_DAY}\b(?!\s*,?\s*\d)", re.IGNORECASE),
)
_LIFESPAN = re.compile(rf"\(\s*[^()]*?\b({YEAR})\s*[–—-]\s*[^()]*?\b({YEAR})\b")
_YEAR_LOOK_BACK = 1024
_FOUR_DIGITS = re.compile(r"\d{4}")  # in every full date: its year, or its decade ("1990s")
_NEAR_DATE_CHARS = 500
_CUT_MARGIN = 64  # a date this far from a cut is read as in the whole text


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    unit: str
    of_keys: frozenset[str]
    start: int
    end: int
    column: str = ""  # a table's column (or an infobox line's name) the figure belongs to
    baseline: bool = False  # given to compare with: "from 56.9 pct", "vs 48.3 pct"
    window: frozenset[str] = frozenset()  # content words around it: what it measures


# A day as one integer, YYYYMMDD: 25 March 2025 is 20250325, so days compare and sort as numbers.
# A date that names only a month or a year is the range of its days ("March 2025": 20250301 to
# 20250331; a month's last day is always written 31).
Ymd: TypeAlias = int


def ymd(year: int, month: int, day: int) -> Ymd:
    return (year * 100 + month) * 100 + day


def year_of(day: Ymd) -> int:
    return day // 10000


@dataclass(frozen=True)
class Date:
    """A date a clause gives: the days it may mean (`low` to `high`), what it is the date of
    (`event`: "born", "died"… or None), the content words around it, and its span."""

    low: Ymd
    high: Ymd
    event: str | None
    window: frozenset[str]
    start: int
    end: int


def dates_in(text: str, tokens: tuple[Token, ...], year: int | None = None) -> tuple[Date, ...]:
    """Dates in a clause. A day and month with no year ("On 25 February") take `year`, the
    year the text last gave, as a reader does; without one they are no date."""
    found = _full_dates(text)
    taken = _Spans([(start, end) for start, end, _, _ in found])
    for pattern in _DAY_MONTH_PATTERNS if year is not None else ():
        for match in pattern.finditer(text):
            span = match.span()
            day, month = int(match.group("d")), MONTHS[match.group("m").lower()]
            if taken.overlaps(*span) or not 1 <= day <= 31:
                continue
            taken.add(*span)
            found.append((span[0], span[1], *([ymd(year, month, day)] * 2)))
    lifespan = _lifespan_events(text)
    dates = []
    for start, end, low, high in sorted(found):
        event = lifespan.get(start) or _event_before(tokens, start)
        dates.append(Date(low, high, event, _window(tokens, start, end), start, end))
    return tuple(dates)


def last_year_in(text: str) -> int | None:
    """The year of the last full date in `text` (that of `dates_in`'s last date), without
    reading what each date is of."""
    found = _full_dates(text)
    return year_of(max(found)[2]) if found else None


def last_year_before(text: str, first: int, start: int) -> int | None:
    """`last_year_in(text[first:start])`, read from the end: a date in the last
    `_NEAR_DATE_CHARS`, clear of where they were cut, is the last one; only a text with no such
    date is read whole. Without four digits in a row there is no full date to look for."""
    if _FOUR_DIGITS.search(text, first, start) is None:
        return None
    near = max(first, start - _NEAR_DATE_CHARS)
    if near > first:
        found = _full_dates(text[near:start])
        if found and max(found)[0] >= _CUT_MARGIN:
            return year_of(max(found)[2])
    return last_year_in(text[first:start])


def _full_dates(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, low, high) of each full date in `text`, the first pattern to match a span
    taking it."""
    taken = _Spans()
    found: list[tuple[int, int, int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if taken.overlaps(*span):
                continue
            bounds = _date_bounds(match, text)
            if bounds is not None:
                taken.add(*span)
                found.append((span[0], span[1], *bounds))
    return found


class _Spans:
    """Spans that do not overlap, kept in order: whether a new one overlaps any is a lookup of
    its two neighbours, not a pass over all (a text of thousands of dates)."""

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self._spans: list[tuple[int, int]] = sorted(spans or [])

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self._spans, (start, end))
        neighbours = self._spans[max(0, index - 1) : index + 1]
        return any(s < end and start < e for s, e in neighbours)

    def add(self, start: int, end: int) -> None:
        bisect.insort(self._spans, (start, end))


def days_in(text: str) -> frozenset[int]:
    """The days of the year a clause names (month * 100 + day), with or without a year: "the
    week ended Feb 27" and "the week ended Feb 20" speak of two times whatever the year."""
    return frozenset(day for day, _ in _days(text))


def _day_spans(text: str) -> list[tuple[int, int]]:
    """Where a day and month stand ("Feb 27"): their numbers are no figures."""
    return [span for _, span in _days(text)]


def _days(text: str) -> list[tuple[int, tuple[int, int]]]:
    found = []
    for pattern in (*_DATE_PATTERNS[:2], *_DAY_MONTH_PATTERNS):
        for match in pattern.finditer(text):
            day, month = int(match.group("d")), match.group("m")
            if 1 <= day <= 31 and month[0].isupper():  # "may 3" is no day; "May 3" is
                found.append((MONTHS[month.lower()] * 100 + day, match.span()))
    return found


def _date_bounds(match: re.Match[str], text: str) -> tuple[int, int] | None:
    groups = match.groupdict()
    if groups.get("decade"):
        first = int(groups["decade"]) * 10
        offset = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}.get(
            (groups.get("q") or "").lower(), (0, 9)
        )
        return ymd(first + offset[0], 1, 1), ymd(first + offset[1], 12, 31)
    year = int(groups["y"])
    if not groups.get("m"):
        if not _plausible_year(text, match.start()):
            return None
        return ymd(year, 1, 1), ymd(year, 12, 31)
    month = MONTHS[groups["m"].lower()]
    if groups.get("d"):
        day = int(groups["d"])
        if not 1 <= day <= 31:
            return None
        return ymd(year, month, day), ymd(year, month, day)
    return ymd(year, month, 1), ymd(year, month, 31)


def _plausible_year(text: str, start: int) -> bool:
    """A bare four-digit number is a year unless it follows a name ("Office 2013"). The word
    before it is looked for in at most `_YEAR_LOOK_BACK` characters (not the whole text, which
    made a text of many years cost its length times their number)."""
    limit = max(0, start - _YEAR_LOOK_BACK)
    end = start
    while end > limit and text[end - 1].isspace():
        end -= 1
    if end == limit or text[end - 1] in "(,–—-":
        return True
    word_end = end  # the last word character: punctuation and dots after it are passed over
    while word_end > limit and not _is_word_char(text[word_end - 1]):
        word_end -= 1
    if word_end == limit:
        return True  # no word before it
    word_start = word_end
    while word_start > limit and (
        _is_word_char(text[word_start - 1]) or text[word_start - 1] == "."
    ):
        word_start -= 1
    word = text[word_start:word_end].rstrip(".")
    if word.lower() in BEFORE_YEAR or word.lower() in MONTHS:
        return True
    return not word[:1].isupper()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


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


def _event_before(tokens: tuple[Token, ...], start: int) -> str | None:
    """The event word nearest before a date in its clause ("died on", "was banned ... from")."""
    before = [t for t in tokens if t.end <= start]
    for token in reversed(before):
        event = lex.DATE_EVENTS.get(token.lower) or lex.DATE_EVENTS.get(token.key)
        if event:
            return event
    return None


def _window(tokens: tuple[Token, ...], start: int, end: int) -> frozenset[str]:
    before = [t for t in tokens if t.end <= start][-6:]
    after = [t for t in tokens if t.start >= end][:3]
    return frozenset(t.key for t in before + after if is_content(t))


def quantities_in(
    text: str, tokens: tuple[Token, ...], dates: tuple[Date, ...]
) -> tuple[Quantity, ...]:
    quantities: list[Quantity] = []
    taken = [(d.start, d.end) for d in dates] + _day_spans(text)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        figure = _value_at(text, tokens, i)
        if figure is None or any(s <= token.start < e for s, e in taken):
            i += 1
            continue
        quantity, i = _read_quantity(text, tokens, i, *figure)
        if quantity is not None:
            quantities.append(quantity)
    return tuple(quantities)


def number_value(token: Token) -> float | None:
    if token.lower in lex.NUMBER_WORDS:
        return float(lex.NUMBER_WORDS[token.lower])
    tens, _, unit = token.lower.partition("-")  # "twenty-five"
    if lex.NUMBER_WORDS.get(tens, 0) in range(20, 100, 10) and lex.NUMBER_WORDS.get(unit, 10) < 10:
        return float(lex.NUMBER_WORDS[tens] + lex.NUMBER_WORDS[unit])
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


def _half_last_digit(number: str) -> float:
    """Half a unit of the last decimal written ("1.4" -> 0.05); 0 for whole numbers, whose
    trailing zeros may or may not be exact."""
    match = re.fullmatch(r"[\d,]*\.(\d+)", number)
    return 0.5 * 10 ** -len(match.group(1)) if match else 0.0


def _fraction_at(text: str, tokens: tuple[Token, ...], i: int) -> tuple[float, int] | None:
    """A fraction at `tokens[i]`, mixed ("1-1/4", "9 13/16") or not ("3/4"): its value and last
    token. Not a date ("3/4/1990") or a season ("1986/87")."""
    match = _FRACTION.match(text, tokens[i].start)
    if match is None or text[tokens[i].start - 1 : tokens[i].start] in ("/", "-"):
        return None
    whole, numerator, denominator = match.group(1), match.group(2), match.group(3)
    if numerator is None:
        whole, numerator = "0", whole
    if not 0 < int(numerator) < int(denominator) <= _MAX_DENOMINATOR:
        return None
    last = i + (2 if whole != "0" or match.group(2) else 1)
    if last >= len(tokens) or tokens[last].end != match.end():
        return None
    return int(whole) + int(numerator) / int(denominator), last


def _value_at(text: str, tokens: tuple[Token, ...], i: int) -> tuple[float, int] | None:
    """The figure at `tokens[i]` (a fraction or a number, not a code) and its last token."""
    if (fraction := _fraction_at(text, tokens, i)) is not None:
        return fraction
    value = number_value(tokens[i])
    return None if value is None or _is_code(text, tokens[i]) else (value, i)


def _read_quantity(
    text: str, tokens: tuple[Token, ...], i: int, value: float, last: int
) -> tuple[Quantity | None, int]:
    """Read a number at `tokens[i]` (to `tokens[last]`, a fraction's last figure) with its
    qualifier, range, multiplier and unit or head noun."""
    lowers = [t.lower for t in tokens]
    # "1.4" says its precision: anything from 1.35 to 1.45 was rounded to it
    half = _half_last_digit(tokens[i].text) if last == i else 0.0
    low, high = value - half, value + half
    j = last + 1
    if j < len(tokens) and lowers[j] in lex.MULTIPLIERS:
        scale = lex.MULTIPLIERS[lowers[j]]
        low, high = low * scale, high * scale
        j += 1
    # A range "0.2-0.3", "1.5 to 3.8", "between 1.5 and 3.8".
    if j < len(tokens):
        gap = text[tokens[j - 1].end : tokens[j].start]
        nxt = number_value(tokens[j])
        if nxt is not None and re.fullmatch(r"\s*[-–—]\s*", gap) and nxt > value:
            high = nxt
            j += 1
        elif (
            lowers[j] in ("to", "and")
            and j + 1 < len(tokens)
            and (upper := _value_at(text, tokens, j + 1)) is not None
            and (lowers[j] == "to" or (i > 0 and lowers[i - 1] == "between"))
        ):
            high = upper[0]
            j = upper[1] + 1
    unit = ""
    if i > 0 and tokens[i - 1].text in lex.CURRENCY_SIGNS:
        unit = lex.UNITS[tokens[i - 1].text]
    elif j < len(tokens) and lowers[j] in lex.UNITS and (lowers[j] != "in" or unit):
        unit = lex.UNITS[lowers[j]]
        j += 1
    elif j < len(tokens):
        unit = _head_noun(tokens, j)
    unit = unit or _measure_before(tokens, i)
    if not unit:
        return None, j
    low, high = _widen(lowers[max(0, i - 2) : i], low, high)
    low, high, unit = to_base(low, high, unit)
    quantity = Quantity(
        low,
        high,
        unit,
        _of_keys(tokens, j),
        tokens[i].start,
        tokens[j - 1].end,
        baseline=_ends_with(lowers[max(0, i - 3) : i], lex.BASELINE_MARKERS),
        window=_window(tokens, tokens[i].start, tokens[j - 1].end),
    )
    return quantity, j


def _is_code(text: str, token: Token) -> bool:
    """A number hyphened to the word before it is part of a name or code ("A-2", "T-7"), one in
    a character reference is a letter ("Iraq #39;s"); one joined by a slash to another number
    is part of a fraction or a date ("13/16", "3/4/1990")."""
    before, after = text[max(0, token.start - 2) : token.start], text[token.end : token.end + 2]
    if (len(before) == 2 and before[1] == "-" and before[0].isalpha()) or (
        before[-1:] == "#" and after[:1] == ";"
    ):
        return True
    return (len(before) == 2 and before[1] == "/" and before[0].isdigit()) or (
        len(after) == 2 and after[0] == "/" and after[1].isdigit()
    )


def _ends_with(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `words` end in one of `phrases`, a qualifier ("about") possibly between."""
    for cut in (len(words), len(words) - 1):
        if any(tuple(words[:cut][-len(p) :]) == p for p in phrases):
            return True
    return False


def _head_noun(tokens: tuple[Token, ...], j: int) -> str:
    """The counted thing after a number ("four survivors", "thirteen of the fifteen survivors")."""
    for token in tokens[j : j + 4]:
        if number_value(token) is not None:
            continue
        if is_content(token):
            return "#" + token.key
    return ""


def _measure_before(tokens: tuple[Token, ...], i: int) -> str:
    """With nothing after it, a figure measures the common word before it ("a population of
    6,200", "the population of Carrow was 5,000", "died aged 74"); names are passed over."""
    for token in reversed(tokens[max(0, i - _MEASURE_REACH) : i]):
        if number_value(token) is not None:
            return ""  # "10 dead, 47 prisoners": a figure before is no measure
        if is_content(token) and token.text[:1].islower():
            return "#" + token.key
    return ""


def _of_keys(tokens: tuple[Token, ...], j: int) -> frozenset[str]:
    """The denominator of a share: "90% of imported EVs" -> {import, ev}."""
    if j < len(tokens) and tokens[j].lower == "of":
        return frozenset(t.key for t in tokens[j + 1 : j + 4] if is_content(t))
    return frozenset()


def _widen(qualifier: list[str], low: float, high: float) -> tuple[float, float]:
    """Turn a qualified value into an interval: "about 5", "at least 5", "up to 5"."""
    if set(qualifier[-1:]) & WRITTEN_APPROXIMATORS:
        return low * (1 - _APPROXIMATE_TOLERANCE), high * (1 + _APPROXIMATE_TOLERANCE)
    if any(tuple(qualifier[-len(p) :]) == p for p in lex.OPEN_ABOVE):
        return low, math.inf
    if any(tuple(qualifier[-len(p) :]) == p for p in lex.OPEN_BELOW):
        return -math.inf, high
    return low, high
