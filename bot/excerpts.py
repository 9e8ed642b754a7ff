"""Excerpts: a passage widened to the neighbour it needs to make sense, trimmed when long.

An excerpt is always one contiguous span of the source. A sentence that opens with "This…",
"He…" or "However…", or whose main clause after a fronted phrase does ("In 1850, he…"),
takes the sentence before it; a heading, a question line, a sentence that
ends with a colon, or one whose successor leans back on it ("…90% were Teslas. But this was a
tiny segment…") takes the sentence after it. Neighbours come only from the same paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.passages import Passage
from bot.tables import is_table_row

MAX_EXCERPT_CHARS = 500

_NEEDS_PREVIOUS = re.compile(
    r"[“\"‘']?(?:this|these|that|those|it|its|he|she|they|his|her|their|them|such|both|but|"
    r"however|yet|still|also|so|meanwhile|furthermore|moreover|instead|nevertheless|then|"
    r"thus|therefore|otherwise|in addition|as a result|on both occasions|despite this)\b",
    re.IGNORECASE,
)
# "While tending to a soldier, she was struck…", "In 1850, he moved…": a fronted phrase, then
# a main clause whose subject is a pronoun
_FRONTED_PRONOUN = re.compile(
    r"[^,.;:!?]{2,80},\s+(?:he|she|they|it|his|her|their|its)\s", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!…”\"’)\]]\s*$")


@dataclass(frozen=True)
class Excerpt:
    start: int
    end: int
    trimmed: bool


def excerpt_for(
    passages: Sequence[Passage], position: int, with_neighbour: int | None = None
) -> Excerpt:
    """The span to quote for `passages[position]` (all passages of one source, in order).

    `with_neighbour`, the position of the sentence before or after, is quoted too when the
    whole still fits MAX_EXCERPT_CHARS (the sentence that holds the answer itself).
    """
    passage = passages[position]
    start, end = passage.start, passage.end
    previous = _neighbour(passages, position, -1)
    following = _neighbour(passages, position, +1)
    if previous and needs_previous(passage) and end - previous.start <= MAX_EXCERPT_CHARS:
        start = previous.start
    wants_next = following is not None and (needs_next(passage) or needs_previous(following))
    if following and wants_next and following.end - start <= MAX_EXCERPT_CHARS:
        end = following.end
    if with_neighbour is not None:
        neighbour = _neighbour(passages, position, with_neighbour - position)
        wider = (min(start, neighbour.start), max(end, neighbour.end)) if neighbour else None
        if wider and wider[1] - wider[0] <= MAX_EXCERPT_CHARS:
            start, end = wider
    return _trim(passage, start, end)


def needs_previous(passage: Passage) -> bool:
    """Whether the passage leans on the sentence before it ("This confirms…")."""
    text = passage.text
    if is_table_row(text):
        return False  # a row of a table stands on its own
    leans = _NEEDS_PREVIOUS.match(text) or _FRONTED_PRONOUN.match(text)
    return bool(leans) or text[:1].islower()


def needs_next(passage: Passage) -> bool:
    """Whether the passage only announces what follows: a colon, a heading, a question line."""
    text = passage.text.rstrip()
    if is_table_row(text):
        return False
    return text.endswith((":", "?")) or not _SENTENCE_END.search(text)


def _neighbour(passages: Sequence[Passage], position: int, step: int) -> Passage | None:
    index = position + step
    if not 0 <= index < len(passages):
        return None
    neighbour, passage = passages[index], passages[position]
    if neighbour.paragraph == passage.paragraph:
        return neighbour
    # A heading that stands alone between blank lines introduces the next paragraph.
    alone = position == 0 or passages[position - 1].paragraph != passage.paragraph
    return neighbour if step > 0 and alone and needs_next(passage) else None


def _trim(passage: Passage, start: int, end: int) -> Excerpt:
    cut = trimmed_end(passage.source.text, start, end, MAX_EXCERPT_CHARS)
    return Excerpt(start, cut, trimmed=cut < end)


def trimmed_end(text: str, start: int, end: int, limit: int) -> int:
    """Where `text[start:end]` ends when kept to `limit` characters: after the last word that
    fits (at a space in the second half of the span), never after a trailing sign."""
    if end - start <= limit:
        return end
    cut = start + limit
    space = text.rfind(" ", start, cut)
    if space > start + limit // 2:
        cut = space
    while cut > start and not text[cut - 1].isalnum():
        cut -= 1
    return cut
