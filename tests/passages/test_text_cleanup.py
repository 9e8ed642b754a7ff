"""Invisible characters: zero-width ones do not split words, control ones never reach a screen."""

from __future__ import annotations

import pytest

from bot.answer.engine import AnswerEngine
from bot.answer.types import Status
from bot.rendering.terminal import render_answer
from bot.text_cleanup import printable_line, without_bidi_controls, without_zero_width


def cited(engine: AnswerEngine, question: str) -> list[tuple[str, int, int]]:
    return [(c.source.id, c.start, c.end) for c in engine.answer(question).citations]


@pytest.mark.parametrize("joiner", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_a_zero_width_character_inside_a_question_word_changes_nothing(
    engine: AnswerEngine, joiner: str
) -> None:
    plain = cited(engine, "Did Japan ban Tesla?")
    assert plain
    assert cited(engine, f"Did Ja{joiner}pan ban Tes{joiner}la?") == plain


def test_a_zero_width_character_inside_a_source_word_is_found_and_quoted_as_written(
    make_sources,
) -> None:
    folder = make_sources(
        {
            "a.txt": "Ja\u200bpan banned the sale of Tes\u200bla cars in March.\n",
            "b.txt": "Norway cut taxes on electric cars.\n",
        }
    )
    answer = AnswerEngine.from_folder(folder).answer("Did Japan ban Tesla?")
    assert answer.status is Status.ANSWERED
    assert [c.excerpt for c in answer.citations] == [
        "Ja\u200bpan banned the sale of Tes\u200bla cars in March."
    ]


def test_cleanup_functions() -> None:
    assert without_zero_width("Ja\u200bpan\u2060") == "Japan"
    assert without_bidi_controls("\u202eDid \u2067Japan\u2069 ban\u200f Tesla?") == (
        "Did Japan ban Tesla?"
    )
    assert printable_line(
        "\x1b[1;31mRed\x1b[0m\x1b]8;;https://x\x07link\x1b]8;;\x07\r\nnext\x00"
    ) == ("Redlink next")
    assert printable_line("東京 — Tōkyō") == "東京 — Tōkyō"


def test_a_word_behind_a_terminal_escape_in_a_source_is_found_and_never_shown_raw(
    make_sources,
) -> None:
    folder = make_sources(
        {
            "a.txt": "The \x1b[31mQuillby\x1b[0m harbour opened in 1911.\n",
            "b.txt": "Norway cut taxes on electric cars.\n",
        }
    )
    answer = AnswerEngine.from_folder(folder).answer("When did Quillby harbour open?")
    assert answer.status is Status.ANSWERED
    assert answer.citations[0].source.id == "a"
    shown = render_answer(answer)
    assert "Quillby harbour opened in 1911" in shown
    assert "\x1b" not in shown and "[31m" not in shown
