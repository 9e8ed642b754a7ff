"""End to end: `/library conflicts` on a long paragraph never holds up another server's changes.

Issue 15: the check read the whole paragraph before each passage, so a source of 900,000
characters with no blank line took minutes, and it ran on the thread pool library changes use:
six checks in one server left a `/library add` in another unanswered. Through the real bot
against the fake Discord: a moderator adds such a source, asks for conflicts six times at once,
and a moderator of a second server adds a file meanwhile.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from fake_discord import MODERATOR_PERMISSIONS, LibraryFakeDiscord
from test_e2e_bot import REPLY_TIMEOUT, BotProcess, assert_silent, started
from test_e2e_library import add_file

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHECK_SECONDS = 4  # CONFLICTS_SECONDS for this bot: the long source cannot be read in that time
LONG_SOURCE = ("The Yarrow index rose. " * 40_000)[:900_000].encode()
ADD_BOUND_S = 3.0
ROOT = str(Path(__file__).resolve().parents[1])


class ConflictsFake(LibraryFakeDiscord):
    def env(self, token: str | None = None) -> dict[str, str]:
        # this checkout's code, whatever `pip install -e` points at
        return {**super().env(token), "CONFLICTS_SECONDS": str(CHECK_SECONDS), "PYTHONPATH": ROOT}


async def test_six_conflict_checks_leave_another_servers_add_answered(tmp_path: Path) -> None:
    async with ConflictsFake() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            added = await add_file(fake, "yarrow.txt", LONG_SOURCE)
            assert "Added" in added.text(), added.text()

            checks = [
                fake.slash_command("library conflicts", permissions=MODERATOR_PERMISSIONS)
                for _ in range(6)
            ]
            await asyncio.gather(*(fake.inject(p) for p in checks))
            began = time.monotonic()
            other = await add_file(
                fake, "pier.txt", b"Pier notes\n\nThe Quillby pier reopens in June 2027.\n",
                guild_id=fake.second_guild_id,
            )  # fmt: skip
            add_seconds = time.monotonic() - began
            replies = [
                await fake.wait_for_reply(p["id"], timeout=CHECK_SECONDS + 3 * REPLY_TIMEOUT)
                for p in checks
            ]
        finally:
            code = await bot.stop(signal.SIGTERM)
        output = bot.output()
    print(f"/library add in the other server answered in {add_seconds:.2f} s")
    assert "Added" in other.text(), other.text()
    assert add_seconds < ADD_BOUND_S, add_seconds
    for reply in replies:
        assert_silent(reply)
        assert reply.ephemeral
    results = [r for r in replies if r.embeds]
    busy = [r for r in replies if not r.embeds]
    assert len(results) == 1 and len(busy) == 5, [r.text() for r in replies]
    assert all("already running" in r.text() for r in busy), [r.text() for r in busy]
    # The one check says how much of the library its time let it read.
    said = _described(results[0].embeds[0])
    found = re.search(r"checked ([\d,]+) of ([\d,]+) passages", said)
    assert found is not None, said
    read, total = (int(n.replace(",", "")) for n in found.groups())
    assert 0 < read < total, said
    assert code == 0, output
    assert "Traceback" not in output, output


def _described(embed: dict[str, Any]) -> str:
    return " ".join([embed.get("title", ""), embed.get("description", "")])
