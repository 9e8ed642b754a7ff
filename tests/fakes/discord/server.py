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
gets everything. ``GET /gateway/bot`` recommends ``recommended_shards``."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from aiohttp import web

from fakes.discord.constants import (
    API_PREFIX,
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMPONENT,
    MEMBER_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    T,
)
from fakes.discord.gateway import GatewayMixin
from fakes.discord.records import (
    Callback,
    CommandSync,
    FakeDiscordTimeout,
    GatewayEvent,
    RecordedRequest,
    SentMessage,
    _GatewayConn,
    _Interaction,
    _now_iso,
    _Session,
    _snowflake_factory,
)
from fakes.discord.rest import RestMixin

log = logging.getLogger("fake_discord")


class FakeDiscord(GatewayMixin, RestMixin):
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
