"""A fake of Discord (REST API and gateway) on loopback, for the real discord.py client.

Point discord.py at it (``discord.http.Route.BASE = server.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)``) and the bot
logs in, syncs its commands, connects to the gateway and answers interactions exactly as it
would against Discord. The world (guilds, channels, people) is ``tests.fakes.discord_payloads``;
the REST API is ``tests.fakes.discord_rest``, the gateway ``tests.fakes.discord_gateway``, the
interaction rules ``tests.fakes.discord_interactions``.

Test helpers, each returning once its event is dispatched: ``send_message``, ``edit``,
``delete``, ``bulk_delete``, ``react``, ``interact`` (returns the interaction's
``InteractionRecord``), ``reconnect`` (op 7), ``invalidate_session`` (op 9);
``synced_to_client`` returns once the client has processed every dispatch so far.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_interactions import InteractionRecord, next_id
from tests.fakes.discord_payloads import (
    APP_ID,
    BOT_ID,
    GENERAL,
    GUILD,
    MODS,
    OTHER_GUILD,
    SECRETS,
    TOKEN,
    USER,
    VIEW_CHANNEL,
    channel,
    guild,
    member,
    message,
    now_iso,
    user,
)
from tests.fakes.discord_rest import DiscordRest

CHANNEL_OPTION = 7  # ApplicationCommandOptionType.CHANNEL


class FakeDiscord(DiscordRest):
    """Discord on ``127.0.0.1``: REST under ``api_base``, the gateway at ``gateway_url``.

    Parameters
    ----------
    deadline_s
        Discord's interaction deadline (3 s); tests that slow a handler scale it down with it.
    """

    def __init__(self, *, deadline_s: float = 3.0) -> None:
        super().__init__()
        self.deadline_s = deadline_s
        self.channels = {
            GENERAL: channel(GENERAL, GUILD, "general"),
            MODS: channel(MODS, GUILD, "mods", deny_everyone=VIEW_CHANNEL),
            SECRETS: channel(SECRETS, OTHER_GUILD, "secrets"),
        }
        self.gateway = Gateway(TOKEN, self._ready, self._guilds)
        self.messages: dict[int, dict[str, Any]] = {}  # what people wrote, not deleted
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/"

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/resume/", self.gateway.handle)
        self.add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

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

    # -- what people do --------------------------------------------------------------------------

    async def send_message(
        self,
        content: str,
        *,
        author: int = USER,
        channel_id: int = GENERAL,
        before_the_bot: bool = False,
    ) -> int:
        """A person writes ``content``: MESSAGE_CREATE. Returns the message id.

        ``before_the_bot``: written before the bot joined (no event; it can still be edited).
        """
        payload = message(content, user(author, f"user{author % 1000}"), self.channels[channel_id])
        self.messages[int(payload["id"])] = payload
        if not before_the_bot:
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

    async def bulk_delete(self, message_ids: list[int]) -> None:
        """A moderator purges messages of one channel: MESSAGE_DELETE_BULK."""
        payloads = [self.messages.pop(i) for i in message_ids]
        ids = {k: payloads[0][k] for k in ("channel_id", "guild_id")}
        await self.gateway.dispatch(
            "MESSAGE_DELETE_BULK", {"ids": [str(i) for i in message_ids], **ids}
        )

    async def react(
        self, emoji: str, message_id: int, *, user_id: int = USER, author: int = BOT_ID
    ) -> None:
        """``user_id`` adds ``emoji`` to a message by ``author`` in #general:
        MESSAGE_REACTION_ADD, with the reacting member as Discord sends it in guilds."""
        payload = {
            "user_id": str(user_id),
            "channel_id": str(GENERAL),
            "message_id": str(message_id),
            "guild_id": str(GUILD),
            "member": member(user_id, f"user{user_id % 1000}"),
            "emoji": {"id": None, "name": emoji},
            "message_author_id": str(author),
            "burst": False,
            "type": 0,
        }
        await self.gateway.dispatch("MESSAGE_REACTION_ADD", payload)

    async def interact(
        self,
        name: str,
        options: dict[str, str | int] | None = None,
        *,
        user_id: int = USER,
        permissions: int = VIEW_CHANNEL,
        channel_id: int = GENERAL,
    ) -> InteractionRecord:
        """``user_id`` (holding ``permissions`` here) runs ``/name`` with ``options`` in
        ``channel_id``: INTERACTION_CREATE. The deadline starts now.

        Option types come from the commands the bot synced (what Discord knows of them); a
        channel option carries its ``resolved`` channel, as Discord sends it.
        """
        command = self._synced_command(name)
        types = {o["name"]: o["type"] for o in command.get("options", [])}
        resolved: dict[str, Any] = {"channels": {}}
        opts = []
        for key, value in (options or {}).items():
            opts.append({"name": key, "type": types[key], "value": str(value)})
            if types[key] == CHANNEL_OPTION:
                data = self.channels[int(value)] | {"permissions": str(permissions)}
                resolved["channels"][str(value)] = data
        record = InteractionRecord(
            next_id(),
            f"token-{next_id()}",
            name,
            time.monotonic(),
            self.deadline_s,
            user_id,
            channel_id,
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

    async def press(
        self,
        custom_id: str,
        *,
        user_id: int = USER,
        channel_id: int = GENERAL,
        message_id: int | None = None,
    ) -> InteractionRecord:
        """``user_id`` presses the button ``custom_id`` on a bot message in ``channel_id``:
        INTERACTION_CREATE of type 3 (a message component), as Discord sends it, also for a
        message sent before the bot restarted. The deadline starts now."""
        record = InteractionRecord(
            next_id(), f"token-{next_id()}", custom_id, time.monotonic(), self.deadline_s
        )
        record.user_id, record.channel_id = user_id, channel_id
        self.interactions[record.id] = record
        self._tokens[record.token] = record
        asyncio.get_running_loop().call_later(self.deadline_s, record.expire)
        where = self.channels[channel_id]
        shown = message("answer", user(BOT_ID, "sentibot", bot=True), where)
        shown["id"] = str(message_id or next_id())
        button = {"type": 2, "style": 1, "label": "?", "custom_id": custom_id}
        shown["components"] = [{"type": 1, "id": 1, "components": [button]}]
        payload = {
            "id": str(record.id),
            "application_id": str(APP_ID),
            "type": 3,
            "token": record.token,
            "version": 1,
            "guild_id": where["guild_id"],
            "channel_id": str(channel_id),
            "channel": where | {"permissions": str(VIEW_CHANNEL)},
            "member": member(user_id, f"user{user_id % 1000}", VIEW_CHANNEL),
            "app_permissions": str(VIEW_CHANNEL | 2048),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": where["guild_id"]},
            "context": 0,
            "attachment_size_limit": 25 * 1024 * 1024,
            "message": shown,
            "data": {"custom_id": custom_id, "component_type": 2},
        }
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    def _synced_command(self, name: str) -> dict[str, Any]:
        for commands in self.synced.values():
            for command in commands:
                if command["name"] == name:
                    return command
        raise AssertionError(f"the bot never registered /{name}")

    # -- the connection --------------------------------------------------------------------------

    async def reconnect(self) -> None:
        """Ask the client to reconnect (op 7); it must RESUME on the resume URL."""
        await self.gateway.reconnect()

    async def invalidate_session(self) -> None:
        """End the session (op 9, not resumable): the client must IDENTIFY again."""
        await self.gateway.invalidate()

    async def synced_to_client(self, timeout: float = 5.0) -> None:
        """Return once the client has processed every dispatch so far: it reads the socket in
        order and answers a requested heartbeat (op 1) with the last sequence it saw."""
        await wait_until(lambda: self.gateway.connected, timeout)
        wanted, seen = self.gateway.seq, len(self.gateway.heartbeats)
        await self.gateway.request_heartbeat()

        def caught_up() -> bool:
            return any((s or 0) >= wanted for s in self.gateway.heartbeats[seen:])

        await wait_until(caught_up, timeout)


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds, checking every few milliseconds; fail after
    ``timeout`` seconds (no fixed sleeps: fast when things are fast, bounded when not)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.005)
