"""Scoring a question file: a `related` answer is cited when it quotes the passage, but is not
an answer; a group may name several sources, any of which will do."""

from bot.answer.engine import AnswerEngine
from bot.evaluation.seeds_dev import score, summarise

TANKING = {
    "id": "t",
    "question": "tesla is tanking in japan",
    "expect": "answered",
    "cite": [{"source": ["002", "000"], "any": ["Why is Tesla Struggling in Japan"]}],
}
UNCOVERED = {"id": "u", "question": "how many superchargers does japan have", "expect": "no_match"}


def test_a_related_answer_counts_as_cited_not_as_answered(engine: AnswerEngine) -> None:
    [tanking, uncovered] = score(engine, [TANKING, UNCOVERED])
    assert tanking.citations_ok is True and tanking.status_ok is False
    assert uncovered.status_ok  # the closest passages: not an answer, so "not covered" holds
    figures = summarise([tanking, uncovered])
    assert figures["citations right (answered or related)"] == "1/1"
    assert figures["answered and cited"] == "0/1"


def test_a_group_of_sources_is_met_by_any_of_them(engine: AnswerEngine) -> None:
    wrong_source = {**TANKING, "cite": [{"source": ["001"], "any": ["Struggling in Japan"]}]}
    assert score(engine, [wrong_source])[0].citations_ok is False
