"""Feedback on answers: 👍 / 👎 and "Missing a source?" under every answer and "not covered"
reply, and the report moderators read with `/library feedback`.

Each answer is recorded when it is given (server, answer id = the id of the interaction that
asked, question, cited source ids, status), and its buttons carry only that id in their
`custom_id`. A click after a restart therefore needs nothing from memory or from the message's
layout: the buttons are `DynamicItem`s whose templates the bot registers in `setup_hook`, and the
store knows the rest. Records are kept `FEEDBACK_RETENTION_DAYS` days, then deleted with their
votes; a click on an older answer says so.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.answer_types import Answer, Status
from bot.app.tree import send_reply
from bot.library.base import FeedbackReport, LibraryError, UnknownAnswerError
from bot.rendering.embed import MAX_DESCRIPTION, SOURCES_COLOUR, clean, trim
from bot.rendering.feedback import feedback_sections

if TYPE_CHECKING:
    from bot.app.bot import CrosscheckBot
    from bot.library.base import LibraryStore

_log = logging.getLogger(__name__)

# The answer id is a Discord snowflake (at most 20 digits): custom_ids stay far below 100 chars.
TEMPLATE = r"crosscheck:feedback:(?P<kind>up|down|missing):(?P<answer>[0-9]{1,20})"
BUTTONS = {  # kind -> (emoji, label)
    "up": ("👍", None),
    "down": ("👎", None),
    "missing": (None, "Missing a source?"),
}
VOTE_EMOJI = {"up": "👍", "down": "👎"}
MAX_NOTE = 200
MISSING_FORM_SECONDS = 15 * 60
SHOWN_TEXT = 120  # characters of a question or note shown in the report

# Answers being recorded: a reference keeps each task alive until it has written.
_recording: set[asyncio.Future[Any]] = set()


def custom_id(kind: str, answer_id: int) -> str:
    return f"crosscheck:feedback:{kind}:{answer_id}"


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """One of the three feedback buttons of one answer; works for as long as the answer is on
    record, across restarts."""

    def __init__(self, kind: str, answer_id: int) -> None:
        emoji, label = BUTTONS[kind]
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji=emoji,
                label=label,
                custom_id=custom_id(kind, answer_id),
            )
        )
        self.kind = kind
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FeedbackButton:
        return cls(match["kind"], int(match["answer"]))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        if self.kind == "missing":
            await interaction.response.send_modal(MissingSourceForm(self.answer_id))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await _save(interaction, self.answer_id, self._vote)

    def _vote(self, store: LibraryStore, guild_id: int, member_id: int) -> str:
        before = store.vote(guild_id, self.answer_id, member_id, self.kind)
        emoji = VOTE_EMOJI[self.kind]
        if before == self.kind:
            return f"You already gave this answer a {emoji}; one vote per member, so it stays one."
        if before is not None:
            return f"Changed your vote on this answer from {VOTE_EMOJI[before]} to {emoji}."
        return f"Thanks: your {emoji} is noted. This server's moderators see it, no one else."


FEEDBACK_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (FeedbackButton,)


class MissingSourceForm(discord.ui.Modal, title="Missing a source?"):
    """Records that the answer lacked a source; what is missing may be said, or left blank."""

    note = discord.ui.TextInput(
        label="What source is missing? (optional)",
        required=False,
        max_length=MAX_NOTE,
        placeholder="e.g. the ministry's statement of 3 March",
    )

    def __init__(self, answer_id: int) -> None:
        # A form left open this long (or across a restart) is forgotten; the button opens another.
        super().__init__(timeout=MISSING_FORM_SECONDS)
        self.answer_id = answer_id

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await interaction.response.defer(ephemeral=True, thinking=True)
        note = self.note.value or ""

        def report(store: LibraryStore, guild_id: int, member_id: int) -> str:
            if store.report_missing(guild_id, self.answer_id, member_id, note):
                return "You had already reported this answer: your note is updated; it counts once."
            return (
                "Thanks: this server's moderators will see this question among those "
                "missing a source."
            )

        await _save(interaction, self.answer_id, report)


def feedback_items(answer_id: int) -> list[discord.ui.Item[Any]]:
    """The three buttons for a `View(timeout=None)` under an answer or a "not covered" reply."""
    return [FeedbackButton(kind, answer_id) for kind in BUTTONS]


def feedback_id_of(message: discord.Message | None) -> int | None:
    """The answer id the feedback buttons on `message` carry, or None when it has none."""
    for row in message.components if message is not None else ():
        for component in getattr(row, "children", ()):
            found = re.fullmatch(TEMPLATE, getattr(component, "custom_id", None) or "")
            if found:
                return int(found["answer"])
    return None


def feedback_buttons(answer_id: int) -> list[discord.ui.Item[Any]]:
    """The same buttons as plain items, for a view with a timeout (the private check's share
    view). The registered templates answer their clicks all the same; a `DynamicItem` in such a
    view would unregister its template for every message when the view ends (discord.py's
    `ViewStore.remove_view`)."""
    return [item.item for item in feedback_items(answer_id)]  # type: ignore[attr-defined]


def remember_answer(
    bot: CrosscheckBot, interaction: discord.Interaction, answer: Answer
) -> int | None:
    """Start recording an answer (off the event loop, not awaited: the reply must not wait on
    the database) and return the id its buttons carry; None when it gets no buttons."""
    store = bot.feedback_store
    if store is None or interaction.guild_id is None or answer.status is Status.INVALID:
        return None
    job = asyncio.ensure_future(
        asyncio.to_thread(
            store.record_answer,
            interaction.guild_id,
            interaction.id,
            answer.question,
            [citation.source.id for citation in answer.citations],
            answer.status.value,
            bot.settings.feedback_retention_days,
        )
    )
    _recording.add(job)
    job.add_done_callback(_recorded)
    return interaction.id


def _recorded(job: asyncio.Future[Any]) -> None:
    _recording.discard(job)
    if not job.cancelled() and job.exception() is not None:
        _log.warning("Could not record an answer for feedback: %s", job.exception())


async def start_feedback(bot: CrosscheckBot) -> None:
    """Make every answer's buttons work (also those sent before a restart), and delete the
    records older than the retention."""
    bot.add_dynamic_items(*FEEDBACK_ITEMS)
    store = bot.feedback_store
    if store is not None:
        try:
            purged = await asyncio.to_thread(
                store.purge_feedback, bot.settings.feedback_retention_days
            )
        except LibraryError as error:
            _log.warning("Could not delete old feedback records: %s", error)
        else:
            _log.info("Deleted %d answer records older than the feedback retention.", purged)


async def _save(interaction: discord.Interaction, answer_id: int, action: Any) -> None:
    """Run `action(store, guild_id, member_id) -> reply` off the loop; reply privately."""
    bot: CrosscheckBot = interaction.client  # type: ignore[assignment]
    store = bot.feedback_store
    if store is None or interaction.guild_id is None:
        await send_reply(interaction, "Feedback is not available here.")
        return
    try:
        reply = await asyncio.to_thread(action, store, interaction.guild_id, interaction.user.id)
    except UnknownAnswerError:
        reply = (
            "This answer is no longer on record (answers are kept "
            f"{bot.settings.feedback_retention_days} days), so it cannot take feedback."
        )
    except LibraryError as error:
        _log.warning("Feedback not saved in guild %s: %s", interaction.guild_id, error)
        reply = "Your feedback could not be saved just now; please try again later."
    else:
        _log.info("Feedback on answer %s in guild %s", answer_id, interaction.guild_id)
    await send_reply(interaction, reply)


def feedback_embed(report: FeedbackReport) -> discord.Embed:
    """`/library feedback`: the report in one embed, members' text escaped and shortened."""
    lines: list[str] = []
    for heading, items in feedback_sections(report, lambda t: trim(clean(t), SHOWN_TEXT)):
        lines += ["", f"**{heading}**", *(f"• {item}" for item in items)]
    text = "\n".join(lines).strip()
    return discord.Embed(
        title=f"Feedback on answers, last {report.days} days",
        description=trim(text, MAX_DESCRIPTION),
        colour=SOURCES_COLOUR,
    )
