"""A small Discord-compatible API (REST + gateway) for end-to-end tests.

The server binds to 127.0.0.1 on an ephemeral port and speaks just enough of
Discord's v10 API for discord.py 2.x to log in, connect to the gateway, sync
application commands and answer interactions.  Everything the client sends is
recorded so tests can assert on it, and ``wait_for_*`` helpers with timeouts
let tests await side effects without hanging.

Pointing discord.py at it (what the bot must do)::

    discord.http.Route.BASE = server.api_base            # "http://127.0.0.1:PORT/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
                                                          # "ws://127.0.0.1:PORT/gateway"

Interaction callbacks, follow-ups and webhook edits are built with
``discord.http.Route`` as well, so patching ``Route.BASE`` covers them.  READY's
``resume_gateway_url`` and ``GET /gateway/bot`` both return ``gateway_url``, so
reconnects stay on loopback.

Sharding as Discord does it: IDENTIFY's ``shard`` [id, count] is kept per connection (an
invalid one is closed with 4010, a count below ``required_shards`` with 4011), and a server's
READY entry, its GUILD_CREATE and its interactions go only to the live connection of the shard
``(guild_id >> 22) % count`` (DMs to shard 0). A client without ``shard`` is shard [0, 1] and
gets everything. ``GET /gateway/bot`` recommends ``recommended_shards``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

log = logging.getLogger("fake_discord")

T = TypeVar("T")

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
PERM_CREATE_INSTANT_INVITE = 1 << 0
PERM_ADD_REACTIONS = 1 << 6
PERM_VIEW_CHANNEL = 1 << 10
PERM_SEND_MESSAGES = 1 << 11
PERM_EMBED_LINKS = 1 << 14
PERM_ATTACH_FILES = 1 << 15
PERM_READ_MESSAGE_HISTORY = 1 << 16
PERM_MANAGE_MESSAGES = 1 << 13
PERM_ADMINISTRATOR = 1 << 3
PERM_USE_APPLICATION_COMMANDS = 1 << 31
MEMBER_PERMISSIONS = (
    PERM_CREATE_INSTANT_INVITE
    | PERM_ADD_REACTIONS
    | PERM_VIEW_CHANNEL
    | PERM_SEND_MESSAGES
    | PERM_EMBED_LINKS
    | PERM_ATTACH_FILES
    | PERM_READ_MESSAGE_HISTORY
    | PERM_USE_APPLICATION_COMMANDS
)
MODERATOR_PERMISSIONS = MEMBER_PERMISSIONS | PERM_MANAGE_MESSAGES

# Privileged gateway intents.
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Message flags.
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12

# Interaction types and callback types.
INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5
CALLBACK_PONG = 1
CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE_RESULT = 8
CALLBACK_MODAL = 9

_MENTION_USER = re.compile(r"<@!?\d+>")
_MENTION_ROLE = re.compile(r"<@&\d+>")
_MENTION_EVERYONE = re.compile(r"@(everyone|here)")
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


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


# --------------------------------------------------------------------------- records


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


# --------------------------------------------------------------------------- server


class FakeDiscord:
    """In-process fake of Discord's REST API and gateway, for tests.

    Use as ``async with FakeDiscord() as server:``; then give a client
    ``server.api_base`` and ``server.gateway_url``.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        application_id: str = "1100000000000000001",
        bot_user_id: str | None = None,
        bot_name: str = "Crosscheck",
        with_guild: bool = True,
        guild_id: str = "1200000000000000001",
        channel_id: str = "1300000000000000001",
        heartbeat_interval_ms: int = 1000,
        privileged_intents_allowed: int = 0,
        sync_forbidden: bool = False,
        callback_deadline: float | None = 3.0,
        recommended_shards: int = 1,
        resume_gateway_url: str | None = None,
        required_shards: int = 1,
    ) -> None:
        self.token = token
        self.recommended_shards = recommended_shards
        self._resume_gateway_url = resume_gateway_url  # READY's; default: gateway_url
        self.required_shards = required_shards  # fewer: IDENTIFY closed 4011, as for big bots
        self.application_id = application_id
        self.bot_user_id = bot_user_id or application_id
        self.bot_name = bot_name
        self.with_guild = with_guild
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.privileged_intents_allowed = privileged_intents_allowed
        self.sync_forbidden = sync_forbidden
        self.callback_deadline = callback_deadline

        self._snowflake = _snowflake_factory()
        self.owner = self.make_user("owner", user_id="1400000000000000001")

        # Records.
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[RecordedRequest] = []
        self.callbacks: list[Callback] = []
        self.messages: list[SentMessage] = []
        self.syncs: list[CommandSync] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_events: list[GatewayEvent] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.ready_count = 0
        self.resumed_count = 0
        self.heartbeat_count = 0

        # State.
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[str, list[dict[str, Any]]] = {}
        self._command_ids: dict[tuple[str | None, int, str], str] = {}
        self._interactions: dict[str, _Interaction] = {}
        self._tokens: dict[str, str] = {}
        self._messages_by_id: dict[str, dict[str, Any]] = {}
        self._sessions: dict[str, _Session] = {}
        self._conns: list[_GatewayConn] = []
        self._active: _GatewayConn | None = None  # the last connection identified or resumed
        self._live: list[_GatewayConn] = []  # every identified or resumed connection, in order
        self._conn_numbers = itertools.count(1)

        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def http_base(self) -> str:
        """``http://127.0.0.1:PORT`` (no API prefix)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE`` / ``DISCORD_API_BASE``."""
        return f"{self.http_base}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` / ``DISCORD_GATEWAY_URL``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def env(self, token: str | None = None) -> dict[str, str]:
        """Environment variables that point the bot at this server."""
        return {
            "DISCORD_TOKEN": self.token if token is None else token,
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
        }

    async def start(self) -> None:
        """Bind to 127.0.0.1 on an ephemeral port and start serving."""
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_route("*", "/{tail:.*}", self._http_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        log.debug("fake discord listening on %s", self.http_base)

    async def stop(self) -> None:
        """Close every gateway connection and stop the HTTP server."""
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001, message=b"server stopping"), 2)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ payload helpers

    def snowflake(self) -> str:
        """A fresh, increasing snowflake id."""
        return self._snowflake()

    def make_user(
        self, name: str = "tester", *, user_id: str | None = None, bot: bool = False
    ) -> dict[str, Any]:
        """A user object."""
        user: dict[str, Any] = {
            "id": user_id or self.snowflake(),
            "username": name,
            "discriminator": "0",
            "global_name": name.title(),
            "avatar": None,
            "public_flags": 0,
        }
        if bot:
            user["bot"] = True
        return user

    @property
    def bot_user(self) -> dict[str, Any]:
        user = self.make_user(self.bot_name.lower(), user_id=self.bot_user_id, bot=True)
        user.update(verified=True, mfa_enabled=False, flags=0, email=None)
        return user

    def text_channel(self) -> dict[str, Any]:
        return {
            "id": self.channel_id,
            "type": 0,
            "guild_id": self.guild_id,
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def _member(self, user: dict[str, Any], permissions: int | None = None) -> dict[str, Any]:
        member: dict[str, Any] = {
            "user": user,
            "roles": [],
            "joined_at": _now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def guild_payload(self) -> dict[str, Any]:
        """A GUILD_CREATE payload for the one fake guild."""
        return {
            "id": self.guild_id,
            "name": "Fake Guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": self.owner["id"],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [
                {
                    "id": self.guild_id,
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": _now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": 2,
            "voice_states": [],
            "members": [self._member(self.bot_user)],
            "channels": [self.text_channel()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def message_payload(
        self,
        content: str | None = "",
        *,
        author: dict[str, Any] | None = None,
        message_id: str | None = None,
        channel_id: str | None = None,
        embeds: list[dict[str, Any]] | None = None,
        components: list[dict[str, Any]] | None = None,
        flags: int = 0,
        message_type: int = 0,
        webhook_id: str | None = None,
    ) -> dict[str, Any]:
        """A message object (also used for resolved context-menu targets)."""
        msg: dict[str, Any] = {
            "id": message_id or self.snowflake(),
            "channel_id": channel_id or self.channel_id,
            "author": author or self.bot_user,
            "content": content or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "pinned": False,
            "type": message_type,
            "flags": flags,
            "components": components or [],
        }
        if self.with_guild:
            msg["guild_id"] = self.guild_id
        if webhook_id is not None:
            msg["webhook_id"] = webhook_id
            msg["application_id"] = self.application_id
        return msg

    # ------------------------------------------------------------------ interaction builders

    def _find_command(self, name: str, ctype: int) -> tuple[dict[str, Any] | None, bool]:
        for cmd in self.guild_commands.get(self.guild_id, []) if self.with_guild else []:
            if cmd["name"] == name and cmd.get("type", 1) == ctype:
                return cmd, True
        for cmd in self.global_commands:
            if cmd["name"] == name and cmd.get("type", 1) == ctype:
                return cmd, False
        return None, False

    def _command_data(self, name: str, ctype: int) -> dict[str, Any]:
        cmd, in_guild = self._find_command(name, ctype)
        data: dict[str, Any] = {
            "id": cmd["id"] if cmd else self.snowflake(),
            "name": name,
            "type": ctype,
        }
        if in_guild:
            data["guild_id"] = self.guild_id
        return data

    @staticmethod
    def _option(name: str, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return {"name": name, **value}
        if isinstance(value, bool):
            otype = 5
        elif isinstance(value, int):
            otype = 4
        elif isinstance(value, float):
            otype = 10
        else:
            otype = 3
        return {"name": name, "type": otype, "value": value}

    def interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        user: dict[str, Any] | None = None,
        permissions: int = MEMBER_PERMISSIONS,
        in_guild: bool | None = None,
        message: dict[str, Any] | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A raw INTERACTION_CREATE payload around ``data``."""
        in_guild = self.with_guild if in_guild is None else in_guild
        user = user or self.make_user("tester", user_id="1500000000000000001")
        payload: dict[str, Any] = {
            "id": self.snowflake(),
            "application_id": self.application_id,
            "type": itype,
            "data": data,
            "token": "itok" + secrets.token_hex(24),
            "version": 1,
            "locale": locale,
            "app_permissions": str(MODERATOR_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if in_guild:
            channel = self.text_channel()
            payload.update(
                guild_id=self.guild_id,
                guild={"id": self.guild_id, "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=channel["id"],
                channel=channel,
                member=self._member(user, permissions),
                authorizing_integration_owners={"0": self.guild_id},
                context=0,
            )
        else:
            dm_id = "1600000000000000001"
            payload.update(
                channel_id=dm_id,
                channel={"id": dm_id, "type": 1, "recipients": [user], "flags": 0},
                user=user,
                authorizing_integration_owners={"0": self.guild_id},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        return payload

    def _nest_options(self, name: str, options: Any, focused: str | None) -> tuple[str, list]:
        parts = name.split()
        if isinstance(options, dict):
            opts = [self._option(k, v) for k, v in options.items()]
        else:
            opts = [dict(o) for o in (options or [])]
        for opt in opts:
            if focused is not None and opt["name"] == focused:
                opt["focused"] = True
        if len(parts) == 3:
            opts = [
                {
                    "name": parts[1],
                    "type": 2,
                    "options": [{"name": parts[2], "type": 1, "options": opts}],
                }
            ]
        elif len(parts) == 2:
            opts = [{"name": parts[1], "type": 1, "options": opts}]
        elif len(parts) != 1:
            raise ValueError(f"bad command name {name!r}")
        return parts[0], opts

    def slash_command(
        self, name: str, options: dict[str, Any] | list[dict[str, Any]] | None = None, **kw: Any
    ) -> dict[str, Any]:
        """A chat-input command interaction; ``name`` may be "group sub" or "group sub sub".

        ``options`` is either ``{"question": "text"}`` (types inferred) or raw option dicts.
        Extra keyword arguments go to :meth:`interaction` (user, permissions, in_guild).
        """
        top, opts = self._nest_options(name, options, None)
        data = self._command_data(top, 1)
        data["options"] = opts
        return self.interaction(INTERACTION_APPLICATION_COMMAND, data, **kw)

    def autocomplete(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None,
        focused: str,
        **kw: Any,
    ) -> dict[str, Any]:
        """An autocomplete interaction (type 4) with ``focused`` marked."""
        top, opts = self._nest_options(name, options, focused)
        data = self._command_data(top, 1)
        data["options"] = opts
        return self.interaction(INTERACTION_AUTOCOMPLETE, data, **kw)

    def message_command(
        self,
        name: str,
        target_content: str,
        *,
        target_author: dict[str, Any] | None = None,
        target_id: str | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        """A message context-menu interaction (type 2, data.type 3)."""
        target = self.message_payload(
            target_content,
            author=target_author or self.make_user("author", user_id="1500000000000000002"),
            message_id=target_id,
        )
        data = self._command_data(name, 3)
        data["target_id"] = target["id"]
        data["resolved"] = {"messages": {target["id"]: target}}
        return self.interaction(INTERACTION_APPLICATION_COMMAND, data, **kw)

    def component(
        self,
        custom_id: str,
        message: dict[str, Any] | SentMessage,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        """A component interaction (type 3) on ``message`` (a payload or a SentMessage)."""
        if isinstance(message, SentMessage):
            message = self._messages_by_id[message.message_id]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return self.interaction(INTERACTION_COMPONENT, data, message=message, **kw)

    async def inject(self, payload: dict[str, Any], *, timeout: float = 5.0) -> dict[str, Any]:
        """Dispatch INTERACTION_CREATE for ``payload`` to the connected client."""
        self._interactions[payload["id"]] = _Interaction(payload, time.monotonic())
        self._tokens[payload["token"]] = payload["id"]
        await self.dispatch(
            "INTERACTION_CREATE", payload, timeout=timeout, guild_id=payload.get("guild_id")
        )
        self._interactions[payload["id"]].injected_at = time.monotonic()
        return payload

    # ------------------------------------------------------------------ waiting

    async def _notify(self) -> None:
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def wait_until(self, probe: Callable[[], T | None], timeout: float, what: str) -> T:
        """Wait until ``probe()`` returns something other than None/False and return it."""
        assert self._cond is not None
        cond = self._cond

        async def inner() -> T:
            async with cond:
                while True:
                    value = probe()
                    if value is not None and value is not False:
                        return value
                    await cond.wait()

        try:
            return await asyncio.wait_for(inner(), timeout)
        except TimeoutError:
            raise FakeDiscordTimeout(
                f"timed out after {timeout}s waiting for {what}\n" + self.describe()
            ) from None

    def describe(self) -> str:
        """A short dump of recent activity, for failure messages."""
        lines = [f"requests ({len(self.requests)}):"]
        lines += [f"  {r.method} {r.path} -> {r.status}" for r in self.requests[-15:]]
        lines.append(f"unknown routes: {[(r.method, r.path) for r in self.unknown_routes]}")
        lines.append(
            f"identifies={len(self.identifies)} ready={self.ready_count} "
            f"resumes={len(self.resumes)} resumed={self.resumed_count} "
            f"connected={self._active is not None}"
        )
        lines.append(f"live shards: {self.live_shards()}")
        lines.append(f"callbacks: {[(c.interaction_id, c.type, c.status) for c in self.callbacks]}")
        return "\n".join(lines)

    async def wait_for_identify(self, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the ``count``-th IDENTIFY and return its ``d``."""
        return await self.wait_until(
            lambda: self.identifies[count - 1] if len(self.identifies) >= count else None,
            timeout,
            f"IDENTIFY #{count}",
        )

    async def wait_for_ready(self, count: int = 1, timeout: float = 5.0) -> int:
        """Wait until READY has been sent ``count`` times."""
        return await self.wait_until(
            lambda: self.ready_count if self.ready_count >= count else None,
            timeout,
            f"READY #{count}",
        )

    async def wait_for_resumed(self, count: int = 1, timeout: float = 5.0) -> int:
        """Wait until RESUMED has been sent ``count`` times."""
        return await self.wait_until(
            lambda: self.resumed_count if self.resumed_count >= count else None,
            timeout,
            f"RESUMED #{count}",
        )

    async def wait_for_connected(
        self, timeout: float = 5.0, *, guild_id: str | None = None
    ) -> None:
        """Wait until a client has an identified or resumed gateway session (for the shard of
        ``guild_id`` when given)."""
        where = f"the shard of guild {guild_id}" if guild_id else "a live gateway session"
        await self.wait_until(lambda: self._conn_for(guild_id), timeout, where)

    def live_shards(self) -> list[tuple[int, int]]:
        """The [shard id, shard count] of every live gateway session, sorted."""
        return sorted(conn.shard for conn in self._live)

    def _conn_for(self, guild_id: str | None) -> _GatewayConn | None:
        """The newest live connection that receives ``guild_id``'s events (DMs: shard 0)."""
        return next((c for c in reversed(self._live) if c.owns(guild_id)), None)

    async def wait_for_sync(
        self, count: int = 1, timeout: float = 5.0, *, guild_id: str | None | type = object
    ) -> CommandSync:
        """Wait for the ``count``-th command bulk overwrite (optionally for one scope)."""

        def probe() -> CommandSync | None:
            syncs = [s for s in self.syncs if guild_id is object or s.guild_id == guild_id]
            return syncs[count - 1] if len(syncs) >= count else None

        return await self.wait_until(probe, timeout, f"command sync #{count}")

    async def wait_for_callback(self, interaction_id: str, timeout: float = 5.0) -> Callback:
        """Wait for the interaction callback of ``interaction_id``."""
        return await self.wait_until(
            lambda: next((c for c in self.callbacks if c.interaction_id == interaction_id), None),
            timeout,
            f"callback for interaction {interaction_id}",
        )

    async def wait_for_followup(
        self, interaction_id: str, index: int = 0, timeout: float = 5.0
    ) -> SentMessage:
        """Wait for the ``index``-th follow-up (POST /webhooks/{app}/{token})."""

        def probe() -> SentMessage | None:
            found = [
                m
                for m in self.messages
                if m.interaction_id == interaction_id and m.kind == "followup"
            ]
            return found[index] if len(found) > index else None

        return await self.wait_until(probe, timeout, f"follow-up #{index} of {interaction_id}")

    async def wait_for_reply(self, interaction_id: str, timeout: float = 5.0) -> SentMessage:
        """Wait for the first visible answer to an interaction.

        That is a type 4 / type 7 callback, or, after a deferral, the first
        follow-up or edit of @original.
        """
        return await self.wait_until(
            lambda: next((m for m in self.messages if m.interaction_id == interaction_id), None),
            timeout,
            f"a reply to interaction {interaction_id}",
        )

    async def wait_for_request(
        self, method: str, path_pattern: str, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for a request whose path fully matches the regex ``path_pattern``."""
        rx = re.compile(path_pattern)
        return await self.wait_until(
            lambda: next(
                (
                    r
                    for r in self.requests
                    if r.method == method and r.status and rx.fullmatch(r.path)
                ),
                None,
            ),
            timeout,
            f"{method} {path_pattern}",
        )

    def replies_to(self, interaction_id: str) -> list[SentMessage]:
        """Every message recorded for an interaction, in order."""
        return [m for m in self.messages if m.interaction_id == interaction_id]

    # ------------------------------------------------------------------ gateway

    async def _send(self, conn: _GatewayConn, payload: dict[str, Any]) -> None:
        self.gateway_events.append(
            GatewayEvent("out", payload["op"], payload.get("t"), payload.get("d"), conn.number)
        )
        async with conn.lock:
            await conn.ws.send_str(json.dumps(payload))

    async def _send_dispatch(self, conn: _GatewayConn, event: str, data: Any) -> None:
        assert conn.session is not None
        conn.session.seq += 1
        await self._send(conn, {"op": 0, "t": event, "s": conn.session.seq, "d": data})

    async def dispatch(
        self, event: str, data: Any, *, timeout: float = 5.0, guild_id: str | None = None
    ) -> None:
        """Send a dispatch event to the live session of ``guild_id``'s shard (DMs and events
        of no server: shard 0), waiting for one if reconnecting."""
        await self.wait_for_connected(timeout, guild_id=guild_id)
        conn = self._conn_for(guild_id)
        assert conn is not None
        await self._send_dispatch(conn, event, data)

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = _GatewayConn(next(self._conn_numbers), ws)
        self._conns.append(conn)
        self.gateway_queries.append(dict(request.query))
        try:
            await self._send(
                conn,
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                },
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                await self._on_frame(conn, frame)
        finally:
            self._conns.remove(conn)
            self._set_live(conn, False)
            if self._active is conn:
                self._active = None
            await self._notify()
        return ws

    async def _on_frame(self, conn: _GatewayConn, frame: dict[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        self.gateway_events.append(GatewayEvent("in", op, None, d, conn.number))
        if op == 1:
            self.heartbeat_count += 1
            await self._send(conn, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._on_identify(conn, d)
        elif op == 6:
            await self._on_resume(conn, d)
        elif op in (3, 4, 8, 31):
            pass  # presence update, voice state, request members, soundboard: ignored
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")
        await self._notify()

    async def _on_identify(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        self.identifies.append(d)
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(d.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents_allowed:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = d.get("shard") or [0, 1]
        valid = isinstance(shard, list) and len(shard) == 2
        if not (valid and all(type(n) is int for n in shard) and 0 <= shard[0] < shard[1]):
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        if shard[1] < self.required_shards:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        conn.shard = (shard[0], shard[1])
        session = _Session(secrets.token_hex(16), intents, shard=conn.shard)
        self._sessions[session.session_id] = session
        conn.session = session
        flags = 0
        if self.privileged_intents_allowed & INTENT_GUILD_PRESENCES:
            flags |= 1 << 13
        if self.privileged_intents_allowed & INTENT_GUILD_MEMBERS:
            flags |= 1 << 15
        if self.privileged_intents_allowed & INTENT_MESSAGE_CONTENT:
            flags |= 1 << 19
        owned = self.with_guild and conn.owns(self.guild_id)  # READY lists the shard's servers
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": self.guild_id, "unavailable": True}] if owned else [],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_gateway_url or self.gateway_url,
            "shard": list(conn.shard),
            "application": {"id": self.application_id, "flags": flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
        }
        await self._send_dispatch(conn, "READY", ready)
        self.ready_count += 1
        if self.with_guild and conn.owns(self.guild_id):
            await self._send_dispatch(conn, "GUILD_CREATE", self.guild_payload())
        self._active = conn
        self._set_live(conn, True)

    def _set_live(self, conn: _GatewayConn, live: bool) -> None:
        if conn in self._live:
            self._live.remove(conn)
        if live:
            self._live.append(conn)

    async def _on_resume(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        self.resumes.append(d)
        session = self._sessions.get(d.get("session_id") or "")
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None:
            await self._send(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        conn.session = session
        conn.shard = session.shard
        await self._send_dispatch(conn, "RESUMED", {})
        self.resumed_count += 1
        self._active = conn
        self._set_live(conn, True)

    async def force_reconnect(self, how: str = "close", *, guild_id: str | None = None) -> None:
        """Make the client reconnect (the connection of ``guild_id``'s shard when given).

        ``how``: "close" closes the socket with 4000 (client resumes), "reconnect"
        sends op 7 RECONNECT (client resumes), "invalid_session" sends op 9 with
        d=false (client re-identifies).
        """
        conn = self._conn_for(guild_id) if guild_id is not None else self._active
        if conn is None:
            raise RuntimeError("no live gateway session to disconnect")
        if self._active is conn:
            self._active = None
        self._set_live(conn, False)
        if how == "close":
            await conn.ws.close(code=4000, message=b"Unknown error.")
        elif how == "reconnect":
            await self._send(conn, {"op": 7, "d": None, "s": None, "t": None})
        elif how == "invalid_session":
            await self._send(conn, {"op": 9, "d": False, "s": None, "t": None})
        else:
            raise ValueError(how)

    # ------------------------------------------------------------------ HTTP plumbing

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any], bool]]:
        """(method, path pattern, handler, needs the bot token) for every route served."""
        app = r"/applications/(?P<app_id>\d+)"
        guild_commands = app + r"/guilds/(?P<guild_id>\d+)/commands"
        webhook = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        webhook_message = webhook + r"/messages/(?P<mid>[^/]+)"
        channel = r"/channels/(?P<channel_id>\d+)"
        table = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", r"/oauth2/applications/@me", self._get_app_info, True),
            ("GET", r"/applications/@me", self._get_app_info, True),
            ("GET", app + r"/commands", self._get_commands, True),
            ("PUT", app + r"/commands", self._put_commands, True),
            ("GET", guild_commands, self._get_commands, True),
            ("PUT", guild_commands, self._put_commands, True),
            (
                "POST",
                r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback",
                self._post_callback,
                False,
            ),
            ("POST", webhook, self._post_followup, False),
            ("GET", webhook_message, self._get_webhook_message, False),
            ("PATCH", webhook_message, self._patch_webhook_message, False),
            ("DELETE", webhook_message, self._delete_webhook_message, False),
            ("GET", channel, self._get_channel, True),
            ("POST", channel + r"/messages", self._post_channel_message, True),
        ]
        return [(method, re.compile(path), handler, auth) for method, path, handler, auth in table]

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        # discord.py only decodes JSON when Content-Type is exactly "application/json".
        return web.Response(
            body=json.dumps(data).encode(), status=status, content_type="application/json"
        )

    async def _read_body(self, request: web.Request) -> tuple[Any, list[str]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            files = [getattr(v, "filename", k) for k, v in form.items() if k != "payload_json"]
            raw = form.get("payload_json")
            return (json.loads(raw) if isinstance(raw, str) else None), files
        text = await request.text()
        return (json.loads(text) if text else None), []

    async def _http_handler(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        try:
            body, files = await self._read_body(request)
        except ValueError:
            return self._json(
                {"message": "The request body contains invalid JSON.", "code": 50109}, 400
            )
        rec = RecordedRequest(
            request.method,
            path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path,
            dict(request.query),
            body,
            request.headers.get("Authorization"),
        )
        self.requests.append(rec)
        try:
            resp = await self._route(request, rec, files)
        except _HTTPError as err:
            data: dict[str, Any] = {"message": err.message, "code": err.code}
            if err.errors is not None:
                data["errors"] = err.errors
            resp = self._json(data, err.status)
        rec.status = resp.status
        await self._notify()
        return resp

    async def _route(
        self, request: web.Request, rec: RecordedRequest, files: list[str]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            self.unknown_routes.append(rec)
            log.warning(
                "fake discord: request outside %s: %s %s", API_PREFIX, rec.method, request.path
            )
            raise _HTTPError(404, "404: Not Found", 0)
        for method, rx, handler, needs_auth in self._routes():
            m = rx.fullmatch(rec.path)
            if m is None or method != rec.method:
                continue
            if needs_auth and rec.authorization != f"Bot {self.token}":
                raise _HTTPError(401, "401: Unauthorized", 0)
            return await handler(rec, files=files, **m.groupdict())
        self.unknown_routes.append(rec)
        log.warning("fake discord: unknown route %s %s", rec.method, rec.path)
        raise _HTTPError(404, "Unknown", 0)

    # ------------------------------------------------------------------ REST handlers

    async def _get_me(self, rec: RecordedRequest, **_: Any) -> web.Response:
        return self._json(self.bot_user)

    async def _get_gateway(self, rec: RecordedRequest, **_: Any) -> web.Response:
        return self._json({"url": self.gateway_url})

    async def _get_gateway_bot(self, rec: RecordedRequest, **_: Any) -> web.Response:
        return self._json(
            {
                "url": self.gateway_url,
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86400000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_app_info(self, rec: RecordedRequest, **_: Any) -> web.Response:
        return self._json(
            {
                "id": self.application_id,
                "name": self.bot_name,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": self.owner,
                "team": None,
                "bot": self.bot_user,
                "rpc_origins": [],
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "integration_types_config": {"0": {}},
            }
        )

    def _check_app(self, app_id: str) -> None:
        if app_id != self.application_id:
            raise _HTTPError(404, "Unknown Application", 10002)

    async def _get_commands(
        self, rec: RecordedRequest, app_id: str, guild_id: str | None = None, **_: Any
    ) -> web.Response:
        self._check_app(app_id)
        if guild_id is None:
            return self._json(self.global_commands)
        return self._json(self.guild_commands.get(guild_id, []))

    async def _put_commands(
        self, rec: RecordedRequest, app_id: str, guild_id: str | None = None, **_: Any
    ) -> web.Response:
        self._check_app(app_id)
        sync = CommandSync(guild_id, rec.body if isinstance(rec.body, list) else [], 0)
        self.syncs.append(sync)
        try:
            if self.sync_forbidden or (guild_id is not None and guild_id != self.guild_id):
                raise _HTTPError(403, "Missing Access", 50001)
            if not isinstance(rec.body, list):
                raise _HTTPError(
                    400,
                    "Invalid Form Body",
                    50035,
                    _err("Only iterables may be used in a ListType", "LIST_TYPE_CONVERT"),
                )
            errors = _validate_commands(rec.body)
            if errors:
                raise _HTTPError(400, "Invalid Form Body", 50035, errors)
        except _HTTPError as err:
            sync.status = err.status
            raise
        stored = [self._store_command(cmd, guild_id) for cmd in rec.body]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        sync.status = 200
        return self._json(stored)

    def _store_command(self, cmd: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        ctype = int(cmd.get("type", 1))
        key = (guild_id, ctype, cmd["name"])
        cid = self._command_ids.setdefault(key, self.snowflake())
        stored = {
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **cmd,
            "id": cid,
            "application_id": self.application_id,
            "type": ctype,
            "description": cmd.get("description", ""),
            "version": self.snowflake(),
        }
        if guild_id is not None:
            stored["guild_id"] = guild_id
        return stored

    async def _get_channel(self, rec: RecordedRequest, channel_id: str, **_: Any) -> web.Response:
        if channel_id != self.channel_id:
            raise _HTTPError(404, "Unknown Channel", 10003)
        return self._json(self.text_channel())

    async def _post_channel_message(
        self, rec: RecordedRequest, channel_id: str, files: list[str], **_: Any
    ) -> web.Response:
        if channel_id != self.channel_id:
            raise _HTTPError(404, "Unknown Channel", 10003)
        data = rec.body or {}
        _validate_message(data, files)
        msg = self.message_payload(
            data.get("content"),
            embeds=data.get("embeds"),
            components=data.get("components"),
            flags=int(data.get("flags") or 0) & ~FLAG_EPHEMERAL,
        )
        self._messages_by_id[msg["id"]] = msg
        self.messages.append(
            SentMessage("channel", msg["id"], channel_id, data, msg["flags"], files=files)
        )
        return self._json(msg)

    # ---- interactions

    def _interaction_for(self, iid: str, token: str) -> _Interaction:
        state = self._interactions.get(iid)
        if state is None or state.payload["token"] != token:
            raise _HTTPError(404, "Unknown interaction", 10062)
        return state

    def _interaction_for_webhook(self, app_id: str, token: str) -> _Interaction:
        if app_id != self.application_id or token not in self._tokens:
            raise _HTTPError(404, "Unknown Webhook", 10015)
        return self._interactions[self._tokens[token]]

    def _reply_message_type(self, state: _Interaction) -> int:
        data = state.payload.get("data") or {}
        if state.payload["type"] != INTERACTION_APPLICATION_COMMAND:
            return 0
        return 20 if data.get("type", 1) == 1 else 23

    async def _post_callback(
        self, rec: RecordedRequest, iid: str, token: str, files: list[str], **_: Any
    ) -> web.StreamResponse:
        state = self._interaction_for(iid, token)
        body = rec.body or {}
        ctype = int(body.get("type", 0))
        data = body.get("data") or {}
        cb = Callback(iid, token, ctype, data, rec.query, 0)
        try:
            late = (
                self.callback_deadline is not None
                and time.monotonic() - state.injected_at > self.callback_deadline
            )
            if late:
                raise _HTTPError(404, "Unknown interaction", 10062)
            if state.callback is not None and state.callback.status == 204:
                raise _HTTPError(400, "Interaction has already been acknowledged.", 40060)
            resource = self._apply_callback(state, ctype, data, files)
        except _HTTPError as err:
            cb.status = err.status
            self.callbacks.append(cb)
            raise
        cb.status = 204
        state.callback = cb
        self.callbacks.append(cb)
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        original = state.original
        interaction: dict[str, Any] = {"id": iid, "type": state.payload["type"]}
        if original is not None and ctype in (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE):
            interaction.update(
                response_message_id=original["id"],
                response_message_loading=ctype == CALLBACK_DEFERRED_MESSAGE,
                response_message_ephemeral=bool(original["flags"] & FLAG_EPHEMERAL),
            )
        return self._json({"interaction": interaction, "resource": resource})

    def _apply_callback(
        self, state: _Interaction, ctype: int, data: dict[str, Any], files: list[str]
    ) -> dict[str, Any]:
        itype = state.payload["type"]
        iid = state.payload["id"]
        if ctype == CALLBACK_PONG and itype == INTERACTION_PING:
            return {"type": ctype}
        if ctype == CALLBACK_MESSAGE and itype != INTERACTION_AUTOCOMPLETE:
            _validate_message(data, files)
            flags = int(data.get("flags") or 0) & (
                FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS
            )
            msg = self._interaction_message(state, data, flags)
            state.original = msg
            self.messages.append(
                SentMessage("callback", msg["id"], msg["channel_id"], data, flags, iid, files=files)
            )
            return {"type": ctype, "message": msg}
        if ctype == CALLBACK_DEFERRED_MESSAGE and itype != INTERACTION_AUTOCOMPLETE:
            flags = (int(data.get("flags") or 0) & FLAG_EPHEMERAL) | FLAG_LOADING
            state.deferred_flags = flags & FLAG_EPHEMERAL
            msg = self._interaction_message(state, {}, flags)
            state.original = msg
            return {"type": ctype, "message": msg}
        if ctype in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE) and itype in (
            INTERACTION_COMPONENT,
            INTERACTION_MODAL_SUBMIT,
        ):
            target = state.payload.get("message")
            if ctype == CALLBACK_UPDATE_MESSAGE and target is not None:
                _validate_message(data, files, allow_empty=True)
                stored = self._messages_by_id.setdefault(target["id"], dict(target))
                stored.update(
                    {k: v for k, v in data.items() if k in ("content", "embeds", "components")}
                )
                self.messages.append(
                    SentMessage(
                        "edit",
                        target["id"],
                        target["channel_id"],
                        data,
                        int(stored.get("flags") or 0),
                        iid,
                        files=files,
                    )
                )
                return {"type": ctype, "message": stored}
            return {"type": ctype}
        if ctype == CALLBACK_AUTOCOMPLETE_RESULT and itype == INTERACTION_AUTOCOMPLETE:
            _validate_choices(data.get("choices"))
            return {"type": ctype}
        if ctype == CALLBACK_MODAL and itype in (
            INTERACTION_APPLICATION_COMMAND,
            INTERACTION_COMPONENT,
        ):
            return {"type": ctype}
        raise _HTTPError(
            400,
            "Interaction response type invalid for this interaction",
            50035,
            {
                "type": {
                    "_errors": [
                        {
                            "code": "BASE_TYPE_CHOICES",
                            "message": f"Value {ctype} is not valid here.",
                        }
                    ]
                }
            },
        )

    def _interaction_message(
        self, state: _Interaction, data: dict[str, Any], flags: int
    ) -> dict[str, Any]:
        msg = self.message_payload(
            data.get("content"),
            embeds=data.get("embeds"),
            components=data.get("components"),
            flags=flags,
            message_type=self._reply_message_type(state),
            webhook_id=self.application_id,
            channel_id=state.payload.get("channel_id"),
        )
        self._messages_by_id[msg["id"]] = msg
        return msg

    async def _post_followup(
        self, rec: RecordedRequest, app_id: str, token: str, files: list[str], **_: Any
    ) -> web.StreamResponse:
        state = self._interaction_for_webhook(app_id, token)
        if state.callback is None:
            raise _HTTPError(404, "Unknown Webhook", 10015)
        data = rec.body or {}
        _validate_message(data, files)
        requested = int(data.get("flags") or 0) & (
            FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS
        )
        original = state.original
        if (
            state.deferred_flags is not None
            and state.followups == 0
            and original is not None
            and original["flags"] & FLAG_LOADING
        ):
            # The first follow-up after a deferral replaces the "thinking" message and
            # keeps the deferral's ephemerality.
            flags = (requested & ~FLAG_EPHEMERAL) | state.deferred_flags
            original.update(
                content=data.get("content") or "",
                embeds=data.get("embeds") or [],
                components=data.get("components") or [],
                flags=flags,
            )
            msg = original
        else:
            flags = requested
            msg = self._interaction_message(state, data, flags)
        state.followups += 1
        self.messages.append(
            SentMessage(
                "followup",
                msg["id"],
                msg["channel_id"],
                data,
                flags,
                state.payload["id"],
                rec.query,
                files,
            )
        )
        if rec.query.get("wait") in ("1", "true", "True"):
            return self._json(msg)
        return web.Response(status=204)

    def _webhook_message(self, state: _Interaction, mid: str) -> dict[str, Any]:
        if mid == "@original":
            target = state.payload.get("message")
            updates = state.callback is not None and state.callback.type in (
                CALLBACK_DEFERRED_UPDATE,
                CALLBACK_UPDATE_MESSAGE,
            )
            if state.original is None and target is not None and updates:
                # A component's update (type 6/7) makes the message it is on the original.
                return self._messages_by_id.setdefault(target["id"], dict(target))
            if state.original is None:
                raise _HTTPError(404, "Unknown Message", 10008)
            return state.original
        msg = self._messages_by_id.get(mid)
        if msg is None or msg.get("webhook_id") != self.application_id:
            raise _HTTPError(404, "Unknown Message", 10008)
        return msg

    async def _get_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, mid: str, **_: Any
    ) -> web.Response:
        state = self._interaction_for_webhook(app_id, token)
        return self._json(self._webhook_message(state, mid))

    async def _patch_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, mid: str, files: list[str], **_: Any
    ) -> web.Response:
        state = self._interaction_for_webhook(app_id, token)
        msg = self._webhook_message(state, mid)
        data = rec.body or {}
        _validate_message(data, files, allow_empty=True)
        for key in ("content", "embeds", "components"):
            if key in data:
                msg[key] = data[key] if data[key] is not None else ([] if key != "content" else "")
        msg["flags"] = int(msg["flags"]) & ~FLAG_LOADING
        msg["edited_timestamp"] = _now_iso()
        self.messages.append(
            SentMessage(
                "edit",
                msg["id"],
                msg["channel_id"],
                data,
                msg["flags"],
                state.payload["id"],
                rec.query,
                files,
            )
        )
        return self._json(msg)

    async def _delete_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, mid: str, **_: Any
    ) -> web.Response:
        state = self._interaction_for_webhook(app_id, token)
        msg = self._webhook_message(state, mid)
        self._messages_by_id.pop(msg["id"], None)
        if state.original is msg:
            state.original = None
        return web.Response(status=204)


# --------------------------------------------------------------------------- validation


def _err(message: str, code: str = "BASE_TYPE_BAD_LENGTH") -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


def _validate_message(data: dict[str, Any], files: list[str], allow_empty: bool = False) -> None:
    """Enforce Discord's message and embed limits (400 50035 / 50006 like Discord)."""
    errors: dict[str, Any] = {}
    content = data.get("content") or ""
    if len(content) > 2000:
        errors["content"] = _err("Must be 2000 or fewer in length.")
    embeds = data.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _err("Must be 10 or fewer in length.")
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        eerr: dict[str, Any] = {}
        for key, limit in limits.items():
            text = (embed.get(key) or "").strip()
            total += len(text)
            if len(text) > limit:
                eerr[key] = _err(f"Must be {limit} or fewer in length.")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            eerr["fields"] = _err("Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            name, value = (fld.get("name") or "").strip(), (fld.get("value") or "").strip()
            total += len(name) + len(value)
            ferr = {}
            if not 1 <= len(name) <= 256:
                ferr["name"] = _err("Must be between 1 and 256 in length.")
            if not 1 <= len(value) <= 1024:
                ferr["value"] = _err("Must be between 1 and 1024 in length.")
            if ferr:
                eerr.setdefault("fields", {})[str(j)] = ferr
        footer = ((embed.get("footer") or {}).get("text") or "").strip()
        author = ((embed.get("author") or {}).get("name") or "").strip()
        total += len(footer) + len(author)
        if len(footer) > 2048:
            eerr["footer"] = {"text": _err("Must be 2048 or fewer in length.")}
        if len(author) > 256:
            eerr["author"] = {"name": _err("Must be 256 or fewer in length.")}
        if eerr:
            errors.setdefault("embeds", {})[str(i)] = eerr
    if total > 6000:
        errors.setdefault("embeds", {}).update(
            _err("Embed size exceeds maximum size of 6000", "MAX_EMBED_SIZE_EXCEEDED")
        )
    if errors:
        raise _HTTPError(400, "Invalid Form Body", 50035, errors)
    if not allow_empty and not (
        content
        or embeds
        or files
        or data.get("components")
        or data.get("poll")
        or data.get("sticker_ids")
    ):
        raise _HTTPError(400, "Cannot send an empty message", 50006)


def _validate_choices(choices: Any) -> None:
    if not isinstance(choices, list):
        required = _err("This field is required", "BASE_TYPE_REQUIRED")
        raise _HTTPError(400, "Invalid Form Body", 50035, {"data": {"choices": required}})
    errors: dict[str, Any] = {}
    if len(choices) > 25:
        errors["_errors"] = _err("Must be 25 or fewer in length.")["_errors"]
    for i, choice in enumerate(choices):
        name, value = str(choice.get("name", "")), choice.get("value")
        cerr = {}
        if not 1 <= len(name) <= 100:
            cerr["name"] = _err("Must be between 1 and 100 in length.")
        if isinstance(value, str) and len(value) > 100:
            cerr["value"] = _err("Must be 100 or fewer in length.")
        if cerr:
            errors[str(i)] = cerr
    if errors:
        raise _HTTPError(400, "Invalid Form Body", 50035, {"data": {"choices": errors}})


def _validate_option(opt: dict[str, Any], depth: int) -> dict[str, Any]:
    err: dict[str, Any] = {}
    name = str(opt.get("name", ""))
    if not _COMMAND_NAME.fullmatch(name) or name != name.lower():
        err["name"] = _err("Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME")
    if not 1 <= len(str(opt.get("description", ""))) <= 100:
        err["description"] = _err("Must be between 1 and 100 in length.")
    choices = opt.get("choices") or []
    if len(choices) > 25:
        err["choices"] = _err("Must be 25 or fewer in length.")
    sub = opt.get("options") or []
    if len(sub) > 25:
        err["options"] = _err("Must be 25 or fewer in length.")
    if opt.get("type") in (1, 2) and depth >= 2 + (opt.get("type") == 1):
        err["type"] = _err(
            "Subcommands nested too deeply", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"
        )
    for k, child in enumerate(sub):
        cerr = _validate_option(child, depth + 1)
        if cerr:
            err.setdefault("options", {})[str(k)] = cerr
    return err


def _validate_commands(commands: list[dict[str, Any]]) -> dict[str, Any]:
    """Check the shape limits Discord enforces on a bulk overwrite; return an errors tree."""
    errors: dict[str, Any] = {}
    seen: set[tuple[int, str]] = set()
    counts = {1: 0, 2: 0, 3: 0}
    for i, cmd in enumerate(commands):
        err: dict[str, Any] = {}
        ctype = int(cmd.get("type", 1))
        name = str(cmd.get("name", ""))
        counts[ctype] = counts.get(ctype, 0) + 1
        if (ctype, name) in seen:
            err["name"] = _err(
                "Application command names must be unique", "APPLICATION_COMMANDS_DUPLICATE_NAME"
            )
        seen.add((ctype, name))
        if ctype == 1:
            err.update(_validate_option({**cmd, "type": None}, 0))
        else:
            if not 1 <= len(name) <= 32:
                err["name"] = _err("Must be between 1 and 32 in length.")
            if cmd.get("description"):
                err["description"] = _err(
                    "Context menu commands cannot have description",
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                )
        if err:
            errors[str(i)] = err
    if counts.get(1, 0) > 100 or counts.get(2, 0) > 15 or counts.get(3, 0) > 15:
        errors["_errors"] = _err(
            "Maximum number of application commands reached", "APPLICATION_COMMANDS_TOO_MANY"
        )["_errors"]
    return errors


# --------------------------------------------------------------------------- discord.py glue


@contextlib.contextmanager
def patched_discord(server: FakeDiscord) -> Iterator[None]:
    """Point discord.py (in this process) at ``server``; restore the globals afterwards."""
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = server.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running_fake(**kwargs: Any) -> AsyncIterator[FakeDiscord]:
    """``async with running_fake() as server:`` — start a server, patch discord.py, clean up."""
    async with FakeDiscord(**kwargs) as server:
        with patched_discord(server):
            yield server


# ======================================================================================
# BEGIN library block (issue 9, issue 7 item 5): attachments served from a local URL, a
# second guild, gateway close 4013 and 5xx answers to the command sync. A subclass, so the
# base server above is unchanged for every other test.
# ======================================================================================

ATTACHMENT_PREFIX = "/attachments/"
OPTION_ATTACHMENT = 11


class LibraryFakeDiscord(FakeDiscord):
    """``FakeDiscord`` with uploads, two guilds and the start-up faults of issue 7 item 5.

    ``attachment()`` registers bytes and returns the attachment object Discord would resolve;
    the bytes are served at ``http_base + /attachments/<id>/<filename>`` (a local stand-in for
    Discord's CDN), or answered 404 when ``deliverable=False``. ``interaction(...,
    guild_id=...)`` sends an interaction from ``second_guild_id`` (or any other guild).
    ``identify_close_code`` closes every IDENTIFY with that code (4013: invalid intents);
    ``sync_errors`` answers that many command GET/PUT requests with 503 (-1: all of them).
    """

    def __init__(
        self,
        *,
        second_guild_id: str = "1200000000000000002",
        identify_close_code: int | None = None,
        sync_errors: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.second_guild_id = second_guild_id
        self.second_channel_id = self.snowflake()
        self.identify_close_code = identify_close_code
        self.sync_errors = sync_errors
        self.sync_error_count = 0
        self.attachments: dict[str, tuple[str, bytes | None]] = {}

    def attachment(
        self,
        filename: str,
        data: bytes,
        *,
        content_type: str | None = "text/plain; charset=utf-8",
        deliverable: bool = True,
    ) -> dict[str, Any]:
        """Register an upload; returns its attachment object (for ``resolved.attachments``).

        Like Discord's: a signed CDN URL with ``ex``/``is``/``hm`` query parameters, a separate
        media-proxy URL, ``ephemeral`` for a slash command's upload, and no ``content_type``
        when Discord could not tell (``content_type=None``).
        """
        attachment_id = self.snowflake()
        self.attachments[attachment_id] = (filename, data if deliverable else None)
        path = f"{ATTACHMENT_PREFIX}{attachment_id}/{filename}"
        signature = (
            f"ex={int(time.time()) + 86400:x}&is={int(time.time()):x}&hm={secrets.token_hex(32)}"
        )
        attachment: dict[str, Any] = {
            "id": attachment_id,
            "filename": filename,
            "size": len(data),
            "url": f"{self.http_base}{path}?{signature}",
            "proxy_url": f"{self.http_base}/media{path}?{signature}",
            "ephemeral": True,
        }
        if content_type is not None:
            attachment["content_type"] = content_type
        return attachment

    def slash_command_with_file(
        self,
        name: str,
        attachment: dict[str, Any],
        options: dict[str, Any] | None = None,
        *,
        option_name: str = "file",
        **kw: Any,
    ) -> dict[str, Any]:
        """A chat-input command whose ``option_name`` option is ``attachment``."""
        raw = [self._option(k, v) for k, v in (options or {}).items()]
        raw.append({"name": option_name, "type": OPTION_ATTACHMENT, "value": attachment["id"]})
        payload = self.slash_command(name, raw, **kw)
        payload["data"]["resolved"] = {"attachments": {attachment["id"]: attachment}}
        return payload

    def interaction(
        self, itype: int, data: dict[str, Any], *, guild_id: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        payload = super().interaction(itype, data, **kw)
        if guild_id is not None and "guild_id" in payload:
            channel_id = self.second_channel_id if guild_id == self.second_guild_id else None
            channel_id = channel_id or self.snowflake()
            payload["guild_id"] = guild_id
            payload["guild"] = {**payload["guild"], "id": guild_id}
            payload["channel_id"] = channel_id
            payload["channel"] = {**payload["channel"], "id": channel_id, "guild_id": guild_id}
            payload["authorizing_integration_owners"] = {"0": guild_id}
        return payload

    def message_command_with_files(
        self, name: str, target_content: str, attachments: list[dict[str, Any]], **kw: Any
    ) -> dict[str, Any]:
        """A message context-menu interaction whose target message carries ``attachments``."""
        payload = self.message_command(name, target_content, **kw)
        data = payload["data"]
        data["resolved"]["messages"][data["target_id"]]["attachments"] = attachments
        return payload

    def modal_submit(self, modal: Callback, values: dict[str, str], **kw: Any) -> dict[str, Any]:
        """The MODAL_SUBMIT (type 5) a client sends for the modal of callback ``modal``.

        ``values`` maps each text input's label to what was typed; inputs left out are sent
        empty. As Discord does: action rows (or labels) holding text inputs with their
        ``custom_id`` and ``value``, and a numeric ``id`` on every component.
        """
        numbers = itertools.count(1)

        def submitted(component: dict[str, Any], label: str | None) -> dict[str, Any]:
            return {
                "type": 4,
                "id": next(numbers),
                "custom_id": component["custom_id"],
                "value": values.get(label or component.get("label", ""), ""),
            }

        rows = []
        for row in modal.data["components"]:
            if row["type"] == 18:  # a label around one component
                rows.append(
                    {"type": 18, "id": next(numbers),
                     "component": submitted(row["component"], row.get("label"))}
                )  # fmt: skip
            else:
                rows.append(
                    {"type": 1, "id": next(numbers),
                     "components": [submitted(c, None) for c in row["components"]]}
                )  # fmt: skip
        data = {"custom_id": modal.data["custom_id"], "components": rows}
        return self.interaction(INTERACTION_MODAL_SUBMIT, data, **kw)

    def guild_payload(self, guild_id: str | None = None) -> dict[str, Any]:
        payload = super().guild_payload()
        if guild_id is None or guild_id == self.guild_id:
            return payload
        channel = {**self.text_channel(), "id": self.second_channel_id, "guild_id": guild_id}
        payload.update(id=guild_id, name="Other Guild", channels=[channel])
        payload["roles"] = [{**payload["roles"][0], "id": guild_id}]
        return payload

    async def _send_dispatch(self, conn: _GatewayConn, event: str, data: Any) -> None:
        if event == "READY" and self.with_guild and conn.owns(self.second_guild_id):
            data = {  # READY lists every server of the shard, unavailable
                **data,
                "guilds": [*data["guilds"], {"id": self.second_guild_id, "unavailable": True}],
            }
        await super()._send_dispatch(conn, event, data)

    def _apply_callback(
        self, state: _Interaction, ctype: int, data: dict[str, Any], files: list[str]
    ) -> dict[str, Any]:
        if ctype == CALLBACK_MODAL:
            _validate_modal(data)
        return super()._apply_callback(state, ctype, data, files)

    async def _route(
        self, request: web.Request, rec: RecordedRequest, files: list[str]
    ) -> web.StreamResponse:
        path = request.path.removeprefix("/media")
        if path.startswith(ATTACHMENT_PREFIX):
            attachment_id = path[len(ATTACHMENT_PREFIX) :].split("/", 1)[0]
            _, data = self.attachments.get(attachment_id, ("", None))
            if data is None or request.method != "GET":
                raise _HTTPError(404, "404: Not Found", 0)
            return web.Response(body=data, content_type="application/octet-stream")
        failing = self.sync_errors < 0 or self.sync_error_count < self.sync_errors
        if failing and rec.path.endswith("/commands"):
            self.sync_error_count += 1
            raise _HTTPError(503, "Service Unavailable", 0)
        return await super()._route(request, rec, files)

    async def _on_identify(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        if self.identify_close_code is not None:
            self.identifies.append(d)
            await conn.ws.close(code=self.identify_close_code, message=b"Invalid intent(s).")
            return
        await super()._on_identify(conn, d)
        second = self.with_guild and conn.owns(self.second_guild_id)
        if second and conn.session is not None:  # the bot is in a second server too
            await self._send_dispatch(
                conn, "GUILD_CREATE", self.guild_payload(self.second_guild_id)
            )


def _validate_modal(data: dict[str, Any]) -> None:
    """Discord's limits on a modal (API docs ``interactions/receiving-and-responding.mdx``,
    ``components/reference.mdx``): 400 50035 for anything a client could not show."""
    errors: dict[str, Any] = {}
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        errors["title"] = _err("Must be between 1 and 45 in length.")
    if not 1 <= len(str(data.get("custom_id") or "")) <= 100:
        errors["custom_id"] = _err("Must be between 1 and 100 in length.")
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        errors["components"] = _err("Must be between 1 and 5 in length.")
    for i, row in enumerate(rows):
        inputs = [row.get("component") or {}] if row.get("type") == 18 else row.get("components")
        if row.get("type") not in (1, 18) or not inputs or len(inputs) != 1:
            errors[f"components.{i}"] = _err("A modal row holds exactly one text input.")
            continue
        text = inputs[0]
        label = row.get("label") if row.get("type") == 18 else text.get("label")
        problems = [
            text.get("type") != 4 and "type must be 4 (text input)",
            text.get("style") not in (1, 2) and "style must be 1 or 2",
            not 1 <= len(str(text.get("custom_id") or "")) <= 100 and "custom_id 1 to 100",
            not 1 <= len(str(label or "")) <= 45 and "label 1 to 45",
            len(str(text.get("placeholder") or "")) > 100 and "placeholder at most 100",
            not 0 <= int(text.get("min_length", 0)) <= 4000 and "min_length 0 to 4000",
            not 1 <= int(text.get("max_length", 4000)) <= 4000 and "max_length 1 to 4000",
            len(str(text.get("value") or "")) > 4000 and "value at most 4000",
        ]
        if any(problems):
            errors[f"components.{i}"] = _err("; ".join(p for p in problems if p))
    if errors:
        raise _HTTPError(400, "Invalid Form Body", 50035, {"data": errors})


# ======================================================================================
# END library block
# ======================================================================================
