"""The vectorised index against rank-bm25 itself: same scores, same top 10, every variant.

On generated newswire and the seeds by default; `pytest -m shared_data` adds Reuters-21578.
"""

from __future__ import annotations

from pathlib import Path

import corpora
import numpy as np
import pytest

from bot.evaluation.bench import ag_news_titles, reuters_articles
from bot.passages.sentences import split_into_passages
from bot.retrieval import BM25Config, PassageIndex, analyze
from bot.sources import DEFAULT_SOURCES_DIR, Source, load_sources

CONFIGS = [
    BM25Config(),  # the bot's: BM25Plus k1 2.0 b 0.75 delta 1.0
    BM25Config("okapi", 1.5, 0.75),  # epsilon floor for terms in half the passages
    BM25Config("l", 1.2, 0.5, 0.5),
]


def _corpus(sources: list[Source]) -> list[list[str]]:
    return [analyze(p.text) for s in sources for p in split_into_passages(s)]


def _news_sample(texts: list[str], titles: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    sources = [Source(f"r{i}", "t", None, Path("x"), text) for i, text in enumerate(texts) if text]
    queries = [analyze(title) for title in titles]
    return _corpus(sources), [q for q in queries if q]


def _generated_sample() -> tuple[list[list[str]], list[list[str]]]:
    return _news_sample(corpora.articles(300), corpora.headlines(60))


def _reuters_sample() -> tuple[list[list[str]], list[list[str]]]:
    texts = reuters_articles(corpora.shared_data("data", "reuters21578"), 300)
    ag_news = corpora.shared_data("data", "ag-news-test", "test.csv.gz")
    return _news_sample(texts, ag_news_titles(ag_news, 60))


def _seeds_sample() -> tuple[list[list[str]], list[list[str]]]:
    corpus = _corpus(load_sources(DEFAULT_SOURCES_DIR))
    questions = ["Did Japan ban Tesla?", "Tesla sales in Japan last year", "Who is Lars Moravy?"]
    return corpus, [analyze(q) for q in questions]


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(_generated_sample, id="generated"),
        pytest.param(_seeds_sample, id="seeds"),
        pytest.param(_reuters_sample, id="reuters", marks=pytest.mark.shared_data),
    ],
)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.variant)
def test_scores_and_top_10_equal_rank_bm25(sample, config: BM25Config) -> None:
    corpus, queries = sample()
    index = PassageIndex(corpus, config)
    reference = config.build([terms or [""] for terms in corpus])
    for query in queries:
        expected = np.asarray(reference.get_scores(query))
        np.testing.assert_allclose(index.scores(query), expected, rtol=1e-12, atol=1e-12)
        holding = [i for i, terms in enumerate(corpus) if set(terms) & set(query)]
        # Scores equal but for rank-bm25's summation order (the last bit) are a tie, ranked by
        # passage number as the index ranks ties.
        top = sorted(holding, key=lambda i: (-round(expected[i], 9), i))[:10]
        found = index.search(query, limit=10)
        assert [doc for doc, _ in found] == top
        np.testing.assert_allclose([s for _, s in found], expected[top], rtol=1e-12)


def test_repeated_query_terms_count_twice_as_in_rank_bm25() -> None:
    corpus = [["tesla", "japan"], ["tesla"], ["japan", "ban", "ban"]]
    reference = BM25Config().build(corpus)
    query = ["ban", "ban", "tesla"]
    np.testing.assert_allclose(PassageIndex(corpus).scores(query), reference.get_scores(query))


def test_postings_and_document_frequencies() -> None:
    index = PassageIndex([["alpha", "beta", "alpha"], [], ["gamma", "alpha"]])
    assert index.postings("alpha").tolist() == [0, 2]
    assert index.postings("zeta").tolist() == []
    assert index.document_frequency("gamma") == 1
    assert index.candidates(["beta", "gamma", "zeta"]).tolist() == [0, 2]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.variant)
def test_weights_made_a_few_entries_at_a_time_are_the_same(
    config: BM25Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large index computes its weights in runs of columns: the runs change no weight."""
    corpus, _ = _seeds_sample()
    whole = PassageIndex(corpus, config)
    monkeypatch.setattr("bot.retrieval._CHUNK", 7)
    in_runs = PassageIndex(corpus, config)
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(in_runs._weights, name), getattr(whole._weights, name))
