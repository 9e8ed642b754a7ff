"""End to end: a server's engine loads at its first question, not at start (issue 18).

The real bot process starts over a library in which this server added an article; its first
/ask is acknowledged at once with a deferred ("thinking") response while the engine loads, then
the answer quotes the server's own article; the next question is answered straight away.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.discord import (
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    MEMBER_PERMISSIONS,
    FakeDiscord,
)

from bot.library.opening import open_library
from bot.library.parsing import parse_upload
from e2e.test_e2e_bot import REPLY_TIMEOUT, SEEDS, BotProcess, assert_silent, cited_titles, started
from e2e.test_e2e_library import ARTICLE, QUESTION, TITLE

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_servers_first_question_defers_while_its_engine_loads(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        store, base = open_library(SEEDS, tmp_path / "data")  # the bot's DATA_DIR (./data)
        draft = parse_upload(ARTICLE, "notes.txt")
        store.add(int(fake.guild_id), draft, "7", base, 500)
        store.close()
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            assert f"Library of server {fake.guild_id}" not in bot.output()  # not built at start

            ask = fake.slash_command("ask", {"question": QUESTION}, permissions=MEMBER_PERMISSIONS)
            first = await fake.inject(ask)
            callback = await fake.wait_for_callback(first["id"], timeout=REPLY_TIMEOUT)
            assert callback.type == CALLBACK_DEFERRED_MESSAGE and not callback.ephemeral
            reply = await fake.wait_for_reply(first["id"], timeout=REPLY_TIMEOUT)
            assert_silent(reply)
            assert not reply.ephemeral and TITLE in cited_titles(reply), reply.text()
            assert f"Library of server {fake.guild_id}" in bot.output()

            ask = fake.slash_command("ask", {"question": QUESTION}, permissions=MEMBER_PERMISSIONS)
            second = await fake.inject(ask)
            callback = await fake.wait_for_callback(second["id"], timeout=REPLY_TIMEOUT)
            assert callback.type == CALLBACK_MESSAGE  # loaded: answered in one response
            assert TITLE in cited_titles(await fake.wait_for_reply(second["id"]))
        finally:
            await bot.stop()
