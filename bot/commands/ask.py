"""`/ask`: answer a question in public with cited quotes, or say privately what to try instead."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.types import Answer
from bot.app.bot import CrosscheckBot, question_cooldown
from bot.app.tree import NO_MENTIONS
from bot.commands.answer_view import answer_message, answer_view
from bot.commands.feedback import remember_answer
from bot.rendering.embed import notice_text

_log = logging.getLogger(__name__)

# How long to wait for the engine before acknowledging the interaction. Discord allows 3 s
# from when it sent the interaction; an answer usually takes milliseconds, and this short grace
# keeps every first response well under a second even when a burst of questions queues up.
ANSWER_GRACE_SECONDS = 0.4


class Ask(commands.Cog):
    """The `/ask` command."""

    def __init__(self, bot: CrosscheckBot) -> None:
        self.bot = bot
        # One worker answers questions in arrival order. Answering holds the GIL (pure Python
        # around numpy): more threads would take turns with each other and starve the event
        # loop of its turns (late first responses, late heartbeats); one leaves it every other.
        self._answers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")

    async def cog_unload(self) -> None:
        self._answers.shutdown(wait=False, cancel_futures=True)

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
        # the answer, and a deferral fixes that choice. So start the engine first (off the
        # event loop) and give it a short grace period: it usually answers in milliseconds and
        # we send exactly one reply, public or ephemeral. Only when it is slower, or when the
        # server's engine must load first (its first question since start, or since it was
        # dropped), do we defer publicly, before waiting; the answer, or the short "not
        # covered" note, then fills that public reply.
        engine = await self.bot.engine_deferring(interaction, ephemeral=False)
        job = asyncio.get_running_loop().run_in_executor(self._answers, engine.answer, question)
        if not interaction.response.is_done():
            done, _ = await asyncio.wait({job}, timeout=ANSWER_GRACE_SECONDS)
            if done:
                answer = job.result()
                await _respond(interaction, answer, remember_answer(self.bot, interaction, answer))
                return
            await interaction.response.defer(thinking=True)
        answer = await job
        await _follow_up(interaction, answer, remember_answer(self.bot, interaction, answer))


async def _respond(
    interaction: discord.Interaction, answer: Answer, feedback_id: int | None
) -> None:
    """First and only reply: a public answer, or a private note saying what to try."""
    _log.info("/ask answered with status %s (%d citations)", answer.status, len(answer.citations))
    if answer.shows_passages:
        embeds, view = answer_message(answer, feedback_id=feedback_id)
        await interaction.response.send_message(
            embeds=embeds, view=view, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            notice_text(answer),
            view=answer_view(answer, feedback_id=feedback_id),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def _follow_up(
    interaction: discord.Interaction, answer: Answer, feedback_id: int | None
) -> None:
    """Reply after a public deferral: the answer, or the note, fills the public placeholder.

    Discord documents that the first follow-up after a deferral edits the deferred response
    and keeps its visibility, and that a message cannot become ephemeral later. So a slow
    "not covered" is not made private (a deleted placeholder plus an ephemeral follow-up is
    undocumented behaviour): the placeholder is edited into the short public note.
    """
    _log.info("/ask answered with status %s (%d citations)", answer.status, len(answer.citations))
    if answer.shows_passages:
        embeds, view = answer_message(answer, feedback_id=feedback_id)
        await interaction.followup.send(embeds=embeds, view=view, allowed_mentions=NO_MENTIONS)
        return
    await interaction.edit_original_response(
        content=notice_text(answer),
        view=answer_view(answer, feedback_id=feedback_id),
        allowed_mentions=NO_MENTIONS,
    )


async def setup(bot: CrosscheckBot) -> None:
    await bot.add_cog(Ask(bot))
