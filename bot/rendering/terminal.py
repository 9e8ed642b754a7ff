"""Plain-text rendering for a terminal: the disagreement first, numbered quotes, the sources."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from bot.answer.types import Answer, count_of, where_to_look
from bot.caveat import PassageConflict
from bot.rendering import (
    DISAGREE,
    describe_date,
    describe_label,
    disagreement_lines,
    display_order,
)
from bot.sources import Source, text_length
from bot.text_cleanup import without_escapes

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
WIDTH = 100


def render_answer(answer: Answer) -> str:
    """How many excerpts from how many sources, each disagreement in one line naming both
    sides with their dates, then every excerpt (both sides of a disagreement first), the
    sources, and the notes: the Discord layout, with room for all excerpts."""
    if not answer.shows_passages:
        return where_to_look(answer, "python -m bot sources")
    lines = [_clean(answer.message)]
    for number, line in enumerate(disagreement_lines(answer)):
        head = f"⚠ {DISAGREE}: " if number == 0 else "⚠ "
        lines += _wrapped(head + _clean(line), indent="  ")
    lines.append("")
    for citation in display_order(answer):
        quote = _clean(" ".join(citation.excerpt.split()))
        lines += _wrapped(f"[{citation.n}] “{quote}”", indent="    ")
        lines.append(
            _labelled(
                f"    — {citation.source.id} · {describe_date(citation.source)}", citation.source
            )
        )
        lines.append("")
    lines.append("Sources:")
    for source, numbers in _sources_with_numbers(answer):
        marks = "".join(f"[{n}]" for n in numbers)
        lines.append(_labelled(f"  {marks} {source.id}: {_titled(source)}", source))
    if answer.notes:
        lines.append("")
        lines += [f"Note: {_clean(note)}" for note in answer.notes]
    return "\n".join(lines)


def render_conflicts(conflicts: Sequence[PassageConflict]) -> str:
    if not conflicts:
        return "No disagreements found between the sources."
    lines = [f"{len(conflicts)} disagreement{'s' if len(conflicts) != 1 else ''} between sources:"]
    for number, conflict in enumerate(conflicts, start=1):
        lines += [
            "",
            *_wrapped(f"{number}. ({conflict.kind}) {_clean(conflict.explanation)}", "   "),
        ]
        for passage, quote in zip(conflict.passages, conflict.quotes, strict=True):
            source = passage.source
            lines += _wrapped(f"   “{_clean(quote)}”", indent="    ")
            lines.append(_labelled(f"    — {source.id}: {_titled(source)}", source))
    return "\n".join(lines)


def render_sources(sources: Sequence[Source], passage_counts: dict[str, int]) -> str:
    lines = []
    for source in sources:
        lines.append(
            f"{source.id}  {_clean(source.title)}  ({describe_date(source)}, "
            + (f"{source.label}, " if source.label else "")
            + f"{count_of(passage_counts.get(source.id, 0), 'passage')}, "
            + f"{text_length(source):,} characters)"
        )
    return "\n".join(lines)


def _sources_with_numbers(answer: Answer) -> list[tuple[Source, list[int]]]:
    grouped: dict[str, tuple[Source, list[int]]] = {}
    for citation in answer.citations:
        grouped.setdefault(citation.source.id, (citation.source, []))[1].append(citation.n)
    return list(grouped.values())


def _titled(source: Source) -> str:
    return f"{_clean(source.title)} ({describe_date(source)})"


def _labelled(line: str, source: Source) -> str:
    """`line` with the source's label after it, when it has one."""
    label = describe_label(source)
    return f"{line} {label}" if label else line


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent) or [""]


def _clean(text: str) -> str:
    """Drop terminal escape sequences whole, then any other control character, from shown text."""
    return _CONTROL.sub("", without_escapes(text))
