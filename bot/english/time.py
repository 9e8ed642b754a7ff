"""Time in English: month names and their abbreviations.

Months come from `calendar` (English under the C locale Python starts in), with the one
abbreviation it does not give, *Sept*.
"""

from __future__ import annotations

import calendar

_ABBREVIATIONS = [(name.lower(), n) for n, name in enumerate(calendar.month_abbr) if name]
_ABBREVIATIONS.insert(9, ("sept", 9))  # after "sep"

# "january" -> 1 … "jan" -> 1 … "sept" -> 9: full names first, then abbreviations.
MONTHS: dict[str, int] = {
    **{name.lower(): n for n, name in enumerate(calendar.month_name) if name},
    **dict(_ABBREVIATIONS),
}
