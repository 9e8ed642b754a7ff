"""Ranking metrics with graded relevance."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg_at(ranked: Sequence[str], gains: Mapping[str, float], k: int) -> float:
    """nDCG@k with exponential gain (2^g - 1); 0.0 when nothing is relevant."""
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    ideal_dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    if ideal_dcg == 0:
        return 0.0
    dcg = sum((2 ** gains.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    return dcg / ideal_dcg


def recall_at(ranked: Sequence[str], gains: Mapping[str, float], k: int) -> float:
    """Share of the relevant documents found in the top k; 0.0 when nothing is relevant."""
    relevant = {doc for doc, g in gains.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)
