"""The fake's gateway: identify, resume, dispatch and forced reconnects."""

from __future__ import annotations

import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from fakes.discord.constants import (
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_PRESENCES,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
)
from fakes.discord.records import GatewayEvent, _GatewayConn, _Session


class GatewayMixin:
    """The gateway half of `FakeDiscord`."""

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
