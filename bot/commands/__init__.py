"""Slash commands and context menus, one Cog module per command group."""

EXTENSIONS: tuple[str, ...] = (
    "bot.commands.ask",
    "bot.commands.sources",
    "bot.commands.check",
    "bot.commands.library",
    "bot.commands.help",
)
