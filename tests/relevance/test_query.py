"""The query builder, asserted on the query itself: which terms weigh what, what a passage must
hold, and what meets each term. Facts about the sources are given directly (no index)."""

from __future__ import annotations

import pytest

from bot.relevance import rules
from bot.relevance.query import build_query, date_terms, figure_terms, predicate_frames
from bot.relevance.reading import PREAMBLE_WEIGHT, SourceFacts
from bot.retrieval import term_of

SOURCE_WORDS = """japan tesla ban cars sold vehicles 2019 2021 1,378 1,400 1,900 march honda
said statement production prohibit model""".split()
NAMES = ("japan", "tesla", "honda")


def _facts() -> SourceFacts:
    terms = {term_of(word) for word in SOURCE_WORDS} - {None}
    numbers = {t: float(t.replace(",", "")) for t in terms if t[0].isdigit()}
    dates = date_terms(terms)
    figures = figure_terms(numbers)
    return SourceFacts(
        document_frequency=lambda term: 3 if term in terms else 0,
        idf=lambda term: 2.0 if term in terms else 5.0,
        names=frozenset(term_of(name) for name in NAMES),
        numbers=numbers,
        frame_of=predicate_frames(),
        dates=dates,
        figures=figures,
        amounts=figures - dates,
    )


FACTS = _facts()


def t(word: str) -> str:
    term = term_of(word)
    assert term is not None
    return term


def test_a_claimed_ban_must_be_in_the_passage_and_names_weigh_as_names() -> None:
    query = build_query("Did Japan ban Tesla?", FACTS)
    assert [t("japan"), t("ban"), t("tesla")] == query.terms
    assert set(query.names) == {t("japan"), t("tesla")}
    # the predicate: the passage itself must hold a word of its frame (a ban, a prohibition…)
    assert any(t("ban") in group and t("prohibit") in group for group in query.required_own)
    assert t("prohibit") in query.matches[t("ban")]


def test_framing_words_of_chat_ask_nothing() -> None:
    query = build_query("lol I heard Japan banned Tesla last week", FACTS)
    assert {t("japan"), t("ban"), t("tesla")} == set(query.terms)
    for framing in ("lol", "heard", "last", "week"):
        assert term_of(framing) not in query.weights


def test_an_approximate_figure_is_met_by_one_within_ten_percent() -> None:
    query = build_query("Did Tesla sell about 1,400 cars?", FACTS)
    assert query.matches[t("1,400")] == {t("1,400"), t("1,378")}
    exact = build_query("Did Tesla sell 1,400 cars?", FACTS)
    assert exact.matches[t("1,400")] == {t("1,400")}


def test_how_many_requires_a_figure_and_the_year_of_the_figure() -> None:
    query = build_query("How many cars did Tesla sell in 2021?", FACTS)
    assert FACTS.figures in query.required
    assert frozenset({t("2021")}) in query.required
    assert query.answer_forms == FACTS.amounts


def test_a_preamble_sets_the_scene_and_requires_nothing() -> None:
    query = build_query("Honda made a statement in March. Did Japan ban Tesla?", FACTS)
    question = sum(query.weights[x] for x in (t("japan"), t("ban"), t("tesla")))
    scene = sum(w for term, w in query.weights.items() if term in {t("statement"), t("march")})
    assert 0 < scene <= PREAMBLE_WEIGHT * question + 1e-9
    assert not any(t("statement") in group for group in query.required + query.required_own)


def test_reported_speech_requires_a_statement_by_the_one_asked() -> None:
    query = build_query("What did Honda say about the ban?", FACTS)
    assert query.speaker == "Honda"
    assert any(t("said") in group and t("statement") in group for group in query.required_own)


def test_the_rules_are_named_and_ordered() -> None:
    assert [rule.__name__ for rule in rules.TOKEN_RULES] == [
        "scene_requires_nothing",
        "predicate",
        "known_name",
        "qualifier",
        "year_of_figure",
        "approximate_number",
        "related_word",
    ]
    assert rules.QUESTION_RULES[-1] is rules.one_predicate


def test_one_rule_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each question rule is one entry of the sequence: without `answer_forms`, a "when"
    question no longer prefers the sources' dates as its answer."""
    assert build_query("When did Japan ban Tesla?", FACTS).answer_forms == FACTS.dates
    without = tuple(r for r in rules.QUESTION_RULES if r is not rules.answer_forms)
    monkeypatch.setattr("bot.relevance.query.QUESTION_RULES", without)
    assert build_query("When did Japan ban Tesla?", FACTS).answer_forms == frozenset()


def test_initials_in_a_name_do_not_start_a_new_sentence() -> None:
    """ "Fort D. A. Russell": the question is read whole, not from "Russell built?" on with the
    rest as a preamble that only sets the scene."""
    query = build_query("When was Building 98 at Fort D. A. Russell built?", FACTS)
    assert {t("building"), t("fort"), t("russell")} <= query.words.keys()


@pytest.mark.parametrize(
    "question",
    ["Who is the chief executive of Honda?", "Who is Honda's chief executive?"],
)
def test_the_noun_before_of_a_name_is_owned_by_it_as_a_possessive_s_is(question: str) -> None:
    """ "the chief executive of Honda" asks for Honda's: Honda must be met, and the chief
    executive is Honda's (`Query.possessions`), as "Honda's chief executive" reads."""
    query = build_query(question, FACTS)
    assert set(query.names) == {t("honda")}
    assert [(t("honda") in forms, owned) for forms, owned in query.possessions] == [
        (True, t("executive"))
    ]


def test_of_inside_a_name_or_before_a_common_noun_owns_nothing() -> None:
    assert not build_query("Who is the governor of the Bank of Japan?", FACTS).possessions[1:]
    assert not build_query("What is the price of steel in Japan?", FACTS).possessions
    # an "of" that only places what is asked about: the hut, not the peak, is asked for
    assert not build_query("Who built the hut near the peak of Mount Fuji?", FACTS).possessions


def test_a_hyphenated_possessive_name_owns_the_noun_after_it() -> None:
    query = build_query("Who is Rent-A-Center's chief executive?", FACTS)
    assert [owned for _, owned in query.possessions] == [t("executive")]
