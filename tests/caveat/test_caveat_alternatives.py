"""Alternative questions ("…the Rovers club or the Carrow United club?"): each source's answer is
the one alternative it asserts."""

from __future__ import annotations

from pathlib import Path

from bot.answer.types import Citation
from bot.caveat import find_disagreements
from bot.caveat.alternatives import alternatives_of
from bot.sources import load_sources

QUESTION = "Did Tom Aske join the Rovers Athletic club or the Carrow United club?"


def _disagree(folder: Path, question: str, *texts: str):
    for i, text in enumerate(texts):
        (folder / f"{i:03d}_source.txt").write_text(text + "\n", encoding="utf-8")
    sources = load_sources(folder)
    citations = [
        Citation(n=n, source=s, start=0, end=len(s.text.rstrip("\n")), score=1.0)
        for n, s in enumerate(sources, start=1)
    ]
    return find_disagreements(question, citations)


def test_the_alternatives_are_the_phrases_either_side_of_or_less_their_common_words():
    first, second = alternatives_of(QUESTION)
    assert "club" not in first | second and not first & second
    assert len(first) == 2 and len(second) == 2
    assert len(alternatives_of("Is it in Lyon, Paris, or Nice?")) == 3
    assert alternatives_of("Did Tom Aske join the Rovers club?") == []


def test_two_sources_each_asserting_another_alternative_disagree(tmp_path):
    found = _disagree(
        tmp_path,
        QUESTION,
        "Tom Aske joined the Rovers Athletic club at a young age.",
        "Tom Aske is a hurler who played with Carrow United at county level.",
    )
    assert len(found) == 1
    assert "[1] names Rovers Athletic" in found[0].explanation
    assert "[2] names Carrow United" in found[0].explanation


def test_a_source_naming_both_alternatives_or_denying_one_chooses_no_other(tmp_path):
    (tmp_path / "both").mkdir()
    assert (
        _disagree(
            tmp_path / "both",
            QUESTION,
            "Tom Aske joined the Rovers Athletic club at a young age.",
            "Tom Aske played for the Rovers Athletic club and later for Carrow United.",
        )
        == []
    )
    (tmp_path / "denied").mkdir()
    denied = _disagree(
        tmp_path / "denied",
        "Does the lily contain apomorphine, aporphine, or neither?",
        "The lily contains apomorphine.",
        "The lily contains aporphine (not to be confused with apomorphine).",
    )
    assert len(denied) == 1 and "names aporphine" in denied[0].explanation


def test_alternatives_about_another_subject_are_not_compared(tmp_path):
    assert (
        _disagree(
            tmp_path,
            QUESTION,
            "Tom Aske joined the Rovers Athletic club at a young age.",
            "Ada Brook played with Carrow United at county level.",
        )
        == []
    )
