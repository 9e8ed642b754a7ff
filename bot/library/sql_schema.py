"""The library's schema, written once for SQLite and PostgreSQL: the migrations from each version to
the next, the tables, and the few helpers both stores use to open a database and describe it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

MIN_ID_LENGTH = 6


VOTES = ("up", "down")


# `MIGRATIONS[n]` takes a database from schema version n to n + 1. `{serial}`: an auto-numbered
# primary key, the one column type the two databases spell apart (see `migrations`).
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE source (
        guild_id     BIGINT NOT NULL,
        id           TEXT NOT NULL,
        title        TEXT NOT NULL,
        date         TEXT,
        label        TEXT,
        text         TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        origin       TEXT NOT NULL,
        added_by     TEXT NOT NULL,
        added_at     TEXT NOT NULL,
        PRIMARY KEY (guild_id, id),
        UNIQUE (guild_id, content_hash)
    );
    CREATE TABLE base_override (
        guild_id  BIGINT NOT NULL,
        source_id TEXT NOT NULL,
        hidden    INTEGER NOT NULL DEFAULT 0,
        label     TEXT,
        PRIMARY KEY (guild_id, source_id)
    );
    CREATE TABLE history (
        seq       {serial},
        guild_id  BIGINT NOT NULL,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        source_id TEXT NOT NULL,
        summary   TEXT NOT NULL
    );
    CREATE INDEX history_by_guild ON history (guild_id, seq);
    """,
    # 1 -> 2: feedback on answers (issue 19). Each answer given is recorded (its question, the
    # cited source ids in citation order as JSON, its status) so its buttons work after a
    # restart; each member has one row per answer: a vote and/or a "missing a source" report.
    """
    CREATE TABLE answer_record (
        guild_id     BIGINT NOT NULL,
        answer_id    BIGINT NOT NULL,
        question     TEXT NOT NULL,
        question_key TEXT NOT NULL,
        source_ids   TEXT NOT NULL,
        status       TEXT NOT NULL,
        at           TEXT NOT NULL,
        PRIMARY KEY (guild_id, answer_id)
    );
    CREATE INDEX answer_record_by_time ON answer_record (at);
    CREATE INDEX answer_record_by_guild ON answer_record (guild_id, at);
    CREATE TABLE feedback (
        guild_id  BIGINT NOT NULL,
        answer_id BIGINT NOT NULL,
        member_id BIGINT NOT NULL,
        vote      TEXT CHECK (vote IN ('up', 'down')),
        missing   INTEGER NOT NULL DEFAULT 0,
        note      TEXT,
        at        TEXT NOT NULL,
        PRIMARY KEY (guild_id, answer_id, member_id)
    );
    """,
    # 2 -> 3: a version per server, set in the same transaction as every change to what its
    # engine is built from (not answers or feedback): the next number of one counter, so a
    # process finds the servers others changed with one indexed look (`changed_since`).
    """
    CREATE TABLE library_version (
        guild_id BIGINT NOT NULL PRIMARY KEY,
        version  BIGINT NOT NULL
    );
    CREATE INDEX library_version_by_version ON library_version (version);
    """,
)
# Every table, parents first: what a copy from one store to another carries.
TABLES = ("source", "base_override", "history", "answer_record", "feedback", "library_version")


SCHEMA_VERSION = len(_MIGRATIONS)


def migrations(serial: str) -> tuple[str, ...]:
    """The migration scripts in one database's words: `serial` is its auto-numbered key."""
    return tuple(script.replace("{serial}", serial) for script in _MIGRATIONS)


def statements(script: str) -> list[str]:
    """A migration script's statements, to run one by one inside a transaction."""
    return [s.strip() for s in script.split(";") if s.strip()]


def newer_schema_error(where: str, version: int) -> str:
    return (
        f"the library database {where} has schema version {version}, newer than this "
        f"Crosscheck knows ({SCHEMA_VERSION}); upgrade Crosscheck or restore a backup"
    )


def describe_url(url: str) -> str:
    """The database a URL names, for messages: host, port and database, never the password."""
    parts = urlsplit(url)
    host = parts.hostname or parse_qs(parts.query).get("host", ["localhost"])[0]
    port = f":{parts.port}" if parts.port else ""
    return f"PostgreSQL {host}{port}{parts.path or '/'}"


def one_line(error: Exception) -> str:
    """A database error's message on one line (libpq's run over several)."""
    return " ".join(str(error).split())
