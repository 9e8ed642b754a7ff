"""The buttons under an answer or a "not covered" reply, in one persistent view.

Minimal version (issue 19 item 2): the feedback buttons only. Every item here is a registered
`DynamicItem`, so the view has no timeout and its buttons keep working after a restart.
"""

from __future__ import annotations

import discord

from bot.answer_types import Answer
from bot.commands.feedback import feedback_items


def answer_view(answer: Answer, *, feedback_id: int | None = None) -> discord.ui.View:
    """The view to send with `answer`: its feedback buttons when it was recorded under
    `feedback_id` (see `feedback.remember_answer`), else no buttons."""
    view = discord.ui.View(timeout=None)
    if feedback_id is not None:
        for item in feedback_items(feedback_id):
            view.add_item(item)
    return view
