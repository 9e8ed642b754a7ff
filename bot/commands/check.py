"""Message context menu "Check against sources": a private answer, with buttons to see every
excerpt and to share it."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.types import Answer
from bot.app.bot import CrosscheckBot, question_cooldown
from bot.app.tree import NO_MENTIONS
from bot.commands.answer_view import answer_message, answer_view, more_label, readable_title
from bot.commands.feedback import feedback_buttons, remember_answer
from bot.rendering.embed import answer_embeds, hidden_excerpts, notice_text

_log = logging.getLogger(__name__)

MENU_NAME = "Check against sources"
# The private answer is a followup of the menu interaction, whose token lasts 15 minutes; stop
# the view a little earlier so `on_timeout` can still remove the button. The view is not
# persistent: an ephemeral message vanishes on the asker's client restart anyway, and the
# answer it would share lives only in memory.
SHARE_TIMEOUT_SECONDS = 14 * 60


class ShareView(discord.ui.View):
    """The "More excerpts" and "Share in channel" buttons under a private answer; only the one
    who ran the check may press them. The shared copy gets the public answer's buttons, and the
    answer's feedback buttons stay when the share button goes (`_without_share`)."""

    def __init__(
        self, owner_id: int, answer: Answer, message_link: str, feedback_id: int | None = None
    ) -> None:
        super().__init__(timeout=SHARE_TIMEOUT_SECONDS)
        self.owner_id = owner_id
        self.answer = answer
        self.embeds = answer_embeds(answer)
        self.message_link = message_link
        self.message: discord.WebhookMessage | None = None
        self.feedback_id = feedback_id
        self.expanded = False
        hidden = hidden_excerpts(answer)
        if hidden:
            self.more = discord.ui.Button(label=more_label(hidden), row=0)
            self.more.callback = self.show_more
            self.add_item(self.more)
        if feedback_id is not None:
            for item in feedback_buttons(feedback_id):
                self.add_item(item)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran the check can use these buttons.", ephemeral=True
        )
        return False

    async def show_more(self, interaction: discord.Interaction) -> None:
        """Every excerpt, in this same private message."""
        self.remove_item(self.more)
        self.expanded = True
        await interaction.response.edit_message(
            embeds=answer_embeds(self.answer, expanded=True),
            view=self,
            allowed_mentions=NO_MENTIONS,
        )

    @discord.ui.button(label="Share in channel", style=discord.ButtonStyle.primary, row=0)
    async def share(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        # Acknowledge by removing the share button (so it cannot post twice), then post publicly.
        await interaction.response.edit_message(view=self._without_share())
        embeds, view = answer_message(self.answer, feedback_id=self.feedback_id)
        await interaction.followup.send(
            f"{interaction.user.mention} checked {self.message_link} against the sources:",
            embeds=embeds,
            view=view,
            allowed_mentions=NO_MENTIONS,
        )
        _log.info(
            "Check shared by user %s in channel %s", interaction.user.id, interaction.channel_id
        )

    def _without_share(self) -> discord.ui.View | None:
        """The answer's persistent buttons alone, or None when it has none."""
        expanded = self.expanded or not readable_title(self.answer)
        view = answer_view(self.answer, expanded=expanded, feedback_id=self.feedback_id)
        return view if view.children else None

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=self._without_share())
        except discord.HTTPException as error:
            _log.debug("Could not remove the share button: %s", error)


class Check(commands.Cog):
    """The "Check against sources" message command."""

    def __init__(self, bot: CrosscheckBot) -> None:
        self.bot = bot
        # Context menus cannot be defined in a class body; build one per cog instance.
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.check_message)
        bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.checks.dynamic_cooldown(question_cooldown)
    async def check_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        # The answer always goes to the asker alone, so deferring ephemerally is safe at once.
        _log.info(
            "Check by user %s on message %s in channel %s",
            interaction.user.id,
            message.id,
            interaction.channel_id,
        )
        _log.debug("Checked message text: %r", message.content)
        await interaction.response.defer(ephemeral=True, thinking=True)
        engine = await self.bot.engine(interaction.guild_id)
        answer = await asyncio.to_thread(engine.answer, message.content)
        feedback_id = remember_answer(self.bot, interaction, answer)
        if not answer.shows_passages:
            await interaction.followup.send(
                notice_text(answer),
                view=answer_view(answer, feedback_id=feedback_id),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        view = ShareView(interaction.user.id, answer, message.jump_url, feedback_id)
        view.message = await interaction.followup.send(
            embeds=view.embeds, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS, wait=True
        )


async def setup(bot: CrosscheckBot) -> None:
    await bot.add_cog(Check(bot))
