"""`/library` (moderators): add, paste, remove and label this server's sources; see its
conflicts and history. Also the "Add to sources" message menu.

`/library` is its own top-level group because Discord applies `default_member_permissions` to
top-level commands only; the default (Manage Messages) hides it from members, and
`require_moderator` enforces it for real, since server admins may change the default. Every
change is deferred ephemerally (the index rebuild may take a moment), runs through the
registry (one transaction, then a fresh engine swapped in), and is confirmed in one line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.registry import LibraryRegistry, NotIndexed
from bot.app.bot import CrosscheckBot, is_moderator, require_moderator
from bot.app.tree import (
    NO_MENTIONS,
    NotModerator,
    describe_command_error,
    reply_to_error,
    send_reply,
)
from bot.commands.feedback import feedback_embed
from bot.commands.sources import find_source, source_choices
from bot.library.base import LABELS, Draft, LibraryError, LibraryStore
from bot.library.parsing import check_size, is_text_file, parse_text, parse_upload
from bot.rendering.embed import clean, conflict_embed, history_embed
from bot.rendering.feedback import report_days
from bot.sources import Source

_log = logging.getLogger(__name__)

T = TypeVar("T")
MENU_NAME = "Add to sources"
LABEL_CHOICES = [app_commands.Choice(name=label, value=label) for label in LABELS]
MODERATORS = discord.Permissions(manage_messages=True)
MAX_MODAL_TEXT = 4000  # Discord's limit for a paragraph text input
PASTE_FORM_SECONDS = 30 * 60
# A CDN that stalls would otherwise hold the moderator's "thinking…" for aiohttp's 5 minutes.
DOWNLOAD_TIMEOUT_SECONDS = 60.0
# `/library conflicts` checks running or waiting at once, all servers together: one runs at a
# time, each for at most CONFLICTS_SECONDS, so the last waits a few of those at most.
MAX_CONFLICT_CHECKS = 4


@app_commands.default_permissions(manage_messages=True)
@app_commands.guild_only()
class LibraryCommands(commands.GroupCog, group_name="library"):
    """Moderators: add, label and remove this server's sources."""

    def __init__(self, bot: CrosscheckBot) -> None:
        self.bot = bot
        super().__init__()
        # Context menus cannot be defined in a class body; build one per cog instance.
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.add_message)
        self.menu.default_permissions = MODERATORS
        self.menu.guild_only = True
        bot.tree.add_command(self.menu)
        # `/library conflicts` reads every passage of a library: its own worker, so that library
        # changes, rebuilds, history and "Check against sources" (the default pool) never wait
        # behind it; servers whose check is running or waiting for the worker.
        self._conflicts = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="crosscheck-worker-conflicts"
        )
        self._conflict_runs: set[int] = set()

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self._conflicts.shutdown(wait=False, cancel_futures=True)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_moderator(interaction)

    @property
    def registry(self) -> LibraryRegistry:
        return self.bot.library  # type: ignore[return-value]

    # --- adding -----------------------------------------------------------------------------

    @app_commands.command(name="add")
    @app_commands.describe(
        file="A .txt or .md file with the article's text",
        title="Title shown with citations (default: the first short line, else the file name)",
        date="The article's date, YYYY-MM-DD",
        label="How far to trust it; shown next to every citation",
    )
    @app_commands.choices(label=LABEL_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        title: str | None = None,
        date: str | None = None,
        label: app_commands.Choice[str] | None = None,
    ) -> None:
        """Add a .txt or .md file to this server's sources."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            draft = await self._draft_from(
                file, "upload", title=title, date=date, label=label.value if label else None
            )
        except LibraryError as error:
            await self._refuse(interaction, error)
            return
        await self._add(interaction, draft)

    @app_commands.command(name="paste")
    async def paste(self, interaction: discord.Interaction) -> None:
        """Paste an article's text (with a title and date) as a new source."""
        await interaction.response.send_modal(PasteModal(self))

    @app_commands.check(require_moderator)
    async def add_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        date = message.created_at.date().isoformat()
        try:
            attachment = next(
                (a for a in message.attachments if is_text_file(a.filename, a.content_type)),
                None,
            )
            if attachment is not None:
                draft = await self._draft_from(attachment, "message", date=date)
            else:
                draft = parse_text(
                    message.content, date=date, origin="message",
                    fallback_title=_first_line(message.content),
                    max_bytes=self.bot.settings.max_source_bytes,
                )  # fmt: skip
        except LibraryError as error:
            await self._refuse(interaction, error)
            return
        await self._add(interaction, draft)

    async def _draft_from(
        self, attachment: discord.Attachment, origin: str, **meta: str | None
    ) -> Draft:
        """Download and check an attachment; `meta` is title, date and label when given."""
        raw = await self._download(attachment)
        return parse_upload(
            raw, attachment.filename, origin=origin, content_type=attachment.content_type,
            max_bytes=self.bot.settings.max_source_bytes, **meta,
        )  # fmt: skip

    async def _download(self, attachment: discord.Attachment) -> bytes:
        """The attachment's bytes; refuses before downloading what is too big."""
        check_size(attachment.size, attachment.filename, self.bot.settings.max_source_bytes)
        try:
            return await asyncio.wait_for(attachment.read(), DOWNLOAD_TIMEOUT_SECONDS)
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as error:
            _log.warning("Could not download attachment %s: %s", attachment.id, error)
            raise LibraryError(
                f"Discord could not deliver {attachment.filename}; upload it again."
            ) from error

    async def _add(self, interaction: discord.Interaction, draft: Draft) -> None:
        guild_id = _guild(interaction)
        settings = self.bot.settings

        def add(store: LibraryStore) -> Source:
            base = self.registry.base
            return store.add(
                guild_id, draft, str(interaction.user.id), base, settings.max_sources_per_server
            )

        done = await self._change(interaction, add)
        if done is not None:
            source, not_indexed = done
            label = f" [{source.label}]" if source.label else ""
            added = f"Added **{clean(source.title)}**{label} as source `{source.id}`"
            if not_indexed is None or not_indexed.quotes(source.id):
                added += "; answers in this server can quote it now"
            if not_indexed is None:
                await send_reply(interaction, _sentence(added))
            else:
                await send_reply(interaction, _with_index_note(added, not_indexed, source.id))

    # --- changing ---------------------------------------------------------------------------

    @app_commands.command(name="remove")
    @app_commands.describe(source="The source to remove; start typing its title")
    async def remove(self, interaction: discord.Interaction, source: str) -> None:
        """Remove a source from this server's library (a base source is hidden here only)."""
        guild = _guild(interaction)
        await self._change_source(
            interaction,
            source,
            lambda store, found, actor: store.remove(guild, found.id, actor, self.registry.base),
        )

    @app_commands.command(name="label")
    @app_commands.describe(source="The source to label", label="Shown next to every citation")
    @app_commands.choices(label=LABEL_CHOICES)
    async def label(
        self, interaction: discord.Interaction, source: str, label: app_commands.Choice[str]
    ) -> None:
        """Label a source: official, verified, unverified, disputed, opinion or satire."""
        guild = _guild(interaction)
        await self._change_source(
            interaction,
            source,
            lambda store, found, actor: store.set_label(
                guild, found.id, label.value, actor, self.registry.base
            ),
        )

    async def _change_source(
        self,
        interaction: discord.Interaction,
        value: str,
        action: Callable[[LibraryStore, Source, str], str],
    ) -> None:
        """Find the source a moderator picked, change it, and confirm the change in one line."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self._find(interaction, value)
        if found is None:
            return
        actor = str(interaction.user.id)
        done = await self._change(interaction, lambda store: action(store, found, actor))
        if done is not None:
            summary, not_indexed = done
            if not_indexed is None:
                await send_reply(interaction, _sentence(clean(summary)))
            else:
                await send_reply(interaction, _with_index_note(clean(summary), not_indexed))

    @remove.autocomplete("source")
    @label.autocomplete("source")
    async def _source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not is_moderator(interaction):  # checks do not run for autocomplete
            return []
        return source_choices(await self.registry.library_of(interaction.guild_id), current)

    async def _find(self, interaction: discord.Interaction, value: str) -> Source | None:
        # The committed library: a source the index could not take can still be removed.
        found = find_source(await self.registry.library_of(interaction.guild_id), value)
        if found is None:
            await send_reply(interaction, "No source by that name here; pick a suggestion.")
        return found

    async def _change(
        self, interaction: discord.Interaction, action: Callable[[LibraryStore], T]
    ) -> tuple[T, NotIndexed | None] | None:
        """Run a change for this server: its result, and what the index could not take in,
        if anything; on a refusal, say why and return None."""
        not_indexed = None
        try:
            result = await self.registry.change(_guild(interaction), action)
        except LibraryError as error:
            await self._refuse(interaction, error)
            return None
        except NotIndexed as error:  # committed all the same
            result, not_indexed = error.result, error  # type: ignore[assignment]
        _log.info(
            "Library change in guild %s by user %s", interaction.guild_id, interaction.user.id
        )
        return result, not_indexed

    async def _refuse(self, interaction: discord.Interaction, error: LibraryError) -> None:
        _log.info("Library change refused in guild %s: %s", interaction.guild_id, error)
        await send_reply(interaction, f"Nothing was changed: {clean(str(error))}")

    # --- looking ----------------------------------------------------------------------------

    @app_commands.command(name="conflicts")
    async def conflicts(self, interaction: discord.Interaction) -> None:
        """The disagreements between this server's sources."""
        guild_id = _guild(interaction)
        busy = _busy_message(guild_id, self._conflict_runs)
        if busy is not None:
            await interaction.response.send_message(
                busy, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        self._conflict_runs.add(guild_id)  # before any await: six at once start one check
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            engine = await self.bot.engine(guild_id)
            seconds = self.bot.settings.conflicts_seconds
            loop = asyncio.get_running_loop()
            scan = await loop.run_in_executor(self._conflicts, engine.scan_conflicts, seconds)
        finally:
            self._conflict_runs.discard(guild_id)
        _log.info(
            "Conflicts in guild %s: %d found, %d of %d passages read, %d of %d pairs compared",
            guild_id, len(scan.conflicts), scan.read, scan.passages, scan.compared, scan.pairs,
        )  # fmt: skip
        await send_reply(interaction, embeds=[conflict_embed(scan.conflicts, scan.shortfall())])

    @app_commands.command(name="history")
    async def history(self, interaction: discord.Interaction) -> None:
        """The last changes to this server's library: who, what, when."""
        # The database may be held by a change in progress for longer than Discord waits.
        await interaction.response.defer(ephemeral=True, thinking=True)
        changes = await asyncio.to_thread(self.registry.store.history, _guild(interaction), 15)
        await send_reply(interaction, embeds=[history_embed(changes)])

    @app_commands.command(name="feedback")
    async def feedback(self, interaction: discord.Interaction) -> None:
        """Members' feedback: the most disliked answers, the questions the sources lacked."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        days = report_days(self.bot.settings.feedback_retention_days)
        report = await asyncio.to_thread(
            self.registry.store.feedback_report, _guild(interaction), days
        )
        await send_reply(interaction, embeds=[feedback_embed(report)])


class PasteModal(discord.ui.Modal, title="Add a source"):
    """Title, date and text of an article pasted in."""

    source_title = discord.ui.TextInput(
        label="Title", required=False, max_length=256, placeholder="Default: the first line"
    )
    date = discord.ui.TextInput(
        label="Date (YYYY-MM-DD)", required=False, max_length=10, placeholder="2025-03-25"
    )
    text = discord.ui.TextInput(
        label="Text", style=discord.TextStyle.paragraph, max_length=MAX_MODAL_TEXT
    )

    def __init__(self, cog: LibraryCommands) -> None:
        # A form left open this long is forgotten (and its submission refused by Discord's
        # "interaction failed"), rather than kept in memory for ever.
        super().__init__(timeout=PASTE_FORM_SECONDS)
        self.cog = cog

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """The moderator check again at submission: a role may have been taken away meanwhile."""
        if is_moderator(interaction):
            return True
        await send_reply(interaction, describe_command_error(NotModerator()) or "")
        return False

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            draft = parse_text(
                self.text.value, title=self.source_title.value, date=self.date.value,
                origin="paste", max_bytes=self.cog.bot.settings.max_source_bytes,
            )  # fmt: skip
        except LibraryError as error:
            await self.cog._refuse(interaction, error)
            return
        await self.cog._add(interaction, draft)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        """An unexpected error: answered (the form's "thinking…" must not hang) and logged."""
        await reply_to_error(interaction, error, "library paste form")


def _guild(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:  # guild_only, so Discord never sends one without
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def _first_line(text: str, limit: int = 100) -> str:
    """A message's first non-empty line, shortened: its title when that line is long."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "Message")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _busy_message(guild_id: int, running: set[int]) -> str | None:
    """Why a conflicts check cannot start now (one per server; a few servers at a time)."""
    if guild_id in running:
        return (
            "A check of this server's sources for disagreements is already running; its result "
            "goes to whoever started it. Try again when it is done."
        )
    if len(running) >= MAX_CONFLICT_CHECKS:
        return "Other servers' sources are being checked right now; try again in a minute."
    return None


def _with_index_note(done: str, not_indexed: NotIndexed, source_id: str | None = None) -> str:
    """The confirmation of a committed change (`done`, Markdown) and what the index answers
    without: the library as before the change, or sources it could not take in."""
    snapshot = not_indexed.snapshot
    if snapshot.stale:
        return (
            f"{done[:1].upper()}{done[1:]}, but the index could not be rebuilt "
            f"({clean(snapshot.stale)}): /ask answers from the library as it was before this "
            "change until the next change rebuilds it."
        )
    skipped = [source for source, _ in snapshot.skipped]
    if [source.id for source in skipped] == [source_id]:
        return (
            f"{done}, but it could not be indexed ({clean(snapshot.skipped[0][1])}): /ask does "
            "not quote it; remove it with /library remove."
        )
    titles = ", ".join(f"**{clean(s.title)}**" for s in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    why = clean(snapshot.skipped[0][1])
    return (
        f"{_sentence(done)} Not indexed, so not quoted by /ask: {titles}{more} ({why}); "
        "remove them with /library remove."
    )


def _sentence(summary: str) -> str:
    return summary[:1].upper() + summary[1:] + "."


async def setup(bot: CrosscheckBot) -> None:
    await bot.add_cog(LibraryCommands(bot))
