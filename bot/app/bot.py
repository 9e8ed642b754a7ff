"""The bot: default intents, no mentions ever, one library of sources per server.

Commands reach a server's answer engine through `await engine(guild_id)`, read once per
question, so a library change swapped in mid-question never mixes two libraries in one answer.
A server's engine may have to load first (`engine_ready` says whether): a command defers before
waiting for it, so Discord gets its first response within 3 seconds.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.app.tree import NO_MENTIONS, CrosscheckTree, NotModerator
from bot.commands import EXTENSIONS
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.answer.registry import Engine
    from bot.library.base import LibraryStore
    from bot.sources import Source

# The bot never joins voice: no warning at every start about missing voice libraries.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

_log = logging.getLogger(__name__)

MAX_TRACKED_COOLDOWNS = 1000


class Library(Protocol):
    """What the bot needs from `bot.answer.registry.LibraryRegistry` to answer."""

    def ready(self, guild_id: int | None) -> bool: ...

    async def engine(self, guild_id: int | None) -> Engine: ...

    async def library_of(self, guild_id: int | None) -> tuple[Source, ...]: ...

    async def follow_other_processes(self) -> None: ...


class CrosscheckBot(commands.Bot):
    """The bot: default intents, no mentions ever, commands loaded and synced in `setup_hook`."""

    def __init__(
        self,
        settings: Settings,
        library: Library | None,
        *,
        sync_on_start: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents.default(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=CrosscheckTree,
            # Explicit scopes: a server's sources answer in that server, and an explicit
            # value is echoed back by Discord, so the sync comparison stays stable.
            allowed_contexts=app_commands.AppCommandContext(guild=True),
            allowed_installs=app_commands.AppInstallationType(guild=True),
            **options,
        )
        self.settings = settings
        self._library = library
        self.sync_on_start = sync_on_start
        # One cooldown per member shared by every question command (see `question_cooldown`).
        self.question_cooldowns: dict[int, app_commands.Cooldown] = {}

    @property
    def library(self) -> Library:
        """The per-server libraries, loaded before the bot starts."""
        if self._library is None:
            raise RuntimeError("this bot was started without a library")
        return self._library

    def engine_ready(self, guild_id: int | None) -> bool:
        """Whether this server's engine answers without loading first (never waits)."""
        return self.library.ready(guild_id)

    async def engine(self, guild_id: int | None) -> Engine:
        """The answer engine of this server's library as it is now, loaded if it must be
        (off the event loop; defer first unless `engine_ready`)."""
        return await self.library.engine(guild_id)

    async def engine_deferring(
        self, interaction: discord.Interaction, *, ephemeral: bool
    ) -> Engine:
        """The interaction's server's engine; when it must load first, the reply is deferred
        (`ephemeral` or not) before waiting for it."""
        if not self.engine_ready(interaction.guild_id):
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        return await self.engine(interaction.guild_id)

    @property
    def feedback_store(self) -> LibraryStore | None:
        """Where answers and feedback on them are recorded: the library database, or None
        (the `sync` command, a fixed engine), and then answers get no feedback buttons."""
        return getattr(self._library, "store", None)

    async def setup_hook(self) -> None:
        from bot.app.sync import sync_if_changed
        from bot.commands.answer_view import MoreExcerpts
        from bot.commands.feedback import start_feedback

        await start_feedback(self)  # the buttons of answers sent before this start work too
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # Buttons under answers posted before this start keep working.
        self.add_dynamic_items(MoreExcerpts)
        if self.sync_on_start:
            await sync_if_changed(self, self.settings.guild_id)

    async def on_connect(self) -> None:
        # READY carries a resume_gateway_url that d.py uses for every later RESUME. With a
        # configured gateway (a proxy, a test server) that would bypass it, so pin it back.
        if self.settings.custom_gateway and self.ws is not None:
            self.ws.gateway = yarl.URL(self.settings.gateway_url)


class ShardedCrosscheckBot(CrosscheckBot, commands.AutoShardedBot):
    """The bot running the shards `SHARD_IDS` of `SHARD_COUNT`: one gateway connection each,
    and Discord sends each connection only the events of its shard's servers."""

    def __init__(
        self, settings: Settings, library: Library | None, *, sync_on_start: bool = True
    ) -> None:
        shard_ids = None if settings.shard_ids is None else list(settings.shard_ids)
        super().__init__(
            settings,
            library,
            sync_on_start=sync_on_start,
            shard_count=settings.shard_count,
            shard_ids=shard_ids,
        )

    async def on_shard_connect(self, shard_id: int) -> None:
        # As `on_connect`, for each shard's own connection (`self.ws` is None when sharded).
        if self.settings.custom_gateway:
            self._connection._get_websocket(shard_id=shard_id).gateway = yarl.URL(
                self.settings.gateway_url
            )


def make_bot(settings: Settings, library: Library) -> CrosscheckBot:
    """The bot `python -m bot run` starts: sharded when SHARD_COUNT is set, and syncing the
    commands at start only in the process that runs shard 0 (see `Settings.syncs_commands`)."""
    if settings.shard_count is None:
        return CrosscheckBot(settings, library)
    shards = settings.shard_ids or range(settings.shard_count)
    _log.info(
        "Running shards %s of %d; %s syncs the commands.",
        ", ".join(map(str, shards)),
        settings.shard_count,
        "this process" if settings.syncs_commands else "the process running shard 0",
    )
    return ShardedCrosscheckBot(settings, library, sync_on_start=settings.syncs_commands)


def question_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    """Per-member cooldown for questions, from `ASK_COOLDOWN_SECONDS` (0 turns it off).

    `/ask` and "Check against sources" each keep their own cooldown mapping, but both get the
    member's one `Cooldown` object from here, so a question by either counts for both.
    """
    bot: CrosscheckBot = interaction.client  # type: ignore[assignment]
    seconds = bot.settings.ask_cooldown_seconds
    if seconds <= 0:
        return None
    shared = bot.question_cooldowns
    if len(shared) > MAX_TRACKED_COOLDOWNS:  # forget members whose cooldown has run out
        for user_id in [u for u, c in shared.items() if c.get_tokens() >= c.rate]:
            del shared[user_id]
    return shared.setdefault(interaction.user.id, app_commands.Cooldown(1, seconds))


def manages_messages(interaction: discord.Interaction) -> bool:
    """Whether the member may manage messages in this channel. Discord sends an administrator
    every permission bit, but a compatible server may send the Administrator bit alone."""
    permissions = interaction.permissions
    return permissions.manage_messages or permissions.administrator


def is_moderator(interaction: discord.Interaction) -> bool:
    """Manage Messages in this channel, or one of the roles in `MODERATOR_ROLE_ID`."""
    if interaction.guild_id is None:
        return False
    if manages_messages(interaction):
        return True
    bot: CrosscheckBot = interaction.client  # type: ignore[assignment]
    user = interaction.user
    # The member's role ids come with the interaction; `Member.roles` would need the guild's
    # role cache, which a server the bot has not fully received yet may lack.
    return isinstance(user, discord.Member) and any(
        user._roles.has(role_id) for role_id in bot.settings.moderator_role_ids
    )


def require_moderator(interaction: discord.Interaction) -> bool:
    """The real check behind `/library`'s default permission (which admins can override)."""
    if not is_moderator(interaction):
        raise NotModerator()
    return True
