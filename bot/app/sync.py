"""Command sync: compare the tree with what Discord has, and push only when they differ.

Syncing is explicit (`python -m bot sync`) or happens at start when the tree changed; never in
`on_ready`, which fires again on every reconnect. A 5xx from Discord is an outage, not a
configuration error: it is retried with backoff, and reported as `SyncOutage` if it lasts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

_log = logging.getLogger(__name__)

T = TypeVar("T")
MISSING_ACCESS = 50001
# Waits between attempts when Discord answers 5xx (d.py itself already retries some 5xx).
SYNC_RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)


class StartupError(Exception):
    """A failure at start that the operator can fix; the message says how, in one line."""


class SyncOutage(Exception):
    """Discord kept answering 5xx to the command sync; not the operator's fault."""


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
    remote = await _with_retries(lambda: fetch_registered(bot, guild), bot, guild_id)
    if not commands_differ(local, remote, guild_scope=guild is not None):
        _log.info("Application commands in %s are up to date (%d).", where, len(local))
        return False
    synced = await _with_retries(lambda: bot.tree.sync(guild=guild), bot, guild_id)
    _log.info("Synced %d application commands to %s.", len(synced), where)
    return True


async def force_sync(bot: commands.Bot, guild_id: int | None) -> int:
    """Push the tree to Discord unconditionally; returns how many commands were synced."""
    guild = _command_scope(bot, guild_id)
    synced = await _with_retries(lambda: bot.tree.sync(guild=guild), bot, guild_id)
    return len(synced)


async def _with_retries(
    request: Callable[[], Awaitable[T]], bot: commands.Bot, guild_id: int | None
) -> T:
    """`request()`, retried on 5xx after each of `SYNC_RETRY_DELAYS`; other refusals raise
    `StartupError` at once (a permission or a definition problem does not fix itself)."""
    for attempt, delay in enumerate((*SYNC_RETRY_DELAYS, None), start=1):
        try:
            return await request()
        except discord.DiscordServerError as error:
            if delay is None:
                raise SyncOutage(
                    f"Discord kept failing the command sync ({error.status}) after {attempt} "
                    "tries; it looks like an outage, so try again later."
                ) from error
            _log.warning(
                "Discord answered %s to the command sync; retrying in %.0f s.", error.status, delay
            )
            await asyncio.sleep(delay)
        except discord.HTTPException as error:
            raise StartupError(_describe_sync_failure(bot, error, guild_id)) from error
    raise AssertionError("unreachable")


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
