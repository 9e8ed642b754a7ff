"""A source's headline is context for the lines under it: a table line is answered with its
story's headline (newswire earnings stories name the company only there)."""

from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.answer.types import Status
from bot.sources import Source


def _story(source_id: str, title: str, text: str) -> Source:
    return Source(id=source_id, title=title, date=None, path=Path(f"{source_id}.txt"), text=text)


EARNINGS = [
    _story(
        "acme",
        "ACME CORP <ACM> 1ST QTR NET",
        "Shr 12 cts vs 10 cts\n    Net 1.2 mln vs 1.0 mln\n    Revs 25.3 mln vs 22.1 mln\n"
        "    Nine mths\n    Shr 30 cts vs 25 cts\n    Net 3.1 mln vs 2.6 mln\n Reuter\n",
    ),
    _story(
        "zenith",
        "ZENITH MILLS <ZML> 1ST QTR NET",
        "Shr 40 cts vs 35 cts\n    Net 4.4 mln vs 3.9 mln\n    Revs 80.2 mln vs 75.0 mln\n"
        " Reuter\n",
    ),
    _story(
        "ports",
        "PORT STRIKE ENDS",
        "Dock workers in Rotterdam returned to work on Monday after\na two-week strike over pay, "
        "the union said.\n    Zenith Mills and Acme Corp were among the\nshippers hit by delays.\n",
    ),
]


def test_a_table_line_is_answered_with_its_story_s_headline() -> None:
    engine = AnswerEngine(EARNINGS)
    answer = engine.answer("What was Acme's first quarter net?")
    assert answer.status is Status.ANSWERED
    assert answer.citations[0].source.id == "acme"
    assert answer.citations[0].excerpt.startswith("Net 1.2 mln vs 1.0 mln")
    assert "zenith" not in {c.source.id for c in answer.citations}


def test_a_headline_names_the_subject_only_of_its_own_story() -> None:
    engine = AnswerEngine(EARNINGS)
    answer = engine.answer("What was Zenith Mills' first quarter net?")
    assert answer.citations[0].source.id == "zenith"
    assert answer.citations[0].excerpt.startswith("Net 4.4 mln vs 3.9 mln")
    assert "acme" not in {c.source.id for c in answer.citations}


OFFICERS = [
    _story(
        "zenith-bid",
        "ZENITH MILLS MAKES BID FOR HARBOUR FOODS",
        "Zenith Mills Inc said it offered 40 dlrs a share for Harbour\nFoods Ltd, valuing the "
        "company at about 300 mln dlrs.\n    Zenith chairman and chief executive John Carver "
        "said the\nbid would be financed from cash and bank lines.\n Reuter\n",
    ),
    _story(
        "acme-plant",
        "ACME CORP TO CLOSE OHIO PLANT",
        "Acme Corp said it will close its plant in Dayton, Ohio, next\nyear, cutting 400 jobs.\n"
        "    Rent-A-Center Inc said it will sell 35 mln dlrs of\nconvertible debentures.\n"
        " Reuter\n",
    ),
]


def test_a_named_company_s_officer_that_no_source_names_is_not_covered() -> None:
    """ "Who is the chief executive of Acme?" is not answered with Zenith's chief executive."""
    engine = AnswerEngine(OFFICERS)
    for question in (
        "Who is the chief executive of Acme?",
        "Who is Acme's chief executive?",
        "Who is Rent-A-Center's chief executive?",
    ):
        assert engine.answer(question).status is Status.NO_MATCH, question
    for question in (
        "Who is the chief executive of Zenith Mills?",
        "Who is Zenith's chief executive?",
    ):
        answer = engine.answer(question)
        assert answer.status is Status.ANSWERED, question
        assert "John Carver" in answer.citations[0].excerpt
