"""What the fake records of a client's requests, and its sessions and interactions."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from fakes.discord.constants import (
    _MENTION_EVERYONE,
    _MENTION_ROLE,
    _MENTION_USER,
    DISCORD_EPOCH_MS,
    FLAG_EPHEMERAL,
)


class FakeDiscordTimeout(AssertionError):
    """A ``wait_for_*`` helper timed out; the message lists what was recorded."""


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _snowflake_factory() -> Callable[[], str]:
    counter = itertools.count(1)

    def make() -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (next(counter) & 0x3FFFFF))

    return make


def pings(content: str | None, allowed_mentions: dict[str, Any] | None) -> set[str]:
    """Return the mention kinds ("everyone", "users", "roles") that ``content`` would ping.

    ``allowed_mentions=None`` means Discord's default for interactions and webhooks,
    which parses user mentions only.  Mentions inside embeds never ping.
    """
    content = content or ""
    if allowed_mentions is None:
        parse, users, roles = {"users"}, [], []
    else:
        parse = set(allowed_mentions.get("parse") or [])
        users = allowed_mentions.get("users") or []
        roles = allowed_mentions.get("roles") or []
    found: set[str] = set()
    if "everyone" in parse and _MENTION_EVERYONE.search(content):
        found.add("everyone")
    if ("users" in parse or users) and _MENTION_USER.search(content):
        found.add("users")
    if ("roles" in parse or roles) and _MENTION_ROLE.search(content):
        found.add("roles")
    return found


@dataclass
class RecordedRequest:
    """One HTTP request the client made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    authorization: str | None
    status: int = 0


@dataclass
class Callback:
    """A POST /interactions/{id}/{token}/callback."""

    interaction_id: str
    token: str
    type: int
    data: dict[str, Any]
    query: dict[str, str]
    status: int

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds") or [])

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.data.get("allowed_mentions")

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (callback type 8)."""
        return list(self.data.get("choices") or [])


@dataclass
class SentMessage:
    """A message the client created or edited (callback, follow-up, edit, channel send).

    ``payload`` is what the client sent; ``flags`` are the flags the resulting
    message has on Discord (a deferred response decides the ephemerality of the
    original message and of the first follow-up).
    """

    kind: str  # "callback" | "followup" | "edit" | "channel"
    message_id: str
    channel_id: str
    payload: dict[str, Any]
    flags: int
    interaction_id: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def content(self) -> str | None:
        return self.payload.get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.payload.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.payload.get("components") or [])

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.payload.get("allowed_mentions")

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    def pings(self) -> set[str]:
        """Mention kinds this message would ping (see :func:`pings`)."""
        default = self.allowed_mentions
        if default is None and self.kind == "channel":
            default = {"parse": ["users", "roles", "everyone"]}
        return pings(self.content, default)

    def text(self) -> str:
        """Content plus every embed's visible text, for loose assertions."""
        parts = [self.content or ""]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for fld in embed.get("fields") or []:
                parts += [fld.get("name") or "", fld.get("value") or ""]
            parts.append((embed.get("footer") or {}).get("text") or "")
            parts.append((embed.get("author") or {}).get("name") or "")
        return "\n".join(p for p in parts if p)


@dataclass
class CommandSync:
    """A bulk overwrite (PUT) of application commands."""

    guild_id: str | None
    payload: list[dict[str, Any]]
    status: int


@dataclass
class GatewayEvent:
    """One gateway frame, sent ("out") or received ("in")."""

    direction: str
    op: int
    t: str | None
    d: Any
    connection: int


@dataclass
class _Session:
    session_id: str
    intents: int
    seq: int = 0
    shard: tuple[int, int] = (0, 1)


@dataclass
class _Interaction:
    payload: dict[str, Any]
    injected_at: float
    callback: Callback | None = None
    original: dict[str, Any] | None = None  # message payload of @original
    deferred_flags: int | None = None
    followups: int = 0


class _GatewayConn:
    """One websocket connection from a client."""

    def __init__(self, number: int, ws: web.WebSocketResponse) -> None:
        self.number = number
        self.ws = ws
        self.session: _Session | None = None
        self.lock = asyncio.Lock()
        self.shard: tuple[int, int] = (0, 1)  # IDENTIFY's [shard id, shard count]

    def owns(self, guild_id: str | int | None) -> bool:
        """Whether Discord sends this server's events here (DMs: shard 0)."""
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(int(guild_id), count))


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's formula: the shard whose connection receives a server's events."""
    return (guild_id >> 22) % shard_count


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, code: int, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.errors = status, message, code, errors
