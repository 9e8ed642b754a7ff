"""A database as both stores use it (`Db`), and each server's library version: the next number
of one counter, set in the same transaction as every change to what its engine is built from, so
a process finds the servers others changed with one indexed look."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class Db(Protocol):
    """The one call the shared logic makes on a database inside a transaction."""

    def execute(self, sql: str, params: Sequence[object] = ...) -> Cursor: ...


def bump_version(db: Db, guild_id: int) -> int:
    """Give the server's library a new version, inside the change's transaction; returns it.

    Where changes are serialised (SQLite), each is numbered after every one committed before."""
    (version,) = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM library_version").fetchone()
    db.execute(
        "INSERT INTO library_version (guild_id, version) VALUES (?, ?) "
        "ON CONFLICT (guild_id) DO UPDATE SET version = excluded.version",
        (guild_id, version),
    )
    return int(version)


def latest_version(db: Db) -> int:
    """The highest library version given so far (0 for none)."""
    (version,) = db.execute("SELECT COALESCE(MAX(version), 0) FROM library_version").fetchone()
    return int(version)


def changed_since(db: Db, version: int) -> dict[int, int]:
    """The servers whose library was given a version after `version`: server -> its version."""
    rows = db.execute(
        "SELECT guild_id, version FROM library_version WHERE version > ?", (version,)
    ).fetchall()
    return {int(guild_id): int(v) for guild_id, v in rows}
