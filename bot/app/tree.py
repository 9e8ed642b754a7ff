"""Replies and errors: one helper that replies whatever was sent before, one error handler.

Every failed command gets one short ephemeral sentence. What a member or a stale client can
cause (a cooldown, a missing permission, an unknown or outdated command, an option of the wrong
type) is logged as one WARNING line; only unexpected errors are logged with a traceback.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import discord
from discord import app_commands

_log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again later."
OUTDATED_COMMAND = (
    "This command is out of date or was sent with options I don't understand; "
    "reload Discord (Ctrl+R) and try again."
)


class NotModerator(app_commands.CheckFailure):
    """A member reached a moderator command (Manage Messages, or the moderator role)."""


class MalformedOptions(app_commands.AppCommandError):
    """The options sent do not match the command: a wrong type, unknown or missing."""


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
    if isinstance(error, NotModerator):
        return (
            "Only moderators can change this server's library "
            "(the Manage Messages permission, or the moderator role)."
        )
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
    if isinstance(
        error,
        app_commands.CommandNotFound
        | app_commands.CommandSignatureMismatch
        | app_commands.TransformerError
        | MalformedOptions,
    ):
        return OUTDATED_COMMAND
    return None


def _command_name(interaction: discord.Interaction, error: app_commands.AppCommandError) -> str:
    if isinstance(error, app_commands.CommandNotFound):
        return " ".join([*error.parents, error.name])
    return interaction.command.qualified_name if interaction.command else "?"


def check_options(
    command: app_commands.Command, options: list[dict], resolved: dict | None = None
) -> None:
    """Raise `MalformedOptions` unless `options` fit `command`'s parameters.

    Discord checks option types client-side only; a stale client or a hand-made request can
    send a number where text belongs, leave a required option out, or name an upload that
    `resolved` does not describe. discord.py would pass such a value through to the callback
    (an unresolved attachment arrives as a bare `discord.Object`).
    """
    parameters = {p.display_name: p for p in command.parameters}
    attachments = (resolved or {}).get("attachments") or {}
    for option in options:
        parameter = parameters.get(option.get("name", ""))
        if parameter is None:
            raise MalformedOptions(f"unknown option {option.get('name')!r}")
        if option.get("type") != parameter.type.value:
            raise MalformedOptions(f"option {parameter.display_name!r} has the wrong type")
        is_upload = parameter.type is discord.AppCommandOptionType.attachment
        if is_upload and str(option.get("value")) not in attachments:
            raise MalformedOptions(f"option {parameter.display_name!r} names no uploaded file")
    sent = {option.get("name") for option in options}
    missing = [
        p.display_name for p in parameters.values() if p.required and p.display_name not in sent
    ]
    if missing:
        raise MalformedOptions(f"missing option {missing[0]!r}")


class CrosscheckTree(app_commands.CommandTree):
    """A command tree that answers every failed command with one short ephemeral sentence."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        data = interaction.data or {}
        if (
            interaction.type is discord.InteractionType.application_command
            and data.get("type", 1) == 1
        ):
            # Raises CommandNotFound for an unknown command or subcommand (to `on_error`).
            command, options = self._get_app_command_options(data)  # type: ignore[arg-type]
            if isinstance(command, app_commands.Command):
                check_options(command, list(options), data.get("resolved"))  # type: ignore[arg-type]
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await reply_to_error(interaction, error, _command_name(interaction, error))


async def reply_to_error(interaction: discord.Interaction, error: Exception, name: str) -> None:
    """Answer a failed command or form (`name`) with one short ephemeral sentence, whether or
    not it was deferred, so no "thinking…" is left unanswered; log what was unexpected."""
    message = (
        describe_command_error(error) if isinstance(error, app_commands.AppCommandError) else None
    )
    if message is None:
        original = getattr(error, "original", error)
        _log.error("Unexpected error in %r", name, exc_info=original)
        message = UNEXPECTED
    elif message == OUTDATED_COMMAND:  # a stale client or a malformed request: worth a look
        _log.warning(
            "Command %r by user %s in guild %s could not run: %s",
            name,
            interaction.user.id,
            interaction.guild_id,
            error,
        )
    try:
        await send_reply(interaction, message, ephemeral=True)
    except discord.HTTPException as reply_error:
        _log.warning("Could not send the error reply: %s", reply_error)
