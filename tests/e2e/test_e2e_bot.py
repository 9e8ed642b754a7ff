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
from typing import Any

import discord
import pytest
import pytest_asyncio
from fakes.discord import (
    FLAG_EPHEMERAL,
    MEMBER_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    FakeDiscord,
    SentMessage,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED_METADATA = tomllib.loads((SEEDS / "sources.toml").read_text())["source"]
SOURCE_TITLES = {s["id"]: s["title"] for s in SEED_METADATA}
SOURCE_DATES = {s["id"]: s.get("date", "undated") for s in SEED_METADATA}
DISPUTED = "Did Japan ban Tesla?"
EXCERPT_NAME = re.compile(r"^\[\d+\] ")
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
        extra_env: dict[str, str] | None = None,
    ) -> BotProcess:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            # this checkout's code, not the one the venv's editable install points at
            "PYTHONPATH": str(ROOT),
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
        env.update(extra_env or {})
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
    """The excerpts' labels and the list of cited sources (each title once)."""
    return "\n".join(
        f"{f.get('name', '')}\n{f['value'] if f.get('name') == 'Sources' else ''}"
        for e in reply.embeds
        for f in e.get("fields") or []
    )


def buttons(message: SentMessage) -> dict[str, str]:
    """Label -> custom_id of every button on the message."""
    return {
        c.get("label", ""): c["custom_id"]
        for row in message.components
        for c in row.get("components", [])
        if c.get("type") == 2
    }


def more_button(message: SentMessage) -> str:
    """The custom_id of the message's one "More excerpts (N)" button."""
    [custom_id] = [c for label, c in buttons(message).items() if label.startswith("More excerpts")]
    return custom_id


async def ask_disputed(fake: FakeDiscord) -> SentMessage:
    """`/ask` the question the seeds disagree on; the public answer, checked to ping nobody."""
    inter = await fake.inject(fake.slash_command("ask", {"question": DISPUTED}))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert not reply.ephemeral
    assert_silent(reply)
    return reply


def excerpt_fields(embed: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in embed.get("fields") or [] if EXCERPT_NAME.match(f.get("name", ""))]


def assert_within_discord_limits(message: SentMessage) -> None:
    """Discord's embed limits, counted here from the payload (../shared/DISCORD.md §3)."""
    assert len(message.embeds) <= 10
    total = 0
    for embed in message.embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        fields = embed.get("fields") or []
        assert len(title) <= 256 and len(description) <= 4096 and len(footer) <= 2048
        assert len(fields) <= 25
        for f in fields:
            assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024
        total += len(title) + len(description) + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000


def side_quotes(question: str) -> list[str]:
    """The quotes on both sides of each disagreement, as the bot's own engine finds them."""
    from bot.answer.engine import AnswerEngine
    from bot.rendering.embed import clean

    answer = AnswerEngine.from_folder(SEEDS).answer(question)
    assert answer.contradictions, "the seeds no longer disagree on this question"
    return [clean(side.quote) for c in answer.contradictions for side in c.sides]


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
    assert {(1, "ask"), (1, "sources"), (1, "help"), (3, "Check against sources")} <= commands
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


async def test_ask_in_chat_wording_gets_the_closest_passages(
    live: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, _ = live
    question = {"question": "tesla is tanking in japan"}
    inter = await fake.inject(fake.slash_command("ask", question))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert not reply.ephemeral
    assert_within_discord_limits(reply)
    [embed] = reply.embeds
    # what the sources do not say comes first, then what they say about Tesla in Japan
    assert embed["description"].startswith("The sources don't say “tanking”"), embed
    assert "do not answer the question" in embed["footer"]["text"]
    assert "Why is Tesla Struggling in Japan?" in reply.text()
    assert_silent(reply)


async def test_answer_leads_with_the_disagreement_and_expands_in_place(
    live: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, _ = live
    reply = await ask_disputed(fake)
    assert_within_discord_limits(reply)
    [embed] = reply.embeds
    # A phone shows the title and the description first: both sides, with dates, are there.
    first_screen = f"{embed['title']}\n{embed.get('description', '')}"[:300]
    assert "⚠" in first_screen, first_screen
    for source_id in ("000", "001"):
        assert f"{source_id} ({SOURCE_DATES[source_id]})" in first_screen, first_screen
    # Every quote once: the caveat points at the excerpts instead of quoting them again.
    for quote in side_quotes(DISPUTED):
        assert reply.text().count(quote) == 1, quote
    for title in SOURCE_TITLES.values():
        assert reply.text().count(title) <= 1
    shown = excerpt_fields(embed)
    assert 1 <= len(shown) <= 3
    cited = {int(f["name"][1 : f["name"].index("]")]) for f in shown}
    assert f"More excerpts ({5 - len(shown)})" in buttons(reply), buttons(reply)

    click = await fake.inject(fake.component(more_button(reply), reply))
    edit = await fake.wait_for_reply(click["id"], timeout=REPLY_TIMEOUT)
    assert edit.kind == "edit" and edit.message_id == reply.message_id  # no new message
    assert_silent(edit)
    assert_within_discord_limits(edit)
    everything = excerpt_fields(edit.embeds[0])
    assert len(everything) == 5
    assert {int(f["name"][1 : f["name"].index("]")]) for f in everything} >= cited
    assert not any(label.startswith("More excerpts") for label in buttons(edit))

    def feedback(message: SentMessage) -> set[str]:
        ids = (c["custom_id"] for row in message.components for c in row["components"])
        return {i for i in ids if i.startswith("crosscheck:feedback:")}

    assert len(feedback(reply)) == 3 and feedback(edit) == feedback(reply)  # the votes stay
    assert not [m for m in fake.replies_to(click["id"]) if m.kind != "edit"]


async def test_more_excerpts_refuses_privately_when_the_answer_changed(
    live: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, _ = live
    reply = await ask_disputed(fake)
    # The same button under a question that the sources now answer with other excerpts (as
    # after a moderator's change to the library).
    other = fake.message_payload(
        "",
        embeds=[{**reply.embeds[0], "title": "Did Tesla stop selling in Japan?"}],
        components=reply.components,
        webhook_id=fake.application_id,
    )
    click = await fake.inject(fake.component(more_button(reply), other))
    note = await fake.wait_for_followup(click["id"], timeout=REPLY_TIMEOUT)
    assert note.ephemeral and "Ask again" in note.text()
    assert_silent(note)
    assert not [m for m in fake.replies_to(click["id"]) if m.kind == "edit"]


async def test_help_lists_every_command_privately(live: tuple[FakeDiscord, BotProcess]) -> None:
    fake, _ = live
    inter = await fake.inject(fake.slash_command("help", permissions=MEMBER_PERMISSIONS))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert reply.ephemeral
    assert_silent(reply)
    assert_within_discord_limits(reply)
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    everyone = next(v for k, v in fields.items() if k.startswith("Everyone"))
    moderators = next(v for k, v in fields.items() if k.startswith("Moderators"))
    for command in ("/ask", "/sources list", "/sources show", "/help", "Check against sources"):
        assert command in everyone, everyone
    for command in ("/library add", "/library remove", "/library label", "Add to sources"):
        assert command in moderators and command not in everyone, moderators


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
    shown = reply.text().replace("\\", "")  # as a reader sees it, markdown escapes undone
    assert not [p.stem for p in SEEDS.glob("*.txt") if p.stem in shown], shown  # no file names


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

    assert len(excerpt_fields(reply.embeds[0])) <= 3
    click = await fake.inject(fake.component(more_button(reply), reply))
    expanded = await fake.wait_for_reply(click["id"], timeout=REPLY_TIMEOUT)
    assert expanded.kind == "edit" and expanded.message_id == reply.message_id
    assert len(excerpt_fields(expanded.embeds[0])) > 3
    shown = [label for label in buttons(expanded) if label.startswith(("Share", "More"))]
    assert shown == ["Share in channel"]  # and the feedback buttons

    click = await fake.inject(fake.component(buttons(expanded)["Share in channel"], expanded))
    shared = await fake.wait_for_followup(click["id"], timeout=REPLY_TIMEOUT)
    assert not shared.ephemeral
    assert_silent(shared)
    assert any(label.startswith("More excerpts") for label in buttons(shared))


async def test_check_message_shows_both_sides_of_a_disagreement_the_library_holds(
    live: tuple[FakeDiscord, BotProcess],
) -> None:
    """A chat claim citing one side of the pair `/library conflicts` lists gets the other side
    and the caveat naming both (the claim's wording is not the sources')."""
    fake, _ = live
    claim = "my cousin says teslas are still on sale in japan"
    inter = await fake.inject(fake.message_command("Check against sources", claim))
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert_silent(reply)
    assert_within_discord_limits(reply)
    [embed] = reply.embeds
    first_screen = f"{embed['title']}\n{embed.get('description', '')}"
    assert "⚠" in first_screen, first_screen
    for source_id in ("000", "001"):
        assert f"{source_id} ({SOURCE_DATES[source_id]})" in first_screen, first_screen
    for quote in side_quotes(claim):
        assert quote in reply.text() or quote in first_screen, quote


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


async def test_more_excerpts_still_works_after_a_crash(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path, guild_id=fake.guild_id)
        try:
            await started(fake, bot)
            reply = await ask_disputed(fake)
        finally:
            await bot.kill()  # SIGKILL: nothing in memory survives

        bot = await BotProcess.start(fake, tmp_path, guild_id=fake.guild_id)
        try:
            await started(fake, bot, ready=2)
            click = await fake.inject(fake.component(more_button(reply), reply))
            edit = await fake.wait_for_reply(click["id"], timeout=REPLY_TIMEOUT)
            assert edit.kind == "edit" and edit.message_id == reply.message_id
            assert len(excerpt_fields(edit.embeds[0])) == 5
            assert_silent(edit)
        finally:
            assert await bot.stop() == 0, bot.output()
        assert "Traceback" not in bot.output(), bot.output()


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
