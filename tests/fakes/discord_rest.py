"""The REST half of the loopback Discord fake (``tests.fakes.discord_server``).

Routes under ``/api/v10``, as discord.py calls them. Guarantees:

- bot routes need ``Authorization: Bot <token>`` (401 otherwise, which discord.py turns into
  ``LoginFailure``); JSON answers are sent as exactly ``application/json``, as Discord does;
- ``GET /users/@me``, ``/oauth2/applications/@me``, ``/gateway/bot``: the bot, its application,
  the gateway URL;
- ``PUT /applications/{app}/commands`` and ``.../guilds/{guild}/commands``: the payload is
  recorded in ``synced`` (by guild, ``None`` for global) and answered with ids, as Discord does;
- ``POST /interactions/{id}/{token}/callback``, ``POST /webhooks/{app}/{token}`` (follow-ups)
  and ``GET/PATCH/DELETE .../messages/{id|@original}``: Discord's interaction rules
  (``tests.fakes.discord_interactions``), refusals as Discord's JSON errors;
- ``POST /channels/{id}/messages``: a public post (``channel_posts``), or a direct message
  (``dms``) in a channel opened by ``POST /users/@me/channels``;
- anything else is recorded in ``unhandled`` and answered 404.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.discord_interactions import InteractionRecord, Rejected, Shown, next_id
from tests.fakes.discord_payloads import APP_ID, BOT_ID, OWNER, TOKEN, message, user

API = "/api/v10"


class DiscordRest:
    """The REST handlers and what they record; ``FakeDiscord`` adds the world and the gateway."""

    channels: dict[int, dict[str, Any]]
    gateway_url: str

    def __init__(self) -> None:
        self.synced: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.channel_posts: list[dict[str, Any]] = []
        self.dm_channels: dict[int, int] = {}  # DM channel id -> the user it reaches
        self.dms: list[dict[str, Any]] = []
        self.unhandled: list[str] = []
        self.messages: dict[int, dict[str, Any]] = {}  # what people wrote, not deleted
        self._tokens: dict[str, InteractionRecord] = {}

    def add_routes(self, app: web.Application) -> None:
        """Mount the REST API on ``app``."""
        add = app.router.add_route
        add("GET", f"{API}/users/@me", self._me)
        add("GET", f"{API}/oauth2/applications/@me", self._application)
        add("GET", f"{API}/gateway/bot", self._gateway_bot)
        add("PUT", f"{API}/applications/{{app}}/commands", self._sync)
        add("PUT", f"{API}/applications/{{app}}/guilds/{{guild}}/commands", self._sync)
        add("POST", f"{API}/interactions/{{id}}/{{token}}/callback", self._callback)
        add("POST", f"{API}/webhooks/{{app}}/{{token}}", self._followup)
        add("*", f"{API}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._webhook_message)
        add("POST", f"{API}/channels/{{channel}}/messages", self._channel_post)
        add("GET", f"{API}/channels/{{channel}}/messages/{{message}}", self._channel_message)
        add("POST", f"{API}/users/@me/channels", self._open_dm)
        add("*", "/{tail:.*}", self._unhandled)

    def _authorized(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {TOKEN}":
            raise web.HTTPUnauthorized(**_json_body({"message": "401: Unauthorized", "code": 0}))

    async def _me(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return _json(user(BOT_ID, "sentibot", bot=True))

    async def _application(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return _json(
            {
                "id": str(APP_ID),
                "name": "sentibot",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": user(OWNER, "owner"),
                "verify_key": "0" * 64,
                "flags": 1 << 19,  # GATEWAY_MESSAGE_CONTENT_LIMITED
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        self._authorized(request)
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _sync(self, request: web.Request) -> web.Response:
        self._authorized(request)
        guild_id = int(request.match_info["guild"]) if "guild" in request.match_info else None
        commands = await request.json()
        for command in commands:
            command.update(id=str(next_id()), application_id=str(APP_ID), version="1")
            command.setdefault("description", "")  # Discord answers "" for context menus
            if guild_id is not None:
                command["guild_id"] = str(guild_id)
        self.synced[guild_id] = commands
        return _json(commands)

    async def _body(self, request: web.Request) -> tuple[dict[str, Any], list[str]]:
        """The JSON payload, from a JSON body or multipart's ``payload_json``; file names."""
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            files = [
                str(getattr(f, "filename", "")) for k, f in form.items() if k.startswith("files[")
            ]
            return json.loads(str(form["payload_json"])), files
        return (await request.json() if request.can_read_body else {}), []

    def _record(self, request: web.Request) -> InteractionRecord:
        record = self._tokens.get(request.match_info["token"])
        if record is None:
            raise _error(Rejected(404, 10015, "Unknown Webhook"))
        return record

    async def _callback(self, request: web.Request) -> web.Response:
        record = self._record(request)
        payload, files = await self._body(request)
        data = payload.get("data") or {}
        try:
            shown = record.callback(
                time.monotonic(), payload["type"], data.get("flags", 0), data.get("content")
            )
        except Rejected as exc:
            raise _error(exc) from None
        shown.files = files
        shown.components = data.get("components") or []
        interaction = {
            "id": str(record.id),
            "type": 2,
            "response_message_id": str(shown.id),
            "response_message_loading": shown.thinking,
            "response_message_ephemeral": shown.ephemeral,
        }
        resource: dict[str, Any] = {"type": payload["type"]}
        if not shown.thinking:
            resource["message"] = self._bot_message(shown, record.channel_id, record)
        return _json({"interaction": interaction, "resource": resource})

    async def _followup(self, request: web.Request) -> web.Response:
        record = self._record(request)
        payload, files = await self._body(request)
        try:
            shown = record.followup(payload.get("flags", 0), payload.get("content"), files)
        except Rejected as exc:
            raise _error(exc) from None
        return _json(self._bot_message(shown, record.channel_id, record))

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        record = self._record(request)
        which = request.match_info["message"]
        try:
            if request.method == "GET":
                shown = record.find(which)
            elif request.method == "PATCH":
                payload, _ = await self._body(request)
                shown = record.edit(which, payload.get("content"))
            elif request.method == "DELETE":
                record.delete(which)
                return web.Response(status=204)
            else:
                raise web.HTTPMethodNotAllowed(request.method, ["GET", "PATCH", "DELETE"])
        except Rejected as exc:
            raise _error(exc) from None
        return _json(self._bot_message(shown, record.channel_id, record))

    async def _channel_post(self, request: web.Request) -> web.Response:
        self._authorized(request)
        channel_id = int(request.match_info["channel"])
        payload, files = await self._body(request)
        shown = Shown(next_id(), payload.get("content"), False, files)
        shown.components = payload.get("components") or []
        if channel_id in self.dm_channels:
            self.dms.append({"user": self.dm_channels[channel_id], "content": shown.content})
        elif channel_id in self.channels:
            posted = {"channel": channel_id, "content": shown.content, "files": files}
            posted["components"] = shown.components
            self.channel_posts.append(posted)
        else:
            raise _error(Rejected(404, 10003, "Unknown Channel"))
        return _json(self._bot_message(shown, channel_id))

    async def _channel_message(self, request: web.Request) -> web.Response:
        """A person's message as it is now (``messages`` of the server: deleted ones are gone)."""
        self._authorized(request)
        found = self.messages.get(int(request.match_info["message"]))
        if found is None or found["channel_id"] != request.match_info["channel"]:
            raise _error(Rejected(404, 10008, "Unknown Message"))
        return _json(found)

    async def _open_dm(self, request: web.Request) -> web.Response:
        self._authorized(request)
        recipient = int((await request.json())["recipient_id"])
        dm_id = next((c for c, u in self.dm_channels.items() if u == recipient), None) or next_id()
        self.dm_channels[dm_id] = recipient
        return _json(
            {"id": str(dm_id), "type": 1, "recipients": [user(recipient, "someone")]},
        )

    async def _unhandled(self, request: web.Request) -> web.Response:
        self.unhandled.append(f"{request.method} {request.path}")
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _bot_message(
        self, shown: Shown, channel_id: int, record: InteractionRecord | None = None
    ) -> dict[str, Any]:
        where = self.channels.get(channel_id) or {"id": str(channel_id)}
        payload = message(shown.content or "", user(BOT_ID, "sentibot", bot=True), where)
        payload.update(id=str(shown.id), flags=64 if shown.ephemeral else 0)
        if record is not None:
            payload["webhook_id"] = str(APP_ID)
            caller = user(record.user_id, f"user{record.user_id % 1000}")
            payload["interaction"] = {"id": str(record.id), "type": 2, "name": record.name}
            payload["interaction"]["user"] = caller
        return payload


def _error(exc: Rejected) -> web.HTTPException:
    kinds: dict[int, Callable[..., web.HTTPException]] = {
        400: web.HTTPBadRequest,
        404: web.HTTPNotFound,
    }
    return kinds[exc.status](**_json_body(exc.body))


def _json_body(data: Any) -> dict[str, Any]:
    """Discord's JSON: discord.py parses a body only under exactly ``application/json``."""
    return {"body": json.dumps(data).encode(), "headers": {"Content-Type": "application/json"}}


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, **_json_body(data))
