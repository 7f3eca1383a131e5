"""Fixtures for the export and remote-scoring tests: a tiny calibrated model, its SavedModel
export, and a local stand-in for TensorFlow Serving's REST API (``tests.fakes.tf_serving``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.fakes.tf_serving import tf_serving_app

# A calibration that visibly changes scores, so the export must apply it to match Scorer.
CALIBRATION = {"method": "platt", "a": 0.7, "b": 0.3}


@pytest.fixture(scope="session")
def ops_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny trained model saved as a real artifact (version ``tiny-ops``), calibrated."""
    from tests.model.tiny import save_tiny_model

    return save_tiny_model(tmp_path_factory.mktemp("ops-model"), "tiny-ops", CALIBRATION)


@pytest.fixture(scope="session")
def export_base(ops_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TF Serving model base path holding version ``1`` of the tiny model."""
    from model.export import export_model

    base = tmp_path_factory.mktemp("serving") / "sentiment"
    export_model(ops_model_dir, base)
    return base


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
