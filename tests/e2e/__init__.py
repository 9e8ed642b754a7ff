"""Tests of the bot end to end through discord.py against the fake Discord."""
