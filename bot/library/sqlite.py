"""The SQLite store: one database file under DATA_DIR, write-ahead logging, versioned schema.

Every change runs in one `BEGIN IMMEDIATE` transaction that also re-checks what it depends on
(duplicates, the count limit, free ids), so two changes at once, from two threads or two
processes, cannot both pass a check that only one of them should. A crash at any moment leaves
the whole change or none of it (SQLite's journal). The schema version is `PRAGMA user_version`;
`MIGRATIONS[n]` takes a database from version n to n + 1. The queries and rules are shared with
the PostgreSQL store (`sql_common`). Each change to a server's library gives that server a new
version (`library_version`), so a process finds what others changed without reading every
server's library: `PRAGMA data_version` says whether anything was committed, then one indexed
query says which servers' libraries.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bot.library.base import LibraryError, StoreError
from bot.library.sql_common import (
    SCHEMA_VERSION,
    TABLES,
    SqlStore,
    bump_version,
    changed_since,
    latest_version,
    migrations,
    newer_schema_error,
    statements,
)

DATABASE_NAME = "crosscheck.sqlite3"
# how long opening waits for another process holding the database (seconds)
OPEN_TIMEOUT_S = 30
MIGRATIONS = migrations(serial="INTEGER PRIMARY KEY AUTOINCREMENT")


class SqliteStore(SqlStore):
    """`LibraryStore` over one SQLite file; safe to call from several threads."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        """`clock` (default: now, UTC) dates feedback records; tests pass a fake one."""
        super().__init__(clock)
        self.path = Path(path)
        self._db = _open(self.path)
        # what `changed_guilds` saw last: the data version, the highest library version, and
        # the versions this store's own changes gave (news to other processes, not to us)
        self._seen_version = self.data_version()
        self._seen_change = latest_version(self._db)
        self._own_changes: dict[int, int] = {}

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SqliteStore:
        if Path(data_dir).exists() and not Path(data_dir).is_dir():
            raise StoreError(f"DATA_DIR {data_dir} is a file, not a folder: name a folder")
        try:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create DATA_DIR {data_dir}: {error.strerror or error}"
            ) from error
        return cls(Path(data_dir) / DATABASE_NAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def check_writable(self) -> None:
        """Raise `StoreError` if the database can be read but not written. SQLite opens a file
        it may not write read-only without a word; a bot would then fail every change."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (version,) = self._db.execute("PRAGMA user_version").fetchone()
                self._db.execute(f"PRAGMA user_version = {version}")  # a write that changes nothing
            except sqlite3.OperationalError as error:
                raise StoreError(
                    f"the library database {self.path} is read-only ({error}): make DATA_DIR "
                    "and the files in it writable by the bot"
                ) from error
            finally:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    def data_version(self) -> int:
        """Changes when another connection (another process) commits; not for our own."""
        return int(self._read("PRAGMA data_version", ())[0][0])

    def changed_guilds(self) -> set[int]:
        """The servers whose library another process changed since the last call. One
        `PRAGMA data_version` when no other process committed anything; else one indexed
        query for the library versions given since (answers and feedback give none)."""
        with self._lock:
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            if version == self._seen_version:
                return set()
            self._seen_version = version  # read first: a later commit moves it again
            changed = changed_since(self._db, self._seen_change)
            self._seen_change = max(changed.values(), default=self._seen_change)
            own, self._own_changes = (
                self._own_changes,
                {g: v for g, v in self._own_changes.items() if v > self._seen_change},
            )
        return {guild_id for guild_id, v in changed.items() if own.get(guild_id) != v}

    def tables(self) -> dict[str, tuple[list[str], list[tuple]]]:
        """Every table of the library (`TABLES`): its column names and rows, all read in one
        transaction, so a copy made while a bot runs is of one moment."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                tables = {}
                for table in TABLES:
                    cursor = self._db.execute(f"SELECT * FROM {table}")
                    tables[table] = ([c[0] for c in cursor.description], cursor.fetchall())
            finally:
                self._db.execute("COMMIT")
        return tables

    # --- plumbing ---------------------------------------------------------------------------

    def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(
        self, guild_id: int | None = None, *, announce: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """One change: all of it is committed, or none of it. A database that cannot take the
        change (disk full, locked too long, made read-only) refuses it as a `LibraryError`.
        SQLite serialises every change (`BEGIN IMMEDIATE`); other processes see a change to a
        server's library (`announce`) by its new version (`changed_guilds`)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    changed = guild_id if announce else None
                    version = None if changed is None else bump_version(self._db, changed)
                    self._db.execute("COMMIT")
                    if changed is not None and version is not None:
                        self._own_changes[changed] = version
                except BaseException:
                    if self._db.in_transaction:  # SQLite may have rolled back already
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise LibraryError(f"The library database could not save it: {error}.") from error


def _open(path: Path) -> sqlite3.Connection:
    """Open (creating if absent) and migrate the database, or raise `StoreError` in one line."""
    try:
        db = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=OPEN_TIMEOUT_S
        )
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the library database {path}: {error}") from error
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StoreError(newer_schema_error(str(path), version))
        (check,) = db.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise StoreError(f"the library database {path} is damaged ({check}); restore a backup")
        _use_wal(db)
        db.execute("PRAGMA synchronous = FULL")
        _migrate(db)
    except sqlite3.Error as error:
        db.close()
        raise StoreError(f"cannot use the library database {path}: {error}") from error
    except StoreError:
        db.close()
        raise
    return db


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL. SQLite does not wait on its busy timeout for this switch, so two processes
    creating a new database at once can get "database is locked": retry for up to
    `OPEN_TIMEOUT_S`, as every other statement waits."""
    deadline = time.monotonic() + OPEN_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _migrate(db: sqlite3.Connection) -> None:
    """Apply the missing migrations, each in its own transaction that re-reads the version, so
    two processes starting on a new database at once do not both create the tables."""
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version < len(MIGRATIONS):
                for statement in statements(MIGRATIONS[version]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        if version >= len(MIGRATIONS):
            return
