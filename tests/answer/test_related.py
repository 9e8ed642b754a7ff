"""`related`: the question's names are in the sources, but no passage meets it; the closest
passages holding them are shown, and said not to answer it. On the seed articles."""

import json

import pytest

from bot.answer.engine import AnswerEngine
from bot.answer.types import Status
from bot.main import main


def test_chat_wording_the_sources_lack_gets_the_closest_passages(engine: AnswerEngine) -> None:
    answer = engine.answer("tesla is tanking in japan")
    assert answer.status is Status.RELATED
    assert answer.message.startswith("The sources don't say “tanking”;")
    assert "“tesla” and “japan”" in answer.message
    assert "Why is Tesla Struggling in Japan?" in answer.citations[0].excerpt
    assert 1 <= len(answer.citations) <= 3 and not answer.contradictions


def test_spying_in_chat_finds_the_data_privacy_concerns(engine: AnswerEngine) -> None:
    answer = engine.answer("the gov in tokyo thinks tesla is spying on them")
    assert answer.status is Status.RELATED
    assert "“spying”" in answer.message and "“gov”" not in answer.message  # gov: government
    assert any("transmit sensitive information" in c.excerpt for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        "did korea ban tesla too",  # a name no source has
        "heard Rivian is expanding to japan",
        "What's the weather in Tokyo tomorrow?",  # Tokyo only sets the place
        "How do I bake sourdough bread at home?",  # no name at all
    ],
)
def test_a_question_whose_names_the_sources_lack_is_not_covered(
    engine: AnswerEngine, question: str
) -> None:
    answer = engine.answer(question)
    assert answer.status is Status.NO_MATCH and not answer.citations


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        ("japan kicked tesla out over national security", "national security"),
        ("musk works for trump and japan doesnt like that", "Trump administration"),
        ("tesla deliveries went up by half last yr", "global deliveries by 50%"),
    ],
)
def test_chat_wording_the_sources_meet_is_answered(
    engine: AnswerEngine, question: str, cited: str
) -> None:
    answer = engine.answer(question)
    assert answer.status is Status.ANSWERED
    assert any(cited in c.excerpt for c in answer.citations)


def test_the_json_says_related_with_the_passages_as_citations(capsys) -> None:
    assert main(["ask", "--json", "tesla is tanking in japan"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "related"
    assert data["message"].startswith("The sources don't say “tanking”")
    assert data["citations"] and data["contradictions"] == []
    assert {"n", "source", "excerpt", "start", "end", "score"} <= data["citations"][0].keys()


def test_the_terminal_leads_with_what_the_sources_do_not_say(capsys) -> None:
    assert main(["ask", "tesla is tanking in japan"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The sources don't say “tanking”")
    assert "[1] “Why is Tesla Struggling in Japan?" in out and "Sources:" in out
