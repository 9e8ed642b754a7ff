"""Caveat probes in plain English, written apart from any evaluation data: one kind of question
each (when, where, who, which, how many, yes/no), with a pair of sources that disagree on what
is asked and a pair that does not (another person, another event, another rank, another year).
"""

from __future__ import annotations

import pytest
from helpers import make_source

from bot.answer.types import Citation, Contradiction
from bot.caveat import find_disagreements


def _disagreements(question: str, first: str, second: str) -> list[Contradiction]:
    citations = [
        Citation(
            n=n,
            source=make_source(source_id=f"00{n}", text=text),
            start=0,
            end=len(text),
            score=1.0,
        )
        for n, text in enumerate((first, second), 1)
    ]
    return find_disagreements(question, citations)


@pytest.mark.parametrize(
    ("question", "first", "second", "answers"),
    [
        (
            "When was Ada Brook born?",
            "Ada Brook was born on 5 May 1950 in Carrow.",
            "Ada Brook (born 1951) is a Norland painter.",
            ("5 May 1950", "1951"),
        ),
        (
            "What was the population of Carrow in 2010?",
            "The population of Carrow was 5,000 in 2010.",
            "In 2010 Carrow had a population of 6,200.",
            ("5,000", "6,200"),
        ),
        (
            "How long is the Carrow Viaduct?",
            "The Carrow Viaduct is 1,280 m long.",
            "The Carrow Viaduct has a length of 1.41 km.",
            ("1,280 m", "1.41 km"),
        ),
        (
            "How old was Ada Brook when she died?",
            "Ada Brook died in 1990 at the age of 71.",
            "Ada Brook died aged 74.",
            ("71", "74"),
        ),
        (
            "What is the capital of Norland?",
            "The capital of Norland is Dagmar.",
            "Keswick is the capital of Norland.",
            ("Dagmar", "Keswick"),
        ),
        (
            "What is the largest city in Norland?",
            "Dagmar is the largest city in Norland.",
            "The largest city in Norland is Keswick, on the coast.",
            ("Dagmar", "Keswick"),
        ),
        (
            "Where was Ada Brook born?",
            "Ada Brook was born in Dagmar.",
            "Ada Brook was born in Keswick, Norland.",
            ("Dagmar", "Keswick"),
        ),
        (
            "Who directed Long Harbour?",
            "Long Harbour was directed by Ada Brook.",
            "Long Harbour is a 1990 film directed by Tom Aske.",
            ("Ada Brook", "Tom Aske"),
        ),
        # a yes/no question offering its answer as the subject of a copula
        (
            "Is Dagmar the largest city in Norland?",
            "Dagmar is the largest city in Norland.",
            "The largest city in Norland is Keswick, on the coast.",
            ("Dagmar", "Keswick"),
        ),
        # the object of the verb asked about, after its preposition
        (
            "Which team did Tom Aske play for in 1990?",
            "In 1990 Tom Aske played for Carrow United.",
            "In 1990 Tom Aske played for Dagmar City.",
            ("Carrow United", "Dagmar City"),
        ),
        # a name of the question opening both clauses is still a name
        (
            "How many inhabitants does Carrow have?",
            "Carrow has approximately 5,000 inhabitants.",
            "Carrow has about 7,000 inhabitants.",
            ("5,000", "7,000"),
        ),
        # the same event in other words: "died" and "killed"
        (
            "How many people died in the Carrow fire?",
            "31 people died in the Carrow fire.",
            "The Carrow fire killed 45 people.",
            ("31", "45"),
        ),
        # a possessive that owns what is asked is the subject's
        (
            "What was the population of Carrow in 2010?",
            "Carrow's population was 5,000 in 2010.",
            "The population of Carrow was 6,200 in 2010.",
            ("5,000", "6,200"),
        ),
        # a rank of something else ("his second season") is no other manager
        (
            "Who was the manager of Carrow Rovers in 2011?",
            "In 2011 the manager of Carrow Rovers was Dana Whitfield, in his second season.",
            "Carrow Rovers were managed in 2011 by Tomas Brenner.",
            ("Dana Whitfield", "Tomas Brenner"),
        ),
        (
            "Was Long Harbour released in 1990?",
            "Long Harbour was released in 1990.",
            "Long Harbour was released in March 1991.",
            ("1990", "March 1991"),
        ),
    ],
)
def test_two_answers_to_what_is_asked_are_a_caveat_saying_both(
    question, first, second, answers
) -> None:
    found = _disagreements(question, first, second)
    assert len(found) == 1
    explanation = found[0].explanation
    for n, answer in enumerate(answers, 1):
        assert f"[{n}] says {answer}" in explanation or f"[{n}] names {answer}" in explanation


def test_a_denied_win_against_a_win_meets_on_the_verb() -> None:
    """ "did not win" and "won" are forms of one verb."""
    found = _disagreements(
        "Did Ada Brook win the 1990 Carrow Prize?",
        "Ada Brook won the 1990 Carrow Prize.",
        "Ada Brook did not win the 1990 Carrow Prize, which went to Tom Aske.",
    )
    assert len(found) == 1
    assert {side.quote for side in found[0].sides} == {
        "Ada Brook won the 1990 Carrow Prize",
        "Ada Brook did not win the 1990 Carrow Prize, which went to Tom Aske",
    }


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        # another person: her husband, in the possessive
        ("When did Ada Brook die?", "Ada Brook died in 1990.", "Ada Brook's husband died in 1985."),
        (
            "Where did Ada Brook die?",
            "Ada Brook died in Dagmar.",
            "Ada Brook's husband died in Keswick.",
        ),
        # another person as the subject of the denial
        (
            "Did Ada Brook win the 1990 Carrow Prize?",
            "Ada Brook won the 1990 Carrow Prize.",
            "Tom Aske did not win the 1990 Carrow Prize.",
        ),
        # another year, another event, another rank, the same answer
        (
            "What was the population of Carrow in 2010?",
            "The population of Carrow was 5,000 in 2010.",
            "In 2000 Carrow had a population of 4,100.",
        ),
        (
            "How old was Ada Brook when she died?",
            "Ada Brook died in 1990 at the age of 71.",
            "Ada Brook married at the age of 24.",
        ),
        (
            "What is the largest city in Norland?",
            "Dagmar is the largest city in Norland.",
            "Keswick is the second largest city in Norland.",
        ),
        (
            "What is the capital of Norland?",
            "The capital of Norland is Dagmar.",
            "Dagmar is the capital of Norland and its largest port.",
        ),
        (
            "Is Dagmar the largest city in Norland?",
            "Dagmar is the largest city in Norland.",
            "The largest city in Norland, Dagmar, is a port.",
        ),
        (
            "How many members does the Carrow Choir have?",
            "The Carrow Choir has 12 members.",
            "The Carrow Choir has twelve members and a conductor.",
        ),
    ],
)
def test_no_caveat_between_statements_that_do_not_answer_alike(question, first, second) -> None:
    assert _disagreements(question, first, second) == []
