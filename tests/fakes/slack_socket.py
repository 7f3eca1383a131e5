"""A Socket Mode server that delivers events the way Slack does, for multi-instance tests.

Plugged into ``MockSlackApi`` (``mock.dispatcher = SlackLikeSockets()``): every app that calls
``apps.connections.open`` gets a WebSocket here, named by its app token. ``deliver`` hands one
envelope to one open connection, waits for its ack (``{"envelope_id": ...}``) and, when none
comes within ``ack_timeout_s`` or the connection closes, delivers the event again (same
``event_id``, ``retry_attempt`` + 1) to another connection, like Slack. Acks are recorded with
their latency, so a test can check that everything acked is stored.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web


@dataclass
class Connection:
    """One app's WebSocket; ``who`` is the app token's last part (``xapp-a`` -> ``a``)."""

    who: str
    socket: web.WebSocketResponse
    waiting: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    closed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class Ack:
    event_id: str
    who: str
    attempt: int
    latency_s: float  # from the first delivery of the event to this ack


class NeverAcked(Exception):
    """No connection acked an event within the allowed attempts."""


@dataclass
class SlackLikeSockets:
    """Slack's delivery over Socket Mode, on loopback."""

    ack_timeout_s: float = 1.0
    max_attempts: int = 8
    connections: list[Connection] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    deliveries: list[tuple[str, str, int]] = field(default_factory=list)  # event, who, attempt
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _rr: itertools.count = field(default_factory=itertools.count)

    def open(self, who: str | None = None) -> list[Connection]:
        """Open connections (of ``who`` only, when given)."""
        return [c for c in self.connections if not c.closed.is_set() and who in (None, c.who)]

    async def wait_connected(self, *who: str, timeout: float = 30.0) -> None:
        """Wait until every app in ``who`` has an open connection."""
        deadline = time.monotonic() + timeout
        while not all(self.open(w) for w in who):
            if time.monotonic() > deadline:
                raise TimeoutError(f"apps {who} not connected")
            await asyncio.sleep(0.05)

    async def serve(self, socket: web.WebSocketResponse, who: str) -> None:
        """Run one app's connection until it closes (``MockSlackApi`` calls this)."""
        connection = Connection(who, socket)
        self.connections.append(connection)
        await socket.send_json({"type": "hello", "num_connections": len(self.open())})
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                envelope_id = json.loads(message.data).get("envelope_id")
                future = connection.waiting.pop(envelope_id, None)
                if future is not None and not future.done():
                    future.set_result(None)
        finally:
            connection.closed.set()
            for future in connection.waiting.values():
                if not future.done():
                    future.set_exception(ConnectionResetError("connection closed"))

    async def refresh(self, who: str, grace_s: float = 0.5) -> None:
        """Ask ``who``'s connections to reconnect, as Slack does every few hours: a
        ``disconnect`` message with reason ``refresh_requested``, then the close after a short
        grace (the app is expected to have opened a new connection by then)."""
        for connection in self.open(who):
            await connection.socket.send_json(
                {"type": "disconnect", "reason": "refresh_requested", "debug_info": {}}
            )
        await asyncio.sleep(grace_s)
        for connection in self.open(who):
            await connection.socket.close()

    def _pick(self, prefer: str | None, avoid: str | None) -> Connection:
        candidates = self.open(prefer) if prefer else []
        if not candidates:
            everyone = self.open()
            candidates = [c for c in everyone if c.who != avoid] or everyone
        if not candidates:
            raise NeverAcked("no open connection")
        return candidates[next(self._rr) % len(candidates)]

    async def deliver(
        self, event: dict, event_id: str, *, to: str | None = None, lose_first_ack: bool = False
    ) -> Ack:
        """Deliver one Events API event until an app acks it; returns that ack.

        ``to`` picks the first connection's app; ``lose_first_ack`` drops the first ack on
        the way back (the app handled the event, Slack never heard): Slack redelivers it to
        another connection.
        """
        body = {
            "token": "t",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
        }
        started, avoid = time.monotonic(), None
        for attempt in range(self.max_attempts):
            connection = self._pick(to if attempt == 0 else None, avoid)
            envelope_id = f"env-{next(self._ids)}"
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            connection.waiting[envelope_id] = future
            envelope = {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "retry_reason": "timeout" if attempt else "",
                "payload": body,
            }
            self.deliveries.append((event_id, connection.who, attempt))
            try:
                await connection.socket.send_json(envelope)
                await asyncio.wait_for(future, self.ack_timeout_s)
            except (TimeoutError, ConnectionError, RuntimeError):
                connection.waiting.pop(envelope_id, None)
                avoid = connection.who
                continue
            if lose_first_ack and attempt == 0:
                avoid = connection.who
                await asyncio.sleep(self.ack_timeout_s)  # Slack waits before it retries
                continue
            ack = Ack(event_id, connection.who, attempt, time.monotonic() - started)
            self.acks.append(ack)
            return ack
        raise NeverAcked(event_id)
