"""`/ask`: answer a question in public with cited quotes, or say privately what to try instead."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer_types import Answer, Status
from bot.client import NO_MENTIONS, CrosscheckBot, question_cooldown
from bot.rendering.embed import answer_embeds, notice_text

_log = logging.getLogger(__name__)

# How long to wait for the engine before acknowledging the interaction. Discord allows 3 s
# from when it sent the interaction; this leaves room for network latency and the reply itself.
ANSWER_GRACE_SECONDS = 1.5


class Ask(commands.Cog):
    """The `/ask` command."""

    def __init__(self, bot: CrosscheckBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask")
    @app_commands.describe(question="What you want checked, e.g. “Did Japan ban Tesla?”")
    @app_commands.checks.dynamic_cooldown(question_cooldown)
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """Answer with verbatim, cited quotes from this server's sources."""
        _log.info(
            "/ask by user %s in guild %s channel %s",
            interaction.user.id,
            interaction.guild_id,
            interaction.channel_id,
        )
        _log.debug("/ask question: %r", question)
        # Whether the reply is public (an answer) or ephemeral (no match, invalid) depends on
        # the answer, and a deferral fixes that choice. So start the engine first and give it a
        # short grace period: on the usual small corpus it answers in milliseconds and we send
        # exactly one reply, public or ephemeral. Only when it is slower do we defer publicly,
        # and then swap the public "thinking…" placeholder for an ephemeral note if the answer
        # turns out to be a no-match.
        job = asyncio.ensure_future(
            asyncio.to_thread(self.bot.engine_for(interaction.guild_id).answer, question)
        )
        done, _ = await asyncio.wait({job}, timeout=ANSWER_GRACE_SECONDS)
        if done:
            await _respond(interaction, job.result())
            return
        await interaction.response.defer(thinking=True)
        await _follow_up(interaction, await job)


async def _respond(interaction: discord.Interaction, answer: Answer) -> None:
    """First and only reply: a public answer, or a private note saying what to try."""
    _log.info("/ask answered with status %s (%d citations)", answer.status, len(answer.citations))
    if answer.status is Status.ANSWERED:
        await interaction.response.send_message(
            embeds=answer_embeds(answer), allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            notice_text(answer), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def _follow_up(interaction: discord.Interaction, answer: Answer) -> None:
    """Reply after a public deferral: fill the placeholder, or delete it and reply privately."""
    _log.info("/ask answered with status %s (%d citations)", answer.status, len(answer.citations))
    if answer.status is Status.ANSWERED:
        await interaction.followup.send(embeds=answer_embeds(answer), allowed_mentions=NO_MENTIONS)
        return
    await interaction.delete_original_response()
    await interaction.followup.send(
        notice_text(answer), ephemeral=True, allowed_mentions=NO_MENTIONS
    )


async def setup(bot: CrosscheckBot) -> None:
    await bot.add_cog(Ask(bot))
