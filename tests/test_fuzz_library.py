"""Fuzz: any text a moderator adds goes through add → ask → conflicts without error or wedging.

Issue 15: a source of one long paragraph made `/library conflicts` quadratic. Hypothesis writes
sources of long tokens (up to 5,000 characters), long paragraphs with no blank line, several
scripts, control and combining characters, table-like lines, figures and dates, and runs each
through the real library (SQLite store, registry rebuild, answer engine): the upload is refused
with a reason or added; a question made of its words is answered with verbatim quotes; the
conflicts check reads all of it within its time limit, quoting each side verbatim, and its
memory stays small.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import assert_quotes_are_verbatim

from bot.answer_types import Status
from bot.library.base import LibraryError
from bot.library.parsing import parse_text
from bot.library.registry import LibraryRegistry, open_registry

GUILD = 4242
CHECK_SECONDS = 20.0  # far more than any example needs: reaching it means a pass wedged
MAX_CHECK_MIB = 64
MAX_CHARS = 100_000

_SCRIPTS = st.sampled_from(
    [
        "abcdefghijklmnopqrstuvwxyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "абвгдежзийклмнопрстуфхцчшщыэюя",
        "的一是不了人我在有他这中大来上个国",
        "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
        "अआइईउऊएऐओऔकखगघचछजझ",
        "0123456789",
    ]
)
_ODD = st.sampled_from(
    ["\u0301", "\u0308", "\u200b", "\u200f", "\u202e", "\x00", "\x07", "\x1b", "\r", "\t", "|",
     "\ufeff", "’s", "n't", "(", ")", ";", ":", " — ", ",", "%", "$", "."]
)  # fmt: skip
_PHRASES = st.sampled_from(
    ["The Yarrow index rose.", "Acme Corp said it sold 1,378 cars in 2019.",
     "Acme Corp did not sell cars in 2019.", "On 25 February 1987 the bank cut rates to 5 pct.",
     "Item 1234 sold.", "He was born in 1903 (8 September 1838 – 2 March 1881).",
     "Sales rose to 12.5 mln dlrs from 9.1 mln.", "Tesla no longer sells cars in Japan.",
     "Name\tOpened\tLength", "Carrow Viaduct\t1913\t1,410 m", "Japan | 2019 | 1,378"]
)  # fmt: skip


@st.composite
def words(draw: st.DrawFn) -> str:
    alphabet = draw(_SCRIPTS)
    size = draw(st.sampled_from([(1, 12), (1, 12), (1, 12), (200, 5000)]))
    word = draw(st.text(alphabet=alphabet, min_size=size[0], max_size=size[1]))
    return word + (draw(_ODD) if draw(st.booleans()) else "")


@st.composite
def source_texts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(words(), _PHRASES, _ODD), min_size=1, max_size=60))
    separators = st.sampled_from([" ", " ", " ", ". ", "\n", "\n\n", "\t", " | "])
    text = "".join(piece + draw(separators) for piece in pieces)
    repeat = draw(st.sampled_from([1, 1, 10, 80]))  # one paragraph of thousands of sentences
    return (text.replace("\n\n", " ") * repeat if repeat > 1 else text)[:MAX_CHARS]


@pytest.fixture(scope="module")
def registry(
    tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path
) -> Iterator[LibraryRegistry]:
    registry = open_registry(seeds_dir, tmp_path_factory.mktemp("fuzz") / "data")
    yield registry
    registry.store.close()


@settings(
    max_examples=20,
    deadline=20_000,  # ms per example: a wedged pass fails here, not after minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(data=st.data())
def test_any_added_text_goes_through_add_ask_and_conflicts(
    registry: LibraryRegistry, data: st.DataObject
) -> None:
    text = data.draw(source_texts(), label="text")
    try:
        draft = parse_text(text, origin="paste", date="2025-03-25")
    except LibraryError as error:
        assert str(error).strip()  # refused, with a reason
        return
    source = registry.store.add(GUILD, draft, "42", registry.base, 10_000)
    try:
        engine = registry.rebuild(GUILD).engine
        assert any(s.id == source.id for s in engine.sources)
        wording = [w for w in draft.text.split() if any(ch.isalnum() for ch in w)][:200]
        question = " ".join(data.draw(st.lists(st.sampled_from(wording), max_size=6))
                            if wording else []) or "Did Acme sell cars in 2019?"  # fmt: skip
        answer = engine.answer(question)
        assert answer.status in set(Status) and answer.message
        assert_quotes_are_verbatim(answer, list(engine.sources))

        tracemalloc.start()
        try:
            scan = engine.scan_conflicts(CHECK_SECONDS)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert scan.complete, scan.shortfall()
        assert peak < MAX_CHECK_MIB * 2**20, f"{peak / 2**20:.0f} MiB"
        for conflict in scan.conflicts:
            first, second = conflict.passages
            assert first.source.id != second.source.id
            for passage, quote in zip(conflict.passages, conflict.quotes, strict=True):
                assert quote and quote in passage.source.text[passage.start : passage.end]
    finally:
        registry.store.remove(GUILD, source.id, "42", registry.base)
