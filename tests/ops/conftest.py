"""Fixtures for the ops tests: a tiny calibrated model, its SavedModel export, and a local
stand-in for TensorFlow Serving's REST API that runs that export."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

# A calibration that visibly changes scores, so the export must apply it to match Scorer.
CALIBRATION = {"method": "platt", "a": 0.7, "b": 0.3}


@pytest.fixture(scope="session")
def ops_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny trained model saved as a real artifact (version ``tiny-ops``), calibrated."""
    from tests.scoring.tiny import save_tiny_model

    return save_tiny_model(tmp_path_factory.mktemp("ops-model"), "tiny-ops", CALIBRATION)


@pytest.fixture(scope="session")
def export_base(ops_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TF Serving model base path holding version ``1`` of the tiny model."""
    from model.export import export_model

    base = tmp_path_factory.mktemp("serving") / "sentiment"
    export_model(ops_model_dir, base)
    return base


def tf_serving_app(export_dir: Path, model_name: str = "sentiment") -> web.Application:
    """An aiohttp app answering like TF Serving's REST API (row format) for one SavedModel."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(export_dir))
    signature = loaded.signatures["serving_default"]
    version = export_dir.name

    def run(instances: list[str]) -> list[dict[str, object]]:
        outputs = signature(text=tf.constant(instances, tf.string))
        columns = {name: tensor.numpy().tolist() for name, tensor in outputs.items()}
        decode = lambda v: v.decode("utf-8") if isinstance(v, bytes) else v  # noqa: E731
        return [{k: decode(col[i]) for k, col in columns.items()} for i in range(len(instances))]

    async def model_route(request: web.Request) -> web.Response:
        spec = request.match_info["spec"]
        if request.method == "GET" and spec == model_name:
            status = {"version": version, "state": "AVAILABLE", "status": {"error_code": "OK"}}
            return web.json_response({"model_version_status": [status]})
        if request.method != "POST" or spec != f"{model_name}:predict":
            return web.json_response({"error": f"Servable not found: {spec}"}, status=404)
        body = await request.json()
        instances = body.get("instances")
        if not isinstance(instances, list) or not all(isinstance(t, str) for t in instances):
            return web.json_response({"error": "instances must be a list of strings"}, status=400)
        rows = await asyncio.to_thread(run, instances)  # TensorFlow off the event loop
        return web.json_response({"predictions": rows})

    app = web.Application()
    app.router.add_route("*", "/v1/models/{spec}", model_route)
    return app


@pytest.fixture
async def tf_serving(export_base: Path) -> AsyncIterator[str]:
    """Base URL of a TF Serving stand-in on a random local port."""
    runner = web.AppRunner(tf_serving_app(export_base / "1"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()
