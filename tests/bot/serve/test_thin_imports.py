"""A thin bot (``[model] serving_url``) never imports TensorFlow or Keras.

Each command runs as its own process against a model server on loopback (a fake model behind
the real ``bot.serve`` server: the bot only speaks HTTP) and reports, when it ends, which of
its modules were loaded (``sys.modules``).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.serve.rows import Row
from bot.serve.server import ModelServer
from tests.loaded_modules import HEAVY, WRAPPER


class WordRows:
    """A model that likes "great" and dislikes "awful"; words are the lower-cased text."""

    version = "fake-thin"

    def score_many(self, texts: Sequence[str]) -> list[Row]:
        rows = []
        for text in texts:
            words = " ".join(text.lower().split())
            probability = 0.5 + 0.4 * ("great" in words) - 0.4 * ("awful" in words)
            rows.append(Row(probability=probability, classes=-1, words=words,
                            known=len(words.split()), model_version=self.version))  # fmt: skip
        return rows


@pytest.fixture
async def serving_url() -> AsyncIterator[str]:
    server = ModelServer(WordRows(), port=0)
    await server.start()
    yield f"http://127.0.0.1:{server.port}"
    await server.stop()


async def _run(args: list[str], url: str, cwd: Path, stdin: str = "") -> tuple[int, str, list[str]]:
    """Run ``sentibot ARGS`` as a thin bot; its exit status, stdout and loaded modules."""
    loaded = cwd / f"modules-{args[0]}.json"
    env = {
        **os.environ,
        "SENTIBOT_MODEL__SERVING_URL": url,
        "SENTIBOT_STORAGE__URL": f"sqlite:///{cwd / 'thin.db'}",
        "LOADED_MODULES_FILE": str(loaded),
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRAPPER, *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, cwd=cwd, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), 120)
    assert process.returncode is not None
    assert loaded.is_file(), err.decode()[-2000:]
    return process.returncode, out.decode(), json.loads(loaded.read_text())


async def test_score_explain_run_and_report_never_import_tensorflow(
    serving_url: str, tmp_path: Path
) -> None:
    status, out, modules = await _run(["score", "a great day", "awful", ""], serving_url, tmp_path)
    assert status == 0 and out.splitlines()[0].startswith("0.900\tpositive")
    assert not set(HEAVY) & set(modules)
    assert "numpy" in modules  # the check sees real imports (numpy is used by the rules)

    status, out, modules = await _run(["explain", "great", "and", "awful"], serving_url, tmp_path)
    assert status == 0 and "great" in out and "awful" in out
    assert not set(HEAVY) & set(modules)

    chat = "a great release\nawful outage\n/sentiment-explain great work\n"
    status, out, modules = await _run(["run", "--adapter", "shell"], serving_url, tmp_path, chat)
    assert status == 0 and "great" in out
    assert not set(HEAVY) & set(modules)

    args = ["report", "--channel", "local", "--chart", str(tmp_path / "chart.png")]
    status, out, modules = await _run(args, serving_url, tmp_path)
    assert status == 0 and "2" in out
    assert not set(HEAVY) & set(modules)
