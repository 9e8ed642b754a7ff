"""`/sources list` and `/sources show`: what the answers quote from."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.bot import CrosscheckBot, manages_messages
from bot.app.tree import send_reply
from bot.rendering.embed import source_detail_embed, source_list_embeds
from bot.sources import Source

_log = logging.getLogger(__name__)

MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100


def source_choices(sources: Sequence[Source], current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete: sources whose title or id contains `current`, prefix matches first.

    Choice names are at most 100 characters; the value is the source id, so sources whose id is
    longer than a choice value may be (100) are not offered but can still be typed by title.
    """
    needle = current.strip().casefold()
    matches = [
        s
        for s in sources
        if len(s.id) <= MAX_CHOICE_CHARS
        and (needle in s.title.casefold() or needle in s.id.casefold())
    ]
    matches.sort(key=lambda s: not s.title.casefold().startswith(needle))
    return [app_commands.Choice(name=_choice_name(s), value=s.id) for s in matches[:MAX_CHOICES]]


def _choice_name(source: Source) -> str:
    suffix = f" ({source.date})" if source.date else ""
    room = MAX_CHOICE_CHARS - len(suffix)
    title = " ".join(source.title.split()) or source.id
    if len(title) > room:
        title = title[: room - 1].rstrip() + "…"
    return title + suffix


def find_source(sources: Sequence[Source], value: str) -> Source | None:
    """The source a (possibly hand-typed) option value names: by id, else by exact title."""
    value = value.strip()
    for source in sources:
        if source.id == value:
            return source
    folded = value.casefold()
    return next((s for s in sources if s.title.casefold() == folded), None)


class Sources(commands.GroupCog, group_name="sources"):
    """The sources this server's answers quote from."""

    def __init__(self, bot: CrosscheckBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="list")
    async def list_sources(self, interaction: discord.Interaction) -> None:
        """List every source with its date and size (public when a moderator asks)."""
        ephemeral = not manages_messages(interaction)
        engine = await self.bot.engine_deferring(interaction, ephemeral=ephemeral)
        counts = {s.id: len(engine.passages_of(s.id)) for s in engine.sources}
        embeds = source_list_embeds(engine.sources, counts)
        await send_reply(interaction, embeds=embeds, ephemeral=ephemeral)

    @app_commands.command(name="show")
    @app_commands.describe(source="The source to show; start typing its title")
    async def show(self, interaction: discord.Interaction, source: str) -> None:
        """Show one source's details and its opening passage."""
        ephemeral = not manages_messages(interaction)
        engine = await self.bot.engine_deferring(interaction, ephemeral=ephemeral)
        found = find_source(engine.sources, source)
        if found is None:
            await send_reply(
                interaction,
                "No source by that name. Pick one of the suggestions, or see /sources list.",
            )
            return
        embed = source_detail_embed(found, engine.passages_of(found.id))
        await send_reply(interaction, embeds=[embed], ephemeral=ephemeral)

    @show.autocomplete("source")
    async def _source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return source_choices(await self.bot.library.library_of(interaction.guild_id), current)


async def setup(bot: CrosscheckBot) -> None:
    await bot.add_cog(Sources(bot))
