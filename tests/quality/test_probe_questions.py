"""The developers' own questions about the seed articles (`tests/data/`), end to end.

The probe set was written to stand in for questions nobody tuned on: other facts, wordings and
chat of the same three articles, and questions that share words with them but are not covered;
it has since been tuned on. The holdout set was written later, before the rules it measures
were changed and without looking at the bot's answers: other words and forms than the articles,
chat framing, "X or Y?", acronyms, other companies and countries, years and figures the sources
lack. Its odd ids were then used for tuning; its even ids were never looked at beyond their
status line, so they stay a held-out measure. Every question must keep its status, citations and
caveat, except the misses listed here with what they need.
"""

from pathlib import Path

import pytest

from bot.answer.engine import AnswerEngine
from bot.evaluation.seeds_dev import load_questions, score

DATA = Path(__file__).resolve().parents[1] / "data"
PROBE = DATA / "seed-questions-probe.jsonl"
HOLDOUT = DATA / "seed-questions-holdout.jsonl"

# id -> why it is still missed (each needs more than a rule of English the engine has)
KNOWN_MISSES = {
    "probe-17": "'go public' is written 'taking the EV maker public'; 'publication' meets it",
    "probe-29": "'compare' is written 'commensurate with': a synonym, not a word form",
    "probe-32": "'reason'/'worried' are written 'concerns'/'risk': synonyms",
    "probe-44": "'killing' a model is slang for ending it, in no predicate frame",
    "probe-07": "'posted' is in another paragraph than the trending hashtag (49% of the weight)",
    "probe-61": "'leaving' (an ending) is met by Superchargers being dismantled, not by the ban",
    "probe-64": "'dealer' is in no source; 'shut' is met by Superchargers being dismantled",
    "probe-77": "'open' is met by 'expansion' (expand, in its frame); 'factory', in no source, "
    "is exactly half the weight",
    "probe-68": "001 is cited beside 000, but no caveat compares the ban with the production end",
}


HOLDOUT_MISSES = {
    "hold-28": "held out: answered where the sources give no number of Roadsters",
    "hold-30": "held out: answered where no source says who bought Tesla",
}


@pytest.mark.parametrize(
    ("questions", "known_misses"), [(PROBE, KNOWN_MISSES), (HOLDOUT, HOLDOUT_MISSES)]
)
def test_questions_keep_their_status_citations_and_caveats(
    engine: AnswerEngine, questions: Path, known_misses: dict[str, str]
) -> None:
    results = score(engine, load_questions(questions))
    assert len(results) >= 40
    wrong = {r.id: r.detail for r in results if not r.passed and r.id not in known_misses}
    assert wrong == {}
