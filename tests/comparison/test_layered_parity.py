"""A server's engine layered over a shared base against an engine built from its whole library:
the same answers (JSON), the same BM25 score for every passage, the same facts.

The server hides some base sources (the first, the last, others between), relabels one, and
adds sources of its own (one with a table, one defining an acronym). On generated newswire plus
the seeds by default; `pytest -m shared_data` runs it on Reuters-21578 articles.
"""

from __future__ import annotations

import random
from dataclasses import replace

import corpora
import numpy as np
import pytest

from bot.answer.engine import AnswerEngine
from bot.answer.registry import build_server_engine
from bot.evaluation.bench import reuters_articles
from bot.index.layered import LayeredIndex
from bot.passages.sentences import split_into_passages
from bot.rendering.json_output import answer_to_dict, conflicts_to_list
from bot.retrieval import BM25Config, PassageIndex, analyze
from bot.sources import DEFAULT_SOURCES_DIR, Source, load_sources

CONFIGS = [BM25Config(), BM25Config("okapi", 1.5, 0.75), BM25Config("l", 1.2, 0.5, 0.5)]
TABLE = (
    "Fleet by harbour\n\nHarbour | Ferries | Crew\nLagos | 12 | 340\nTokyo | 7 | 210\n\n"
    "The Lagos harbour authority (LHA) counted its ferries in March 1987.\n"
)
ACRONYM = "The Northern Steel Workers Union (NSWU) said on Monday its members would strike.\n"


def _sources(texts: list[str], prefix: str) -> list[Source]:
    return [Source(f"{prefix}{i:04d}", f"{prefix} {i}", None, None, t) for i, t in enumerate(texts)]


def _generated() -> tuple[list[Source], list[Source]]:
    texts = corpora.articles(160, seed=7)
    seeds = load_sources(DEFAULT_SOURCES_DIR)
    base = seeds + _sources(texts[:130], "g")
    return base, _sources([TABLE, ACRONYM, *texts[130:]], "own")


def _reuters() -> tuple[list[Source], list[Source]]:
    texts = [t for t in reuters_articles(corpora.shared_data("data", "reuters21578"), 460) if t]
    return _sources(texts[:400], "r"), _sources([TABLE, ACRONYM, *texts[400:]], "own")


def _server_library(base: list[Source], own: list[Source]) -> tuple[list[Source], set[str]]:
    """Base sources but every seventh (the first and the last too), one relabelled, then own."""
    hidden = {s.id for i, s in enumerate(base) if i % 7 == 0 or i == len(base) - 1}
    shown = [s for s in base if s.id not in hidden]
    shown[3] = replace(shown[3], label="Moderators' pick")
    return shown + own, hidden


def _questions(sources: list[Source], count: int) -> list[str]:
    """Sentences of the sources and questions made of their words."""
    rng = random.Random(11)
    sentences = [p.text for s in sources for p in split_into_passages(s) if len(p.text) > 30]
    picked = rng.sample(sentences, min(count, len(sentences)))
    asked = [f"Did {' '.join(s.split()[:6])}?" for s in picked[: count // 3]]
    return picked + asked + ["When did Lagos count its ferries?", "What did the NSWU say?"]


@pytest.fixture(
    scope="module", params=["generated", pytest.param("reuters", marks=pytest.mark.shared_data)]
)
def libraries(request: pytest.FixtureRequest):
    base, own = _generated() if request.param == "generated" else _reuters()
    library, hidden = _server_library(base, own)
    base_engine = AnswerEngine(base)
    layered = build_server_engine(base_engine, library)
    return base, library, hidden, base_engine, layered, AnswerEngine(library)


def test_answers_and_scores_equal_an_engine_of_the_whole_library(libraries) -> None:
    base, library, hidden, _, layered, whole = libraries
    assert isinstance(layered._index, LayeredIndex)
    visible = np.flatnonzero(~np.isin(np.arange(layered._index.size), _hidden_slots(layered)))
    assert len(visible) == whole._index.size == layered._index.passage_count
    hidden_sources = [s for s in base if s.id in hidden]
    questions = _questions(library, 90) + _questions(hidden_sources, 30)
    answered = 0
    for question in questions:
        expected = answer_to_dict(whole.answer(question))
        assert answer_to_dict(layered.answer(question)) == expected, question
        answered += bool(expected["citations"])
        terms = analyze(question)
        assert np.array_equal(layered._index.scores(terms)[visible], whole._index.scores(terms))
        for term in terms:
            assert np.array_equal(
                np.searchsorted(visible, layered._index.postings(term)), whole._index.postings(term)
            )
            assert layered._index.document_frequency(term) == whole._index.document_frequency(term)
    assert answered >= len(questions) // 2  # the comparison covers real answers


def test_facts_equal_those_of_the_whole_library(libraries) -> None:
    *_, layered, whole = libraries
    mine, theirs = layered._facts, whole._facts
    assert set(mine.names) == set(theirs.names) and len(mine.names) == len(theirs.names)
    assert dict(mine.numbers) == dict(theirs.numbers)
    for name in ("dates", "figures", "amounts"):
        assert getattr(mine, name) == getattr(theirs, name), name
    assert dict(mine.acronyms) == dict(theirs.acronyms) and "nswu" in mine.acronyms
    assert dict(mine.acronyms_of) == dict(theirs.acronyms_of)
    prefixes = {p: sorted(g) for p, g in theirs.names_by_prefix.items()}
    assert {p: sorted(g) for p, g in mine.names_by_prefix.items()} == prefixes
    assert list(layered._by_source) == list(whole._by_source)


def test_a_hidden_source_is_never_cited(libraries) -> None:
    base, _, hidden, _, layered, _ = libraries
    hidden_sources = [s for s in base if s.id in hidden]
    for question in _questions(hidden_sources, 40):
        cited = {c.source.id for c in layered.answer(question).citations}
        assert not cited & hidden, question
        assert not layered.passages_of(next(iter(hidden)))


def test_servers_share_the_base_index_by_reference(libraries) -> None:
    base, library, _, base_engine, layered, _ = libraries
    other = build_server_engine(base_engine, base[2:] + library[-3:])
    shared = base_engine._index
    for engine in (layered, other):
        index = engine._index
        assert index._base is shared  # the very arrays: weights, term frequencies, lengths
        assert engine._derived.corpus.passages is not base_engine.passages
        assert engine._facts.frame_of is base_engine._facts.frame_of
    assert layered._matcher.source_of[0] == base_engine._matcher.source_of[0]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.variant)
def test_layered_index_scores_equal_every_variant(config: BM25Config) -> None:
    """The index alone, each BM25 variant: BM25Okapi's floor is the whole library's."""
    headlines = corpora.headlines(300, seed=5)
    base_terms = [analyze(h) for h in headlines[:240]]
    own_terms = [analyze(h) for h in headlines[240:]]
    hidden = np.zeros(len(base_terms), dtype=bool)
    hidden[::5] = True
    layered = LayeredIndex(
        PassageIndex(base_terms, config), PassageIndex(own_terms, config), hidden
    )
    kept = [t for t, h in zip(base_terms, hidden, strict=True) if not h] + own_terms
    whole = PassageIndex(kept, config)
    slots = np.concatenate((np.flatnonzero(~hidden), len(base_terms) + np.arange(len(own_terms))))
    for query in [analyze(h) for h in corpora.headlines(40, seed=9)]:
        assert np.array_equal(layered.scores(query)[slots], whole.scores(query))
        found = [(int(slots.tolist().index(i)), s) for i, s in layered.search(query, limit=10)]
        assert found == whole.search(query, limit=10)


def _hidden_slots(engine: AnswerEngine) -> np.ndarray:
    hidden = engine._index._hidden
    return np.flatnonzero(hidden) if hidden is not None else np.empty(0, dtype=np.int64)


def test_conflicts_across_the_library_are_the_same() -> None:
    """The whole-library scan reads the server's passages only, in library order."""
    base = load_sources(DEFAULT_SOURCES_DIR) + _sources(corpora.articles(30, seed=3), "b")
    library = base[:2] + base[3:20] + _sources([*corpora.articles(6, seed=4), ACRONYM], "own")
    layered = build_server_engine(AnswerEngine(base), library)
    expected = conflicts_to_list(AnswerEngine(library).conflicts())
    assert expected and conflicts_to_list(layered.conflicts()) == expected
    assert len(layered.scan_conflicts(None).conflicts) == len(expected)
