"""Opening the library: the store (SQLite or PostgreSQL), the base sources, a server's library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.library.base import LibraryStore, library_sources
from bot.library.sqlite import DATABASE_NAME, SqliteStore
from bot.sources import Source, load_sources


def server_sources(
    store: LibraryStore, base: Sequence[Source], guild_id: int | None
) -> list[Source]:
    """A server's library as the store has it now (the base set alone for no server)."""
    if guild_id is None:
        return list(base)
    return library_sources(base, store.overrides(guild_id), store.added_sources(guild_id))


def open_store(data_dir: Path, database_url: str | None = None) -> LibraryStore:
    """The library: in PostgreSQL at `database_url` when given, else SQLite in `data_dir`."""
    if database_url:
        from bot.library.postgres import PostgresStore  # psycopg only when it is used

        return PostgresStore(database_url)
    return SqliteStore.in_data_dir(data_dir)


def library_location(data_dir: Path, database_url: str | None = None) -> str:
    """The library `open_store` opens, for messages: the PostgreSQL database (never the
    password), else the SQLite file's full path."""
    if database_url:
        from bot.library.sql_schema import describe_url

        return describe_url(database_url)
    return str(Path(data_dir).resolve() / DATABASE_NAME)


def open_library(
    sources_dir: Path, data_dir: Path, database_url: str | None = None
) -> tuple[LibraryStore, list[Source]]:
    """The store (`open_store`) and the base sources from `sources_dir`.

    Raises `SourceError` for unusable base sources and `StoreError` for an unusable database.
    """
    base = load_sources(sources_dir)
    return open_store(data_dir, database_url), base
