"""The headline of each source, read once at build: the terms of its title and of the line that
heads its text, as context for every passage under it.

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
from bot.passages.sentences import PassageList
from bot.retrieval import analyze


@dataclass(frozen=True)
class Headlines:
    """Term -> the numbers (positions in the library's sources) of the sources whose headline
    holds it: the source's title, and its first passage when that is a heading line."""

    sources: int = 0
    terms: dict[str, np.ndarray] = field(default_factory=dict)


def headline_terms(passages: PassageList, features: Sequence[int]) -> Headlines:
    """The headlines of a library's sources, read once at build (`features`: each source's
    `text_features`, which say whose first passage is a heading line: only those texts are
    read)."""
    found: dict[str, list[int]] = {}
    spans = passages.spans
    for number, (source, bits) in enumerate(zip(passages.sources, features, strict=True)):
        headline = source.title
        if bits & HEADING_LINE:
            _, start, end = spans[passages.first_of(number)].tolist()
            headline = f"{headline}\n{source.text[start:end]}"
        for term in set(analyze(headline)):
            found.setdefault(term, []).append(number)
    terms = {term: np.array(numbers, dtype=np.int64) for term, numbers in found.items()}
    return Headlines(len(passages.sources), terms)
