"""The JSON contract of `python -m bot ask --json` (documented in the README)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.answer.types import Answer, Citation
from bot.caveat import PassageConflict
from bot.sources import Source, text_length


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "status": answer.status.value,
        "message": answer.message,
        "citations": [_citation(c) for c in answer.citations],
        "contradictions": [
            {
                "kind": c.kind,
                "explanation": c.explanation,
                "sides": [{"n": side.n, "quote": side.quote} for side in c.sides],
            }
            for c in answer.contradictions
        ],
        "notes": list(answer.notes),
    }


def source_to_dict(source: Source, passages: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": source.id,
        "title": source.title,
        "date": source.date,
        "label": source.label,
        # relative to the sources folder (a flat folder: the file name); the host's own
        # folders are nobody else's business
        "path": None if source.path is None else source.path.name,
    }
    if passages is not None:
        data |= {"passages": passages, "characters": text_length(source)}
    return data


def conflicts_to_list(conflicts: Sequence[PassageConflict]) -> list[dict[str, Any]]:
    return [
        {
            "kind": conflict.kind,
            "explanation": conflict.explanation,
            "sides": [
                {
                    "source": source_to_dict(passage.source),
                    "quote": quote,
                    "passage": passage.text,
                    "start": passage.start,
                    "end": passage.end,
                }
                for passage, quote in zip(conflict.passages, conflict.quotes, strict=True)
            ],
        }
        for conflict in conflicts
    ]


def render_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def sources_to_list(
    sources: Sequence[Source], passage_counts: dict[str, int]
) -> list[dict[str, Any]]:
    return [source_to_dict(s, passage_counts.get(s.id, 0)) for s in sources]


def _citation(citation: Citation) -> dict[str, Any]:
    return {
        "n": citation.n,
        "source": source_to_dict(citation.source),
        "excerpt": citation.excerpt,
        "start": citation.start,
        "end": citation.end,
        "score": citation.score,
    }
