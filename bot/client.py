"""Former home of the Discord layer, now split into `bot.app` (one job per module).

Kept so that existing imports keep working; new code imports from `bot.app.*`.
"""

from bot.app.bot import CrosscheckBot, question_cooldown
from bot.app.run import run_bot, sync_commands
from bot.app.sync import StartupError
from bot.app.tree import NO_MENTIONS, CrosscheckTree, send_reply

__all__ = [
    "NO_MENTIONS",
    "CrosscheckBot",
    "CrosscheckTree",
    "StartupError",
    "question_cooldown",
    "run_bot",
    "send_reply",
    "sync_commands",
]
