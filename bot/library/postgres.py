"""The PostgreSQL store (`DATABASE_URL=postgresql://…`): one library for several bot processes.

The schema, queries and rules are the SQLite store's (`sql_common`); what differs is here. Every
change is one transaction that first takes a transaction-level advisory lock on its server, so
changes to one server's library run one at a time across every process (as SQLite's
`BEGIN IMMEDIATE` does), and re-checks duplicates, the count limit and free ids inside it. A
process killed mid-change leaves nothing: PostgreSQL rolls back a transaction whose connection
is gone. A committed change to a server's library is announced with `NOTIFY crosscheck_library,
'<server id>'`; a running bot listens (`changed_guilds`) and rebuilds only those servers. The
schema version is the one row of `crosscheck_schema`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg

from bot.library.base import LibraryError, StoreError
from bot.library.sql_common import (
    SCHEMA_VERSION,
    TABLES,
    Db,
    SqlStore,
    bump_version,
    describe_url,
    migrations,
    newer_schema_error,
    one_line,
    statements,
)
from bot.library.sqlite import SqliteStore

_log = logging.getLogger(__name__)

CHANNEL = "crosscheck_library"
MIGRATIONS = migrations(serial="BIGSERIAL PRIMARY KEY")
CONNECT_TIMEOUT_S = 10
# The advisory lock taken while migrating or copying (server ids are locked by their own id).
SCHEMA_LOCK = 0x43524F5353  # "CROSS"
PURGE_LOCK = SCHEMA_LOCK + 1  # taken while deleting old feedback records
# How often the listener wakes to see whether it should stop (seconds).
LISTEN_WAKE_S = 0.5


class _Db:
    """A psycopg connection speaking the shared SQL's `?` placeholders."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[object] = ()) -> psycopg.Cursor[Any]:
        return self.connection.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]


class PostgresStore(SqlStore):
    """`LibraryStore` over a PostgreSQL database; safe to call from several threads."""

    def __init__(self, url: str, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock)
        self.url = url
        self.where = describe_url(url)
        self._db = self._connect()
        self._listener: _Listener | None = None
        try:
            self._migrate()
        except BaseException:
            self._db.connection.close()
            raise

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        with self._lock:
            self._db.connection.close()

    def check_writable(self) -> None:
        """Raise `StoreError` if the database role may read the library but not change it."""
        try:
            with self._lock, self._db.connection.transaction(force_rollback=True):
                self._db.execute("UPDATE crosscheck_schema SET version = version")
        except psycopg.Error as error:
            raise StoreError(
                f"the library database {self.where} cannot be changed by this role "
                f"({one_line(error)}): grant it INSERT, UPDATE and DELETE on the library's tables"
            ) from error

    def changed_guilds(self) -> set[int] | None:
        """The servers other processes changed since the last call (the first call starts
        listening); None when the listener lost its connection and may have missed some."""
        if self._listener is None:
            self._listener = _Listener(self.url, lambda: self._db.connection.info.backend_pid)
            return set()
        return self._listener.take()

    def copy_from(self, source: SqliteStore) -> dict[str, int]:
        """Copy a whole SQLite library (every table, ids and history included) into this empty
        database in one transaction; returns the rows copied per table. Refuses a database that
        already holds a library, so nothing is merged or copied twice."""
        with self._transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(?::bigint)", (SCHEMA_LOCK,))
            filled = [t for t in TABLES if db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]
            if filled:
                raise LibraryError(
                    f"The library in {self.where} is not empty (it has rows in "
                    f"{', '.join(filled)}); copy only into a new, empty database."
                )
            counts = {}
            for table, (columns, rows) in source.tables().items():
                placeholders = ", ".join("%s" for _ in columns)
                with db.connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                        rows,
                    )
                counts[table] = len(rows)
            db.execute(
                "SELECT setval(pg_get_serial_sequence('history', 'seq'), "
                "COALESCE(MAX(seq), 0) + 1, false) FROM history"
            )
            customised = "SELECT guild_id FROM source UNION SELECT guild_id FROM base_override"
            for (guild_id,) in db.execute(customised).fetchall():
                _announce(db, guild_id)
        return counts

    # --- plumbing ---------------------------------------------------------------------------

    def _purging(self, db: Db) -> None:
        db.execute("SELECT pg_advisory_xact_lock(?::bigint)", (PURGE_LOCK,))

    def _connect(self) -> _Db:
        try:
            connection = psycopg.connect(
                self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
        except psycopg.Error as error:
            raise StoreError(
                f"cannot connect to the library database {self.where}: {one_line(error)}"
            ) from error
        return _Db(connection)

    def _live(self) -> _Db:
        """The connection, opened again if the server dropped it (a restart, a failover)."""
        if self._db.connection.closed or self._db.connection.broken:
            _log.warning("Connection to the library database %s lost; reconnecting.", self.where)
            self._db = self._connect()
        return self._db

    def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple]:
        """One query; asked again once on a new connection if the server had dropped ours (a
        read is safe to repeat; a change is not: it may have committed before the drop)."""
        with self._lock:
            for attempt in (1, 2):
                db = self._live()
                try:
                    return db.execute(sql, params).fetchall()
                except psycopg.Error as error:
                    if attempt == 1 and db.connection.broken:
                        continue
                    raise StoreError(
                        f"cannot read the library database {self.where}: {one_line(error)}"
                    ) from error
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self, guild_id: int | None = None, *, announce: bool = False) -> Iterator[_Db]:
        """One change: all of it is committed, or none of it; changes to one server wait for
        each other (an advisory lock on its id). A database that cannot take the change (gone,
        full, read-only role) refuses it as a `LibraryError`."""
        with self._lock:
            try:
                db = self._live()
                with db.connection.transaction():
                    if guild_id is not None:
                        db.execute("SELECT pg_advisory_xact_lock(?::bigint)", (guild_id,))
                    yield db
                    if announce and guild_id is not None:
                        bump_version(db, guild_id)
                        _announce(db, guild_id)
            except (psycopg.Error, StoreError) as error:  # StoreError: could not reconnect
                raise LibraryError(
                    f"The library database could not save it: {one_line(error)}."
                ) from error

    def _migrate(self) -> None:
        """Create or update the schema in one transaction, under a lock, so two processes
        starting on a new database at once do not both create the tables."""
        try:
            with self._db.connection.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(?::bigint)", (SCHEMA_LOCK,))
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS crosscheck_schema (version INTEGER NOT NULL)"
                )
                row = self._db.execute("SELECT version FROM crosscheck_schema").fetchone()
                version = row[0] if row else 0
                if version > SCHEMA_VERSION:
                    raise StoreError(newer_schema_error(self.where, version))
                for script in MIGRATIONS[version:]:
                    for statement in statements(script):
                        self._db.execute(statement)
                if row is None:
                    self._db.execute(
                        "INSERT INTO crosscheck_schema (version) VALUES (?)", (SCHEMA_VERSION,)
                    )
                elif version < SCHEMA_VERSION:
                    self._db.execute("UPDATE crosscheck_schema SET version = ?", (SCHEMA_VERSION,))
        except psycopg.Error as error:
            raise StoreError(
                f"cannot use the library database {self.where}: {one_line(error)}"
            ) from error


def _announce(db: _Db, guild_id: int) -> None:
    """Tell every listening process that this server's library changed, once it commits
    (PostgreSQL sends a transaction's notifications at its commit, and drops them at a
    rollback)."""
    db.execute("SELECT pg_notify(?, ?)", (CHANNEL, str(guild_id)))


class _Listener:
    """A connection of its own that LISTENs, and a thread that collects the changed servers."""

    def __init__(self, url: str, own_pid: Callable[[], int]) -> None:
        """`own_pid`: the server process of our own store's connection, whose changes this
        process made itself (and rebuilt for) already."""
        self._url = url
        self._own_pid = own_pid
        self._changed: set[int] = set()
        self._missed = False
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="library-listener", daemon=True)
        self._thread.start()
        self._ready.wait(CONNECT_TIMEOUT_S)  # changes from now on are seen

    def take(self) -> set[int] | None:
        """The servers announced since the last call; None if some may have been missed."""
        with self._guard:
            changed, missed = self._changed, self._missed
            self._changed, self._missed = set(), False
        return None if missed else changed

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(LISTEN_WAKE_S * 4)

    def _run(self) -> None:
        first = True
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    if not first:  # what was announced while we were away is unknown
                        with self._guard:
                            self._missed = True
                    first = False
                    self._ready.set()
                    while not self._stopping.is_set():
                        for notice in connection.notifies(timeout=LISTEN_WAKE_S):
                            self._note(notice)
            except psycopg.Error as error:
                _log.warning("Library change listener lost its connection: %s", one_line(error))
                first = False
                self._stopping.wait(1.0)
            self._ready.set()

    def _note(self, notice: psycopg.Notify) -> None:
        if notice.pid == self._own_pid():
            return  # this process's own change: it rebuilt that server already
        with self._guard:
            if notice.payload.isdigit():
                self._changed.add(int(notice.payload))
            else:
                self._missed = True
