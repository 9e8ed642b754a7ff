"""`/library` handlers and the moderator check, over a real registry on a temporary database."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands
from helpers import MockInteraction, sent_text

from bot.answer.registry import LibraryRegistry, open_registry
from bot.app.bot import CrosscheckBot, is_moderator, require_moderator
from bot.app.tree import NotModerator
from bot.caveat import ConflictScan
from bot.settings import Settings

GUILD = 42  # MockInteraction's guild
ROLE, OTHER_SERVERS_ROLE = 777, 888
ARTICLE = "Harbour notes\nThe Quillby ferry will stop running on 3 May 2027."


@pytest.fixture
async def bot(tmp_path: Path, seeds_dir: Path) -> AsyncIterator[CrosscheckBot]:
    registry = open_registry(seeds_dir, tmp_path / "data")
    bot = CrosscheckBot(
        Settings(moderator_role_ids=frozenset({OTHER_SERVERS_ROLE, ROLE})), registry
    )
    bot.sync_on_start = False
    await bot.setup_hook()
    yield bot
    await bot.close()


def moderator(bot: CrosscheckBot) -> MagicMock:
    return MockInteraction(permissions=discord.Permissions(manage_messages=True), client=bot)


def added_titles(bot: CrosscheckBot) -> list[str]:
    registry: LibraryRegistry = bot.library  # type: ignore[assignment]
    return [s.title for s in registry.store.added_sources(GUILD)]


@pytest.mark.parametrize(
    ("permissions", "roles", "allowed"),
    [
        (discord.Permissions(manage_messages=True), [], True),
        (discord.Permissions(administrator=True), [], True),  # the Administrator bit alone
        (discord.Permissions.none(), [ROLE], True),
        (discord.Permissions.none(), [5, OTHER_SERVERS_ROLE], True),  # any role of the list
        (discord.Permissions.none(), [], False),
        (discord.Permissions(send_messages=True, manage_channels=True), [123], False),
    ],
)
async def test_moderators_are_manage_messages_or_the_role(
    bot: CrosscheckBot, permissions: discord.Permissions, roles: list[int], allowed: bool
) -> None:
    interaction = MockInteraction(permissions=permissions, client=bot)
    interaction.user._roles = discord.utils.SnowflakeList(roles)
    assert is_moderator(interaction) is allowed
    if not allowed:
        with pytest.raises(NotModerator):
            require_moderator(interaction)


async def test_members_get_no_autocomplete_for_removal(bot: CrosscheckBot) -> None:
    cog = bot.get_cog("LibraryCommands")
    member = MockInteraction(client=bot)
    member.user._roles = discord.utils.SnowflakeList([])
    assert await cog._source_autocomplete(member, "") == []  # type: ignore[union-attr]
    assert await cog._source_autocomplete(moderator(bot), "")  # type: ignore[union-attr]


def message(content: str, attachments: list[MagicMock] | None = None) -> MagicMock:
    msg = MagicMock(spec_set=discord.Message)
    msg.content = content
    msg.attachments = attachments or []
    msg.created_at = dt.datetime(2027, 4, 30, 9, 0, tzinfo=dt.UTC)
    return msg


async def test_add_to_sources_menu_takes_the_message_text_and_date(bot: CrosscheckBot) -> None:
    cog = bot.get_cog("LibraryCommands")
    interaction = moderator(bot)
    await cog.add_message(interaction, message(ARTICLE))  # type: ignore[union-attr]
    assert "Added **Harbour notes**" in sent_text(interaction.followup.send)
    [source] = bot.library.store.added_sources(GUILD)  # type: ignore[attr-defined]
    assert (source.date, source.origin, source.text) == ("2027-04-30", "message", ARTICLE)
    answer = bot.library.engine_for(GUILD).answer("When will the Quillby ferry stop running?")
    assert answer.citations and answer.citations[0].source.id == source.id


async def test_a_long_first_line_is_shortened_into_the_title(bot: CrosscheckBot) -> None:
    cog = bot.get_cog("LibraryCommands")
    text = "The Quillby ferry will stop running on 3 May 2027, " + "the council said " * 12
    await cog.add_message(moderator(bot), message(text))  # type: ignore[union-attr]
    [title] = added_titles(bot)
    assert title.startswith("The Quillby ferry will stop") and title.endswith("…")
    assert len(title) <= 100


async def test_add_to_sources_menu_prefers_a_text_attachment(bot: CrosscheckBot) -> None:
    attachment = MagicMock(spec_set=discord.Attachment)
    attachment.filename, attachment.size, attachment.id = "notes.md", len(ARTICLE), 9
    attachment.content_type = "text/markdown"
    attachment.read = AsyncMock(return_value=ARTICLE.encode())
    interaction = moderator(bot)
    cog = bot.get_cog("LibraryCommands")
    await cog.add_message(interaction, message("see attached", [attachment]))  # type: ignore[union-attr]
    assert added_titles(bot) == ["Harbour notes"]


async def test_an_undeliverable_attachment_is_reported(bot: CrosscheckBot) -> None:
    attachment = MagicMock(spec_set=discord.Attachment)
    attachment.filename, attachment.size, attachment.id = "notes.txt", 10, 9
    attachment.content_type = "text/plain"
    response = MagicMock(status=404, reason="Not Found")
    attachment.read = AsyncMock(side_effect=discord.NotFound(response, "gone"))
    interaction = moderator(bot)
    cog = bot.get_cog("LibraryCommands")
    await cog.add_message(interaction, message("", [attachment]))  # type: ignore[union-attr]
    assert "could not deliver notes.txt" in sent_text(interaction.followup.send)
    assert added_titles(bot) == []


@pytest.mark.parametrize(
    ("date", "text", "added"),
    [("2027-04-30", ARTICLE, True), ("30/04/2027", ARTICLE, False), ("", "   ", False)],
)
async def test_paste_form_adds_or_explains(
    bot: CrosscheckBot, date: str, text: str, added: bool
) -> None:
    from bot.commands.library import PasteModal

    modal = PasteModal(bot.get_cog("LibraryCommands"))  # type: ignore[arg-type]
    modal.source_title._value, modal.date._value, modal.text._value = "Ferry", date, text
    interaction = moderator(bot)
    await modal.on_submit(interaction)
    reply = sent_text(interaction.followup.send)
    assert ("Added **Ferry**" in reply) is added
    assert ("Nothing was changed" in reply) is not added
    assert added_titles(bot) == (["Ferry"] if added else [])


async def test_label_and_remove_an_unknown_source_change_nothing(bot: CrosscheckBot) -> None:
    cog = bot.get_cog("LibraryCommands")
    interaction = moderator(bot)
    choice = app_commands.Choice(name="official", value="official")
    await cog.label.callback(cog, interaction, "no such source", choice)  # type: ignore[union-attr]
    assert "No source by that name" in sent_text(interaction.followup.send)
    assert bot.library.store.history(GUILD) == []  # type: ignore[attr-defined]


async def test_members_are_refused_by_every_library_command(bot: CrosscheckBot) -> None:
    member = MockInteraction(client=bot)
    member.user._roles = discord.utils.SnowflakeList([])
    menu = bot.tree.get_command("Add to sources", type=discord.AppCommandType.message)
    group = bot.tree.get_command("library")
    assert isinstance(menu, app_commands.ContextMenu) and isinstance(group, app_commands.Group)
    with pytest.raises(NotModerator):
        await menu._check_can_run(member)
    for command in group.commands:
        assert isinstance(command, app_commands.Command)
        with pytest.raises(NotModerator):
            await command._check_can_run(member)
    assert await group.commands[0]._check_can_run(moderator(bot))  # type: ignore[union-attr]


async def test_history_is_acknowledged_while_the_database_is_busy(bot: CrosscheckBot) -> None:
    """Discord drops an interaction not acknowledged within 3 s; a long change (another
    moderator's, or an import from the command line) may hold the database longer."""
    cog = bot.get_cog("LibraryCommands")
    interaction = moderator(bot)
    store = bot.library.store  # type: ignore[attr-defined]
    with store._lock:  # a change in progress
        task = asyncio.ensure_future(cog.history.callback(cog, interaction))  # type: ignore[union-attr]
        for _ in range(100):
            if interaction.response.defer.called:
                break
            await asyncio.sleep(0.02)
        assert interaction.response.defer.called, "not acknowledged while the database was busy"
        assert not task.done()
    await task
    [embed] = interaction.followup.send.call_args.kwargs["embeds"]
    assert embed.title and "history" in embed.title.lower()


async def test_an_attachment_the_cdn_never_finishes_is_reported(
    bot: CrosscheckBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.commands import library

    monkeypatch.setattr(library, "DOWNLOAD_TIMEOUT_SECONDS", 0.05, raising=False)
    attachment = MagicMock(spec_set=discord.Attachment)
    attachment.filename, attachment.size, attachment.id = "notes.txt", len(ARTICLE), 9
    attachment.content_type = "text/plain"

    async def stalled() -> bytes:
        await asyncio.sleep(5)
        return ARTICLE.encode()

    attachment.read = stalled
    interaction = moderator(bot)
    cog = bot.get_cog("LibraryCommands")
    await cog.add_message(interaction, message("", [attachment]))  # type: ignore[union-attr]
    assert "could not deliver notes.txt" in sent_text(interaction.followup.send)
    assert added_titles(bot) == []


async def test_paste_form_is_refused_to_someone_no_longer_a_moderator(bot: CrosscheckBot) -> None:
    from bot.commands.library import PasteModal

    modal = PasteModal(bot.get_cog("LibraryCommands"))  # type: ignore[arg-type]
    assert modal.timeout is not None  # a dismissed form is not kept for ever
    member = MockInteraction(permissions=discord.Permissions.none(), client=bot)
    member.user._roles = discord.utils.SnowflakeList([])  # the moderator role taken away
    assert await modal.interaction_check(member) is False
    assert "Only moderators" in sent_text(member.response.send_message)
    assert await modal.interaction_check(moderator(bot)) is True


async def test_conflict_checks_run_for_a_few_servers_and_turn_more_away(
    bot: CrosscheckBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks wait for one worker of their own: beyond four servers at once, a moderator is told
    to come back rather than left waiting behind them."""
    gate = threading.Event()

    class SlowEngine:
        def scan_conflicts(self, seconds: float | None) -> ConflictScan:
            gate.wait(10)
            return ConflictScan([], 1, 1, 1, 1, 0, 0)

    async def slow(guild_id: int | None) -> SlowEngine:
        return SlowEngine()

    monkeypatch.setattr(bot, "engine", slow)
    cog = bot.get_cog("LibraryCommands")
    asked = []
    for guild in range(1, 6):
        interaction = moderator(bot)
        interaction.guild_id = guild
        asked.append(interaction)
    checks = [asyncio.ensure_future(cog.conflicts.callback(cog, i)) for i in asked[:4]]  # type: ignore[union-attr]
    await asyncio.sleep(0.2)
    await cog.conflicts.callback(cog, asked[4])  # type: ignore[union-attr]
    assert "try again in a minute" in sent_text(asked[4].response.send_message)
    gate.set()
    await asyncio.wait_for(asyncio.gather(*checks), 10)
    for interaction in asked[:4]:
        interaction.response.defer.assert_called_once()
        embed = interaction.followup.send.call_args.kwargs["embeds"][0]
        assert embed.description == "No disagreements found between this server's sources."


POISONED = "Poisoned notes\nThe Quillby pier will reopen on 9 June 2031 after repairs."


@pytest.fixture
def failing_builds(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Builds of a library holding a source with one of these titles fail, as the build of a
    library with a 900 KB word once did ("Unable to allocate 35.6 GiB")."""
    import bot.answer.registry as registry_module

    real = registry_module.build_server_engine
    poison: set[str] = {"Poisoned notes"}

    def build(base, sources, index_store=None):  # type: ignore[no-untyped-def]
        if poison & {s.title for s in sources}:
            raise MemoryError("Unable to allocate 35.6 GiB for an array")
        return real(base, sources, index_store)

    monkeypatch.setattr(registry_module, "build_server_engine", build)
    return poison


async def test_a_source_the_index_cannot_take_is_reported_and_the_library_stays_changeable(
    bot: CrosscheckBot, failing_builds: set[str], tmp_path: Path, seeds_dir: Path
) -> None:
    cog = bot.get_cog("LibraryCommands")
    registry: LibraryRegistry = bot.library  # type: ignore[assignment]
    interaction = moderator(bot)
    await cog.add_message(interaction, message(POISONED))  # type: ignore[union-attr]
    reply = sent_text(interaction.followup.send)
    assert "Added **Poisoned notes**" in reply and "could not be indexed" in reply, reply
    assert "MemoryError" in reply and "/library remove" in reply
    [poisoned] = registry.store.added_sources(GUILD)  # committed all the same
    pier = "When will the Quillby pier reopen?"
    cited = bot.library.engine_for(GUILD).answer(pier).citations
    assert poisoned.id not in {c.source.id for c in cited}

    # Another add in that server works and is quoted; the reply still names the one left out.
    interaction = moderator(bot)
    await cog.add_message(interaction, message(ARTICLE))  # type: ignore[union-attr]
    reply = sent_text(interaction.followup.send)
    assert "Added **Harbour notes**" in reply and "can quote it now" in reply, reply
    assert "Not indexed" in reply and "Poisoned notes" in reply
    ferry = "When will the Quillby ferry stop running?"
    assert bot.library.engine_for(GUILD).answer(ferry).citations[0].source.title == "Harbour notes"

    # A restart does not stop at it either, and finds which of the server's sources it was.
    for n in range(5):  # more sources to search among
        await cog.add_message(moderator(bot), message(f"Depot {n}\nTram depot {n} opens."))  # type: ignore[union-attr]
    again = open_registry(seeds_dir, tmp_path / "data")  # the server loads at its first need
    assert [s.title for s, _ in again.snapshot(GUILD).skipped] == ["Poisoned notes"]
    assert again.engine_for(GUILD).answer(ferry).citations[0].source.title == "Harbour notes"
    again.store.close()

    # Nothing can be built: the change is confirmed, and the last index keeps answering.
    failing_builds.add("Harbour notes")
    interaction = moderator(bot)
    choice = app_commands.Choice(name="official", value="official")
    await cog.label.callback(cog, interaction, "Harbour notes", choice)  # type: ignore[union-attr]
    reply = sent_text(interaction.followup.send)
    assert "could not be rebuilt" in reply and "as it was before this change" in reply, reply
    assert bot.library.engine_for(GUILD).answer(ferry).citations[0].source.title == "Harbour notes"
    failing_builds.discard("Harbour notes")

    # The source the index could not take can be removed (it is not among the engine's).
    interaction = moderator(bot)
    await cog.remove.callback(cog, interaction, poisoned.id)  # type: ignore[union-attr]
    reply = sent_text(interaction.followup.send)
    assert "Removed" in reply and "Not indexed" not in reply and "could not" not in reply, reply
    cited = bot.library.engine_for(GUILD).answer(ferry).citations[0].source
    assert (cited.title, cited.label) == ("Harbour notes", "official")
