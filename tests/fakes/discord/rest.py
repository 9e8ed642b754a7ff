"""The fake's REST API: routes, commands, messages, interaction callbacks and webhooks."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from fakes.discord.constants import (
    API_PREFIX,
    CALLBACK_AUTOCOMPLETE_RESULT,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_PONG,
    CALLBACK_UPDATE_MESSAGE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    INTERACTION_PING,
)
from fakes.discord.records import (
    Callback,
    CommandSync,
    RecordedRequest,
    SentMessage,
    _HTTPError,
    _Interaction,
    _now_iso,
)
from fakes.discord.validation import _err, _validate_choices, _validate_commands, _validate_message

log = logging.getLogger("fake_discord")


class RestMixin:
    """The REST half of `FakeDiscord`."""

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
