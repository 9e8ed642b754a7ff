"""A claim shows both sides: a cited passage that is one side of a disagreement the library
holds (what `python -m bot conflicts` lists) brings the other side and the caveat, whatever
the claim's wording; a claim about something else gets none."""

import json
from pathlib import Path

import pytest

from bot.answer import both_sides
from bot.answer.engine import AnswerEngine
from bot.main import main
from bot.sources import Source

# The pair `python -m bot conflicts` lists for the seeds.
SOLD = "are no longer sold or serviced there"  # 001
SELLS = "Tesla will only sell existing stock and used cars"  # 000


def _caveat_sides(answer) -> list[set[str]]:
    by_number = {c.n: c.source.id for c in answer.citations}
    return [{by_number[side.n] for side in c.sides} for c in answer.contradictions]


@pytest.mark.parametrize(
    "claim",
    [
        "teslas cant be sold in japan anymore right",
        "my cousin says teslas are still on sale in japan",
        "is it true tesla isnt allowed in japan now",
    ],
)
def test_a_claim_on_a_known_disagreement_shows_both_sides(engine: AnswerEngine, claim: str) -> None:
    answer = engine.answer(claim)
    excerpts = " ".join(c.excerpt for c in answer.citations)
    assert SOLD in excerpts and SELLS in excerpts
    assert {"000", "001"} in _caveat_sides(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Tesla still takes new custom orders in Japan",  # another clause of the 000 passage
        "Tesla sold 1,378 cars in Japan in 2019",  # another year
        "What is Tesla's market share in Japan?",
        "Does Musk want to colonize Mars?",
    ],
)
def test_a_claim_about_something_else_gets_no_caveat(engine: AnswerEngine, question: str) -> None:
    assert engine.answer(question).contradictions == ()


def test_ask_on_the_command_line_prints_the_caveat_naming_both_sides(capsys) -> None:
    assert main(["ask", "my cousin says teslas are still on sale in japan"]) == 0
    out = capsys.readouterr().out
    caveat = out[out.index("⚠") : out.index("\n\n", out.index("⚠"))]
    assert "001" in caveat and "000" in caveat and "no longer sold" in caveat
    assert main(["ask", "--json", "my cousin says teslas are still on sale in japan"]) == 0
    data = json.loads(capsys.readouterr().out)
    cited = {c["n"]: c["source"]["id"] for c in data["citations"]}
    assert any(
        {cited[side["n"]] for side in c["sides"]} == {"000", "001"} for c in data["contradictions"]
    )


def _library(copies: int) -> list[Source]:
    """Two sources that disagree, among `copies` sources of unrelated filler."""
    filler = [
        Source(f"f{i}", f"Filler {i}", None, Path(f"f{i}.txt"), f"Harbour note {i} of the day.")
        for i in range(copies)
    ]
    return [
        Source("a", "A", None, Path("a.txt"), "Quillby Ferries sold 1,200 tickets in May 2024."),
        Source("b", "B", None, Path("b.txt"), "Quillby Ferries sold 1,900 tickets in May 2024."),
        *filler,
    ]


def test_a_larger_library_is_scanned_in_the_background_and_used_once_done(monkeypatch) -> None:
    monkeypatch.setattr(both_sides, "BUILD_SCAN_PASSAGES", 5)
    engine = AnswerEngine(_library(10))
    assert engine.known_conflicts.wait(timeout=60)
    answer = engine.answer("quillby ferries tickets may 2024 lol")
    assert {"a", "b"} in _caveat_sides(answer)


def test_a_library_past_the_background_limit_waits_for_a_moderator_s_scan(monkeypatch) -> None:
    monkeypatch.setattr(both_sides, "BUILD_SCAN_PASSAGES", 5)
    monkeypatch.setattr(both_sides, "BACKGROUND_SCAN_PASSAGES", 8)
    engine = AnswerEngine(_library(10))
    assert not engine.known_conflicts.wait(timeout=0.5)  # nothing scanned while answering
    assert engine.scan_conflicts(None).complete
    assert engine.known_conflicts.wait(timeout=0)
