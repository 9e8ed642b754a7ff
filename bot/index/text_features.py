"""What a source's text holds that a build reads beyond its analysis, one bit each.

An engine's build looks into a few sources' texts again: those with a line too long to be
hard-wrapped (where a line break ends a paragraph), those with table marks and those whose first
passage is a heading line (`bot.index.headlines`). The bits are saved with the index (as are the
acronyms each text defines), so that a build from it reads only the texts that have one
(`bot.sources.folder_scan` leaves the others in their files). Each bit is set exactly when the
step that reads it would find something in the text; a change to what a step looks for changes
the bit, and so needs a new saved-index format (`FORMAT_VERSION`).
"""

from __future__ import annotations

import numpy as np

from bot.passages.wraps import UNWRAPPED_LINE, is_heading_line

LONG_LINES = 1  # a line longer than UNWRAPPED_LINE (`bot.index.store`)
TABLE_MARKS = 2  # a tab or a "|": a table row may be there (`bot.index.tables`)
HEADING_LINE = 4  # the first passage is a heading line (`bot.index.headlines`)


def text_features(text: str, spans: np.ndarray) -> int:
    """The bits of `text`, whose passages are `spans` ((paragraph, start, end) each)."""
    long_lines = len(text) > UNWRAPPED_LINE and max(map(len, text.split("\n"))) > UNWRAPPED_LINE
    tables = "\t" in text or "|" in text
    heading = len(spans) > 0 and is_heading_line(text, int(spans[0][1]), int(spans[0][2]))
    return (
        (LONG_LINES if long_lines else 0)
        | (TABLE_MARKS if tables else 0)
        | (HEADING_LINE if heading else 0)
    )
