"""The fake with uploads, two guilds and the start-up faults of issue 7 item 5."""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any

from aiohttp import web

from fakes.discord.constants import CALLBACK_MODAL, INTERACTION_MODAL_SUBMIT
from fakes.discord.records import Callback, RecordedRequest, _GatewayConn, _HTTPError, _Interaction
from fakes.discord.server import FakeDiscord
from fakes.discord.validation import _validate_modal

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
