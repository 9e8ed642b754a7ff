import pytest

from bot.passages.tokens import tokenize
from bot.retrieval import PassageIndex, analyze, plain_tokens


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (["ban", "banned", "bans", "banning"], True),
        (["sell", "sold", "sells", "selling"], True),
        (["Tesla", "Teslas", "Tesla's", "Tesla’s"], True),
        (["buy", "bought"], True),
        (["ban", "bank"], False),
    ],
)
def test_inflections_meet(words: list[str], same: bool) -> None:
    terms = {tuple(analyze(word)) for word in words}
    assert (len(terms) == 1) is same


def test_stopwords_and_question_words_are_removed() -> None:
    assert analyze("What did they say about it, and why?") == ["say"]


def test_numbers_stay_whole_and_thousands_separators_do_not_matter() -> None:
    assert analyze("just 1,378 units, 90% of 2019") == ["1378", "unit", "90", "2019"]
    assert analyze("1378") == analyze("1,378") and analyze("2.5") == ["2.5"]


def test_cjk_text_is_indexed_as_bigrams() -> None:
    assert tokenize("禁止した") == ["禁止", "止し", "した"]


def test_plain_baseline_is_lowercase_whitespace() -> None:
    assert plain_tokens("Did Japan BAN Tesla?") == ["did", "japan", "ban", "tesla?"]


def _index(texts: list[str]) -> PassageIndex:
    return PassageIndex([analyze(t) for t in texts])


def test_search_ranks_the_passage_that_answers_first() -> None:
    texts = [
        "Tesla opened a showroom in Japan.",
        "Japan banned Tesla vehicles last week.",
        "Tesla sells cars in Japan.",
        "The weather in Japan was mild for Tesla owners.",
    ]
    ranked = _index(texts).search(analyze("Did Japan ban Tesla?"))
    assert ranked[0][0] == 1


def test_terms_in_most_passages_still_count_with_the_chosen_variant() -> None:
    # BM25Okapi floors the IDF of terms in half the passages or more; the bot's variant does not.
    texts = ["tesla japan", "tesla japan sales", "tesla japan ban", "other words"]
    index = _index(texts)
    scores = dict(index.search(analyze("tesla")))
    assert set(scores) == {0, 1, 2}
    assert all(score > 0 for score in scores.values())


def test_search_only_returns_passages_sharing_a_term() -> None:
    index = _index(["alpha beta", "gamma delta"])
    assert [doc for doc, _ in index.search(["gamma"])] == [1]
    assert index.search(["zeta"]) == []


def test_unseen_terms_weigh_the_most() -> None:
    index = _index(["alpha beta", "alpha gamma", "alpha"])
    assert index.idf("zeta") > index.idf("beta") > index.idf("alpha")


def test_empty_corpus_is_refused() -> None:
    with pytest.raises(ValueError):
        PassageIndex([])
