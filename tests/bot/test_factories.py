"""``[model] serving_url``: the bot connects to TF Serving at startup (or says in one line why
not), and ``/healthz`` reports the remote model unhealthy once the server is gone.

Uses the TF Serving stand-in of the ops tests (``tests.fakes.tf_serving``), which serves a real
SavedModel export of a tiny model.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.fake import FakeAdapter
from bot.bootstrap import build_app
from bot.errors import StartupError
from bot.factories import load_scorer
from tests.bot.conftest import make_settings
from tests.fakes.storage import FakeRepository
from tests.fakes.tf_serving import tf_serving_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def serving_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version ``1`` of a tiny model (``tiny-remote``) exported for TF Serving."""
    from model.export import export_model
    from tests.model.tiny import save_tiny_model

    model_dir = save_tiny_model(tmp_path_factory.mktemp("remote-model"), "tiny-remote")
    base = tmp_path_factory.mktemp("remote-serving") / "sentiment"
    export_model(model_dir, base)
    return base / "1"


class Server:
    """The TF Serving stand-in on a random local port, stoppable mid-test."""

    def __init__(self, export_dir: Path, model_name: str = "sentiment") -> None:
        self.runner = web.AppRunner(tf_serving_app(export_dir, model_name), access_log=None)
        self.url = ""

    async def start(self) -> None:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        await self.runner.cleanup()


@pytest.fixture
async def server(serving_export: Path) -> AsyncIterator[Server]:
    running = Server(serving_export)
    await running.start()
    yield running
    await running.stop()


async def test_remote_scorer_is_connected_at_startup(tmp_path: Path, server: Server) -> None:
    settings = make_settings(tmp_path, f'[model]\nserving_url = "{server.url}"\n')
    scorer = await asyncio.to_thread(load_scorer, settings)  # blocking HTTP: off the loop
    try:
        assert type(scorer).__name__ == "RemoteScorer"
        assert scorer.version == "tiny-remote"  # learnt from the connect() prediction
    finally:
        scorer.close()


@pytest.mark.parametrize("how", ["load_scorer", "build_app"])
def test_unreachable_serving_url_is_one_line_startup_error(tmp_path: Path, how: str) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    settings = make_settings(tmp_path, f'[model]\nserving_url = "{url}"\n')
    with pytest.raises(StartupError) as info:
        if how == "load_scorer":
            load_scorer(settings)
        else:
            build_app(settings, adapter=FakeAdapter(), repository=FakeRepository())
    message = str(info.value)
    assert url in message and "serving_url" in message and "\n" not in message


async def test_an_error_answer_is_a_startup_error(tmp_path: Path, serving_export: Path) -> None:
    other = Server(serving_export, model_name="other")  # no model named "sentiment": 404
    await other.start()
    try:
        settings = make_settings(tmp_path, f'[model]\nserving_url = "{other.url}"\n')
        with pytest.raises(StartupError, match="answered 404: Servable not found") as info:
            await asyncio.to_thread(load_scorer, settings)
    finally:
        await other.stop()
    assert "\n" not in str(info.value)


async def test_healthz_turns_unhealthy_when_the_model_server_goes(
    tmp_path: Path, server: Server
) -> None:
    port = _free_port()
    settings = make_settings(
        tmp_path, f'[model]\nserving_url = "{server.url}"\n[ops]\nport = {port}\n'
    )
    scorer = await asyncio.to_thread(load_scorer, settings)
    adapter = FakeAdapter()
    app = build_app(
        settings,
        adapter=adapter,
        scorer=scorer,
        repository=FakeRepository(),
        scheduler_factory=None,
        retrainer_factory=None,
    )
    task = asyncio.create_task(app.run())
    await asyncio.wait_for(adapter.started.wait(), 5)
    healthz = f"http://127.0.0.1:{port}/healthz"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(healthz) as response:
                up = response.status, await response.json()
            await server.stop()
            async with http.get(healthz) as response:
                down = response.status, await response.json()
    finally:
        app.request_stop("test")
        await asyncio.wait_for(task, 10)
        scorer.close()
    assert up[0] == 200 and up[1]["checks"]["model"] == {"ok": True, "version": "tiny-remote"}
    model = down[1]["checks"]["model"]
    assert down[0] == 503 and down[1]["status"] == "unhealthy"
    assert model["ok"] is False and model["error"] == "RemoteScoringError"
    assert down[1]["checks"]["database"]["ok"] is True  # only the model is down
