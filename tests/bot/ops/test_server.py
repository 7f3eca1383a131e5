"""The ops server: ``/healthz`` (200 / 503 with details), ``/metrics`` (Prometheus text)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.ops.health import Health, adapters_check, database_check, model_check
from bot.ops.metrics import MeteredScorer, Metrics
from bot.ops.probe import main as probe_main
from bot.ops.server import OpsServer, start_ops_server
from tests.fakes.scoring import FakeScorer


@dataclass
class FakeAdapter:
    name: str
    connected: bool = True


class World:
    """The state the checks look at; tests break parts of it."""

    def __init__(self) -> None:
        self.version: str | None = "fake-1"
        self.db_up = True
        self.db_delay = 0.0
        self.adapters = [FakeAdapter("slack"), FakeAdapter("discord")]

    def ping(self) -> None:
        time.sleep(self.db_delay)
        if not self.db_up:
            raise ConnectionError("connection refused\nsecond line")


@pytest.fixture
async def served() -> AsyncIterator[tuple[World, Metrics, str]]:
    world = World()
    metrics = Metrics()
    health = Health(
        {
            "model": model_check(lambda: world.version),
            "database": database_check(world.ping),
            "adapters": adapters_check(lambda: world.adapters),
        },
        timeout_s=0.5,
    )
    server = OpsServer(health, metrics, port=0, host="127.0.0.1")
    await server.start()
    yield world, metrics, f"http://127.0.0.1:{server.port}"
    await server.stop()
    await server.stop()  # idempotent


async def _get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def test_healthy(served: tuple[World, Metrics, str]) -> None:
    _, _, url = served
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        assert response.status == 200
        body = await response.json()
    assert body == {
        "status": "ok",
        "checks": {
            "model": {"ok": True, "version": "fake-1"},
            "database": {"ok": True},
            "adapters": {"ok": True, "connected": {"slack": True, "discord": True}},
        },
    }


def _break(world: World, part: str) -> None:
    if part == "database down":
        world.db_up = False
    elif part == "database slow":
        world.db_delay = 1.0
    elif part == "adapter disconnected":
        world.adapters[1].connected = False
    elif part == "no adapters":
        world.adapters = []
    elif part == "no model":
        world.version = None


@pytest.mark.parametrize(
    ("part", "failing"),
    [
        ("database down", "database"),
        ("database slow", "database"),
        ("adapter disconnected", "adapters"),
        ("no adapters", "adapters"),
        ("no model", "model"),
    ],
)
async def test_unhealthy(served: tuple[World, Metrics, str], part: str, failing: str) -> None:
    world, _, url = served
    _break(world, part)
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "unhealthy"
    assert [name for name, check in body["checks"].items() if not check["ok"]] == [failing]
    if part == "database down":
        assert body["checks"]["database"]["error"] == "ConnectionError"  # no host, user, db
    if part == "database slow":
        assert "timed out" in body["checks"]["database"]["error"]
    if part == "adapter disconnected":
        assert body["checks"]["adapters"]["connected"] == {"slack": True, "discord": False}


async def test_metrics(served: tuple[World, Metrics, str]) -> None:
    _, metrics, url = served
    scorer = MeteredScorer(FakeScorer(version="fake-7"), metrics)
    await asyncio.to_thread(scorer.score_many, ["great day", "awful", "", "meh", "good"])
    scorer.score_many(["bad"])
    pending = {"n": 4}
    metrics.watch_writer(lambda: pending["n"], lambda: 2)
    metrics.database_error()
    failing = MeteredScorer(FakeScorer(fail_with=RuntimeError("boom")), metrics)
    with pytest.raises(RuntimeError):
        failing.score_many(["x"])

    status, content_type, text = await _get(f"{url}/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("sentibot_messages_scored_total", (("label", "positive"),))] == 2
    assert samples[("sentibot_messages_scored_total", (("label", "negative"),))] == 2
    assert samples[("sentibot_messages_scored_total", (("label", "neutral"),))] == 1
    assert samples[("sentibot_messages_scored_total", (("label", "unscored"),))] == 1
    assert samples[("sentibot_scoring_latency_seconds_count", ())] == 2
    assert samples[("sentibot_scoring_latency_seconds_bucket", (("le", "+Inf"),))] == 2
    assert samples[("sentibot_scoring_errors_total", ())] == 1
    assert samples[("sentibot_writer_queue_depth", ())] == 4
    assert samples[("sentibot_database_errors_total", ())] == 3
    # the last scorer wrapped publishes its version
    assert samples[("sentibot_model_info", (("version", "fake-1"),))] == 1

    pending["n"] = 0
    _, _, text = await _get(f"{url}/metrics")
    assert "sentibot_writer_queue_depth 0.0" in text


async def test_openmetrics_on_request(served: tuple[World, Metrics, str]) -> None:
    _, _, url = served
    headers = {"Accept": "application/openmetrics-text; version=1.0.0"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/metrics", headers=headers) as response,
    ):
        assert response.headers["Content-Type"].startswith("application/openmetrics-text")
        assert (await response.text()).rstrip().endswith("# EOF")


async def test_model_version_follows_a_swap() -> None:
    metrics = Metrics()
    fake = FakeScorer(version="v1")
    scorer = MeteredScorer(fake, metrics)
    assert metrics.registry.get_sample_value("sentibot_model_info", {"version": "v1"}) == 1
    metrics.set_model_version("v2")
    assert metrics.registry.get_sample_value("sentibot_model_info", {"version": "v1"}) is None
    assert metrics.registry.get_sample_value("sentibot_model_info", {"version": "v2"}) == 1
    assert scorer.version == "v1" and scorer.scoring is fake.scoring  # passes attributes through


async def test_registries_are_independent() -> None:
    a, b = Metrics(), Metrics()
    a.scored.labels(label="positive").inc()
    assert b.registry.get_sample_value("sentibot_messages_scored_total", {"label": "positive"}) in (
        None,
        0.0,
    )


async def test_port_zero_disables_and_busy_port_is_clear() -> None:
    health, metrics = Health({}), Metrics()
    assert await start_ops_server(0, health, metrics) is None
    first = OpsServer(health, metrics, port=0, host="127.0.0.1")
    await first.start()
    try:
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{first.port}"):
            await start_ops_server(first.port, health, metrics, host="127.0.0.1")
    finally:
        await first.stop()


async def test_probe(served: tuple[World, Metrics, str], capsys: pytest.CaptureFixture) -> None:
    world, _, url = served
    assert await asyncio.to_thread(probe_main, ["--url", f"{url}/healthz"]) == 0
    world.db_up = False
    assert await asyncio.to_thread(probe_main, ["--url", f"{url}/healthz"]) == 1
    assert "failing checks: database" in capsys.readouterr().err
    assert await asyncio.to_thread(probe_main, ["--url", "http://127.0.0.1:9/healthz"]) == 1


def test_probe_needs_a_port(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SENTIBOT_OPS__PORT", raising=False)
    assert probe_main([]) == 2


async def test_health_logs_a_line_per_change_not_per_probe(
    served: tuple[World, Metrics, str], caplog: pytest.LogCaptureFixture
) -> None:
    world, _, url = served
    world.db_up = False
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            async with session.get(f"{url}/healthz") as response:
                assert response.status == 503
        world.db_up = True
        async with session.get(f"{url}/healthz") as response:
            assert response.status == 200
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["unhealthy: database"]
    assert not any("refused" in r.getMessage() for r in caplog.records)
