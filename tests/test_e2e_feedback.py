"""End to end: members' 👍 / 👎 / "Missing a source?" reach the moderators, through the real bot.

One `python -m bot run` process against the fake Discord: a member votes on an answer, on a
"Check against sources" reply and its shared copy, and says what source a "not covered" reply
lacked; `/library feedback` shows it to moderators of that server only. The bot is SIGKILLed and
restarted: the buttons of the earlier messages still work, the votes are still there, and a
second 👎 by the same member does not count twice. `python -m bot library feedback` agrees.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_discord import MEMBER_PERMISSIONS, MODERATOR_PERMISSIONS, LibraryFakeDiscord, SentMessage
from test_e2e_bot import REPLY_TIMEOUT, ROOT, SEEDS, BotProcess, started
from test_e2e_library import ask_about, reply_to

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUESTION = "Did Japan ban Tesla?"
UNCOVERED = "What is the weather in Paris tomorrow?"
CLAIM = "Japan just banned Tesla!"
NOTE_LABEL = "What source is missing? (optional)"
MEMBER = "1500000000000000001"  # the fake's default user
OTHER_MEMBER = "1500000000000000009"


def buttons(message: SentMessage | dict[str, Any]) -> dict[str, str]:
    """The message's buttons: feedback ones by kind ("up", "down", "missing"), others by label;
    "More excerpts" (the answer layout's, tested with it) left out."""
    rows = message.components if isinstance(message, SentMessage) else message["components"]
    found = {}
    for component in (c for row in rows for c in row["components"]):
        parts = component["custom_id"].split(":")
        if (component.get("label") or "").startswith("More excerpts"):
            continue
        key = parts[2] if parts[:2] == ["crosscheck", "feedback"] else component.get("label")
        found[key] = component["custom_id"]
    return found


async def click(
    fake: LibraryFakeDiscord, message: SentMessage, kind: str, member: str = MEMBER
) -> SentMessage:
    user = fake.make_user("member", user_id=member)
    payload = fake.component(buttons(message)[kind], message, user=user)
    return await reply_to(fake, payload)


async def report(fake: LibraryFakeDiscord, **kw: Any) -> str:
    kw.setdefault("permissions", MODERATOR_PERMISSIONS)
    shown = await reply_to(fake, fake.slash_command("library feedback", **kw))
    assert shown.ephemeral
    return shown.text()


async def test_feedback_reaches_moderators_and_survives_a_crash(tmp_path: Path) -> None:
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            answer = await ask_about(fake, QUESTION)
            assert not answer.ephemeral and set(buttons(answer)) == {"up", "down", "missing"}

            # "Check against sources": private, with a share button beside the feedback ones.
            check = await reply_to(fake, fake.message_command("Check against sources", CLAIM))
            assert check.ephemeral
            assert set(buttons(check)) == {"Share in channel", "up", "down", "missing"}
            assert "noted" in (await click(fake, check, "up")).text()  # while the share view lives
            share = await fake.inject(fake.component(buttons(check)["Share in channel"], check))
            shared = await fake.wait_for_followup(share["id"], timeout=REPLY_TIMEOUT)
            assert not shared.ephemeral
            assert buttons(shared) == {
                k: v for k, v in buttons(check).items() if k != "Share in channel"
            }
            [edit] = [m for m in fake.replies_to(share["id"]) if m.kind == "edit"]
            assert edit.message_id == check.message_id
            assert set(buttons(edit)) == {"up", "down", "missing"}  # the share button is gone

            # The share view has ended; the feedback buttons of every message still answer.
            down = await click(fake, answer, "down")
            assert down.ephemeral and "👎" in down.text() and "noted" in down.text(), down.text()
            assert "noted" in (await click(fake, shared, "up", OTHER_MEMBER)).text()

            shown = await report(fake)
            assert QUESTION in shown and "👎 1 · 👍 0" in shown and "001" in shown, shown

            # Members cannot read it.
            refused = await report(fake, permissions=MEMBER_PERMISSIONS)
            assert "moderators" in refused.lower() and QUESTION not in refused

            # "Not covered": private, with the same buttons; "Missing a source?" asks what.
            notice = await ask_about(fake, UNCOVERED)
            assert notice.ephemeral and set(buttons(notice)) == {"up", "down", "missing"}
            opened = await fake.inject(fake.component(buttons(notice)["missing"], notice))
            form = await fake.wait_for_callback(opened["id"], timeout=REPLY_TIMEOUT)
            assert form.type == 9 and form.status == 204, fake.describe()
            thanks = await reply_to(fake, fake.modal_submit(form, {NOTE_LABEL: "Météo France"}))
            assert thanks.ephemeral and "missing a source" in thanks.text(), thanks.text()
        finally:
            await bot.kill()  # SIGKILL: no clean shutdown
        assert "Traceback" not in bot.output(), bot.output()

        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot, ready=2)
            again = await click(fake, answer, "down")  # a button sent before the crash
            assert "already" in again.text() and "one vote" in again.text(), again.text()
            changed = await click(fake, answer, "up", OTHER_MEMBER)
            assert "noted" in changed.text(), changed.text()

            shown = await report(fake)
            assert "👎 1 · 👍 1" in shown, shown  # the second 👎 did not count
            assert "1× not covered, 1× missing a source" in shown and "Météo France" in shown
            assert UNCOVERED in shown

            elsewhere = await report(fake, guild_id=fake.second_guild_id)
            assert QUESTION not in elsewhere and UNCOVERED not in elsewhere
            assert "No answer got a 👎" in elsewhere
        finally:
            code = await bot.stop()
        assert code == 0 and "Traceback" not in bot.output(), bot.output()
        assert not fake.unknown_routes and all(c.status == 204 for c in fake.callbacks)

    text, as_json = await asyncio.gather(
        cli(tmp_path, "library", "feedback", "--guild", fake.guild_id),
        cli(tmp_path, "library", "feedback", "--guild", fake.guild_id, "--json"),
    )
    assert f"👎 1 · 👍 1: “{QUESTION}”" in text and "“Météo France”" in text, text
    data = json.loads(as_json)
    assert data["disliked"][0]["question"] == QUESTION and data["disliked"][0]["down"] == 1
    assert data["uncovered"][0]["notes"] == ["Météo France"]
    other = await cli(tmp_path, "library", "feedback", "--guild", fake.second_guild_id)
    assert QUESTION not in other


async def cli(workdir: Path, *args: str) -> str:
    """`python -m bot ...` on the bot's DATA_DIR (./data in its working folder)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=workdir,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8",
             "CROSSCHECK_SOURCES": str(SEEDS)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()
