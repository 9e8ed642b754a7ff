"""The headline of each source, made once at build and saved with the index: the terms of its
title and of the line that heads its text, as context for every passage under it.

A newswire earnings story names its company only in its headline ("ACME CORP <ACM> 1ST QTR
NET") and gives each figure on a line of its own ("Net 1.2 mln vs 1.0 mln"): no passage holds
both, and the lines around the figure are other figures. The headline is what every line of the
story is about (`bot.answer.matching` reads it with each passage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.index.text_features import HEADING_LINE
from bot.retrieval import analyze
from bot.sources import Source


@dataclass(frozen=True)
class Headlines:
    """Term -> the numbers (positions in the library's sources) of the sources whose headline
    holds it: the source's title, and its first passage when that is a heading line."""

    sources: int = 0
    terms: dict[str, np.ndarray] = field(default_factory=dict)


def source_headline(source: Source, spans: np.ndarray, features: int) -> tuple[str, ...]:
    """The terms of a source's headline (`spans`: its passages; `features`: its
    `text_features`, which say whether the first passage is a heading line: only then is the
    text read)."""
    headline = source.title
    if features & HEADING_LINE:
        _, start, end = spans[0].tolist()
        headline = f"{headline}\n{source.text[start:end]}"
    return tuple(dict.fromkeys(analyze(headline)))


def headline_terms(per_source: Sequence[Sequence[str]]) -> Headlines:
    """The headlines of a library's sources, from each one's `source_headline`."""
    found: dict[str, list[int]] = {}
    for number, terms in enumerate(per_source):
        for term in terms:
            found.setdefault(term, []).append(number)
    terms = {term: np.array(numbers, dtype=np.int32) for term, numbers in found.items()}
    return Headlines(len(per_source), terms)
