"""Numbers in English: the words that make a figure approximate.

One base, `APPROXIMATORS`; the caveat also reads written abbreviations (`approx`, `c.`, `ca.`)
that widen a figure into an interval, and the question's reading also takes *over*, *under* and
*like* ("like 1,400") as marking a figure it may meet within 10%.
"""

from __future__ import annotations

from bot.english.function_words import words

APPROXIMATORS = words("about around approximately roughly nearly almost some circa")
# Qualifiers before a number that widen its value into an interval (`bot.caveat.quantities`).
WRITTEN_APPROXIMATORS = APPROXIMATORS | words("approx c ca")
# Words before a figure asked about that let a near one meet it (`bot.relevance`).
ASKED_APPROXIMATORS = APPROXIMATORS | words("over under like")
