"""Renderers: one per output kind (terminal, JSON, Discord embed), all from an `Answer`."""

from __future__ import annotations

from bot.sources import Source


def describe_date(source: Source) -> str:
    """The date a reader sees: the ISO date, or "undated" when the source states none."""
    return source.date or "undated"


def describe_label(source: Source) -> str:
    """A moderator's label as shown next to every citation ("" when the source has none)."""
    return f"[{source.label}]" if source.label else ""
