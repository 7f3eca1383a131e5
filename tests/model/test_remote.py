"""``RemoteScorer`` against a TF Serving stand-in running the exported SavedModel."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from aiohttp import web

from model.artifact import load_artifact
from model.config import ScoringConfig
from model.remote import UNKNOWN_VERSION, RemoteScorer, RemoteScoringError
from model.service import Scorer
from model.types import Label

SCORING = ScoringConfig(max_chars=60)
TEXTS = [
    "the food was great, wonderful people",
    "terrible service and an awful day",
    "",
    "   ",
    "<@U123> https://example.com",  # no words left
    "great " * 30,  # over max_chars: truncated
    "I love it 😍",
    "\x00\x07 control \u2028 chars and great fun",
    "bad \ud800 surrogate",
    "Это сообщение написано по-русски, и оно длинное",
]


async def test_remote_scores_equal_in_process_scores(tf_serving: str, ops_model_dir: Path) -> None:
    remote = RemoteScorer(tf_serving, SCORING)
    assert remote.version == UNKNOWN_VERSION
    assert await asyncio.to_thread(remote.connect) == "tiny-ops"
    local = Scorer(load_artifact(ops_model_dir), SCORING)

    got = await asyncio.to_thread(remote.score_many, TEXTS)
    want = local.score_many(TEXTS)
    assert len(got) == len(TEXTS)
    for g, w in zip(got, want, strict=True):
        assert (g.label, g.reason, g.model_version) == (w.label, w.reason, w.model_version)
        assert (g.score is None) == (w.score is None)
        if w.score is not None:
            assert g.score == pytest.approx(w.score, abs=1e-5)
    assert got[0].label == Label.POSITIVE and got[1].label == Label.NEGATIVE
    assert [g.reason for g in got[2:6]] == ["empty", "empty", "no words", "truncated"]
    assert got[9].reason == "language:ru"
    remote.close()


async def test_an_all_empty_batch_sends_no_request() -> None:
    remote = RemoteScorer("http://127.0.0.1:9", SCORING)  # nothing listens on port 9
    scores = await asyncio.to_thread(remote.score_many, ["", " "])
    assert [s.reason for s in scores] == ["empty", "empty"]


async def test_ping(tf_serving: str) -> None:
    await asyncio.to_thread(RemoteScorer(tf_serving).ping)
    with pytest.raises(RemoteScoringError, match="sentiment-v2"):
        await asyncio.to_thread(RemoteScorer(tf_serving, model_name="sentiment-v2").ping)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_is_one_clear_error() -> None:
    remote = RemoteScorer(f"http://127.0.0.1:{_free_port()}", SCORING, retries=1, timeout_s=2)
    with pytest.raises(RemoteScoringError) as info:
        remote.score_many(["great"])
    assert "model server http://127.0.0.1:" in str(info.value)
    assert "\n" not in str(info.value)


async def _serve(handler) -> tuple[web.AppRunner, str]:  # noqa: ANN001
    app = web.Application()
    app.router.add_route("*", "/v1/models/{spec}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (400, {"error": "Invalid argument: bad input"}, "answered 400: Invalid argument"),
        (200, {"predictions": [0.9]}, "lack probability/words/model_version"),
        (200, {"predictions": []}, "expected 1 predictions, got 0"),
        (200, {"outputs": 1}, "expected 1 predictions, got none"),
    ],
)
async def test_bad_answers_are_clear_errors(status: int, body: dict, message: str) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(body, status=status)

    runner, url = await _serve(handler)
    try:
        with pytest.raises(RemoteScoringError, match=message):
            await asyncio.to_thread(RemoteScorer(url, SCORING).score_many, ["great"])
    finally:
        await runner.cleanup()


async def test_retries_a_server_that_is_starting() -> None:
    calls = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            return web.json_response({"error": "loading"}, status=503)
        return web.json_response(
            {"predictions": [{"probability": 0.8, "words": "great", "model_version": "v9"}]}
        )

    runner, url = await _serve(handler)
    try:
        scores = await asyncio.to_thread(RemoteScorer(url, SCORING).score_many, ["great"])
    finally:
        await runner.cleanup()
    assert calls == 3
    assert scores[0].score == pytest.approx(0.8) and scores[0].model_version == "v9"


async def test_swap_loads_nothing_and_asks_the_server_for_its_version(tf_serving: str) -> None:
    remote = RemoteScorer(tf_serving, SCORING)
    assert remote.version == UNKNOWN_VERSION
    await asyncio.to_thread(remote.swap, object())  # the server decides what serves
    assert remote.version == "tiny-ops"


def test_swap_with_the_server_down_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    remote = RemoteScorer(f"http://127.0.0.1:{_free_port()}", SCORING, retries=0, timeout_s=2)
    remote.swap(object())
    assert remote.version == UNKNOWN_VERSION
    assert "model server not asked for its version" in caplog.text


async def test_the_export_reports_known_words_for_the_language_gate(
    tf_serving: str, ops_model_dir: Path
) -> None:
    remote = RemoteScorer(tf_serving, SCORING)
    _, words, _ = await asyncio.to_thread(remote.probabilities, ["great great zzqx", "qqqq"])
    known = Scorer(load_artifact(ops_model_dir), SCORING).probabilities(["x"])[1]
    assert "great" in known.known_words
    assert words.known_counts is not None
    assert words.known_counts.tolist() == [
        sum(word in known.known_words for word in text.split()) for text in words
    ]


async def test_health_of_a_served_model(tf_serving: str) -> None:
    from bot.ops.health import model_check

    remote = RemoteScorer(tf_serving, SCORING)
    await asyncio.to_thread(remote.connect)
    ok = await model_check(lambda: remote.version, remote.ping)()
    assert ok.ok and ok.detail == {"version": "tiny-ops"}
    gone = RemoteScorer(f"http://127.0.0.1:{_free_port()}", SCORING, retries=0)
    bad = await model_check(lambda: gone.version, gone.ping)()
    assert not bad.ok and bad.detail["error"] == "RemoteScoringError"  # no URL on /healthz
