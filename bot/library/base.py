"""The library interface: what a store of per-server sources must do, and its plain data.

A server's library is the base set (the `--sources` folder, the seeds by default) minus the base
sources its moderators hid, plus the sources they added. A store keeps only the per-server part;
the base set is passed in where a change must be checked against it (duplicates, ids). Every
method that changes something is one transaction: all of it happens, or none of it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.sources import Source

_log = logging.getLogger(__name__)

LABELS = ("official", "verified", "unverified", "disputed", "opinion", "satire")


class LibraryError(Exception):
    """A change that was refused; the message says why in one line and nothing was changed."""


class DuplicateSourceError(LibraryError):
    """The text is already in the server's library; the message names the source."""


class UnknownAnswerError(LibraryError):
    """Feedback on an answer that is not on record (older than the retention, or never saved)."""


class StoreError(Exception):
    """The store cannot be used at all (unreadable, corrupt, newer schema); one line."""


@dataclass(frozen=True)
class Draft:
    """A checked source about to be added: verbatim text and the metadata it will show."""

    text: str
    title: str
    date: str | None
    label: str | None
    origin: str  # "file", "upload", "paste", "message"
    content_hash: str


@dataclass(frozen=True)
class BaseOverride:
    """What a server changed about one base source: hidden, and/or its own label."""

    hidden: bool = False
    label: str | None = None


@dataclass(frozen=True)
class Change:
    """One line of a server's history: who did what to which source, and when (ISO UTC)."""

    at: str
    actor: str
    action: str
    source_id: str
    summary: str


@dataclass(frozen=True)
class DislikedAnswer:
    """A question whose answers members voted down: votes summed over every time it was asked."""

    question: str
    down: int
    up: int
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class UncoveredQuestion:
    """A question the sources lacked: times answered "not covered", "missing a source" reports
    (with what members said was missing)."""

    question: str
    not_covered: int
    missing: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackReport:
    """What one server's members said about its answers over the last `days` days."""

    days: int
    disliked: tuple[DislikedAnswer, ...]
    uncovered: tuple[UncoveredQuestion, ...]


class LibraryStore(Protocol):
    """Per-server sources and changes: `sqlite.SqliteStore` (one file, the default) or
    `postgres.PostgresStore` (`DATABASE_URL`, shared by several bot processes)."""

    def added_sources(self, guild_id: int) -> list[Source]: ...

    def overrides(self, guild_id: int) -> dict[str, BaseOverride]: ...

    def customised_guilds(self) -> list[int]: ...

    def changed_guilds(self) -> set[int] | None:
        """The servers whose library another process changed since the last call (the first
        call starts looking): empty when none did; None when some may have and the store cannot
        say which (PostgreSQL after its listener lost its connection), so every server must be
        looked at."""
        ...

    def check_writable(self) -> None: ...

    def add(
        self,
        guild_id: int,
        draft: Draft,
        actor: str,
        base: Sequence[Source],
        max_sources: int,
    ) -> Source: ...

    def add_many(
        self,
        guild_id: int,
        drafts: Sequence[Draft],
        actor: str,
        base: Sequence[Source],
        max_sources: int,
    ) -> tuple[list[Source], list[Draft]]: ...

    def remove(self, guild_id: int, source_id: str, actor: str, base: Sequence[Source]) -> str: ...

    def set_label(
        self, guild_id: int, source_id: str, label: str, actor: str, base: Sequence[Source]
    ) -> str: ...

    def history(self, guild_id: int, limit: int = 10) -> list[Change]: ...

    # Feedback on answers (issue 19). Every answer is recorded when it is given, so its buttons
    # work after a restart; records, with their question text and votes, are kept `keep_days`.

    def record_answer(
        self,
        guild_id: int,
        answer_id: int,
        question: str,
        source_ids: Sequence[str],
        status: str,
        keep_days: int,
    ) -> None: ...

    def vote(self, guild_id: int, answer_id: int, member_id: int, vote: str) -> str | None: ...

    def report_missing(self, guild_id: int, answer_id: int, member_id: int, note: str) -> bool: ...

    def feedback_report(self, guild_id: int, days: int, limit: int = 10) -> FeedbackReport: ...

    def purge_feedback(self, keep_days: int) -> int: ...

    def close(self) -> None: ...


def library_sources(
    base: Sequence[Source], overrides: dict[str, BaseOverride], added: Sequence[Source]
) -> list[Source]:
    """A server's library: visible base sources (with the server's labels), then its own.

    Ids are unique within a server: an added source's id was free in the base set when it was
    added, so if the host later adds a base file with that id, the server's own source keeps it
    and the new base source is left out of that server (and logged).
    """
    added_ids = {source.id for source in added}
    visible = []
    for source in base:
        override = overrides.get(source.id, BaseOverride())
        if override.hidden:
            continue
        if source.id in added_ids:
            _log.warning("Base source %r is shadowed by a server's own source id.", source.id)
            continue
        visible.append(replace(source, label=override.label) if override.label else source)
    return visible + list(added)
