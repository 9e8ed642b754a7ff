"""Time in English: months, weekdays, years, units of time and deictic time.

Months and weekdays come from `calendar` (English under the C locale Python starts in), with the
one abbreviation it does not give, *Sept*. Deictic time has one base (`DEICTIC_TIME`) and two
named additions: chat's (*anymore*, *soon*) and a written report's (*this morning*,
*overnight*), where two sources written on different days mean different times.
"""

from __future__ import annotations

import calendar

from bot.english.function_words import words

_ABBREVIATIONS = [(name.lower(), n) for n, name in enumerate(calendar.month_abbr) if name]
_ABBREVIATIONS.insert(9, ("sept", 9))  # after "sep"

# "january" -> 1 … "jan" -> 1 … "sept" -> 9: full names first, then abbreviations.
MONTHS: dict[str, int] = {
    **{name.lower(): n for n, name in enumerate(calendar.month_name) if name},
    **dict(_ABBREVIATIONS),
}

WEEKDAYS = frozenset(name.lower() for name in calendar.day_name)
# A year as the sources write one: 1000 to 2099.
YEAR = r"(?:1[0-9]|20)\d\d"

# Words that place a statement in time relative to when it was said or written.
DEICTIC_TIME = words("today yesterday tomorrow tonight now currently recently lately ago")
CHAT_DEICTIC_TIME = DEICTIC_TIME | words("nowadays soon anymore once earlier")
WRITTEN_DEICTIC_TIME = DEICTIC_TIME | words(
    "presently meanwhile morning afternoon evening overnight weekend"
)
# "this/last/next" before a unit of time is a time relative to the writing ("last week").
DEICTIC_DETERMINERS = words("this last next past coming")
# …and in chat "a few days ago", "a couple of weeks back".
CHAT_DEICTIC_DETERMINERS = DEICTIC_DETERMINERS | words("previous few couple")
# Units a question may ask in ("in which year", "date of birth").
TIME_UNITS = words(
    """second seconds minute minutes hour hours day days night nights week weeks weekend
    weekends month months year years decade decades morning evening afternoon date dates time"""
)
# Periods a report's "this/last/next" makes a time of writing ("last quarter", "this season").
PERIODS = words(
    "week weekend month year quarter season session day night spring summer autumn winter"
)
# Parts of the day (and the week's end) a report's figures may be of ("the morning session").
DAY_PARTS = TIME_UNITS & WRITTEN_DEICTIC_TIME
# Nouns that ask for a date: "in what year", "which month".
DATE_NOUNS = words("year month date day decade century")
