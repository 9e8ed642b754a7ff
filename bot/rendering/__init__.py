"""Renderers: one per output kind (terminal, JSON, Discord embed), all from an `Answer`."""

from __future__ import annotations

from bot.sources import Source


def describe_date(source: Source) -> str:
    """The date a reader sees: the ISO date, or "undated" when the source states none."""
    return source.date or "undated"
