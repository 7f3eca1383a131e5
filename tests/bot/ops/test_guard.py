"""The guarded site: slow or idle strangers are closed, capped, and cannot starve real requests.

A bounded slow-client script on loopback: clients that open a connection and send part of their
headers, then nothing (slowloris), against the real ops server.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiohttp import web

from bot.ops.guard import GuardedTCPSite, prepare_app
from bot.ops.health import Health, model_check
from bot.ops.metrics import Metrics
from bot.ops.server import OpsServer

PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "


async def _slow_client(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(PARTIAL)
    await writer.drain()
    return reader, writer


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(), seconds) == b""
    except (TimeoutError, ConnectionError):
        return False


@pytest.fixture
async def guarded():
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def upload(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    app = prepare_app(web.Application())
    app.router.add_get("/", hello)
    app.router.add_post("/", upload)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = GuardedTCPSite(
        runner, "127.0.0.1", 0, header_timeout_s=0.3, request_timeout_s=1.0, max_connections=20
    )
    await site.start()
    port = runner.addresses[0][1]
    yield site, port
    await runner.cleanup()


async def test_a_client_that_never_finishes_its_headers_is_closed(guarded) -> None:
    site, port = guarded
    reader, writer = await _slow_client(port)
    started = time.monotonic()
    assert await _closed_within(reader, 3.0)
    assert 0.2 < time.monotonic() - started < 2.0
    assert site.closed["header timeout"] == 1
    writer.close()


async def test_a_dribbled_body_is_cut_at_the_request_deadline(guarded) -> None:
    site, port = guarded
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(3):
        writer.write(b"a")
        await asyncio.sleep(0.1)
    assert await _closed_within(reader, 3.0)
    assert site.closed["request timeout"] == 1
    writer.close()


async def test_the_cap_evicts_idle_strangers_for_a_talking_client(guarded) -> None:
    site, port = guarded
    slow = [await _slow_client(port) for _ in range(40)]
    await asyncio.sleep(0.05)
    assert site.open_connections <= 20
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/") as response,
    ):
        assert response.status == 200
        assert response.headers["Connection"] == "close"  # one request per connection
    assert site.closed["evicted"] >= 20
    for _, writer in slow:
        writer.close()


async def test_300_slow_clients_do_not_stop_the_health_check() -> None:
    health = Health({"model": model_check(lambda: "v1")})
    server = OpsServer(health, Metrics(), port=0, host="127.0.0.1")
    await server.start()
    try:
        slow = [await _slow_client(server.port) for _ in range(300)]
        assert server.site is not None and server.site.open_connections <= 256
        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=3)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(f"http://127.0.0.1:{server.port}/healthz") as response,
        ):
            assert response.status == 200
        assert time.monotonic() - started < 2.0
        for _, writer in slow:
            writer.close()
    finally:
        await server.stop()
