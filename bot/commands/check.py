"""Message context menu "Check against sources": a private answer, with a button to share it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer_types import Answer, Status
from bot.app.bot import CrosscheckBot, question_cooldown
from bot.app.tree import NO_MENTIONS
from bot.commands.answer_view import answer_view
from bot.commands.feedback import feedback_buttons, remember_answer
from bot.rendering.embed import answer_embeds, notice_text

_log = logging.getLogger(__name__)

MENU_NAME = "Check against sources"
# The private answer is a followup of the menu interaction, whose token lasts 15 minutes; stop
# the view a little earlier so `on_timeout` can still remove the button. The view is not
# persistent: an ephemeral message vanishes on the asker's client restart anyway, and the
# answer it would share lives only in memory.
SHARE_TIMEOUT_SECONDS = 14 * 60


class ShareView(discord.ui.View):
    """A "Share in channel" button that only the person who ran the check may press."""

    def __init__(
        self,
        owner_id: int,
        embeds: Sequence[discord.Embed],
        message_link: str,
        answer: Answer | None = None,
        feedback_id: int | None = None,
    ) -> None:
        super().__init__(timeout=SHARE_TIMEOUT_SECONDS)
        self.owner_id = owner_id
        self.embeds = list(embeds)
        self.message_link = message_link
        self.message: discord.WebhookMessage | None = None
        # The answer's feedback buttons stay when the share button goes (see `_without_share`).
        self.answer = answer
        self.feedback_id = feedback_id
        if feedback_id is not None:
            for item in feedback_buttons(feedback_id):
                self.add_item(item)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran the check can share it.", ephemeral=True
        )
        return False

    @discord.ui.button(label="Share in channel", style=discord.ButtonStyle.primary)
    async def share(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        # Acknowledge by removing the button (so it cannot post twice), then post publicly.
        await interaction.response.edit_message(view=self._without_share())
        buttons = self._without_share()
        await interaction.followup.send(
            f"{interaction.user.mention} checked {self.message_link} against the sources:",
            embeds=self.embeds,
            allowed_mentions=NO_MENTIONS,
            **({"view": buttons} if buttons is not None else {}),
        )
        _log.info(
            "Check shared by user %s in channel %s", interaction.user.id, interaction.channel_id
        )

    def _without_share(self) -> discord.ui.View | None:
        """The answer's persistent buttons alone (also under the shared copy), or None."""
        if self.answer is None or self.feedback_id is None:
            return None
        return answer_view(self.answer, feedback_id=self.feedback_id)

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
        answer = await asyncio.to_thread(
            self.bot.engine_for(interaction.guild_id).answer, message.content
        )
        feedback_id = remember_answer(self.bot, interaction, answer)
        if answer.status is not Status.ANSWERED:
            await interaction.followup.send(
                notice_text(answer),
                view=answer_view(answer, feedback_id=feedback_id),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        embeds = answer_embeds(answer)
        view = ShareView(interaction.user.id, embeds, message.jump_url, answer, feedback_id)
        view.message = await interaction.followup.send(
            embeds=embeds, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS, wait=True
        )


async def setup(bot: CrosscheckBot) -> None:
    await bot.add_cog(Check(bot))
