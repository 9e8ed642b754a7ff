"""End to end: moderators curate a server's library through the real bot process.

One run of `python -m bot run` against the fake Discord (with attachments served from a local
URL and a second guild): a member is refused, a moderator adds an article, a member's /ask cites
it in that server and not in the other, bad files are refused and change nothing, the bot is
SIGKILLed and restarted on the same DATA_DIR and still cites it, and a remove takes it out.
"""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path
from typing import Any

import pytest
from fake_discord import (
    MEMBER_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    PERM_ADMINISTRATOR,
    LibraryFakeDiscord,
    SentMessage,
)
from test_e2e_bot import REPLY_TIMEOUT, BotProcess, assert_silent, cited_titles, started
from test_long_words import many_words_text

pytestmark = pytest.mark.asyncio(loop_scope="module")

TITLE = "Quillby harbour council notes"
ARTICLE = (
    f"{TITLE}\n\nThe Quillby ferry will stop running on 3 May 2027. "
    "The council voted seven to two to close the route.\n"
).encode()
QUESTION = "When will the Quillby ferry stop running?"


async def reply_to(fake: LibraryFakeDiscord, payload: dict[str, Any]) -> SentMessage:
    inter = await fake.inject(payload)
    reply = await fake.wait_for_reply(inter["id"], timeout=REPLY_TIMEOUT)
    assert_silent(reply)
    return reply


async def add_file(
    fake: LibraryFakeDiscord, name: str, data: bytes, *, permissions: int = MODERATOR_PERMISSIONS,
    **kw: Any,
) -> SentMessage:  # fmt: skip
    attachment = fake.attachment(name, data, deliverable=kw.pop("deliverable", True))
    payload = fake.slash_command_with_file(
        "library add", attachment, kw.pop("options", None), permissions=permissions, **kw
    )
    return await reply_to(fake, payload)


async def ask(fake: LibraryFakeDiscord, guild_id: str | None = None) -> SentMessage:
    kw = {"guild_id": guild_id} if guild_id else {}
    return await reply_to(
        fake,
        fake.slash_command("ask", {"question": QUESTION}, permissions=MEMBER_PERMISSIONS, **kw),
    )


async def library_listing(fake: LibraryFakeDiscord) -> str:
    reply = await reply_to(fake, fake.slash_command("sources list", permissions=MEMBER_PERMISSIONS))
    return reply.text()


async def test_moderators_curate_a_library_that_survives_a_crash(tmp_path: Path) -> None:
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            library = next(c for c in fake.global_commands if c["name"] == "library")
            assert str(library["default_member_permissions"]) == str(1 << 13)  # Manage Messages

            # A member who reaches the command anyway is refused, privately.
            refused = await add_file(fake, "notes.txt", ARTICLE, permissions=MEMBER_PERMISSIONS)
            assert refused.ephemeral and "moderators" in refused.text().lower()
            assert TITLE not in await library_listing(fake)

            added = await add_file(fake, "notes.txt", ARTICLE, options={"label": "official"})
            assert added.ephemeral and TITLE in added.text(), added.text()
            source_id = re.search(r"source `(\w+)`", added.text()).group(1)  # type: ignore[union-attr]

            answer = await ask(fake)
            assert not answer.ephemeral and TITLE in cited_titles(answer)
            assert "official" in cited_titles(answer)
            elsewhere = await ask(fake, fake.second_guild_id)
            assert TITLE not in elsewhere.text()
            assert "/sources list" in elsewhere.text() and "python -m" not in elsewhere.text()

            # Bad files: a reason each, and the library is unchanged.
            before = await library_listing(fake)
            bad = {
                "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
                "latin.txt": ("Café notes: the pier is closed.".encode("latin-1"), "UTF-8"),
                "empty.txt": (b"", "empty"),
                "huge.txt": (b"word " * 220_000, "too large"),
                "again.md": (ARTICLE, source_id),
            }
            for name, (data, reason) in bad.items():
                reply = await add_file(fake, name, data)
                assert reply.ephemeral and "Nothing was changed" in reply.text(), reply.text()
                assert reason in reply.text(), (name, reply.text())
            lost = await add_file(fake, "lost.txt", b"The pier reopens in June.", deliverable=False)
            assert "could not deliver" in lost.text()
            assert await library_listing(fake) == before

            history = await reply_to(
                fake, fake.slash_command("library history", permissions=MODERATOR_PERMISSIONS)
            )
            assert history.ephemeral and TITLE in history.text()
        finally:
            await bot.kill()  # SIGKILL: no clean shutdown

        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot, ready=2)
            assert TITLE in cited_titles(await ask(fake))
            shown = await reply_to(fake, fake.slash_command("sources show", {"source": source_id}))
            assert "Added" in shown.text()

            removed = await reply_to(
                fake,
                fake.slash_command(
                    "library remove", {"source": source_id}, permissions=MODERATOR_PERMISSIONS
                ),
            )
            assert removed.ephemeral and "Removed" in removed.text(), removed.text()
            assert TITLE not in (await ask(fake)).text()
        finally:
            code = await bot.stop(signal.SIGTERM)
        assert code == 0, bot.output()
        assert "Traceback" not in bot.output(), bot.output()
        assert not fake.unknown_routes, fake.describe()


async def test_a_running_bot_picks_up_changes_made_from_the_command_line(tmp_path: Path) -> None:
    import os
    import sys

    from test_e2e_bot import ROOT, SEEDS

    (tmp_path / "notes.txt").write_bytes(ARTICLE)
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            cli = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "library", "add", "notes.txt",
                "--guild", fake.guild_id,
                cwd=tmp_path,
                env={"PATH": os.environ.get("PATH", ""), "CROSSCHECK_SOURCES": str(SEEDS),
                     "PYTHONPATH": str(ROOT)},
            )  # fmt: skip
            assert await cli.wait() == 0
            for _ in range(40):  # the bot looks every couple of seconds
                if TITLE in cited_titles(await ask(fake)):
                    break
                await asyncio.sleep(0.25)
            else:
                pytest.fail(f"the bot never cited the source added from the shell:\n{bot.output()}")
            assert TITLE not in (await ask(fake, fake.second_guild_id)).text()
        finally:
            code = await bot.stop()
        assert code == 0 and "Traceback" not in bot.output(), bot.output()


MARKDOWN = (
    b"# Harbour *update* @everyone\n\n**Breaking**: the Quillby pier will reopen on 9 June 2031 "
    b"for @everyone and <@1500000000000000001>. See [the notice](https://example.com) `now`.\n"
)
ARABIC = "سيتم افتتاح الجسر الجديد في مدينة الرباط عام ٢٠٣٠. يبلغ طول الجسر ثلاثة كيلومترات.\n"


async def ask_about(fake: LibraryFakeDiscord, question: str) -> SentMessage:
    payload = fake.slash_command("ask", {"question": question}, permissions=MEMBER_PERMISSIONS)
    return await reply_to(fake, payload)


async def test_sources_come_by_form_by_message_and_in_any_script(tmp_path: Path) -> None:
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)

            # /library paste: a modal (checked against Discord's limits), then its submission.
            paste = await fake.inject(
                fake.slash_command("library paste", permissions=MODERATOR_PERMISSIONS)
            )
            form = await fake.wait_for_callback(paste["id"], timeout=REPLY_TIMEOUT)
            assert form.type == 9 and form.status == 204, fake.describe()
            typed = {
                "Title": "Lighthouse notice",
                "Date (YYYY-MM-DD)": "2031-06-01",
                "Text": "The Quillby lighthouse will be repainted red in July 2031.",
            }
            submit = fake.modal_submit(form, typed, permissions=MODERATOR_PERMISSIONS)
            added = await reply_to(fake, submit)
            assert added.ephemeral and "Lighthouse notice" in added.text(), added.text()
            answer = await ask_about(fake, "What colour will the Quillby lighthouse be?")
            assert "Lighthouse notice · 2031-06-01" in cited_titles(answer)

            # "Add to sources" on a message with a Markdown file Discord gave no content type.
            memo = fake.attachment(
                "memo.md", b"Museum memo\nThe Quillby museum closes on 2 March 2032.\n",
                content_type=None,
            )  # fmt: skip
            menu = fake.message_command_with_files(
                "Add to sources", "see the memo", [memo], permissions=MODERATOR_PERMISSIONS
            )
            assert "Museum memo" in (await reply_to(fake, menu)).text()
            answer = await ask_about(fake, "When does the Quillby museum close?")
            assert "Museum memo" in cited_titles(answer)

            # Markdown and mentions in a source are shown literally and ping nobody.
            markdown = fake.attachment("harbour.md", MARKDOWN, content_type="text/markdown")
            await reply_to(
                fake,
                fake.slash_command_with_file(
                    "library add", markdown, permissions=MODERATOR_PERMISSIONS
                ),
            )
            answer = await ask_about(fake, "When will the Quillby pier reopen?")
            shown = answer.text().replace("@\u200beveryone", "").replace("<@\u200b", "")
            assert "@everyone" not in shown and "<@1500000000000000001>" not in shown
            assert "\\*\\*Breaking\\*\\*" in answer.text(), answer.text()

            # Another script, added by an administrator whose permissions carry only that bit.
            arabic = fake.attachment("rabat.txt", ARABIC.encode())
            added = await reply_to(
                fake,
                fake.slash_command_with_file(
                    "library add", arabic, permissions=MEMBER_PERMISSIONS | PERM_ADMINISTRATOR
                ),
            )
            assert "Nothing was changed" not in added.text(), added.text()
            answer = await ask_about(fake, "متى سيتم افتتاح الجسر في الرباط؟")
            assert "الرباط" in cited_titles(answer), answer.text()
        finally:
            code = await bot.stop()
        assert code == 0 and "Traceback" not in bot.output(), bot.output()
        downloads = [r for r in fake.requests if "/attachments/" in r.path]
        assert len(downloads) == 3
        assert all(r.authorization is None for r in downloads)  # the token never leaves for the CDN
        assert not fake.unknown_routes and all(c.status == 204 for c in fake.callbacks)


async def test_a_file_with_one_very_long_word_leaves_the_library_changeable(
    tmp_path: Path,
) -> None:
    """Issue 15: a Markdown file with an embedded base64 image (one 900 KB "word") in a server
    with a real vocabulary once failed with "Unable to allocate 35.6 GiB", and every change in
    that server after it failed the same way."""
    image = "A" * 900_000  # a blank image's base64: one letter repeated
    chart = (
        f"Quillby tide chart\n\nHigh water in Quillby is at noon on 4 May 2031.\n\n"
        f"![chart](data:image/png;base64,{image})\n"
    ).encode()
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            glossary = await add_file(fake, "glossary.txt", many_words_text().encode())
            assert "Added **Glossary**" in glossary.text(), glossary.text()
            added = await add_file(fake, "chart.md", chart)
            assert "Added **Quillby tide chart**" in added.text(), added.text()
            assert "can quote it now" in added.text()
            answer = await ask_about(fake, "When is high water in Quillby?")
            assert "Quillby tide chart" in cited_titles(answer), answer.text()

            after = await add_file(fake, "notes.txt", ARTICLE)
            assert TITLE in after.text() and "can quote it now" in after.text(), after.text()
            assert TITLE in cited_titles(await ask(fake))
        finally:
            code = await bot.stop()
        assert code == 0 and "Traceback" not in bot.output(), bot.output()


async def test_the_paste_form_answers_bad_and_broken_submissions(tmp_path: Path) -> None:
    async def submit(typed: dict[str, str], *, text_value: object = None) -> SentMessage:
        paste = await fake.inject(
            fake.slash_command("library paste", permissions=MODERATOR_PERMISSIONS)
        )
        form = await fake.wait_for_callback(paste["id"], timeout=REPLY_TIMEOUT)
        payload = fake.modal_submit(form, typed, permissions=MODERATOR_PERMISSIONS)
        if text_value is not None:  # what a broken client or a hand-made request might send
            for row in payload["data"]["components"]:
                for component in row.get("components") or [row.get("component")]:
                    if component and component["value"] == typed["Text"]:
                        component["value"] = text_value
        return await reply_to(fake, payload)

    text = "The Quillby lighthouse will be repainted red in July 2031."
    async with LibraryFakeDiscord() as fake:
        bot = await BotProcess.start(fake, tmp_path)
        try:
            await started(fake, bot)
            before = await library_listing(fake)
            # A lone surrogate (half of an emoji's UTF-16 pair) in the text or the title.
            for typed in (
                {"Title": "Lighthouse notice", "Text": text.replace("red", "red \ud83d")},
                {"Title": "Light\udc00house notice", "Text": text},
            ):
                reply = await submit(typed)
                assert reply.ephemeral and "Nothing was changed" in reply.text(), reply.text()
                assert "not valid Unicode" in reply.text()
            # An error nobody foresaw (a number where the text belongs) is answered too.
            broken = await submit({"Title": "Lighthouse notice", "Text": text}, text_value=7)
            assert broken.ephemeral and "Something went wrong" in broken.text(), broken.text()
            assert await library_listing(fake) == before
        finally:
            code = await bot.stop()
        assert code == 0, bot.output()
        assert bot.output().count("Traceback") == 1, bot.output()  # the unforeseen error, logged
        assert "library paste form" in bot.output()
