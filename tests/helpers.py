"""Mocks of discord.py objects, spec'd from the real classes so a typo fails the test.

In the style of python-discord's `tests/helpers.py`: `spec_set` means setting or reading an
attribute the real class lacks raises, and coroutine methods become `AsyncMock`s on their own.
`MockInteraction` also tracks whether the interaction was answered, like the real one.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from unittest.mock import MagicMock

import discord

from bot.answer.registry import LibraryRegistry
from bot.answer.types import Answer
from bot.passages.sentences import Passage, split_into_passages
from bot.settings import Settings
from bot.sources import Source


def make_source(
    source_id: str = "1",
    title: str = "Ministry statement",
    text: str = "Tokyo confirmed the ban on Monday. Officials gave no reason.",
    date: str | None = "2020-03-03",
) -> Source:
    return Source(id=source_id, title=title, date=date, path=Path(f"{source_id}.txt"), text=text)


class FakeEngine:
    """The `bot.answer.registry.Engine` interface over fixed answers; can be made slow for
    timing tests. It is also a one-engine library: every server gets this engine."""

    def __init__(
        self,
        sources: Sequence[Source] = (),
        answer: Answer | None = None,
        *,
        gate: threading.Event | None = None,
    ) -> None:
        self.sources: tuple[Source, ...] = tuple(sources) or (make_source(),)
        self._answer = answer
        self.gate = gate
        self.questions: list[str] = []

    def passages_of(self, source_id: str) -> list[Passage]:
        source = next((s for s in self.sources if s.id == source_id), None)
        return split_into_passages(source) if source else []

    def ready(self, guild_id: int | None) -> bool:
        return True

    async def engine(self, guild_id: int | None) -> FakeEngine:
        return self

    async def library_of(self, guild_id: int | None) -> tuple[Source, ...]:
        return self.sources

    async def follow_other_processes(self) -> None:
        """A fixed library never changes behind the bot's back."""

    def conflicts(self) -> list[object]:
        return []

    def answer(self, question: str) -> Answer:
        if self.gate is not None:
            self.gate.wait(timeout=5)
        self.questions.append(question)
        assert self._answer is not None, "FakeEngine was given no answer"
        return self._answer


def make_bot(engine: FakeEngine | None = None, settings: Settings | None = None) -> MagicMock:
    """A `CrosscheckBot` stand-in, spec'd from a real instance so instance attributes count."""
    from bot.app.bot import CrosscheckBot

    bot = MagicMock(spec_set=CrosscheckBot(Settings(), FakeEngine()))
    library = engine or FakeEngine()
    bot.library = library
    bot.engine_ready.side_effect = library.ready
    bot.engine.side_effect = library.engine

    async def engine_deferring(interaction: discord.Interaction, *, ephemeral: bool) -> object:
        return await CrosscheckBot.engine_deferring(bot, interaction, ephemeral=ephemeral)

    bot.engine_deferring.side_effect = engine_deferring
    bot.settings = settings or Settings()
    bot.question_cooldowns = {}
    bot.feedback_store = None  # a fixed engine has no database: answers get no feedback buttons
    return bot


class MockInteraction:
    """Factory for a spec'd `discord.Interaction` whose response knows when it is done."""

    def __new__(  # type: ignore[misc]
        cls,
        *,
        user_id: int = 1001,
        permissions: discord.Permissions | None = None,
        client: object | None = None,
        done: bool = False,
    ) -> MagicMock:
        interaction = MagicMock(spec_set=discord.Interaction)
        state = {"done": done}

        def mark_done(*_args: object, **_kwargs: object) -> None:
            if state["done"]:
                raise AssertionError("interaction answered twice (InteractionResponded)")
            state["done"] = True

        response = MagicMock(spec_set=discord.InteractionResponse)
        response.is_done.side_effect = lambda: state["done"]
        for method in ("send_message", "defer", "edit_message"):
            getattr(response, method).side_effect = mark_done
        interaction.response = response
        interaction.followup = MagicMock(spec_set=discord.Webhook)
        interaction.followup.send.return_value = MagicMock(spec_set=discord.WebhookMessage)

        user = MagicMock(spec_set=discord.Member)
        user.id = user_id
        user.mention = f"<@{user_id}>"
        interaction.user = user
        interaction.guild_id = 42
        interaction.channel_id = 43
        interaction.permissions = permissions or discord.Permissions.none()
        interaction.command = None
        interaction.created_at = discord.utils.utcnow()
        if client is not None:
            interaction.client = client
        return interaction


def make_message(content: str, message_id: int = 555) -> MagicMock:
    message = MagicMock(spec_set=discord.Message)
    message.id = message_id
    message.content = content
    message.jump_url = f"https://discord.com/channels/42/43/{message_id}"
    return message


def sent_kwargs(mock: MagicMock) -> dict[str, object]:
    """The keyword arguments of the single call to a send-like mock."""
    mock.assert_called_once()
    return dict(mock.call_args.kwargs)


def sent_text(mock: MagicMock) -> str:
    """The content of the single call to a send-like mock (positional or keyword)."""
    mock.assert_called_once()
    args, kwargs = mock.call_args
    return str(args[0] if args else kwargs.get("content"))


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a `python` subprocess that must run this checkout's code (not the
    one an editable install points at), plus `extra` variables."""
    import os

    checkout = str(Path(__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": checkout, **extra}


def cli(
    tmp_path: Path, seeds_dir: Path, *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in its own process, on DATA_DIR tmp_path/data (and DATABASE_URL)."""
    extra = {"DATA_DIR": str(tmp_path / "data"), "CROSSCHECK_SOURCES": str(seeds_dir)}
    env = subprocess_env(**extra, **({"DATABASE_URL": database_url} if database_url else {}))
    env.pop("DATABASE_URL", None) if database_url is None else None
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


async def rebuilt_within(registry: LibraryRegistry, seconds: float) -> list[int]:
    """What `refresh_external_changes` rebuilds first within `seconds` (a PostgreSQL
    notification takes a moment to arrive); [] if nothing."""
    import asyncio
    import time

    deadline = time.monotonic() + seconds
    while True:
        rebuilt = await registry.refresh_external_changes()
        if rebuilt or time.monotonic() > deadline:
            return rebuilt
        await asyncio.sleep(0.05)


def customised(registry: LibraryRegistry, *guilds: int) -> None:
    """Give each server a library of its own (a hidden base source) and load its engine."""
    base = registry.base
    for guild in guilds:
        registry.store.remove(guild, base[0].id, "7", base)
        registry.rebuild(guild)
