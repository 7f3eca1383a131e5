"""A TCP site that strangers cannot exhaust: header deadline, request deadline, connection cap.

Both of the bot's HTTP servers (``/healthz`` + ``/metrics`` and Slack's HTTP events) face
whoever can reach their port. aiohttp alone waits forever for a request's headers, so a few
hundred clients that open a connection and send one byte a minute (slowloris) hold every
connection and the health checks and Slack's events go unanswered. ``GuardedTCPSite`` is a
drop-in ``aiohttp.web.TCPSite`` that wraps each connection's protocol and guarantees:

- A connection that has not sent its full request headers (``\\r\\n\\r\\n``) within
  ``header_timeout_s`` is closed.
- A connection is closed ``request_timeout_s`` after it opened, whatever it is doing (a body
  dribbled one byte at a time included); the servers answer in milliseconds.
- Each connection carries one request (``Connection: close`` on every response), so the
  deadlines above cover every request, not just a keep-alive connection's first.
- At most ``max_connections`` are open. At the cap a new connection evicts the oldest one still
  waiting for its headers (an idle stranger gives way to a client that is talking); when every
  open connection is mid-request, the new one is closed at once.

Nothing a client sends is logged: rejections only count (``closed`` by reason).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

logger = logging.getLogger(__name__)

HEADER_END = b"\r\n\r\n"
DEFAULT_HEADER_TIMEOUT_S = 5.0
DEFAULT_REQUEST_TIMEOUT_S = 30.0
DEFAULT_MAX_CONNECTIONS = 256


class _Guard:
    """The open connections of one site and the limits they live under."""

    def __init__(self, header_timeout_s: float, request_timeout_s: float, cap: int) -> None:
        self.header_timeout_s = header_timeout_s
        self.request_timeout_s = request_timeout_s
        self.cap = cap
        self.open: dict[_GuardedProtocol, None] = {}  # insertion order = age
        self.closed: Counter[str] = Counter()

    def admit(self, conn: _GuardedProtocol) -> bool:
        if len(self.open) >= self.cap:
            waiting = next((c for c in self.open if not c.headers_done), None)
            if waiting is None:
                self.closed["full"] += 1
                return False
            waiting.close("evicted")
        self.open[conn] = None
        return True


class _GuardedProtocol(asyncio.Protocol):
    """Forwards to aiohttp's protocol; closes the connection when a limit is crossed."""

    def __init__(self, inner: Any, guard: _Guard) -> None:
        self.inner = inner
        self.guard = guard
        self.headers_done = False
        self._tail = b""
        self._transport: asyncio.Transport | None = None
        self._timers: list[asyncio.TimerHandle] = []

    def close(self, reason: str) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self.guard.closed[reason] += 1
            self._transport.abort()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if not self.guard.admit(self):
            transport.abort()
            return
        loop = asyncio.get_running_loop()
        self._timers = [
            loop.call_later(self.guard.header_timeout_s, self._header_deadline),
            loop.call_later(self.guard.request_timeout_s, self.close, "request timeout"),
        ]
        self.inner.connection_made(transport)

    def _header_deadline(self) -> None:
        if not self.headers_done:
            self.close("header timeout")

    def data_received(self, data: bytes) -> None:
        if not self.headers_done:
            window = self._tail + data
            if HEADER_END in window:
                self.headers_done = True
            self._tail = window[-(len(HEADER_END) - 1) :]
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in self._timers:
            timer.cancel()
        admitted = self in self.guard.open
        self.guard.open.pop(self, None)
        if admitted:  # aiohttp's protocol saw connection_made, so it gets connection_lost
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


@web.middleware
async def _one_request_per_connection(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # 404, 405, ... raised by aiohttp's router
        exc.force_close()
        raise
    response.force_close()
    return response


class GuardedTCPSite(web.TCPSite):
    """``web.TCPSite`` with the guarantees in the module docstring.

    Parameters
    ----------
    runner
        A set-up ``web.AppRunner``; its application went through ``prepare_app`` before
        ``runner.setup()``, so that every response closes its connection.
    host, port
        Where to listen.
    header_timeout_s, request_timeout_s, max_connections
        The limits; see the module docstring.
    """

    def __init__(
        self,
        runner: web.AppRunner,
        host: str,
        port: int,
        *,
        header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S,
        request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        super().__init__(runner, host, port)
        self.guard = _Guard(header_timeout_s, request_timeout_s, max_connections)

    async def start(self) -> None:
        """Listen, wrapping every accepted connection's protocol."""
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _GuardedProtocol(server(), self.guard), self._host, self._port
        )
        if self._server.sockets:
            self._bound_port = self._server.sockets[0].getsockname()[1]

    @property
    def open_connections(self) -> int:
        """How many connections are open now."""
        return len(self.guard.open)

    @property
    def closed(self) -> Counter[str]:
        """Connections this site closed, by reason (``header timeout``, ``evicted``, ...)."""
        return self.guard.closed


def prepare_app(app: web.Application) -> web.Application:
    """Make every response of ``app`` close its connection (call before ``runner.setup()``).

    The middleware goes first, outside any other, so refusals by later middlewares close too.
    """
    app.middlewares.insert(0, _one_request_per_connection)
    return app


async def listen(
    app: web.Application, host: str, port: int, what: str
) -> tuple[web.AppRunner, GuardedTCPSite, int]:
    """Serve ``app`` on a ``GuardedTCPSite`` at ``host:port``: its runner, site and bound port.

    Parameters
    ----------
    app
        The aiohttp application (``prepare_app`` is the caller's choice).
    host, port
        Where to listen; port 0 picks a free one (the bound port is returned).
    what
        The server's name for the error message ("ops server", "dashboard", ...).

    Raises
    ------
    OSError
        When the address is taken, naming ``what`` and the address; nothing is left running.
    """
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = GuardedTCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise OSError(exc.errno, f"{what} cannot listen on {host}:{port}: {exc.strerror}") from None
    return runner, site, int(runner.addresses[0][1])
