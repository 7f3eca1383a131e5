"""``/healthz`` follows the message writer: a writer whose task died makes the instance
unhealthy, with the exception's type and never its text."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from bot.adapters.fake import FakeAdapter
from bot.bootstrap import build_app
from bot.ops.health import Health, writer_check
from storage.writer import MessageWriter
from tests.bot.conftest import make_settings
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository


class Writer:
    def __init__(self) -> None:
        self.alive = True
        self.failure: BaseException | None = None


async def test_writer_check_follows_alive_and_names_only_the_type() -> None:
    writer = Writer()
    health = Health({"writer": writer_check(lambda: writer.alive, lambda: writer.failure)})
    assert await health.run() == (
        True,
        {"status": "ok", "checks": {"writer": {"ok": True, "alive": True}}},
    )
    writer.alive, writer.failure = False, RuntimeError("password=hunter2 at db.internal")
    healthy, body = await health.run()
    assert not healthy and body["status"] == "unhealthy"
    assert body["checks"]["writer"] == {"ok": False, "alive": False, "error": "RuntimeError"}
    assert "hunter2" not in str(body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_healthz_turns_unhealthy_when_the_writer_task_dies(tmp_path: Path) -> None:
    port = free_port()
    settings = make_settings(tmp_path, f"[ops]\nport = {port}\n[storage]\nflush_interval_ms = 20\n")
    adapter = FakeAdapter()
    app = build_app(
        settings,
        adapter=adapter,
        scorer=FakeScorer(),
        repository=FakeRepository(),
        scheduler_factory=None,
        retrainer_factory=None,
    )
    task = asyncio.create_task(app.run())
    await asyncio.wait_for(adapter.started.wait(), 5)
    url = f"http://127.0.0.1:{port}/healthz"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            body = await response.json()
            assert response.status == 200, body
        assert body["checks"]["writer"] == {"ok": True, "alive": True}

        async def broken(until: int) -> None:
            raise RuntimeError("secret detail of the crash")

        writer = app.writer
        assert isinstance(writer, MessageWriter)
        writer._drain = broken  # type: ignore[method-assign]
        for _ in range(250):  # the next flush tick runs the broken drain
            if not writer.alive:
                break
            await asyncio.sleep(0.02)
        assert not writer.alive
        async with http.get(url) as response:
            body = await response.json()
            assert response.status == 503
    assert body["checks"]["writer"] == {"ok": False, "alive": False, "error": "RuntimeError"}
    assert "secret detail" not in str(body)
    app.request_stop("test")
    await asyncio.wait_for(task, 10)
