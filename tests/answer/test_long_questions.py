"""A long question costs what a short one does: only its most specific terms are looked up."""

from __future__ import annotations

import itertools

from bot.answer.engine import AnswerEngine
from bot.answer.types import Status
from bot.retrieval import analyze

SYLLABLES = "bal ker mon tri vos dun pel gar sim nor fex lut".split()
# Made-up words that analyse to distinct terms (no stemming collisions, no stopwords).
FILLER = [a + b + c for a, b, c in itertools.product(SYLLABLES, repeat=3)]


def _padded(question: str, chars: int) -> str:
    words = iter(FILLER)
    text = question
    while len(text) + 8 < chars:
        text += " " + next(words)
    return text


def _engine(make_sources) -> AnswerEngine:
    # Every filler word is in all the background sentences; the question's own words are rare.
    background = " ".join(FILLER[:400])
    folder = make_sources(
        {
            "ban.txt": "Japan banned Tesla imports in March.\n",
            "background.txt": "".join(f"Line {i}: {background}.\n\n" for i in range(30)),
        }
    )
    return AnswerEngine.from_folder(folder)


def test_a_padded_question_still_cites_the_passage_that_answers(make_sources) -> None:
    engine = _engine(make_sources)
    question = _padded("Did Japan ban Tesla?", 2000)
    assert len(question) <= 2000
    answer = engine.answer(question)
    assert answer.status is Status.ANSWERED
    assert answer.citations[0].source.id == "ban"


def test_the_terms_looked_up_stop_growing_with_the_question(make_sources) -> None:
    engine = _engine(make_sources)
    half, full = _padded("Did Japan ban Tesla?", 1000), _padded("Did Japan ban Tesla?", 2000)
    kept_half, kept_full = engine.query_for(half).terms, engine.query_for(full).terms
    assert len(set(analyze(full))) > 2 * len(kept_full)
    assert len(kept_full) == len(kept_half)
    assert {"japan", "tesla", "ban"} <= set(kept_full)
    assert engine.answer(half).citations == engine.answer(full).citations
