"""End to end: two `python -m bot run` processes on split shards, sharing one library store.

`SHARD_COUNT=2` with `SHARD_IDS=0` in one process and `SHARD_IDS=1` in the other, against the
fake Discord, which (as Discord) sends each server's READY entry, GUILD_CREATE and interactions
only on the connection of the shard `(guild_id >> 22) % 2`. Each process identifies its own
shard; each server's questions are answered by its own process; a source added with
`/library add` in one server is quoted there and nowhere else, and one added from the command
line reaches the owning process within 5 s; neither process builds the other's servers; a
SIGKILL and a restart lose nothing; the commands are synced once, by the process of shard 0.

It runs twice: both processes on one SQLite file in one DATA_DIR, and both on one PostgreSQL
database (a throwaway server the tests start), each with a DATA_DIR of its own for its saved
indexes, as on two machines.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from fakes.discord import MEMBER_PERMISSIONS, LibraryFakeDiscord, SentMessage

from e2e.test_e2e_bot import (
    DISPUTED,
    ROOT,
    SEEDS,
    SOURCE_TITLES,
    BotProcess,
    cited_titles,
    started,
)
from e2e.test_e2e_faults import lines_at
from e2e.test_e2e_library import ARTICLE, QUESTION, TITLE, add_file, reply_to

pytestmark = pytest.mark.asyncio(loop_scope="module")

# (id >> 22) % 2: ON_SHARD_0 is served by the SHARD_IDS=0 process, ON_SHARD_1 by the other.
ON_SHARD_0, ON_SHARD_1 = "1200000000004194305", "1200000000000000001"
CLI_TITLE = "Marrowby tram notes"
CLI_ARTICLE = (
    f"{CLI_TITLE}\n\nThe Marrowby tram line will reopen on 12 June 2028. "
    "The depot was rebuilt after the flood.\n"
)
CLI_QUESTION = "When will the Marrowby tram line reopen?"
CLI_DEADLINE_S = 5.0
ELSEWHERE = "ws://127.0.0.1:9/gateway"  # READY's resume URL: nothing listens there
ASKED_IN = re.compile(r"/ask by user \d+ in guild (\d+)")


def shared_store(tmp_path: Path, database_url: str | None, who: str) -> dict[str, str]:
    """The environment that gives every process the same library: one SQLite file in one
    DATA_DIR, or one PostgreSQL database with a DATA_DIR per process (`who`)."""
    if database_url is None:
        return {"DATA_DIR": str(tmp_path / "library")}
    return {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / f"data-{who}")}


async def start_shard(
    fake: LibraryFakeDiscord, tmp_path: Path, shard: int, database_url: str | None = None
) -> BotProcess:
    """A bot process running shard `shard` of 2, in its own working folder."""
    workdir = tmp_path / f"shard-{shard}"
    workdir.mkdir(exist_ok=True)
    store = shared_store(tmp_path, database_url, f"shard-{shard}")
    env = {"SHARD_COUNT": "2", "SHARD_IDS": str(shard), **store}
    return await BotProcess.start(fake, workdir, extra_env=env)


async def ask(fake: LibraryFakeDiscord, guild_id: str, question: str = QUESTION) -> SentMessage:
    payload = fake.slash_command(
        "ask", {"question": question}, permissions=MEMBER_PERMISSIONS, guild_id=guild_id
    )
    return await reply_to(fake, payload)


async def library_add_from_the_shell(
    tmp_path: Path, guild_id: str, database_url: str | None
) -> None:
    """`python -m bot library add FILE --guild ID` on the shared store."""
    notes = tmp_path / "tram.txt"
    notes.write_text(CLI_ARTICLE, encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "library", "add", str(notes), "--guild", guild_id,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8",
             "CROSSCHECK_SOURCES": str(SEEDS), **shared_store(tmp_path, database_url, "shell")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


def guilds_asked(bot: BotProcess) -> set[str]:
    """The servers whose questions this process answered (its log says so for each)."""
    return set(ASKED_IN.findall(bot.output()))


def built(bot: BotProcess, guild_id: str) -> bool:
    """Whether the process built (or rebuilt) that server's engine."""
    return f"Library of server {guild_id}:" in bot.output()


async def test_two_processes_on_split_shards_share_one_library(
    tmp_path: Path, database_url: str | None
) -> None:
    fake = LibraryFakeDiscord(
        guild_id=ON_SHARD_1,
        second_guild_id=ON_SHARD_0,
        recommended_shards=2,
        resume_gateway_url=ELSEWHERE,  # resumes must stay on DISCORD_GATEWAY_URL all the same
    )
    async with fake:
        # Shard 1 first: it identifies as [1, 2] and, not running shard 0, leaves the commands.
        second = await start_shard(fake, tmp_path, 1, database_url)
        first: BotProcess | None = None
        try:
            await started(fake, second)
            assert [d.get("shard") for d in fake.identifies] == [[1, 2]]
            assert fake.live_shards() == [(1, 2)]
            assert not [r for r in fake.requests if r.path.endswith("/commands")]

            first = await start_shard(fake, tmp_path, 0, database_url)
            await started(fake, first, ready=2)
            assert [d.get("shard") for d in fake.identifies] == [[1, 2], [0, 2]]
            assert fake.live_shards() == [(0, 2), (1, 2)]
            assert (await fake.wait_for_sync()).status == 200

            # A dropped shard connection resumes on the configured gateway, not READY's URL.
            await fake.force_reconnect("close", guild_id=ON_SHARD_1)
            await fake.wait_for_resumed(1)
            assert len(fake.identifies) == 2 and fake.live_shards() == [(0, 2), (1, 2)]

            # Each server's questions go to, and are answered by, its own process.
            assert TITLE not in (await ask(fake, ON_SHARD_0)).text()
            assert TITLE not in (await ask(fake, ON_SHARD_1)).text()
            assert (guilds_asked(first), guilds_asked(second)) == ({ON_SHARD_0}, {ON_SHARD_1})

            # /library add in the shard-0 server: quoted there, and nowhere else.
            added = await add_file(fake, "notes.txt", ARTICLE, guild_id=ON_SHARD_0)
            assert added.ephemeral and TITLE in added.text(), added.text()
            assert TITLE in cited_titles(await ask(fake, ON_SHARD_0))
            assert TITLE not in (await ask(fake, ON_SHARD_1)).text()

            # The command line adds to the shard-1 server: its process quotes it within 5 s.
            await library_add_from_the_shell(tmp_path, ON_SHARD_1, database_url)
            added_at = time.monotonic()
            while CLI_TITLE not in cited_titles(await ask(fake, ON_SHARD_1, CLI_QUESTION)):
                if time.monotonic() - added_at > CLI_DEADLINE_S:
                    pytest.fail(f"shard 1 never quoted the shell's source:\n{second.output()}")
                await asyncio.sleep(0.2)
            assert CLI_TITLE not in (await ask(fake, ON_SHARD_0, CLI_QUESTION)).text()
            await asyncio.sleep(2.5)  # a poll for outside changes in each process since
            assert built(first, ON_SHARD_0) and not built(first, ON_SHARD_1), first.output()
            assert built(second, ON_SHARD_1) and not built(second, ON_SHARD_0), second.output()

            # SIGKILL the shard-0 process just after its change: shard 1 goes on answering.
            await first.kill()
            killed = first
            assert CLI_TITLE in cited_titles(await ask(fake, ON_SHARD_1, CLI_QUESTION))
            first = await start_shard(fake, tmp_path, 0, database_url)
            await started(fake, first, ready=3)
            assert [d.get("shard") for d in fake.identifies][-1] == [0, 2]
            assert TITLE in cited_titles(await ask(fake, ON_SHARD_0))  # nothing was lost
            assert TITLE not in (await ask(fake, ON_SHARD_1)).text()
            assert not built(first, ON_SHARD_1), first.output()
        finally:
            codes = [await bot.stop(signal.SIGTERM) for bot in (first, second) if bot]
        for bot in (first, second):
            assert bot is not None and "Traceback" not in bot.output(), bot.output()
        assert codes == [0, 0]
        assert guilds_asked(killed) == guilds_asked(first) == {ON_SHARD_0}
        assert guilds_asked(second) == {ON_SHARD_1}
        # Synced once: only the shard-0 process compared, and it pushed the commands once.
        assert len(fake.syncs) == 1, [s.guild_id for s in fake.syncs]
        gets = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/commands")]
        assert len(gets) == 2  # one comparison at each start of the shard-0 process
        assert not fake.unknown_routes, fake.describe()


async def test_a_bot_that_must_shard_says_so_and_one_process_can_run_every_shard(
    tmp_path: Path,
) -> None:
    fake = LibraryFakeDiscord(
        guild_id=ON_SHARD_1, second_guild_id=ON_SHARD_0, recommended_shards=2, required_shards=2
    )
    async with fake:
        (tmp_path / "one").mkdir()
        unsharded = await BotProcess.start(fake, tmp_path / "one")
        code = await unsharded.wait(15.0)
        output = unsharded.output()
        assert code == 2 and "Traceback" not in output, output
        [problem] = lines_at(output, "ERROR", "CRITICAL")
        assert "4011" in problem and "SHARD_COUNT" in problem

        # SHARD_COUNT alone: this one process runs both shards and answers every server.
        (tmp_path / "all").mkdir()
        bot = await BotProcess.start(fake, tmp_path / "all", extra_env={"SHARD_COUNT": "2"})
        try:
            await started(fake, bot, ready=2)
            assert sorted(d["shard"] for d in fake.identifies[1:]) == [[0, 2], [1, 2]]
            assert fake.live_shards() == [(0, 2), (1, 2)]
            for guild_id in (ON_SHARD_0, ON_SHARD_1):
                assert SOURCE_TITLES["001"] in cited_titles(await ask(fake, guild_id, DISPUTED))
            assert guilds_asked(bot) == {ON_SHARD_0, ON_SHARD_1}
        finally:
            assert await bot.stop() == 0, bot.output()
        assert "Traceback" not in bot.output(), bot.output()
