"""The gateway half of the loopback Discord fake (``tests.fakes.discord_server``).

A websocket endpoint that speaks Discord's gateway protocol (v10, JSON) to the real discord.py
client. It guarantees, as Discord documents:

- HELLO (op 10) first; every heartbeat (op 1) from the client is acknowledged (op 11);
- IDENTIFY (op 2) with the right token starts a session: READY (session id, resume URL, the bot
  user, the guilds as unavailable) then one GUILD_CREATE per guild; a wrong token closes the
  socket with 4004 (authentication failed); the IDENTIFY payloads are recorded (``identifies``);
- every dispatch (op 0) carries the next sequence number and is kept in the session's log;
- ``reconnect()`` sends op 7: the client must come back on ``resume_gateway_url`` with RESUME
  (op 6); the fake replays every dispatch after the sequence the client names, then RESUMED.
  Dispatches made while the client is away are kept and replayed, never lost. A RESUME naming
  an unknown session gets op 9 (invalid session, not resumable), and so does the client when
  ``invalidate()`` ends its session: it must IDENTIFY again (a new session, a new READY);
- the payloads are zlib-stream compressed when the client asks for it in the URL
  (``compress=zlib-stream``, which discord.py does), plain text frames otherwise.
"""

from __future__ import annotations

import asyncio
import json
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

HEARTBEAT_INTERVAL_MS = 41_250
AUTHENTICATION_FAILED = 4004


@dataclass
class Connection:
    """One websocket from the client, with its zlib stream when compression was asked for."""

    ws: web.WebSocketResponse
    path: str
    compressor: Any = None  # zlib compress object, or None for text frames

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload)
        if self.compressor is None:
            await self.ws.send_str(text)
        else:
            data = self.compressor.compress(text.encode()) + self.compressor.flush(
                zlib.Z_SYNC_FLUSH
            )
            await self.ws.send_bytes(data)


@dataclass
class Gateway:
    """Discord's gateway for one bot (one shard).

    Parameters
    ----------
    token
        The bot token IDENTIFY must carry.
    ready
        Builds the READY payload for a new session id.
    guilds
        Builds the GUILD_CREATE payloads sent after READY.
    """

    token: str
    ready: Callable[[str], dict[str, Any]]
    guilds: Callable[[], list[dict[str, Any]]]
    identifies: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[dict[str, Any]] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)  # the path and query of each socket
    heartbeats: list[int | None] = field(default_factory=list)  # the seq each heartbeat named
    session_id: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)  # this session's dispatches
    _current: Connection | None = None
    _sockets: set[web.WebSocketResponse] = field(default_factory=set)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def seq(self) -> int:
        """The last sequence number dispatched in this session."""
        return self.events[-1]["s"] if self.events else 0

    @property
    def connected(self) -> bool:
        """A client is identified or resumed on an open socket."""
        return self._current is not None and not self._current.ws.closed

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The websocket endpoint (``/gateway`` and the resume URL)."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        self.connections.append(request.path_qs)
        zlib_stream = request.query.get("compress") == "zlib-stream"
        conn = Connection(ws, request.path, zlib.compressobj() if zlib_stream else None)
        try:
            await conn.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                await self._receive(conn, json.loads(msg.data))
        finally:
            self._sockets.discard(ws)
            if self._current is conn:
                self._current = None
        return ws

    async def _receive(self, conn: Connection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            self.heartbeats.append(data)
            await conn.send({"op": 11})
        elif op == 2:
            await self._identify(conn, data)
        elif op == 6:
            await self._resume(conn, data)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        async with self._lock:
            self.session_id = uuid.uuid4().hex
            self.events = []
            self._current = conn
            await self._dispatch_locked("READY", self.ready(self.session_id))
            for guild in self.guilds():
                await self._dispatch_locked("GUILD_CREATE", guild)

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.resumes.append(data)
        if data.get("token") != self.token or data.get("session_id") != self.session_id:
            await conn.send({"op": 9, "d": False})  # invalid session, not resumable
            return
        async with self._lock:
            after = data.get("seq") or 0
            for event in self.events:
                if event["s"] > after:
                    await conn.send(event)
            self._current = conn
            await self._dispatch_locked("RESUMED", {})

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send ``event`` to the client (or keep it for the replay while it is away); its seq."""
        async with self._lock:
            return await self._dispatch_locked(event, data)

    async def _dispatch_locked(self, event: str, data: dict[str, Any]) -> int:
        payload = {"op": 0, "t": event, "s": self.seq + 1, "d": data}
        self.events.append(payload)
        if self.connected:
            assert self._current is not None
            await self._current.send(payload)
        return payload["s"]

    async def reconnect(self) -> None:
        """Send op 7 Reconnect: the client closes this socket and RESUMEs on the resume URL.

        From now until the RESUME, dispatches are only logged (Discord would send them to a
        socket the client is closing): the RESUME replays them.
        """
        async with self._lock:
            conn, self._current = self._current, None
        if conn is not None:
            await conn.send({"op": 7, "d": None})

    async def invalidate(self) -> None:
        """Send op 9 (not resumable) and forget the session: the client must IDENTIFY anew."""
        async with self._lock:
            conn, self._current, self.session_id = self._current, None, None
        if conn is not None:
            await conn.send({"op": 9, "d": False})

    async def request_heartbeat(self) -> None:
        """Send op 1: the client answers at once with a heartbeat naming its last seq."""
        if self.connected:
            assert self._current is not None
            await self._current.send({"op": 1, "d": None})

    async def close(self) -> None:
        """Close every socket (the server is going away)."""
        for ws in list(self._sockets):
            await ws.close()
