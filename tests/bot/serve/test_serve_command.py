"""``sentibot serve`` as a process: serves, follows promotion and rollback, stops on SIGTERM.

The server's own TensorFlow start-up lines go to its log file, never to its stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from storage.config import StorageConfig
from storage.database import open_database
from storage.types import ModelVersion

NATIVE_LINES = ("absl::InitializeLog", "oneDNN", "cuInit", "cudart_stub")


def _record(url: str, version: str, path: Path) -> None:
    """Record ``version`` as the active model (a promotion, or ``models activate``)."""
    with open_database(StorageConfig(url=url)) as database:
        repository = database.repository
        known = {mv.version for mv in repository.list_model_versions()}
        if version in known:
            repository.activate_model_version(version)
            return
        repository.add_model_version(
            ModelVersion(version, str(path), {}, True, datetime.now(UTC), "test")
        )


async def _health(base: str) -> dict:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as response:
        return await response.json()


async def _until_model(base: str, version: str, deadline_s: float = 60.0) -> None:
    end = time.monotonic() + deadline_s
    while (await _health(base))["model"] != version:
        assert time.monotonic() < end, f"the server never switched to {version}"
        await asyncio.sleep(0.2)


async def test_serve_follows_the_active_version_and_stops_on_sigterm(
    tiny_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "tiny-b"
    shutil.copytree(tiny_dir, other)
    meta = json.loads((other / "metadata.json").read_text())
    (other / "metadata.json").write_text(json.dumps({**meta, "version": "tiny-b"}))
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {
        **os.environ,
        "SENTIBOT_MODEL__PATH": str(tiny_dir),
        "SENTIBOT_STORAGE__URL": url,
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve", "--port", "0", "--sync", "0.3",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 180)).decode()
        found = re.search(r"serving model (\S+) at (http://127\.0\.0\.1:\d+)/v1/models/", line)
        assert found is not None, line
        assert found[1] == "tiny-a"
        base = found[2]
        async with aiohttp.ClientSession() as session:
            body = {"instances": ["what a great day", "awful"]}
            async with session.post(f"{base}/v1/models/sentiment:predict", json=body) as answer:
                rows = (await answer.json())["predictions"]
        assert rows[0]["probability"] > 0.5 > rows[1]["probability"]
        assert rows[0]["model_version"] == "tiny-a" and rows[0]["known"] >= 1

        await asyncio.to_thread(_record, url, "tiny-b", other)  # a promotion
        await _until_model(base, "tiny-b")
        await asyncio.to_thread(_record, url, "tiny-a", tiny_dir)  # first recorded now
        await _until_model(base, "tiny-a")
        await asyncio.to_thread(_record, url, "tiny-b", other)  # a rollback to tiny-b
        await _until_model(base, "tiny-b")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()[-2000:]
    assert "model server stopped" in out.decode()
    assert not [name for name in NATIVE_LINES if name in err.decode()]
    assert "absl::InitializeLog" in (tmp_path / "var" / "sentibot.log").read_text()  # went here
