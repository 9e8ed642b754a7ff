"""End to end: the real `python -m bot run` process against the fake Discord server.

The bot runs as a subprocess with a clean environment (no `.env`: its working directory is an
empty temporary folder) and is pointed at the fake through DISCORD_API_BASE and
DISCORD_GATEWAY_URL.  Interactions are injected over the fake gateway and the bot's REST
replies are recorded by the fake.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio
from fake_discord import (
    FLAG_EPHEMERAL,
    MEMBER_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    FakeDiscord,
    SentMessage,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SOURCE_TITLES = {
    s["id"]: s["title"] for s in tomllib.loads((SEEDS / "sources.toml").read_text())["source"]
}
START_TIMEOUT = 15.0
REPLY_TIMEOUT = 8.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # d.py colours its log lines inside Docker
_LOG_LEVEL = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")
_counter = itertools.count(1)


class BotProcess:
    """A `python -m bot run` subprocess with its stderr captured to a file."""

    def __init__(self, proc: asyncio.subprocess.Process, log_path: Path) -> None:
        self.proc = proc
        self.log_path = log_path

    @classmethod
    async def start(
        cls,
        fake: FakeDiscord,
        workdir: Path,
        *,
        token: str | None = None,
        guild_id: str | None = None,
    ) -> BotProcess:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),  # this checkout's bot, whatever is installed
            "HOME": str(workdir),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LOG_LEVEL": "INFO",
            "ASK_COOLDOWN_SECONDS": "0",
            "CROSSCHECK_SOURCES": str(SEEDS),
            **fake.env(token),
        }
        if guild_id is not None:
            env["DISCORD_GUILD_ID"] = guild_id
        log_path = workdir / f"bot-{next(_counter)}.stderr"
        with log_path.open("wb") as log:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=workdir,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        return cls(proc, log_path)

    def output(self) -> str:
        """Everything the bot wrote to stdout/stderr, without colour codes."""
        return _ANSI.sub("", self.log_path.read_text(errors="replace"))

    async def wait(self, timeout: float) -> int:
        """Wait for exit; on timeout kill the process and fail."""
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            await self.kill()
            pytest.fail(f"bot did not exit within {timeout}s; output:\n{self.output()}")

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 5.0) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await self.wait(timeout)

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


async def started(
    fake: FakeDiscord, bot: BotProcess, ready: int = 1, timeout: float = START_TIMEOUT
) -> None:
    """Wait for the ``ready``-th READY, failing with the bot's output if it died first."""
    waiter = asyncio.ensure_future(fake.wait_for_ready(ready, timeout=timeout))
    died = asyncio.ensure_future(bot.proc.wait())
    done, _ = await asyncio.wait({waiter, died}, return_when=asyncio.FIRST_COMPLETED)
    died.cancel()
    if waiter not in done:
        waiter.cancel()
        pytest.fail(f"bot exited ({bot.proc.returncode}) before READY:\n{bot.output()}")
    waiter.result()


def cited_titles(reply: SentMessage) -> str:
    return "\n".join(f.get("name", "") for e in reply.embeds for f in e.get("fields") or [])


def assert_silent(reply: SentMessage) -> None:
    """The reply pings nobody: no mention parsing at all, whatever the text says."""
    assert reply.allowed_mentions is not None, reply.payload
    assert reply.allowed_mentions.get("parse") == []
    assert not reply.allowed_mentions.get("users") and not reply.allowed_mentions.get("roles")
    assert reply.pings() == set()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[FakeDiscord, BotProcess]]:
    """One fake and one bot (dev-guild scope) shared by the interaction tests."""
    async with FakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path_factory.mktemp("bot"), guild_id=fake.guild_id)
        try:
            await started(fake, bot)
            yield fake, bot
        finally:
            code = await bot.stop()
        output = bot.output()
        assert code == 0, output
        assert "Traceback" not in output, output
        assert not fake.unknown_routes, fake.describe()
        assert not [c for c in fake.callbacks if c.status != 204], fake.describe()


# ------------------------------------------------------------------------- shared bot


async def test_connects_and_syncs_to_the_dev_guild(live: tuple[FakeDiscord, BotProcess]) -> None:
    fake, _ = live
    identify = fake.identifies[0]
    assert identify["intents"] == discord.Intents.default().value  # no privileged intents
    sync = await fake.wait_for_sync(guild_id=fake.guild_id)
    assert sync.status == 200
    assert [s.guild_id for s in fake.syncs] == [fake.guild_id]  # one scope only, no duplicates
    commands = {(c["type"], c["name"]) for c in fake.guild_commands[fake.guild_id]}
    assert {(1, "ask"), (1, "sources"), (3, "Check against sources")} <= commands
    sources = next(c for c in fake.guild_commands[fake.guild_id] if c["name"] == "sources")
    assert {o["name"] for o in sources["options"]} >= {"list", "show"}


async def test_ask_gets_a_public_cited_answer(live: tuple[FakeDiscord, BotProcess]) -> None:
    fake, _ = live
    inter = await fake.inject(fake.slash_command("ask", {"question": "Did Japan ban Tesla?"}))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert not reply.ephemeral
    assert reply.embeds, reply.payload
    names = cited_titles(reply)
    assert SOURCE_TITLES["000"] in names and SOURCE_TITLES["001"] in names, names
    assert_silent(reply)


@pytest.mark.parametrize("question", ["", "   ", "**__~~``~~__**", "@everyone"])
async def test_ask_rejects_unusable_questions_privately(
    live: tuple[FakeDiscord, BotProcess], question: str
) -> None:
    fake, _ = live
    inter = await fake.inject(fake.slash_command("ask", {"question": question}))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert reply.flags & FLAG_EPHEMERAL, reply.payload
    assert_silent(reply)


async def test_ask_never_pings_even_when_answered(live: tuple[FakeDiscord, BotProcess]) -> None:
    fake, _ = live
    question = "@everyone <@&1> <@1500000000000000001> did Japan ban Tesla?"
    inter = await fake.inject(fake.slash_command("ask", {"question": question}))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert_silent(reply)
    assert "@everyone" not in reply.text().replace("@\u200beveryone", "")


@pytest.mark.parametrize(
    ("permissions", "public"), [(MODERATOR_PERMISSIONS, True), (MEMBER_PERMISSIONS, False)]
)
async def test_sources_list_public_only_for_moderators(
    live: tuple[FakeDiscord, BotProcess], permissions: int, public: bool
) -> None:
    fake, _ = live
    inter = await fake.inject(fake.slash_command("sources list", permissions=permissions))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert reply.ephemeral is not public
    assert all(title in reply.text() for title in SOURCE_TITLES.values()), reply.text()
    assert_silent(reply)


async def test_sources_show_autocomplete_and_show(live: tuple[FakeDiscord, BotProcess]) -> None:
    fake, _ = live
    auto = await fake.inject(
        fake.autocomplete("sources show", {"source": "japan"}, focused="source")
    )
    cb = await fake.wait_for_callback(auto["id"], timeout=REPLY_TIMEOUT)
    assert cb.type == 8 and cb.status == 204
    assert cb.choices, "autocomplete returned no choices"
    assert {c["value"] for c in cb.choices} <= set(SOURCE_TITLES)
    assert all(1 <= len(c["name"]) <= 100 for c in cb.choices)

    inter = await fake.inject(fake.slash_command("sources show", {"source": "001"}))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert reply.ephemeral  # a plain member
    assert SOURCE_TITLES["001"] in reply.text()


async def test_check_message_menu_answers_privately_and_shares(
    live: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, _ = live
    inter = await fake.inject(
        fake.message_command("Check against sources", "Japan just banned Tesla, @everyone!")
    )
    cb = await fake.wait_for_callback(inter["id"], timeout=REPLY_TIMEOUT)
    assert cb.status == 204 and cb.ephemeral
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert reply.ephemeral
    assert SOURCE_TITLES["001"] in cited_titles(reply)
    assert_silent(reply)

    buttons = [c for row in reply.components for c in row.get("components", [])]
    assert buttons, "no share button"
    click = await fake.inject(fake.component(buttons[0]["custom_id"], reply))
    shared = await fake.wait_for_followup(click["id"], timeout=REPLY_TIMEOUT)
    assert not shared.ephemeral
    assert_silent(shared)


async def test_survives_gateway_reconnect(live: tuple[FakeDiscord, BotProcess]) -> None:
    fake, bot = live
    before = fake.resumed_count
    await fake.force_reconnect("close")
    await fake.wait_for_resumed(before + 1, timeout=REPLY_TIMEOUT)
    await fake.force_reconnect("reconnect")
    await fake.wait_for_resumed(before + 2, timeout=REPLY_TIMEOUT)
    inter = await fake.inject(fake.slash_command("ask", {"question": "Did Japan ban Tesla?"}))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert not reply.ephemeral and reply.embeds
    assert bot.proc.returncode is None
    assert len(fake.syncs) == 1  # a reconnect must not re-sync commands


# ------------------------------------------------------------------------- lifecycle


async def test_second_start_does_not_sync_again(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        first = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, first)
            sync = await fake.wait_for_sync()
            assert sync.guild_id is None and sync.status == 200
        finally:
            assert await first.stop() == 0, first.output()

        second = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, second, ready=2)
        finally:
            assert await second.stop() == 0, second.output()
        assert len(fake.syncs) == 1, [s.payload for s in fake.syncs]
        gets = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/commands")]
        assert len(gets) == 2  # each start compared with what Discord has


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_signal_exits_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    async with FakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path, guild_id=fake.guild_id)
        try:
            await started(fake, bot)
        finally:
            code = await bot.stop(sig, timeout=5.0)
        output = bot.output()
        assert code == 0, output
        assert "Traceback" not in output, output


async def test_wrong_token_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path, token="not-the-right-token")
        code = await bot.wait(10.0)
        output = bot.output()
        assert code == 2, output
        assert "Traceback" not in output, output
        problems = [
            line
            for line in output.splitlines()
            if (m := _LOG_LEVEL.search(line)) and m.group(1) in ("ERROR", "CRITICAL")
        ]
        assert len(problems) == 1, output
        assert "token" in problems[0].lower()
        assert fake.identifies == []  # never got as far as the gateway
