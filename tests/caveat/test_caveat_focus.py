"""Question-focused caveats on small English examples: what is asked, and answers that differ."""

import math

import pytest
from helpers import make_source

from bot.answer.types import Citation
from bot.caveat import find_disagreements
from bot.caveat.detectors import _distance
from bot.caveat.quantities import Quantity
from bot.relevance.kind import Asked, asked_by


def _cite(texts: list[str]) -> list[Citation]:
    citations = []
    for n, text in enumerate(texts, 1):
        source = make_source(source_id=f"00{n}", text=text)
        citations.append(Citation(n=n, source=source, start=0, end=len(text), score=1.0))
    return citations


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Who coached the Rovers in 2011?", Asked.WHO),
        ("What was the name of the ship's captain?", Asked.WHO),
        ("In which year did the museum open?", Asked.WHEN),
        ("When was the bridge finished?", Asked.WHEN),
        ("How long is the bridge?", Asked.AMOUNT),
        ("What is the population of Carrow?", Asked.AMOUNT),
        ("Where was the treaty signed?", Asked.WHERE),
        ("Did Norland ban the drones?", Asked.YES_NO),
        ("Norland banned the drones lol", Asked.YES_NO),
        ("Carrow has a harbour. Is the harbour open in winter?", Asked.YES_NO),
        ("Why did the ferry stop?", Asked.OTHER),
        # an initial or an abbreviation ends no sentence; the question is the whole of it
        ("When was Hall 98 at Fort D. A. Russell built?", Asked.WHEN),
        ("When was the span renamed the John F. Smith Jr. Memorial Bridge?", Asked.WHEN),
        # an opening adverbial set off by a comma, and a statement asked with "?"
        ("As of 2011, are more than 400 stores open on Sundays?", Asked.YES_NO),
        ("In 1990, did the ferry carry cars?", Asked.YES_NO),
        ("the ferry was sold to a Greek company?", Asked.YES_NO),
    ],
)
def test_what_a_question_asks(question, asked) -> None:
    assert asked_by(question) is asked


def test_different_names_for_the_same_role_are_a_caveat_naming_both() -> None:
    found = find_disagreements(
        "Who coached the Carrow Rovers in 2011?",
        _cite(
            [
                "In 2011 the Carrow Rovers were coached by Dana Whitfield.",
                "The Carrow Rovers were coached in 2011 by Tomas Brenner.",
            ]
        ),
    )
    assert len(found) == 1
    assert "Dana Whitfield" in found[0].explanation and "Tomas Brenner" in found[0].explanation


def test_the_same_name_twice_is_no_caveat() -> None:
    found = find_disagreements(
        "Who coached the Carrow Rovers in 2011?",
        _cite(
            [
                "In 2011 the Carrow Rovers were coached by Dana Whitfield.",
                "Dana Whitfield coached the Carrow Rovers in 2011 and 2012.",
            ]
        ),
    )
    assert found == []


def test_when_dates_differ_on_the_asked_event_even_with_other_verbs() -> None:
    found = find_disagreements(
        "When did the Halden Museum open?",
        _cite(
            [
                "The Halden Museum opened in 1921 in the old customs house.",
                "The Halden Museum began to admit visitors in 1923.",
            ]
        ),
    )
    assert len(found) == 1
    assert "says 1921" in found[0].explanation and "says 1923" in found[0].explanation


def test_a_yes_no_question_does_not_compare_dates_of_other_events() -> None:
    found = find_disagreements(
        "Is the Halden Museum closed?",
        _cite(
            [
                "The Halden Museum closed its east wing on 3 May 2024 for repairs.",
                "The Halden Museum reopened its cafe on 9 June 2024 after the repairs.",
            ]
        ),
    )
    assert all(c.kind != "date" for c in found)


def test_a_ban_by_an_authority_against_the_subjects_own_account() -> None:
    found = find_disagreements(
        "Did Norland ban Aquila drones?",
        _cite(
            [
                "Norland has imposed a ban on all Aquila drones from 3 May 2024.",
                "Aquila has announced that production of the Falcon model for Norland will end "
                "on 9 May 2024.",
            ]
        ),
    )
    assert len(found) == 1
    explanation = found[0].explanation
    assert "“ban” by Norland" in explanation
    assert "Aquila's own account" in explanation and "will end" in explanation


def test_figures_of_two_editions_are_not_compared() -> None:
    found = find_disagreements(
        "How many runners finished the Carrow marathon?",
        _cite(
            [
                "In 2019 the Carrow marathon had 1,200 finishers.",
                "In 2021 the Carrow marathon had 900 finishers.",
            ]
        ),
    )
    assert found == []


def test_figures_for_the_same_thing_are_said_plainly() -> None:
    found = find_disagreements(
        "How long is the Carrow bridge?",
        _cite(["The Carrow bridge is 1,280 m long.", "The Carrow bridge is 1,410 m long."]),
    )
    assert len(found) == 1
    assert "[1] says 1,280 m" in found[0].explanation
    assert "[2] says 1,410 m" in found[0].explanation


@pytest.mark.parametrize(
    ("first", "second"),
    [((0, 5), (3, 3)), ((-math.inf, 5), (0, 0)), ((-3, -3), (2, 2)), ((7, math.inf), (1, 1))],
)
def test_the_distance_between_figures_never_raises(first, second) -> None:
    x = Quantity(*first, "m", frozenset(), 0, 1)
    y = Quantity(*second, "m", frozenset(), 0, 1)
    assert _distance(x, y) >= 0


def test_up_to_and_zero_figures_never_raise() -> None:
    find_disagreements(
        "How many boats can the Carrow harbour hold?",
        _cite(
            [
                "The Carrow harbour can hold up to 5 boats, or 0 boats in a storm.",
                "The Carrow harbour holds 0 boats in winter and at least 12 boats in summer.",
            ]
        ),
    )


@pytest.mark.parametrize(
    ("first", "second", "disagree"),
    [
        ("1.4 km", "1,410 m", False),  # 1.4 is rounded: 1.35 to 1.45 km
        ("1.4 km", "1,600 m", True),
        ("2 miles", "3.2 km", False),  # 3.22 km
        ("5 miles", "3.2 km", True),
    ],
)
def test_lengths_in_other_units_are_compared_on_one_scale(first, second, disagree) -> None:
    found = find_disagreements(
        "How long is the Carrow tunnel?",
        _cite([f"The Carrow tunnel is {first} long.", f"The Carrow tunnel is {second} long."]),
    )
    assert bool(found) is disagree


def test_a_ban_and_an_end_of_production_are_two_events_not_two_dates() -> None:
    found = find_disagreements(
        "When did Norland ban Aquila drones?",
        _cite(
            [
                "Norland has imposed a ban on all Aquila drones from 3 May 2024.",
                "Aquila has announced that production of the Falcon drone for Norland will cease "
                "on 9 May 2024.",
            ]
        ),
    )
    assert found == []


_FALCON_ENDS = "Aquila has announced that production of the Falcon drone for Norland will end."


@pytest.mark.parametrize(
    ("claim", "ban"),
    [
        # shouted, with emoji after the claim: still a yes/no claim
        ("Norland BANNED Aquila!!! 🚁🚫", "Norland has imposed a ban on all Aquila drones."),
        # all lowercase, as chat is: the excerpts write the names
        ("norland banned aquila drones lol", "Norland has imposed a ban on all Aquila drones."),
        # the start of a ban is about the ban; an adverb ("increasingly") reports no event
        (
            "Norland's ban on Aquila drones started in May",
            "Norland, increasingly wary of foreign drones, has imposed a ban on Aquila drones.",
        ),
    ],
)
def test_claims_about_a_ban_meet_the_other_partys_own_account(claim, ban) -> None:
    assert asked_by(claim) is Asked.YES_NO
    found = find_disagreements(claim, _cite([ban, _FALCON_ENDS]))
    assert [c.kind for c in found] == ["event"]
    assert "“ban” by Norland" in found[0].explanation


def test_the_agent_of_a_ban_is_read_in_the_sentence_of_the_ban() -> None:
    # the splitter keeps "Corp." with what follows; the agent is not the earlier "Baltic"
    ban = (
        "The move deepens a feud between the Baltic state and Aquila Corp. Citing safety, "
        "Norlandic officials have banned Aquila drones."
    )
    found = find_disagreements("Did Norland ban Aquila drones?", _cite([ban, _FALCON_ENDS]))
    assert [c.kind for c in found] == ["event"]
    assert "“ban” by Norlandic officials" in found[0].explanation


def test_a_place_near_the_topic_is_no_answer_to_who() -> None:
    found = find_disagreements(
        "Who makes the batteries of the Carrow tram?",
        _cite(
            [
                "The batteries of the Carrow tram are made by Velden Works.",
                "The Carrow tram batteries are shipped from Ostmark every spring.",
            ]
        ),
    )
    assert found == []


def test_a_day_and_month_take_the_year_the_excerpt_last_gave() -> None:
    found = find_disagreements(
        "When did the Carrow garrison surrender?",
        _cite(
            [
                "The siege began in March 1812. On 25 April the Carrow garrison surrendered.",
                "The Carrow garrison surrendered on 2 June 1812.",
            ]
        ),
    )
    assert len(found) == 1 and "25 April" in found[0].explanation


_NO_LONGER = "Night tickets for the Kessel ferry are no longer sold at the pier."
_STILL = "The Kessel ferry company sells night tickets at the pier."


def test_a_denial_is_a_caveat_on_the_claim_it_denies() -> None:
    found = find_disagreements(
        "The Kessel ferry sells night tickets at the pier", _cite([_NO_LONGER, _STILL])
    )
    assert [c.kind for c in found] == ["polarity"]


@pytest.mark.parametrize("preposition", ["in", "during", "since"])
def test_a_denial_about_another_time_is_no_caveat_on_a_claim_about_a_year(preposition) -> None:
    claim = f"The Kessel ferry sold 900 night tickets at the pier {preposition} 2019"
    assert find_disagreements(claim, _cite([_NO_LONGER, _STILL])) == []


@pytest.mark.parametrize(
    "question",
    ["Did Norland ban Aquila?", "Was Aquila banned in Norland?", "aquila got banned from norland"],
)
def test_the_other_partys_own_account_whether_asked_actively_or_passively(question) -> None:
    ban = "Norland has imposed a ban on all Aquila drones."
    found = find_disagreements(question, _cite([ban, _FALCON_ENDS]))
    assert [c.kind for c in found] == ["event"]
    assert "Aquila's own account" in found[0].explanation


def test_a_date_that_labels_a_line_belongs_to_the_clause_after_it() -> None:
    """ "1961 : Ada Brook becomes director" (a timeline line): 1961 is when she became it."""
    found = find_disagreements(
        "In what year did Ada Brook become director of the Carrow Institute?",
        _cite(
            [
                "In 1965, Ada Brook becomes director of the Carrow Institute.",
                "1961 : Ada Brook becomes the only director of the Carrow Institute.",
            ]
        ),
    )
    assert len(found) == 1
    assert "says 1965" in found[0].explanation and "says 1961" in found[0].explanation


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        (
            "Where did the painter Ilse Varga die?",
            "Ilse Varga died in 1860 in Dagmar, a port on the coast.",
            "The painter Ilse Varga died in Keswick, where a statue of her stands.",
        ),
        (
            "Which club did Tom Aske join?",
            "Tom Aske joined the Rovers club at a young age.",
            "At nineteen Tom Aske joined the club of Carrow United.",
        ),
        (
            "Was Ilse Varga born in Keswick?",
            "Ilse Varga was born in Keswick in 1821.",
            "Ilse Varga was born in Dagmar and moved to Keswick as a child.",
        ),
        (
            "Was the hut built by Charles Crawford?",
            "The hut was built by Charles Crawford in 1846.",
            "The hut was built by Joseph Greenwood, who farmed the hill.",
        ),
    ],
)
def test_the_place_or_name_asked_for_differs(question, first, second) -> None:
    found = find_disagreements(question, _cite([first, second]))
    assert len(found) == 1
    assert {side.n for side in found[0].sides} == {1, 2}


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        # a place that holds the other ("Dagmar, Norland" and "Norland") is agreement
        (
            "Where did Ilse Varga die?",
            "Ilse Varga died in Dagmar, Norland, in 1860.",
            "Ilse Varga died in Norland.",
        ),
        # another event at another place is no answer to where she died
        (
            "Where did Ilse Varga die?",
            "Ilse Varga died in Dagmar.",
            "Ilse Varga was born in Keswick.",
        ),
        (
            "Which club did Tom Aske join?",
            "Tom Aske joined the Rovers club at a young age.",
            "Tom Aske played against Carrow United in the final.",
        ),
        (
            "Was Ilse Varga born in Keswick?",
            "Ilse Varga was born in Keswick in 1821.",
            "Ilse Varga died in Dagmar.",
        ),
    ],
)
def test_the_same_place_or_another_event_is_no_caveat(question, first, second) -> None:
    assert find_disagreements(question, _cite([first, second])) == []


def test_a_place_is_said_plainly_with_both_answers() -> None:
    found = find_disagreements(
        "Where did Ilse Varga die?",
        _cite(["Ilse Varga died in Dagmar in 1860.", "Ilse Varga died in Keswick."]),
    )
    assert found[0].explanation.startswith("[1] says Dagmar (")
    assert "; [2] says Keswick (" in found[0].explanation


def _cite_last_sentence(texts: list[str]) -> list[Citation]:
    """Each text a source, cited from its last sentence only (what comes before is context)."""
    citations = []
    for n, text in enumerate(texts, 1):
        source = make_source(source_id=f"00{n}", text=text)
        start = text.rfind(". ") + 2 if ". " in text else 0
        citations.append(Citation(n=n, source=source, start=start, end=len(text), score=1.0))
    return citations


def test_a_pronoun_opening_the_excerpt_stands_for_the_names_before_it() -> None:
    """ "She died in 1860." is about the Ilse Varga of the sentence before it."""
    found = find_disagreements(
        "When did Ilse Varga die?",
        _cite_last_sentence(
            [
                "Ilse Varga was a painter from Dagmar. She died in 1860.",
                "The painter Ilse Varga died in 1858 in Keswick.",
            ]
        ),
    )
    assert len(found) == 1
    assert "says 1860" in found[0].explanation and "says 1858" in found[0].explanation


def test_a_pronoun_with_no_names_before_it_aligns_nothing() -> None:
    found = find_disagreements(
        "When did Ilse Varga die?",
        _cite_last_sentence(
            ["the painter was ill. She died in 1860.", "Ilse Varga died in 1858 in Keswick."]
        ),
    )
    assert found == []


def test_so_opens_a_clause_of_its_own() -> None:
    """ "It can breed in running water, so still pools are not its only breeding sites": the
    first clause asserts breeding in running water, which the other source denies."""
    found = find_disagreements(
        "Are still pools the only breeding sites of Culex pipiens?",
        _cite_last_sentence(
            [
                "Culex pipiens lays its eggs near water. It can also breed in running water, "
                "so still pools of water are not its only breeding sites.",
                "Running water will not be a breeding spot for Culex pipiens.",
            ]
        ),
    )
    assert len(found) == 1
    assert {side.quote for side in found[0].sides} == {
        "It can also breed in running water",
        "Running water will not be a breeding spot for Culex pipiens",
    }
