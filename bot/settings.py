"""Settings: one frozen object, read once from the environment and `.env`, validated at start.

The environment wins over `.env`, so a deployment can override a checked-out file. The `.env`
read is the current folder's, else the checkout's (the folder holding `bot/` and
`pyproject.toml`), so a command run from another folder still finds the same settings; relative
paths in it (DATA_DIR, CROSSCHECK_SOURCES) are relative to its own folder, and DATA_DIR defaults
to `data` beside it. Nothing here imports `discord`; the endpoint defaults are Discord's public
ones, written out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.sources import DEFAULT_SOURCES_DIR

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
DEFAULT_LOG_LEVEL = "INFO"
DEFAULT_ASK_COOLDOWN_SECONDS = 5.0
ENV_FILE_NAME = ".env"
PROJECT_DIR = Path(__file__).resolve().parent.parent  # the checkout, when run from one
DEFAULT_DATA_DIR = Path("data")
DEFAULT_MAX_SOURCE_BYTES = 1_000_000
DEFAULT_MAX_SOURCES_PER_SERVER = 500
DEFAULT_CONFLICTS_SECONDS = 30.0
MAX_CONFLICTS_SECONDS = 600.0  # well inside the 15 minutes Discord keeps a reply open
DEFAULT_FEEDBACK_RETENTION_DAYS = 30
# What the servers' engines loaded in one process may hold together (MiB; see the README).
DEFAULT_ENGINE_MEMORY_MB = 256
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Discord ids (snowflakes) are positive and fit SQLite's signed 64-bit integers.
SNOWFLAKE_LIMIT = 2**63


class SettingsError(Exception):
    """A setting that cannot be used; the message names the variable and says why."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    # repr=False: a settings object may end up in a log line or a traceback; the token must not.
    token: str | None = field(default=None, repr=False)
    guild_id: int | None = None
    api_base: str = DEFAULT_API_BASE
    gateway_url: str = DEFAULT_GATEWAY_URL
    log_level: str = DEFAULT_LOG_LEVEL
    ask_cooldown_seconds: float = DEFAULT_ASK_COOLDOWN_SECONDS
    sources_dir: Path = DEFAULT_SOURCES_DIR
    # The per-server library (issue 9): where the database lives, who moderates, the limits.
    data_dir: Path = DEFAULT_DATA_DIR
    # The library in PostgreSQL instead of DATA_DIR's SQLite file; may hold a password.
    database_url: str | None = field(default=None, repr=False)
    # Roles whose members may use /library (role ids are unique across servers, so one list
    # serves every server the bot is in).
    moderator_role_ids: frozenset[int] = frozenset()
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES
    max_sources_per_server: int = DEFAULT_MAX_SOURCES_PER_SERVER
    # How long `/library conflicts` and `python -m bot conflicts` look before reporting.
    conflicts_seconds: float = DEFAULT_CONFLICTS_SECONDS
    # How long answers' questions, cited sources and members' feedback are kept (issue 19).
    feedback_retention_days: int = DEFAULT_FEEDBACK_RETENTION_DAYS
    # Servers' engines are loaded on demand and the least recently used dropped beyond this.
    engine_memory_mb: int = DEFAULT_ENGINE_MEMORY_MB
    # Sharding across processes (issue 18): the total number of shards (None: one unsharded
    # connection, as without it) and the shards this process runs (None: all of them).
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None

    def serves_guild(self, guild_id: int) -> bool:
        """Whether this process answers for the server: its shard is one this process runs."""
        if self.shard_count is None:
            return True
        shard = shard_of(guild_id, self.shard_count)
        return self.shard_ids is None or shard in self.shard_ids

    @property
    def syncs_commands(self) -> bool:
        """Whether this process syncs the commands at start: only the one running shard 0, so
        several processes started at once push them once."""
        return self.shard_ids is None or 0 in self.shard_ids

    env_file: Path | None = None  # the `.env` that was read, if any

    @property
    def origin(self) -> str:
        """Where the settings came from, for the line that names the library opened."""
        return f"settings from {self.env_file}" if self.env_file else "no .env file read"

    @property
    def custom_gateway(self) -> bool:
        """Whether the gateway was overridden (then resumes must not go to Discord's own URL)."""
        return self.gateway_url != DEFAULT_GATEWAY_URL


def find_env_file() -> Path | None:
    """`./.env`, else the checkout's `.env` (when running from a checkout), else None."""
    here = Path(ENV_FILE_NAME)
    if here.is_file():
        return here.resolve()
    checkout = PROJECT_DIR / ENV_FILE_NAME
    if (PROJECT_DIR / "pyproject.toml").is_file() and checkout.is_file():
        return checkout
    return None


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | Literal["find"] | None = "find",
    *,
    sources_dir: Path | None = None,
) -> Settings:
    """Read settings from `environ` (default `os.environ`) over `env_file` (default: the one
    `find_env_file` finds; None reads no file).

    `sources_dir` (the command line's `--sources`) wins over `CROSSCHECK_SOURCES` when given.

    Raises `SettingsError` with a one-line message for any value that cannot be used. A missing
    token is not an error here: only `run` and `sync` need it, and they say so themselves.
    """
    if env_file == "find":
        env_file = find_env_file()
    if env_file is not None and not env_file.is_file():
        env_file = None
    from_file: dict[str, str] = {}
    if env_file is not None:
        from_file = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    environment = os.environ if environ is None else environ
    values = {**from_file, **environment}

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    def path(name: str, default: Path) -> Path:
        """A folder setting; a relative one from `.env` is relative to the `.env`'s folder."""
        value = get(name)
        if value is None:
            return default
        folder = Path(value).expanduser()
        if env_file is not None and name not in environment and not folder.is_absolute():
            return env_file.parent / folder
        return folder

    default_data_dir = env_file.parent / DEFAULT_DATA_DIR if env_file else DEFAULT_DATA_DIR

    return Settings(
        token=get("DISCORD_TOKEN"),
        guild_id=_parse_guild_id(get("DISCORD_GUILD_ID")),
        api_base=_parse_url(
            "DISCORD_API_BASE", get("DISCORD_API_BASE"), DEFAULT_API_BASE, ("http", "https")
        ),
        gateway_url=_parse_url(
            "DISCORD_GATEWAY_URL", get("DISCORD_GATEWAY_URL"), DEFAULT_GATEWAY_URL, ("ws", "wss")
        ),
        log_level=_parse_log_level(get("LOG_LEVEL")),
        ask_cooldown_seconds=_parse_cooldown(get("ASK_COOLDOWN_SECONDS")),
        sources_dir=sources_dir.expanduser()
        if sources_dir
        else path("CROSSCHECK_SOURCES", DEFAULT_SOURCES_DIR),
        data_dir=path("DATA_DIR", default_data_dir),
        database_url=_parse_database_url(get("DATABASE_URL")),
        moderator_role_ids=_parse_role_ids("MODERATOR_ROLE_ID", get("MODERATOR_ROLE_ID")),
        max_source_bytes=_parse_count(
            "MAX_SOURCE_BYTES", get("MAX_SOURCE_BYTES"), DEFAULT_MAX_SOURCE_BYTES
        ),
        max_sources_per_server=_parse_count(
            "MAX_SOURCES_PER_SERVER", get("MAX_SOURCES_PER_SERVER"), DEFAULT_MAX_SOURCES_PER_SERVER
        ),
        conflicts_seconds=_parse_conflicts_seconds(get("CONFLICTS_SECONDS")),
        feedback_retention_days=_parse_count(
            "FEEDBACK_RETENTION_DAYS",
            get("FEEDBACK_RETENTION_DAYS"),
            DEFAULT_FEEDBACK_RETENTION_DAYS,
        ),
        engine_memory_mb=_parse_count(
            "ENGINE_MEMORY_MB", get("ENGINE_MEMORY_MB"), DEFAULT_ENGINE_MEMORY_MB
        ),
        **_parse_shards(get("SHARD_COUNT"), get("SHARD_IDS")),
        env_file=env_file,
    )


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard whose gateway connection receives this server's events (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def _parse_shards(count: str | None, ids: str | None) -> dict[str, Any]:
    """`shard_count` and `shard_ids` from SHARD_COUNT and SHARD_IDS (none when unset)."""
    if count is None:
        if ids is not None:
            raise SettingsError(
                f"SHARD_IDS ({ids!r}) needs SHARD_COUNT: the number of shards of all processes"
            )
        return {}
    shard_count = _parse_count("SHARD_COUNT", count, 1)
    if ids is None:
        return {"shard_count": shard_count}
    parts = [part.strip() for part in ids.split(",")]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise SettingsError(
            f"SHARD_IDS must be shard numbers separated by commas (e.g. 0,1), not {ids!r}"
        )
    shard_ids = [int(part) for part in parts]
    for shard in shard_ids:
        if shard >= shard_count:
            raise SettingsError(
                f"SHARD_IDS has shard {shard}, but with SHARD_COUNT={shard_count} shards are "
                f"numbered 0 to {shard_count - 1}"
            )
        if shard_ids.count(shard) > 1:
            raise SettingsError(f"SHARD_IDS lists shard {shard} more than once: {ids!r}")
    return {"shard_count": shard_count, "shard_ids": tuple(sorted(shard_ids))}


def _parse_guild_id(value: str | None) -> int | None:
    return _parse_snowflake("DISCORD_GUILD_ID", value, "a server ID")


def _parse_role_ids(name: str, value: str | None) -> frozenset[int]:
    """A comma-separated list of role ids (one per server, or several)."""
    if value is None:
        return frozenset()
    if not all(is_snowflake(part.strip()) for part in value.split(",")):
        raise SettingsError(f"{name} must be role IDs (numbers) separated by commas, not {value!r}")
    return frozenset(int(part) for part in value.split(","))


def _parse_snowflake(name: str, value: str | None, what: str) -> int | None:
    if value is None:
        return None
    if not is_snowflake(value):
        raise SettingsError(f"{name} must be {what} (a number), not {value!r}")
    return int(value)


def is_snowflake(value: str) -> bool:
    """Whether `value` is a Discord id: a whole number from 1 to 2**63 - 1."""
    return value.isascii() and value.isdigit() and 0 < int(value) < SNOWFLAKE_LIMIT


def _parse_count(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < 1:  # "²" is a digit too
        raise SettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _parse_url(name: str, value: str | None, default: str, schemes: tuple[str, ...]) -> str:
    if value is None:
        return default
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        expected = " or ".join(f"{s}://" for s in schemes)
        raise SettingsError(f"{name} must be a URL starting with {expected}, not {value!r}")
    return value


def _parse_database_url(value: str | None) -> str | None:
    """A PostgreSQL URL, or None (SQLite in DATA_DIR). The value is not echoed: it may hold a
    password."""
    if value is None:
        return None
    if urlsplit(value).scheme not in ("postgresql", "postgres"):
        raise SettingsError(
            "DATABASE_URL must be a PostgreSQL URL starting with postgresql:// "
            "(e.g. postgresql://crosscheck:PASSWORD@db-host:5432/crosscheck), or unset for SQLite"
        )
    return value


def _parse_log_level(value: str | None) -> str:
    level = (value or DEFAULT_LOG_LEVEL).upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def _parse_cooldown(value: str | None) -> float:
    return _parse_seconds(
        "ASK_COOLDOWN_SECONDS",
        value,
        DEFAULT_ASK_COOLDOWN_SECONDS,
        0.0,
        3600.0,
        "from 0 (off) to 3600",
    )


def _parse_conflicts_seconds(value: str | None) -> float:
    limit = MAX_CONFLICTS_SECONDS
    return _parse_seconds(
        "CONFLICTS_SECONDS", value, DEFAULT_CONFLICTS_SECONDS, 0.0, limit,
        f"above 0 and at most {limit:.0f}", above=True,
    )  # fmt: skip


def _parse_seconds(
    name: str, value: str | None, default: float, low: float, high: float, allowed: str,
    *, above: bool = False,
) -> float:  # fmt: skip
    """A number of seconds from `low` (or `above` it) to `high`, else a message saying which."""
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not (low < seconds if above else low <= seconds) or not seconds <= high:
        raise SettingsError(f"{name} must be a number of seconds {allowed}, not {value!r}")
    return seconds
