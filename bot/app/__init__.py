"""The Discord application: the bot (`bot`), error replies (`tree`), command sync (`sync`), and
start, stop and signals (`run`). Commands live in `bot.commands`, one module per group."""
