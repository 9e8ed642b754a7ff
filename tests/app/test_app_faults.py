"""Issue 7 item 5: the Discord edge cases of start, sync, shutdown and shared cooldowns."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands
from helpers import FakeEngine, MockInteraction

from bot.app import run as app_run
from bot.app import sync as app_sync
from bot.app.bot import CrosscheckBot
from bot.settings import Settings


@pytest.fixture
async def real_bot() -> AsyncIterator[CrosscheckBot]:
    bot = CrosscheckBot(Settings(ask_cooldown_seconds=30), FakeEngine())
    bot.sync_on_start = False
    await bot.setup_hook()
    yield bot
    await bot.close()


async def test_ask_and_the_check_menu_share_one_cooldown(real_bot: CrosscheckBot) -> None:
    ask = real_bot.tree.get_command("ask")
    menu = real_bot.tree.get_command("Check against sources", type=discord.AppCommandType.message)
    assert isinstance(ask, app_commands.Command) and isinstance(menu, app_commands.ContextMenu)
    assert await ask._check_can_run(MockInteraction(user_id=1, client=real_bot))
    with pytest.raises(app_commands.CommandOnCooldown):
        await menu._check_can_run(MockInteraction(user_id=1, client=real_bot))
    assert await menu._check_can_run(MockInteraction(user_id=2, client=real_bot))
    with pytest.raises(app_commands.CommandOnCooldown):
        await ask._check_can_run(MockInteraction(user_id=2, client=real_bot))


def server_error() -> discord.DiscordServerError:
    response = MagicMock(status=503, reason="Service Unavailable")
    return discord.DiscordServerError(response, {"message": "Service Unavailable", "code": 0})


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_sync, "SYNC_RETRY_DELAYS", (0.0, 0.0, 0.0))


async def test_sync_retries_a_5xx_and_then_succeeds(
    real_bot: CrosscheckBot, no_wait: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch = AsyncMock(side_effect=[server_error(), server_error(), []])
    monkeypatch.setattr(real_bot.http, "get_global_commands", fetch)
    monkeypatch.setattr(real_bot.tree, "sync", AsyncMock(return_value=[]))
    real_bot._connection.application_id = 99
    assert await app_sync.sync_if_changed(real_bot, None) is True
    assert fetch.await_count == 3


async def test_a_lasting_5xx_is_an_outage_with_exit_code_1(
    real_bot: CrosscheckBot, no_wait: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch = AsyncMock(side_effect=server_error())
    monkeypatch.setattr(real_bot.http, "get_global_commands", fetch)
    real_bot._connection.application_id = 99
    with pytest.raises(app_sync.SyncOutage) as raised:
        await app_sync.sync_if_changed(real_bot, None)
    assert fetch.await_count == 4  # the first try and three retries
    message, code = app_run._describe_start_failure(raised.value, Settings()) or ("", 0)
    assert code == 1 and "outage" in message and "\n" not in message


def test_gateway_close_4013_is_one_line_and_exit_2() -> None:
    error = discord.ConnectionClosed(MagicMock(close_code=4013), shard_id=None, code=4013)
    message, code = app_run._describe_start_failure(error, Settings()) or ("", 0)
    assert code == 2 and "4013" in message and "\n" not in message


_BUSY_WORKER = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from bot.app.run import _run_to_exit

    def slow_question():
        time.sleep(20)
        Path(sys.argv[1]).write_text("finished")

    async def main():
        asyncio.get_running_loop().run_in_executor(None, slow_question)
        await asyncio.sleep(0.2)  # the signal arrives while the question runs
        return 0

    sys.exit(_run_to_exit(main()))
    """
)


def test_exit_does_not_wait_for_a_question_still_running(tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    result = subprocess.run(
        [sys.executable, "-c", _BUSY_WORKER, str(marker)], capture_output=True, timeout=15
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()  # the process ended before the question did
