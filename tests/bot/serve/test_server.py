"""The model server's HTTP side with a fake model: TF Serving's routes, batching, limits."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Sequence

import aiohttp
import pytest

from bot.serve.rows import Row
from bot.serve.server import ModelServer

SECRET = "sk-do-not-log-me"


class FakeRows:
    """Rows from text length; records the batches it was asked for."""

    def __init__(self, fail: bool = False) -> None:
        self.version = "fake-1"
        self.batches: list[int] = []
        self.fail = fail
        self._lock = threading.Lock()

    def score_many(self, texts: Sequence[str]) -> list[Row]:
        with self._lock:
            self.batches.append(len(texts))
        if self.fail:
            raise RuntimeError("model broke")
        return [
            Row(probability=len(t) / 100, classes=-1, words=t.lower(), known=len(t.split()),
                model_version=self.version)
            for t in texts
        ]  # fmt: skip


@pytest.fixture
async def server() -> AsyncIterator[tuple[ModelServer, str]]:
    model = ModelServer(FakeRows(), port=0, max_wait_ms=50, max_body=64 * 1024)
    await model.start()
    yield model, f"http://127.0.0.1:{model.port}"
    await model.stop()


async def _post(url: str, body: bytes | str) -> tuple[int, dict]:
    data = body.encode() if isinstance(body, str) else body
    async with aiohttp.ClientSession() as session, session.post(url, data=data) as response:
        return response.status, await response.json(content_type=None)


async def _get(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json(content_type=None)


async def test_row_and_columnar_predictions(server) -> None:  # noqa: ANN001
    _, base = server
    predict = f"{base}/v1/models/sentiment:predict"
    status, body = await _post(predict, json.dumps({"instances": ["Good day", {"text": "ok"}]}))
    assert status == 200
    assert body["predictions"][0] == {"probability": 0.08, "classes": -1, "words": "good day",
                                      "known": 2, "model_version": "fake-1"}  # fmt: skip
    assert body["predictions"][1]["words"] == "ok"
    status, body = await _post(predict, json.dumps({"inputs": {"text": ["a", "bb"]}}))
    assert status == 200 and body["outputs"]["probability"] == [0.01, 0.02]
    assert body["outputs"]["model_version"] == ["fake-1", "fake-1"]


async def test_status_metadata_and_health(server) -> None:  # noqa: ANN001
    _, base = server
    status, body = await _get(f"{base}/v1/models/sentiment")
    assert status == 200 and body["model_version_status"][0]["state"] == "AVAILABLE"
    status, body = await _get(f"{base}/v1/models/sentiment/metadata")
    signature = body["metadata"]["signature_def"]["serving_default"]
    assert list(signature["inputs"]) == ["text"]
    assert set(signature["outputs"]) == {"probability", "classes", "words", "known",
                                         "model_version"}  # fmt: skip
    status, body = await _get(f"{base}/healthz")
    assert status == 200 and body == {"status": "ok", "model": "fake-1"}
    status, body = await _get(f"{base}/v1/models/other:predict")
    assert status == 404 and "serves 'sentiment'" in body["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"instances": ["' + SECRET.encode(), "the body is not JSON"),
        (b'{"instances": ["\xc3\x28"]}', "not UTF-8"),
        (b"[1, 2]", 'JSON object with "instances" or "inputs"'),
        (b"{}", 'exactly one of "instances" and "inputs"'),
        (b'{"instances": "' + SECRET.encode() + b'"}', '"instances" must be a list'),
        (b'{"instances": [1, 2]}', "must hold strings"),
        (b'{"instances": [{"txt": "a"}]}', "must hold strings"),
        (b'{"inputs": {"text": "a"}}', '"inputs" must be a list'),
        (b'{"instances": ["a"], "signature_name": "other"}', "unknown signature_name"),
    ],
)
async def test_bad_requests_get_a_clear_400_that_quotes_nothing(
    server,
    body: bytes,
    message: str,
    caplog: pytest.LogCaptureFixture,  # noqa: ANN001
) -> None:
    caplog.set_level(logging.DEBUG)
    _, base = server
    status, answer = await _post(f"{base}/v1/models/sentiment:predict", body)
    assert status == 400
    assert message in answer["error"]
    assert SECRET not in answer["error"] and SECRET not in caplog.text


async def test_a_body_over_the_limit_is_refused(server) -> None:  # noqa: ANN001
    model, base = server
    body = json.dumps({"instances": ["x" * 100_000]})
    status, answer = await _post(f"{base}/v1/models/sentiment:predict", body)
    assert status == 413 and "the body is over 65,536 bytes" in answer["error"]
    assert model.rows.batches == []  # type: ignore[attr-defined]


async def test_concurrent_requests_share_batches(server) -> None:  # noqa: ANN001
    model, base = server
    predict = f"{base}/v1/models/sentiment:predict"
    results = await asyncio.gather(
        *(_post(predict, json.dumps({"instances": [f"text {i}"]})) for i in range(20))
    )
    assert all(status == 200 for status, _ in results)
    assert [body["predictions"][0]["words"] for _, body in results] == [
        f"text {i}" for i in range(20)
    ]
    batches = model.rows.batches  # type: ignore[attr-defined]
    assert sum(batches) == 20 and len(batches) < 20


async def test_a_failing_model_is_a_500_and_the_server_keeps_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = ModelServer(FakeRows(fail=True), port=0)
    await model.start()
    try:
        url = f"http://127.0.0.1:{model.port}"
        status, body = await _post(f"{url}/v1/models/sentiment:predict", '{"instances": ["a"]}')
        assert status == 500 and body["error"] == "the model could not score this batch"
        status, _ = await _get(f"{url}/healthz")
        assert status == 200
    finally:
        await model.stop()


async def test_a_taken_port_is_one_clear_error(server) -> None:  # noqa: ANN001
    model, _ = server
    other = ModelServer(FakeRows(), port=model.port or 0)
    with pytest.raises(OSError, match="model server cannot listen on 127.0.0.1"):
        await other.start()
