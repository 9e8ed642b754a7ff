"""The buttons under a public answer, assembled in one place: `answer_view`.

"More excerpts (N)" edits the same message to show every excerpt. It must work on answers
posted before a restart, so it keeps no state in memory: it is a `DynamicItem` (registered in
`CrosscheckBot.setup_hook`) whose custom_id holds a digest of the answer's citations. On a
click the question is read back from the embed's title, answered again by this server's engine,
and shown expanded only if the new answer cites exactly what the digest says; otherwise (the
library changed) the clicker is told privately. A question too long for a title cannot be read
back, so its answer shows every excerpt at once instead (`answer_message`).

The feedback buttons (`bot.commands.feedback`) join them in the same view when the answer was
recorded; an expanded answer keeps them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re

import discord

from bot.answer.types import Answer
from bot.app.tree import NO_MENTIONS, UNEXPECTED
from bot.commands.feedback import feedback_id_of, feedback_items
from bot.rendering.embed import answer_embeds, answer_title, hidden_excerpts, title_question

_log = logging.getLogger(__name__)

MORE_PREFIX = "crosscheck:more:"
STALE = (
    "I can't show more of this answer any more: this server's sources have changed since it "
    "was posted. Ask again with /ask."
)


def answer_message(
    answer: Answer, *, feedback_id: int | None = None
) -> tuple[list[discord.Embed], discord.ui.View]:
    """The embeds and buttons of a public answer: the short layout with "More excerpts" when
    the button will be able to read the question back from the title, else (a question too
    long for a title) every excerpt at once."""
    expanded = not readable_title(answer)
    view = answer_view(answer, expanded=expanded, feedback_id=feedback_id)
    return answer_embeds(answer, expanded=expanded), view


def readable_title(answer: Answer) -> bool:
    """Whether "More excerpts" can read the question back from the answer's title."""
    return title_question(answer_title(answer)) == answer.question.strip()


def answer_view(
    answer: Answer, *, expanded: bool = False, feedback_id: int | None = None
) -> discord.ui.View:
    """Every button under an answer or a "not covered" note (none expire). `expanded`: the
    answer already shows all its excerpts, so there is no "More excerpts"; `feedback_id`: the
    id the answer was recorded under (`feedback.remember_answer`), for its feedback buttons."""
    view = discord.ui.View(timeout=None)
    hidden = 0 if expanded or not answer.shows_passages else hidden_excerpts(answer)
    if hidden:
        view.add_item(MoreExcerpts(answer_digest(answer), hidden))
    if feedback_id is not None:
        for item in feedback_items(feedback_id):
            view.add_item(item)
    return view


def more_label(hidden: int) -> str:
    return f"More excerpts ({hidden})"


def answer_digest(answer: Answer) -> str:
    """16 hex digits naming exactly which text the answer cites (source, start, end)."""
    cited = "\n".join(f"{c.n}\0{c.source.id}\0{c.start}\0{c.end}" for c in answer.citations)
    return hashlib.sha256(cited.encode()).hexdigest()[:16]


class MoreExcerpts(
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.escape(MORE_PREFIX) + r"(?P<digest>[0-9a-f]{16})",
):
    """The "More excerpts (N)" button of an answer, working for as long as the message lives."""

    def __init__(self, digest: str, hidden: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=more_label(hidden) if hidden else "More excerpts",
                style=discord.ButtonStyle.secondary,
                custom_id=MORE_PREFIX + digest,
            )
        )
        self.digest = digest

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> MoreExcerpts:
        return cls(match["digest"])

    async def callback(self, interaction: discord.Interaction) -> None:
        _log.info(
            "More excerpts by user %s in guild %s on message %s",
            interaction.user.id,
            interaction.guild_id,
            interaction.message.id if interaction.message else None,
        )
        try:
            await self._expand(interaction)
        except Exception:  # d.py would only log it; the clicker gets a sentence
            _log.exception("More excerpts failed")
            if not interaction.response.is_done():
                await interaction.response.defer()
            await interaction.followup.send(
                UNEXPECTED, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

    async def _expand(self, interaction: discord.Interaction) -> None:
        # Acknowledge at once (Discord's 3 s): the edit of this message follows the answer.
        await interaction.response.defer()
        answer = await self._answer_again(interaction)
        if answer is None:
            await interaction.followup.send(STALE, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await interaction.edit_original_response(
            embeds=answer_embeds(answer, expanded=True),
            view=answer_view(
                answer, expanded=True, feedback_id=feedback_id_of(interaction.message)
            ),
            allowed_mentions=NO_MENTIONS,
        )

    async def _answer_again(self, interaction: discord.Interaction) -> Answer | None:
        """The answer on this message, answered again, or None when it is not the same one."""
        message = interaction.message
        title = message.embeds[0].title if message is not None and message.embeds else None
        if not title:
            return None
        engine = await interaction.client.engine(interaction.guild_id)  # type: ignore[attr-defined]
        answer: Answer = await asyncio.to_thread(engine.answer, title_question(title))
        if not answer.shows_passages or answer_digest(answer) != self.digest:
            _log.info("More excerpts: the answer changed since it was posted")
            return None
        return answer
