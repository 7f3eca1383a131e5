"""A fake of Discord (REST API and gateway) on loopback, for the real discord.py client.

Point discord.py at it (``discord.http.Route.BASE = server.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)``) and the bot
logs in, syncs its commands, connects to the gateway and answers interactions exactly as it
would against Discord. The world is two guilds: ``GUILD`` (channels ``#general`` and ``#mods``,
the latter hidden from ``@everyone``) and ``OTHER_GUILD`` (``#secrets``); the bot is in both.

What it guarantees:

- REST: ``GET /users/@me`` and ``/oauth2/applications/@me`` need ``Authorization: Bot
  <token>`` (401 otherwise); ``GET /gateway/bot`` names the gateway; command syncs
  (``PUT /applications/{app}/commands``, ``.../guilds/{guild}/commands``) are recorded in
  ``synced``; ``POST /channels/{id}/messages`` posts publicly (``channel_posts``); interaction
  callbacks, follow-ups and ``@original`` follow Discord's rules (``discord_interactions``);
  any other route is recorded in ``unhandled`` and answered 404.
- Gateway: see ``tests.fakes.discord_gateway``.

Test helpers: ``send_message``, ``edit``, ``delete`` (gateway events, each returning when
dispatched), ``interact`` (an INTERACTION_CREATE; returns its ``InteractionRecord``),
``reconnect``, ``synced_to_client`` (the client has processed every dispatch so far).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_interactions import InteractionRecord, Rejected, Shown, next_id

TOKEN = "test-token.fake.discord"
APP_ID = 1190000000000000001
BOT_ID = APP_ID
GUILD = 1190000000000000010
GENERAL = 1190000000000000011
MODS = 1190000000000000012  # hidden from @everyone
OTHER_GUILD = 1190000000000000020
SECRETS = 1190000000000000021
OWNER = 1190000000000000030  # owns both guilds
USER = 1190000000000000031  # a plain member
VIEW_CHANNEL = 1 << 10
ADMINISTRATOR = 1 << 3


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": bot,
    }


def member(user_id: int, name: str, permissions: int = 0) -> dict[str, Any]:
    """A guild member object (``permissions`` as interactions carry it)."""
    return {
        "user": user(user_id, name),
        "roles": [],
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": str(permissions),
    }


def channel(channel_id: int, guild_id: int, name: str, deny_everyone: int = 0) -> dict[str, Any]:
    overwrites = [{"id": str(guild_id), "type": 0, "allow": "0", "deny": str(deny_everyone)}]
    return {
        "id": str(channel_id),
        "guild_id": str(guild_id),
        "type": 0,
        "name": name,
        "position": 0,
        "permission_overwrites": overwrites if deny_everyone else [],
        "nsfw": False,
        "parent_id": None,
    }


def guild(guild_id: int, name: str, channels: list[dict[str, Any]]) -> dict[str, Any]:
    everyone = {"id": str(guild_id), "name": "@everyone", "permissions": str(VIEW_CHANNEL | 2048)}
    everyone |= {"position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False}
    return {
        "id": str(guild_id),
        "name": name,
        "owner_id": str(OWNER),
        "roles": [everyone],
        "channels": channels,
        "members": [member(BOT_ID, "sentibot") | {"user": user(BOT_ID, "sentibot", bot=True)}],
        "member_count": 3,
        "large": False,
        "unavailable": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class FakeDiscord:
    """Discord on ``127.0.0.1``: REST under ``api_base``, the gateway at ``gateway_url``."""

    def __init__(self, *, deadline_s: float = 3.0) -> None:
        self.deadline_s = deadline_s
        self.channels = {
            GENERAL: channel(GENERAL, GUILD, "general"),
            MODS: channel(MODS, GUILD, "mods", deny_everyone=VIEW_CHANNEL),
            SECRETS: channel(SECRETS, OTHER_GUILD, "secrets"),
        }
        self.gateway = Gateway(TOKEN, self._ready, self._guilds)
        self.synced: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.channel_posts: list[dict[str, Any]] = []
        self.messages: dict[int, dict[str, Any]] = {}  # what people wrote (gateway payloads)
        self.unhandled: list[str] = []
        self._tokens: dict[str, InteractionRecord] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/resume/", self.gateway.handle)
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_get(f"{api}/gateway/bot", self._gateway_bot)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._sync)
        app.router.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._sync)
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        hook = f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}"
        app.router.add_route("*", hook, self._webhook_message)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._channel_post)
        app.router.add_route("*", "/{tail:.*}", self._unhandled)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- gateway payloads ------------------------------------------------------------------------

    def _ready(self, session_id: str) -> dict[str, Any]:
        return {
            "v": 10,
            "user": user(BOT_ID, "sentibot", bot=True),
            "guilds": [{"id": str(g), "unavailable": True} for g in (GUILD, OTHER_GUILD)],
            "session_id": session_id,
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume/",
            "application": {"id": str(APP_ID), "flags": 0},
        }

    def _guilds(self) -> list[dict[str, Any]]:
        def channels_of(guild_id: int) -> list[dict[str, Any]]:
            return [c for c in self.channels.values() if c["guild_id"] == str(guild_id)]

        return [
            guild(GUILD, "home", channels_of(GUILD)),
            guild(OTHER_GUILD, "elsewhere", channels_of(OTHER_GUILD)),
        ]

    # -- test helpers: what people do ------------------------------------------------------------

    def _message(self, content: str, author: int, channel_id: int) -> dict[str, Any]:
        guild_id = int(self.channels[channel_id]["guild_id"])
        return {
            "id": str(next_id()),
            "channel_id": str(channel_id),
            "guild_id": str(guild_id),
            "author": user(author, f"user{author % 1000}"),
            "member": {k: v for k, v in member(author, "x").items() if k != "user"},
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }

    async def send_message(self, content: str, *, author: int = USER, channel_id: int = GENERAL):
        """A person writes ``content``: MESSAGE_CREATE. Returns the message id."""
        payload = self._message(content, author, channel_id)
        self.messages[int(payload["id"])] = payload
        await self.gateway.dispatch("MESSAGE_CREATE", payload)
        return int(payload["id"])

    async def edit(self, message_id: int, content: str) -> str:
        """The author edits it: MESSAGE_UPDATE with the whole message and ``edited_timestamp``,
        which is returned."""
        payload = self.messages[message_id] | {"content": content, "edited_timestamp": now_iso()}
        self.messages[message_id] = payload
        await self.gateway.dispatch("MESSAGE_UPDATE", payload)
        return str(payload["edited_timestamp"])

    async def delete(self, message_id: int) -> None:
        """The message is deleted (by its author or a moderation bot): MESSAGE_DELETE."""
        payload = self.messages.pop(message_id)
        ids = {k: payload[k] for k in ("channel_id", "guild_id")}
        await self.gateway.dispatch("MESSAGE_DELETE", {"id": str(message_id), **ids})

    async def interact(
        self,
        name: str,
        options: dict[str, str | int] | None = None,
        *,
        user_id: int = USER,
        permissions: int = VIEW_CHANNEL,
        channel_id: int = GENERAL,
    ) -> InteractionRecord:
        """Someone runs ``/name`` with ``options`` in ``channel_id``: INTERACTION_CREATE.

        Option types come from the commands the bot synced (as Discord knows them); a channel
        option carries its ``resolved`` channel, as Discord sends it.
        """
        command = self._synced_command(name)
        types = {o["name"]: o["type"] for o in command.get("options", [])}
        resolved: dict[str, Any] = {"channels": {}}
        opts = []
        for key, value in (options or {}).items():
            opts.append({"name": key, "type": types[key], "value": str(value)})
            if types[key] == 7:
                data = self.channels[int(value)]
                resolved["channels"][str(value)] = data | {"permissions": str(permissions)}
        record = InteractionRecord(
            next_id(), f"tok-{next_id()}", name, time.monotonic(), self.deadline_s, user_id
        )
        self.interactions[record.id] = record
        self._tokens[record.token] = record
        asyncio.get_running_loop().call_later(self.deadline_s, record.expire)
        guild_id = self.channels[channel_id]["guild_id"]
        payload = {
            "id": str(record.id),
            "application_id": str(APP_ID),
            "type": 2,
            "token": record.token,
            "version": 1,
            "guild_id": guild_id,
            "channel_id": str(channel_id),
            "channel": self.channels[channel_id] | {"permissions": str(permissions)},
            "member": member(user_id, f"user{user_id % 1000}", permissions),
            "app_permissions": str(VIEW_CHANNEL | 2048),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild_id},
            "context": 0,
            "attachment_size_limit": 25 * 1024 * 1024,
            "data": {
                "id": command["id"],
                "name": name,
                "type": 1,
                "guild_id": guild_id,
                "options": opts,
                "resolved": resolved,
            },
        }
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    def _synced_command(self, name: str) -> dict[str, Any]:
        for commands in self.synced.values():
            for command in commands:
                if command["name"] == name:
                    return command
        raise AssertionError(f"the bot never registered /{name}")

    async def reconnect(self) -> None:
        """Ask the client to reconnect (op 7); it must RESUME."""
        await self.gateway.reconnect()

    async def synced_to_client(self, timeout: float = 5.0) -> None:
        """Return once the client has processed every dispatch so far: it answers a requested
        heartbeat (op 1) with the last sequence it saw, and it reads the socket in order."""
        wanted = self.gateway.seq
        await wait_until(lambda: self.gateway.connected, timeout)
        seen = len(self.gateway.heartbeats)
        await self.gateway.request_heartbeat()

        def caught_up() -> bool:
            return any((s or 0) >= wanted for s in self.gateway.heartbeats[seen:])

        await wait_until(caught_up, timeout)

    # -- REST ------------------------------------------------------------------------------------

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
            files = [f.filename for k, f in form.items() if k.startswith("files[")]  # type: ignore[union-attr]
            return json.loads(str(form["payload_json"])), files
        return (await request.json() if request.can_read_body else {}), []

    def _record(self, request: web.Request) -> InteractionRecord:
        record = self._tokens.get(request.match_info["token"])
        if record is None:
            raise _error(Rejected(404, 10015, "Unknown Webhook"))
        return record

    async def _callback(self, request: web.Request) -> web.Response:
        record = self._record(request)
        payload, _ = await self._body(request)
        data = payload.get("data") or {}
        try:
            shown = record.callback(
                time.monotonic(), payload["type"], data.get("flags", 0), data.get("content")
            )
        except Rejected as exc:
            raise _error(exc) from None
        interaction = {
            "id": str(record.id),
            "type": 2,
            "response_message_id": str(shown.id),
            "response_message_loading": shown.thinking,
            "response_message_ephemeral": shown.ephemeral,
        }
        resource: dict[str, Any] = {"type": payload["type"]}
        if not shown.thinking:
            resource["message"] = self._bot_message(shown, record)
        return _json({"interaction": interaction, "resource": resource})

    async def _followup(self, request: web.Request) -> web.Response:
        record = self._record(request)
        payload, files = await self._body(request)
        try:
            shown = record.followup(payload.get("flags", 0), payload.get("content"), files)
        except Rejected as exc:
            raise _error(exc) from None
        return _json(self._bot_message(shown, record))

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        record = self._record(request)
        message = request.match_info["message"]
        try:
            if request.method == "GET":
                shown = record.find(message)
            elif request.method == "PATCH":
                payload, _ = await self._body(request)
                shown = record.edit(message, payload.get("content"))
            elif request.method == "DELETE":
                record.delete(message)
                return web.Response(status=204)
            else:
                raise web.HTTPMethodNotAllowed(request.method, ["GET", "PATCH", "DELETE"])
        except Rejected as exc:
            raise _error(exc) from None
        return _json(self._bot_message(shown, record))

    async def _channel_post(self, request: web.Request) -> web.Response:
        self._authorized(request)
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.channels:
            raise _error(Rejected(404, 10003, "Unknown Channel"))
        payload, files = await self._body(request)
        shown = Shown(next_id(), payload.get("content"), False, files)
        self.channel_posts.append({"channel": channel_id, "content": shown.content, "files": files})
        return _json(self._bot_message(shown, None, channel_id))

    async def _unhandled(self, request: web.Request) -> web.Response:
        self.unhandled.append(f"{request.method} {request.path}")
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _bot_message(
        self, shown: Shown, record: InteractionRecord | None, channel_id: int = GENERAL
    ) -> dict[str, Any]:
        payload = self._message(shown.content or "", BOT_ID, channel_id)
        payload.update(id=str(shown.id), author=user(BOT_ID, "sentibot", bot=True))
        payload["flags"] = 64 if shown.ephemeral else 0
        if record is not None:
            payload["webhook_id"] = str(APP_ID)
            caller = user(record.user_id, f"user{record.user_id % 1000}")
            payload["interaction"] = {
                "id": str(record.id),
                "type": 2,
                "name": record.name,
                "user": caller,
            }
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


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds, checking every few milliseconds; fail after
    ``timeout`` seconds (no fixed sleeps: fast when things are fast, bounded when not)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.005)
