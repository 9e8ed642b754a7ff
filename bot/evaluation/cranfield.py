"""Cranfield 1400: BM25 variants and analysers compared on nDCG@10 and recall@100.

The collection is the one in `shared/data/cranfield` (documents: title + abstract; 225 queries;
judgements graded 1 = complete answer ... 4 = minimum interest, -1 = not relevant).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.evaluation.metrics import ndcg_at, recall_at
from bot.retrieval import BM25Config, PassageIndex, analyze, plain_tokens

_FIELD = re.compile(r"^\.([A-Z])\s*(.*)$")


@dataclass(frozen=True)
class Collection:
    doc_ids: list[str]
    doc_texts: list[str]
    queries: list[str]
    judgements: dict[int, dict[str, float]]  # query number (1-based) -> doc id -> gain


@dataclass(frozen=True)
class RunResult:
    name: str
    ndcg10: float
    recall100: float


def load_collection(folder: Path) -> Collection:
    docs = list(_records(folder / "cran.all.1400"))
    queries = [fields.get("W", "") for _, fields in _records(folder / "cran.qry")]
    judgements: dict[int, dict[str, float]] = {}
    for line in (folder / "cranqrel").read_text().splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        query, doc, code = int(parts[0]), parts[1], int(parts[2])
        if 1 <= code <= 4:  # -1 is treated as not relevant
            judgements.setdefault(query, {})[doc] = 5 - code
    return Collection(
        doc_ids=[doc_id for doc_id, _ in docs],
        doc_texts=[f"{fields.get('T', '')}\n{fields.get('W', '')}" for _, fields in docs],
        queries=queries,
        judgements=judgements,
    )


def evaluate(
    collection: Collection,
    analyzer: Callable[[str], list[str]],
    config: BM25Config,
    name: str,
    doc_terms: list[list[str]] | None = None,
) -> RunResult:
    """nDCG@10 and recall@100 over the judged queries; `doc_terms` reuses an analysis."""
    terms = doc_terms if doc_terms is not None else [analyzer(t) for t in collection.doc_texts]
    index = PassageIndex(terms, config)
    ndcgs, recalls = [], []
    for number, query in enumerate(collection.queries, start=1):
        gains = collection.judgements.get(number)
        if not gains:
            continue
        ranked = [collection.doc_ids[i] for i, _ in index.search(analyzer(query), limit=100)]
        ndcgs.append(ndcg_at(ranked, gains, 10))
        recalls.append(recall_at(ranked, gains, 100))
    return RunResult(name, statistics.fmean(ndcgs), statistics.fmean(recalls))


def standard_runs(collection: Collection, bot_config: BM25Config) -> list[RunResult]:
    """The baseline the README compares against, and the configuration the bot uses."""
    okapi = BM25Config("okapi", 1.5, 0.75)
    bot_name = f"bot: {_describe(bot_config)}, Crosscheck analyzer"
    return [
        evaluate(collection, plain_tokens, okapi, "baseline: BM25Okapi, lowercase whitespace"),
        evaluate(collection, analyze, okapi, "BM25Okapi, Crosscheck analyzer"),
        evaluate(collection, analyze, bot_config, bot_name),
    ]


def grid(collection: Collection) -> Iterator[RunResult]:
    """Every variant and parameter tried when choosing the bot's configuration."""
    terms = [analyze(text) for text in collection.doc_texts]
    for variant in ("okapi", "plus", "l"):
        for k1 in (0.9, 1.2, 1.5, 2.0):
            for b in (0.3, 0.5, 0.75, 0.9):
                deltas = (1.0,) if variant == "okapi" else (0.5, 1.0)
                for delta in deltas:
                    config = BM25Config(variant, k1, b, delta)
                    yield evaluate(collection, analyze, config, _describe(config), terms)


def _describe(config: BM25Config) -> str:
    name = {"okapi": "BM25Okapi", "plus": "BM25Plus", "l": "BM25L"}[config.variant]
    extra = "" if config.variant == "okapi" else f", delta={config.delta}"
    return f"{name}(k1={config.k1}, b={config.b}{extra})"


def _records(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    record_id, fields, current = None, {}, None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _FIELD.match(line)
        if match and match.group(1) == "I":
            if record_id is not None:
                yield record_id, fields
            record_id, fields, current = match.group(2).strip(), {}, None
        elif match and match.group(1) in "TABW":
            current = match.group(1)
            fields[current] = match.group(2)
        elif current is not None:
            fields[current] = f"{fields[current]} {line}".strip()
    if record_id is not None:
        yield record_id, fields
