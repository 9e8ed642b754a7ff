"""Hard-wrapped text: where a line break inside a sentence is only a space.

Text wrapped at a width (newswire, e-mail) breaks its lines wherever the next word would not
fit. `bot.passages.sentences` joins two lines when the second starts in lowercase or the first
is long; `joined_wraps` joins the rest that one sentence runs across, knowing the text's width:
a short line before a capital ("Bank of America NT and SA's\n<BAC.N> West German branch said")
is a wrapped line when the word after it would not have fitted, or when the next line is itself
a wrapped line, and never when it is a heading, a table line or a list item.
"""

from __future__ import annotations

import re

from bot.passages.tables import is_table_row
from bot.sources import MAX_TITLE_CHARS

BULLET = re.compile(r"[ \t]*(?:[#>*•✔✓☑▪◦‣–—-]+|\d{1,3}[.)])[ \t]+")
# A line ending (before any whitespace) in one of these ends its sentence.
HARD_LINE_ENDS = frozenset(".!?:;…”’\"')]。！？")
# A text of at least `WRAPPED_MIN_LINES` lines whose longest line is between these lengths is
# hard-wrapped at the width of its longest line. A longer line is not hard-wrapped (its line
# break ends a paragraph: `bot.index.store`); a text of shorter lines is a list or a table.
WRAPPED_MIN_WIDTH = 50
UNWRAPPED_LINE = 120
WRAPPED_MIN_LINES = 3
# Wrapping is not exact (a writer's tool may leave a few columns free): a line is wrapped when
# the next word would have taken it within this many characters of the width.
WRAP_SLACK = 5
# Fields aligned by runs of spaces: a line of a table typed in plain text.
_SPACED_COLUMNS = re.compile(r"\S {3,}\S")


def last_line(text: str, start: int, end: int) -> str:
    """The block's text after its last newline (all a soft-wrap decision looks at)."""
    cut = text.rfind("\n", start, end)
    return text[start if cut < 0 else cut + 1 : end]


def joined_wraps(
    text: str, blocks: list[tuple[int, tuple[int, int]]]
) -> list[tuple[int, tuple[int, int]]]:
    """`blocks` with the blocks of hard-wrapped text that one sentence runs across joined.

    `bot.passages.sentences` reads two lines alone, so a short line before a capital ends a block: a
    heading, a table line, or a wrapped sentence whose first line is short (a story whose
    dateline was taken off: "Bank of America NT and SA's\n<BAC.N> West German branch said").
    Knowing the text's width tells them apart (`_wraps_into`)."""
    if len(blocks) < 2 or "\n" not in text:
        return blocks
    lines = text.splitlines()
    width = max(map(len, lines))
    if not WRAPPED_MIN_WIDTH <= width <= UNWRAPPED_LINE or len(lines) < WRAPPED_MIN_LINES:
        return blocks
    margin = min(_indent(line) for line in lines if line.strip())
    joined = [blocks[0]]
    for paragraph, (start, end) in blocks[1:]:
        last_paragraph, (last_start, last_end) = joined[-1]
        if paragraph == last_paragraph and _wraps_into(
            text, last_start, last_end, start, (width, margin)
        ):
            joined[-1] = (paragraph, (last_start, end))
        else:
            joined.append((paragraph, (start, end)))
    return joined


def _wraps_into(
    text: str, block_start: int, block_end: int, start: int, layout: tuple[int, int]
) -> bool:
    """Whether the line at `start` continues the sentence of the block before it, in text
    hard-wrapped at `layout`'s width: the block's last line ends in no hard end, the line is no
    bullet, table line (fields by tabs, pipes or aligned spaces) or heading (all capitals), nor
    indented past the text's margin (an indented paragraph starts there), and one of the two is
    a wrapped line: the first word of the line after it would not have fitted on it."""
    previous = last_line(text, block_start, block_end).rstrip()
    line_start, line_end = _line_around(text, start)
    line = text[line_start:line_end]
    width, margin = layout
    if previous[-1:] in HARD_LINE_ENDS or BULLET.match(line) or _indent(line) > margin:
        return False
    if any(
        is_table_row(x) or _is_heading(x) or _SPACED_COLUMNS.search(x) for x in (previous, line)
    ):
        return False
    if len(previous) + 1 + _first_word_length(line) > width - WRAP_SLACK:
        return True
    if line_end >= len(text):
        return False
    after = text[line_end + 1 : _line_around(text, line_end + 1)[1]]
    return len(line.rstrip()) + 1 + _first_word_length(after) > width - WRAP_SLACK


def _line_around(text: str, offset: int) -> tuple[int, int]:
    """(start, end) of the line holding `offset` (its line break excluded)."""
    end = text.find("\n", offset)
    return text.rfind("\n", 0, offset) + 1, len(text) if end < 0 else end


def is_heading_line(text: str, start: int, end: int) -> bool:
    """Whether the passage `text[start:end]` is a line of its own that ends in no sentence end
    and is short enough to title what follows, as `bot.sources` reads a title ("ACME CORP <ACM>
    1ST QTR NET")."""
    line_start, line_end = _line_around(text, start)
    return (
        line_start == start
        and line_end == end
        and end - start <= MAX_TITLE_CHARS
        and text[end - 1] not in HARD_LINE_ENDS
    )


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _first_word_length(line: str) -> int:
    words = line.split(maxsplit=1)
    return len(words[0]) if words else 0


def _is_heading(line: str) -> bool:
    """A line in capitals ("ACME CORP <ACM> 1ST QTR NET"): a headline, never part of a
    sentence below it."""
    return any(c.isalpha() for c in line) and not any(c.islower() for c in line)
