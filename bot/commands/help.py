"""`/help`: what each command does and who may use it, answered privately.

The list is read from the command tree, so a new command shows up without editing this file:
a slash command's description is its docstring, and a command (or its group) that Discord
hides by default behind a permission is for moderators. Message menus have no description on
Discord, so theirs is written here.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.bot import CrosscheckBot
from bot.app.tree import send_reply
from bot.commands.check import MENU_NAME as CHECK_MENU
from bot.commands.library import MENU_NAME as ADD_MENU
from bot.rendering.embed import HelpEntry, help_embed

_log = logging.getLogger(__name__)

MENU_HELP = {
    CHECK_MENU: "checks that message against the sources, privately, with a button to share it.",
    ADD_MENU: "adds that message (its text, or its .txt/.md file) to this server's sources.",
}


def help_entries(tree: app_commands.CommandTree) -> list[HelpEntry]:
    """Every command in `tree`: how to call it, what it does, and whether it is for moderators."""
    entries = []
    for command in tree.get_commands():
        if isinstance(command, app_commands.ContextMenu):
            usage = f"Message menu → Apps → {command.name}"
            text = MENU_HELP.get(command.name, "")
            entries.append(HelpEntry(usage, text, command.default_permissions is not None))
            continue
        leaves = command.walk_commands() if isinstance(command, app_commands.Group) else [command]
        for leaf in leaves:
            if isinstance(leaf, app_commands.Command):
                entries.append(_slash_entry(leaf, command.default_permissions is not None))
    return entries


def _slash_entry(command: app_commands.Command, moderators: bool) -> HelpEntry:
    required = " ".join(f"<{p.display_name}>" for p in command.parameters if p.required)
    usage = f"/{command.qualified_name}" + (f" {required}" if required else "")
    return HelpEntry(usage, command.description, moderators)


class Help(commands.Cog):
    """The `/help` command."""

    def __init__(self, bot: CrosscheckBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What each command does and who may use it (only you see the answer)."""
        _log.info("/help by user %s in guild %s", interaction.user.id, interaction.guild_id)
        embed = help_embed(help_entries(self.bot.tree))
        await send_reply(interaction, embeds=[embed], ephemeral=True)


async def setup(bot: CrosscheckBot) -> None:
    await bot.add_cog(Help(bot))
