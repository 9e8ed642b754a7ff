"""The Discord client: the bot, its command tree and error replies, command sync, start and stop.

`run_bot` and `sync_commands` are what `python -m bot run|sync` call; each returns an exit code
and turns the failures an operator can fix (bad token, missing scope, refused intent, broken
sources) into one log line instead of a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import math
import signal
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.answer import AnswerEngine
from bot.answer_types import Answer
from bot.commands import EXTENSIONS
from bot.passages import Passage
from bot.settings import Settings
from bot.sources import Source, SourceError

_log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CONFIG = 2
MISSING_ACCESS = 50001
CLOSE_AUTHENTICATION_FAILED = 4004
NO_MENTIONS = discord.AllowedMentions.none()


class Engine(Protocol):
    """What the Discord layer needs from `bot.answer.AnswerEngine`."""

    @property
    def sources(self) -> tuple[Source, ...]: ...

    def passages_of(self, source_id: str) -> list[Passage]: ...

    def answer(self, question: str) -> Answer: ...


class StartupError(Exception):
    """A failure at start that the operator can fix; the message says how, in one line."""


# --- replies and errors ---------------------------------------------------------------------


async def send_reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    ephemeral: bool = True,
) -> None:
    """Reply through `response` if nothing was sent yet, else through `followup`."""
    if interaction.response.is_done():
        await interaction.followup.send(
            content, embeds=list(embeds), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            content, embeds=list(embeds), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )


def describe_command_error(error: app_commands.AppCommandError) -> str | None:
    """One short sentence for a user-facing error, or None for an unexpected one."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"You're asking a bit fast: try again in {math.ceil(error.retry_after)} s."
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"You need the {needed} permission to use this command."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I need the {needed} permission here to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


class CrosscheckTree(app_commands.CommandTree):
    """A command tree that answers every failed command with one short ephemeral sentence."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        message = describe_command_error(error)
        if message is None:
            original = getattr(error, "original", error)
            name = interaction.command.qualified_name if interaction.command else "?"
            _log.error("Unexpected error in command %r", name, exc_info=original)
            message = "Something went wrong on my side; it has been logged. Please try again later."
        try:
            await send_reply(interaction, message, ephemeral=True)
        except discord.HTTPException as reply_error:
            _log.warning("Could not send the error reply: %s", reply_error)


def question_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    """Per-user cooldown for questions, from `ASK_COOLDOWN_SECONDS` (0 turns it off)."""
    settings: Settings = interaction.client.settings  # type: ignore[attr-defined]
    seconds = settings.ask_cooldown_seconds
    return app_commands.Cooldown(1, seconds) if seconds > 0 else None


# --- the bot --------------------------------------------------------------------------------


# The bot never joins voice: no warning at every start about missing voice libraries.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class CrosscheckBot(commands.Bot):
    """The bot: default intents, no mentions ever, commands loaded and synced in `setup_hook`."""

    def __init__(
        self, settings: Settings, engine: Engine | None, *, sync_on_start: bool = True
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
        )
        self.settings = settings
        self._engine = engine
        self.sync_on_start = sync_on_start

    @property
    def engine(self) -> Engine:
        """The answer engine, built once before the bot starts."""
        if self._engine is None:
            raise RuntimeError("this bot was started without an answer engine")
        return self._engine

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_on_start:
            await sync_if_changed(self, self.settings.guild_id)

    async def on_connect(self) -> None:
        # READY carries a resume_gateway_url that d.py uses for every later RESUME. With a
        # configured gateway (a proxy, a test server) that would bypass it, so pin it back.
        if self.settings.custom_gateway and self.ws is not None:
            self.ws.gateway = yarl.URL(self.settings.gateway_url)


# --- command sync ---------------------------------------------------------------------------


def _command_scope(bot: commands.Bot, guild_id: int | None) -> discord.Object | None:
    """The guild to sync to (global commands copied there), or None for global."""
    if guild_id is None:
        return None
    guild = discord.Object(guild_id)
    bot.tree.copy_global_to(guild=guild)
    return guild


def _normalise_option(option: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": option["type"],
        "name": option["name"],
        "description": option.get("description") or "",
        "required": bool(option.get("required", False)),
        "autocomplete": bool(option.get("autocomplete", False)),
        "choices": [{"name": c["name"], "value": c["value"]} for c in option.get("choices") or ()],
        "channel_types": sorted(option.get("channel_types") or ()),
        **{k: option.get(k) for k in ("min_value", "max_value", "min_length", "max_length")},
        "options": [_normalise_option(o) for o in option.get("options") or ()],
    }


def normalise_command(payload: Mapping[str, Any], *, guild_scope: bool = False) -> dict[str, Any]:
    """The parts of a command payload that matter, with Discord's defaults filled in.

    `contexts` and `integration_types` apply to global commands only; Discord may return null
    for them on guild commands, so they are left out of a guild-scope comparison.
    """
    permissions = payload.get("default_member_permissions")
    normalised = {
        "type": payload.get("type", 1),
        "name": payload["name"],
        "description": payload.get("description") or "",
        "options": [_normalise_option(o) for o in payload.get("options") or ()],
        "default_member_permissions": None if permissions is None else str(permissions),
        "nsfw": bool(payload.get("nsfw", False)),
        "name_localizations": payload.get("name_localizations") or {},
        "description_localizations": payload.get("description_localizations") or {},
    }
    if not guild_scope:
        normalised["contexts"] = sorted(payload.get("contexts") or ())
        normalised["integration_types"] = sorted(payload.get("integration_types") or ())
    return normalised


def commands_differ(
    local: Iterable[Mapping[str, Any]],
    remote: Iterable[Mapping[str, Any]],
    *,
    guild_scope: bool = False,
) -> bool:
    """Whether the tree's payloads differ from what Discord has registered."""

    def as_set(payloads: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        normalised = (normalise_command(p, guild_scope=guild_scope) for p in payloads)
        return sorted(normalised, key=lambda c: (c["type"], c["name"]))

    return as_set(local) != as_set(remote)


async def fetch_registered(
    bot: commands.Bot, guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    """The raw command payloads Discord has registered for the application in this scope.

    Raw JSON rather than `tree.fetch_commands()`: in discord.py 2.7.1 `AppCommand` parses
    `contexts` with 1-based array flags, so a guild-only command ([0]) reads back as [].
    """
    if bot.application_id is None:
        raise app_commands.MissingApplicationID
    if guild is None:
        return list(await bot.http.get_global_commands(bot.application_id))
    return list(await bot.http.get_guild_commands(bot.application_id, guild.id))


async def sync_if_changed(bot: commands.Bot, guild_id: int | None) -> bool:
    """Sync the tree only when Discord's copy differs, so a plain restart costs no writes.

    With a guild ID the global commands are copied to that guild and synced there only (guild
    commands update instantly); syncing both scopes would list every command twice.
    Raises `StartupError` when Discord refuses.
    """
    guild = _command_scope(bot, guild_id)
    where = f"server {guild_id}" if guild_id else "global scope"
    local = [command.to_dict(bot.tree) for command in bot.tree.get_commands(guild=guild)]
    try:
        remote = await fetch_registered(bot, guild)
        if not commands_differ(local, remote, guild_scope=guild is not None):
            _log.info("Application commands in %s are up to date (%d).", where, len(local))
            return False
        synced = await bot.tree.sync(guild=guild)
    except discord.HTTPException as error:
        raise StartupError(_describe_sync_failure(bot, error, guild_id)) from error
    _log.info("Synced %d application commands to %s.", len(synced), where)
    return True


async def force_sync(bot: commands.Bot, guild_id: int | None) -> int:
    """Push the tree to Discord unconditionally; returns how many commands were synced."""
    guild = _command_scope(bot, guild_id)
    try:
        synced = await bot.tree.sync(guild=guild)
    except discord.HTTPException as error:
        raise StartupError(_describe_sync_failure(bot, error, guild_id)) from error
    return len(synced)


def _describe_sync_failure(
    bot: commands.Bot, error: discord.HTTPException, guild_id: int | None
) -> str:
    if isinstance(error, discord.Forbidden) and error.code == MISSING_ACCESS:
        invite = discord.utils.oauth_url(
            bot.application_id or 0, scopes=("bot", "applications.commands")
        )
        where = f"server {guild_id}" if guild_id else "this application"
        return (
            f"Discord refused the command sync for {where} (403 Missing Access, code 50001): "
            f"the bot must be in that server and invited with the applications.commands scope: "
            f"{invite}"
        )
    if isinstance(error, app_commands.CommandSyncFailure):
        return f"Discord rejected the command definitions (400): {error.text}"
    return f"Discord refused the command sync ({error.status}, code {error.code}): {error.text}"


# --- start, stop, logging, endpoints --------------------------------------------------------


def configure_logging(level: str) -> None:
    """Set up standard-library logging once: `level` for the app, WARNING for discord.http."""
    root = logging.getLogger()
    if not root.handlers:
        discord.utils.setup_logging(level=logging.getLevelNamesMapping()[level], root=True)
    root.setLevel(level)
    logging.getLogger("discord.http").setLevel(logging.WARNING)


def apply_endpoints(settings: Settings) -> None:
    """Point d.py at the configured REST base and gateway. Call before creating the bot.

    Every REST call (including interaction responses and followups, which go through the same
    `Route` class as webhooks) uses `Route.BASE`. A plain `Bot` connects to `DEFAULT_GATEWAY`
    without asking /gateway/bot; READY's resume URL is handled in `CrosscheckBot.on_connect`.
    """
    discord.http.Route.BASE = settings.api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)
    _log.info("Discord REST API: %s; gateway: %s", settings.api_base, settings.gateway_url)


def _build_engine(settings: Settings) -> Engine:
    _log.info("Indexing sources in %s", settings.sources_dir)
    engine = AnswerEngine.from_folder(settings.sources_dir)
    _log.info("Indexed %d sources.", len(engine.sources))
    return engine


def _describe_start_failure(error: BaseException, settings: Settings) -> tuple[str, int] | None:
    """One line and an exit code for a failure the operator can fix; None if unexpected."""
    if isinstance(error, discord.LoginFailure) or (
        isinstance(error, discord.ConnectionClosed) and error.code == CLOSE_AUTHENTICATION_FAILED
    ):
        return (
            "Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN; it is the bot "
            "token from the Developer Portal's Bot page, not the client secret.",
            EXIT_CONFIG,
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return (
            "Discord refused a privileged gateway intent (close code 4014). Crosscheck asks for "
            "none, so check DISCORD_GATEWAY_URL, or enable the intent in the Developer Portal.",
            EXIT_CONFIG,
        )
    if isinstance(error, StartupError | SourceError):
        return str(error), EXIT_CONFIG
    if isinstance(error, aiohttp.ClientError | OSError):
        return f"Cannot reach Discord at {settings.api_base}: {error}", EXIT_ERROR
    return None


def _report(error: BaseException, settings: Settings) -> int:
    described = _describe_start_failure(error, settings)
    if described is None:
        _log.critical("Crosscheck stopped on an unexpected error", exc_info=error)
        return EXIT_ERROR
    message, code = described
    _log.error("%s", message)
    return code


class _Shutdown:
    """SIGINT/SIGTERM handler: close the bot cleanly (d.py leaves SIGTERM to the caller)."""

    def __init__(self) -> None:
        self.requested = False
        self.bot: CrosscheckBot | None = None
        self._closing: asyncio.Future[None] | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        if sys.platform == "win32":  # no add_signal_handler; Ctrl-C still ends `asyncio.run`
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request, sig)

    def remove(self, loop: asyncio.AbstractEventLoop) -> None:
        if sys.platform != "win32":
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def request(self, sig: signal.Signals) -> None:
        _log.info("Received %s: closing the connection.", sig.name)
        self.requested = True
        if self.bot is not None and self._closing is None:
            self._closing = asyncio.ensure_future(self.bot.close())


async def _serve(settings: Settings) -> int:
    if not settings.token:
        _log.error("DISCORD_TOKEN is not set: put the bot token in the environment or in .env.")
        return EXIT_CONFIG
    loop = asyncio.get_running_loop()
    shutdown = _Shutdown()
    shutdown.install(loop)
    try:
        apply_endpoints(settings)
        engine = await asyncio.to_thread(_build_engine, settings)
        if shutdown.requested:
            return EXIT_OK
        bot = shutdown.bot = CrosscheckBot(settings, engine)
        async with bot:
            await bot.start(settings.token)
    except Exception as error:
        if shutdown.requested:  # closing mid-login can fail a request in flight; that is fine
            _log.debug("Error while shutting down", exc_info=error)
            return EXIT_OK
        return _report(error, settings)
    finally:
        shutdown.remove(loop)
    _log.info("Disconnected; bye.")
    return EXIT_OK


async def _sync(settings: Settings, guild_id: int | None) -> int:
    if not settings.token:
        _log.error("DISCORD_TOKEN is not set: put the bot token in the environment or in .env.")
        return EXIT_CONFIG
    apply_endpoints(settings)
    bot = CrosscheckBot(settings, engine=None, sync_on_start=False)
    try:
        async with bot:
            await bot.login(settings.token)  # REST only: no gateway connection needed
            count = await force_sync(bot, guild_id)
    except Exception as error:
        return _report(error, settings)
    where = f"server {guild_id}" if guild_id else "global scope"
    _log.info("Synced %d application commands to %s.", count, where)
    return EXIT_OK


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM; returns the process exit code."""
    configure_logging(settings.log_level)
    return asyncio.run(_serve(settings))


def sync_commands(settings: Settings, guild_id: int | None = None) -> int:
    """Push the commands to Discord now and exit: to `guild_id`, else `DISCORD_GUILD_ID`, else
    globally. Returns the process exit code."""
    configure_logging(settings.log_level)
    return asyncio.run(_sync(settings, guild_id if guild_id is not None else settings.guild_id))
