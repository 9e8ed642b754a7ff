"""Servers' engines on demand (issue 18): only the base is built at start, a server's engine
loads at its first need (once, however many questions wait for it), the least recently used
are dropped to keep the memory budget, and an outside change to a server not loaded only makes
its next question read what was committed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import bot.answer.registry as registry_module
from bot.answer.budget import engine_bytes
from bot.answer.registry import LibraryRegistry, open_registry
from bot.app.run import _build_library
from bot.index.saved import server_index_path
from bot.library.opening import open_store
from bot.library.parsing import parse_text
from bot.settings import Settings
from bot.sources import Source

PLACES = ["Quillby", "Marrowdale", "Thistlecombe", "Brackenfold"]
A, B, C, D = 9001, 9002, 9003, 9004
POISONED = "Poisoned notes"


def article(place: str) -> str:
    return (
        f"{place} harbour notes\n\nThe {place} ferry will stop running on 3 May 2027. "
        "The council voted seven to two to close the route.\n"
    )


def question(place: str) -> str:
    return f"When will the {place} ferry stop running?"


def add(data_dir: Path, guild: int, base: Sequence[Source], text: str, title: str = "") -> None:
    """A source added by another process (the command line), before or after the start."""
    store = open_store(data_dir)
    try:
        store.add(guild, parse_text(text, title=title or None, origin="import"), "7", base, 500)
    finally:
        store.close()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many engines the registry built, by the title of their last source (a server's
    own); a library holding a source titled `POISONED` fails to build. Ask for it before the
    registry, so that the base engine is one of these too."""
    counted: Counter[str] = Counter()

    class CountedEngine(registry_module.AnswerEngine):
        def __init__(self, sources: Sequence[Source], **options: Any) -> None:
            counted[sources[-1].title if sources else ""] += 1
            if any(s.title == POISONED for s in sources):
                raise MemoryError("Unable to allocate 35.6 GiB for an array")
            super().__init__(sources, **options)

    monkeypatch.setattr(registry_module, "AnswerEngine", CountedEngine)
    return counted


@pytest.fixture
def data_dir(tmp_path: Path, seeds_dir: Path) -> Path:
    """A library where servers A, B and C each added an article about their own place."""
    data = tmp_path / "data"
    writer = open_registry(seeds_dir, data)
    for guild, place in zip((A, B, C), PLACES, strict=False):
        add(data, guild, writer.base, article(place))
    writer.store.close()
    return data


@pytest.fixture
def registry(data_dir: Path, seeds_dir: Path) -> Iterator[LibraryRegistry]:
    registry = open_registry(seeds_dir, data_dir)
    yield registry
    registry.store.close()


def cites(registry: LibraryRegistry, guild: int, place: str) -> bool:
    answer = registry.engine_for(guild).answer(question(place))
    return any(c.source.title == f"{place} harbour notes" for c in answer.citations)


def test_the_bot_starts_with_the_base_engine_alone(
    data_dir: Path, seeds_dir: Path, builds: Counter[str]
) -> None:
    settings = Settings(sources_dir=seeds_dir, data_dir=data_dir)
    registry: LibraryRegistry = _build_library(settings)  # type: ignore[assignment]
    assert sum(builds.values()) == 1  # the base, however many servers have their own sources
    assert registry.loaded_guilds() == []
    assert not registry.ready(A) and registry.ready(D) and registry.ready(None)
    assert cites(registry, A, PLACES[0])  # loaded at its first question
    assert registry.ready(A) and registry.loaded_guilds() == [A]
    registry.store.close()


async def test_concurrent_first_questions_wait_for_one_load(
    builds: Counter[str], registry: LibraryRegistry
) -> None:
    engines = await asyncio.gather(*(registry.engine(A) for _ in range(6)))
    assert all(engine is engines[0] for engine in engines)
    assert builds["Quillby harbour notes"] == 1
    answer = engines[0].answer(question(PLACES[0]))
    assert answer.citations[0].source.title == "Quillby harbour notes"
    assert await registry.engine(D) is registry.engine_for(None)  # no library of its own


async def test_the_least_recently_used_engine_is_dropped_and_loads_again_the_same(
    data_dir: Path, seeds_dir: Path
) -> None:
    registry = open_registry(seeds_dir, data_dir, memory_budget=1)  # room for one engine
    first = (await registry.engine(A)).answer(question(PLACES[0]))
    assert server_index_path(data_dir, A).is_file()  # saved for the next load
    await registry.engine(B)
    await registry.engine(C)
    assert registry.loaded_guilds() == [C] and not registry.ready(A)
    again = (await registry.engine(A)).answer(question(PLACES[0]))
    assert registry.loaded_guilds() == [A]
    assert [(c.source.id, c.excerpt, c.score) for c in again.citations] == [
        (c.source.id, c.excerpt, c.score) for c in first.citations
    ]
    assert again.citations[0].source.title == "Quillby harbour notes"
    registry.store.close()


async def test_a_budget_keeps_the_engines_used_last(data_dir: Path, seeds_dir: Path) -> None:
    probe = open_registry(seeds_dir, data_dir)
    size = engine_bytes(probe.engine_for(A), probe.engine_for(None))
    probe.store.close()
    registry = open_registry(seeds_dir, data_dir, memory_budget=2 * size + size // 2)
    for guild in (A, B, A, C):  # A was used after B: B goes first
        await registry.engine(guild)
    assert registry.loaded_guilds() == [A, C]
    registry.store.close()


async def test_an_outside_change_to_a_server_not_loaded_is_read_at_its_next_question(
    registry: LibraryRegistry, data_dir: Path
) -> None:
    await registry.engine(B)  # loaded
    add(data_dir, A, registry.base, article("Ashcombe"))  # A: customised, not loaded
    add(data_dir, B, registry.base, article("Ashcombe"))
    add(data_dir, D, registry.base, article("Ashcombe"))  # D: answered by the base so far
    read: list[int | None] = []
    sources_for = registry.sources_for
    registry.sources_for = lambda guild: read.append(guild) or sources_for(guild)  # type: ignore[method-assign]
    assert await registry.refresh_external_changes() == [B]  # only the loaded one is rebuilt
    assert set(read) == {B} and registry.loaded_guilds() == [B]  # A and D are not read
    assert not registry.ready(A) and not registry.ready(D)
    assert cites(registry, A, "Ashcombe") and cites(registry, D, "Ashcombe")
    assert cites(registry, B, "Ashcombe")


async def test_a_source_that_cannot_be_indexed_is_set_aside_at_the_first_load(
    builds: Counter[str], registry: LibraryRegistry, data_dir: Path
) -> None:
    add(data_dir, D, registry.base, article("Thornbury"), title=POISONED)
    add(data_dir, D, registry.base, article("Ashcombe"))
    await registry.refresh_external_changes()
    snapshot = await registry.snapshot_of(D)
    assert [source.title for source, _ in snapshot.skipped] == [POISONED]
    assert "MemoryError" in snapshot.skipped[0][1] and not snapshot.stale
    assert cites(registry, D, "Ashcombe") and not cites(registry, D, "Thornbury")
