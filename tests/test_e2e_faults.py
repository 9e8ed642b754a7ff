"""End to end, issue 7 item 5: malformed commands, close 4013, sync outages, prompt shutdown."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from pathlib import Path

import pytest
from fake_discord import FLAG_EPHEMERAL, MODERATOR_PERMISSIONS, LibraryFakeDiscord
from test_e2e_bot import _LOG_LEVEL, REPLY_TIMEOUT, ROOT, BotProcess, started

pytestmark = pytest.mark.asyncio(loop_scope="module")


def lines_at(output: str, *levels: str) -> list[str]:
    return [
        line
        for line in output.splitlines()
        if (m := _LOG_LEVEL.search(line)) and m.group(1) in levels
    ]


def unresolved_upload(fake: LibraryFakeDiscord) -> dict:
    """`/library add` whose file option names an attachment the payload does not resolve."""
    attachment = fake.attachment("notes.txt", b"The Quillby mill grinds wheat.")
    payload = fake.slash_command_with_file(
        "library add", attachment, permissions=MODERATOR_PERMISSIONS
    )
    del payload["data"]["resolved"]
    return payload


async def test_malformed_commands_get_a_clear_reply_and_one_warning(tmp_path: Path) -> None:
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path, guild_id=fake.guild_id)
        try:
            await started(fake, bot)
            await fake.wait_for_sync(guild_id=fake.guild_id)
            requests = [
                fake.slash_command("nosuchcommand"),
                fake.slash_command("sources nosuch"),
                fake.slash_command("ask", {}),  # the required question is missing
                fake.slash_command("ask", {"question": 42}),  # a number where text belongs
                fake.slash_command("sources show", {"source": True}),
                unresolved_upload(fake),
            ]
            for payload in requests:
                inter = await fake.inject(payload)
                reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
                assert reply.flags & FLAG_EPHEMERAL and "out of date" in reply.text(), reply.text()
        finally:
            code = await bot.stop()
        output = bot.output()
        assert code == 0 and "Traceback" not in output, output
        assert lines_at(output, "ERROR", "CRITICAL") == [], output
        assert len(lines_at(output, "WARNING")) == len(requests), output


async def test_gateway_close_4013_exits_2_with_one_line(tmp_path: Path) -> None:
    async with LibraryFakeDiscord(identify_close_code=4013) as fake:
        bot = await BotProcess.start(fake, tmp_path)
        code = await bot.wait(15.0)
        output = bot.output()
        assert code == 2, output
        assert "Traceback" not in output, output
        [problem] = lines_at(output, "ERROR", "CRITICAL")
        assert "4013" in problem


async def test_sync_5xx_is_retried_until_discord_recovers(tmp_path: Path) -> None:
    async with LibraryFakeDiscord(sync_errors=2) as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            sync = await fake.wait_for_sync(timeout=REPLY_TIMEOUT)
            assert sync.status == 200
        finally:
            code = await bot.stop()
        output = bot.output()
        assert code == 0 and "Traceback" not in output, output
        assert fake.sync_error_count == 2
        assert len([line for line in lines_at(output, "WARNING") if "retrying" in line]) == 2


def write_large_corpus(folder: Path, articles: int = 3000) -> None:
    """Enough text that indexing takes seconds, so a signal surely lands in the middle."""
    folder.mkdir()
    rng = random.Random(7)
    words = (
        "the council harbour ferry route vote budget year city port river market price rose "
        "fell percent company shares bank rate loan trade export import farmers wheat oil"
    ).split()
    for n in range(articles):
        sentences = (
            " ".join(rng.choice(words) for _ in range(12)).capitalize() + f" {n * 31 + k}."
            for k in range(30)
        )
        (folder / f"{n:05d}.txt").write_text(" ".join(sentences))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_signal_while_indexing_exits_0_without_finishing(
    tmp_path: Path, sig: signal.Signals
) -> None:
    corpus = tmp_path / "corpus"
    write_large_corpus(corpus)
    log_path = tmp_path / "bot.log"
    async with LibraryFakeDiscord() as fake:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),  # this checkout's code
            "LOG_LEVEL": "INFO",
            "CROSSCHECK_SOURCES": str(corpus),
            **fake.env(),
        }
        with log_path.open("wb") as log:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                cwd=tmp_path, env=env, stdout=log, stderr=log,
            )  # fmt: skip
        try:
            for _ in range(1000):  # wait for the build to start
                if "Indexing sources" in log_path.read_text(errors="replace"):
                    break
                await asyncio.sleep(0.01)
            proc.send_signal(sig)
            code = await asyncio.wait_for(proc.wait(), timeout=10)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        output = log_path.read_text(errors="replace")
        assert code == 0, output
        assert "Indexed" not in output, output  # it stopped mid-build rather than finishing
        assert "Traceback" not in output, output
        assert fake.identifies == []


@pytest.mark.parametrize("damage", ["garbage", "newer schema"])
async def test_an_unusable_library_database_stops_the_start(tmp_path: Path, damage: str) -> None:
    import sqlite3

    from bot.library.sqlite import DATABASE_NAME

    database = tmp_path / "data" / DATABASE_NAME
    database.parent.mkdir()
    if damage == "garbage":
        database.write_bytes(b"not a database " * 500)
    else:
        with sqlite3.connect(database) as db:
            db.execute("PRAGMA user_version = 99")
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        code = await bot.wait(15.0)
        output = bot.output()
        assert code == 2 and "Traceback" not in output, output
        [problem] = lines_at(output, "ERROR", "CRITICAL")
        assert "library database" in problem
        assert fake.identifies == []  # never went online with an empty library
