"""The heartbeat the running bot keeps while connected, and `python -m bot health` that reads it
(the container's and service manager's health check)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes.discord import FakeDiscord, LibraryFakeDiscord, running_fake
from helpers import FakeEngine

from bot.app.bot import CrosscheckBot
from bot.app.run import keep_heartbeat
from bot.heartbeat import heartbeat_path, write_heartbeat
from bot.library.sqlite import DATABASE_NAME
from bot.main import main
from bot.settings import Settings
from e2e.test_e2e_bot import ROOT, BotProcess, started
from e2e.test_e2e_shards import ON_SHARD_0, ON_SHARD_1, start_shard


def health(data_dir: Path, *extra: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot health` as the container runs it: its own process, DATA_DIR set."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "DATA_DIR": str(data_dir)}
    env |= settings
    return subprocess.run(
        [sys.executable, "-m", "bot", "health", *extra],
        cwd=data_dir.parent, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
def beat() -> Path:
    path = heartbeat_path(Path(os.environ["DATA_DIR"]))  # the test's own DATA_DIR (conftest)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_a_fresh_heartbeat_is_healthy(beat: Path, capsys) -> None:
    write_heartbeat(beat)
    assert main(["health"]) == 0
    assert capsys.readouterr().err == ""
    assert [p.name for p in beat.parent.iterdir()] == ["heartbeat"]  # no temporary file left


def test_a_stale_heartbeat_is_unhealthy_in_one_line(beat: Path, capsys) -> None:
    write_heartbeat(beat, now=time.time() - 200)
    assert main(["health"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "stale heartbeat" in line and str(beat) in line and "200 s ago" in line
    assert main(["health", "--max-age", "300"]) == 0  # the allowed age is configurable


@pytest.mark.parametrize(
    ("content", "says"), [(None, "no heartbeat at"), ("not a time\n", "cannot read")]
)
def test_a_missing_or_unreadable_heartbeat_is_unhealthy(
    beat: Path, capsys, content: str | None, says: str
) -> None:
    if content is not None:
        beat.write_text(content)
    assert main(["health"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert says in line and "Traceback" not in line


async def test_the_heartbeat_is_refreshed_only_while_the_gateway_is_connected(
    tmp_path: Path,
) -> None:
    path = tmp_path / "heartbeat"
    async with running_fake() as server:
        bot = CrosscheckBot(Settings(guild_id=int(server.guild_id)), FakeEngine())
        beating = asyncio.ensure_future(keep_heartbeat(bot, path, interval=0.05))
        await bot.login(server.token)
        task = asyncio.create_task(bot.connect(reconnect=True))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 5)
            for _ in range(100):  # written at READY, then every interval
                if path.is_file():
                    break
                await asyncio.sleep(0.02)
            first = path.read_text()
            await asyncio.sleep(0.2)
            assert path.read_text() != first  # refreshed while connected
            await server.stop()  # Discord gone: the bot is reconnecting, not connected
            await asyncio.sleep(0.3)
            last = path.read_text()
            await asyncio.sleep(0.3)
            assert path.read_text() == last
        finally:
            beating.cancel()
            await bot.close()
            task.cancel()
            await asyncio.gather(task, beating, return_exceptions=True)


async def test_the_running_bot_writes_the_heartbeat_health_reads(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"  # the bot's DATA_DIR: `data` in its working folder
    assert health(data_dir).returncode == 1  # not started yet
    async with FakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            for _ in range(250):
                if heartbeat_path(data_dir).is_file():
                    break
                await asyncio.sleep(0.02)
            checked = await asyncio.to_thread(health, data_dir)
        finally:
            code = await bot.stop()
    assert code == 0, bot.output()
    assert checked.returncode == 0, checked.stderr + bot.output()
    [opened] = [line for line in bot.output().splitlines() if "Indexing sources" in line]
    assert f"library {data_dir / DATABASE_NAME} (no .env file read)" in opened  # said at start
    stopped = health(data_dir, "--max-age", "0")
    assert stopped.returncode == 1 and "stale heartbeat" in stopped.stderr


async def test_each_shard_process_keeps_its_own_heartbeat(tmp_path: Path) -> None:
    """Two processes on one DATA_DIR: one still connected must not hide the other's stop."""
    data_dir = tmp_path / "library"  # the shards' shared DATA_DIR (test_e2e_shards)
    fake = LibraryFakeDiscord(guild_id=ON_SHARD_1, second_guild_id=ON_SHARD_0, recommended_shards=2)
    async with fake:
        first = await start_shard(fake, tmp_path, 0)
        second = await start_shard(fake, tmp_path, 1)
        try:
            await started(fake, first)
            await started(fake, second, ready=2)
            names = {"heartbeat-shards-0", "heartbeat-shards-1"}
            for _ in range(250):
                if names <= {p.name for p in data_dir.iterdir()}:
                    break
                await asyncio.sleep(0.02)
            assert names <= {p.name for p in data_dir.iterdir()}
        finally:
            assert await second.stop() == 0, second.output()
        shard = {"SHARD_COUNT": "2"}
        running = await asyncio.to_thread(health, data_dir, SHARD_IDS="0", **shard)
        stopped = await asyncio.to_thread(
            health, data_dir, "--max-age", "0", SHARD_IDS="1", **shard
        )
        assert await first.stop() == 0, first.output()
    assert running.returncode == 0, running.stderr
    assert stopped.returncode == 1 and "heartbeat-shards-1" in stopped.stderr
