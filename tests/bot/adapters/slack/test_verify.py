"""Slack HTTP events: the signature is checked before the body is parsed, and nothing a rejected
request carries reaches the logs (through the real adapter, Bolt app and aiohttp server)."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.config import AdminsConfig, Secrets, SlackConfig
from tests.fakes.handler import RecordingHandler, settle, wait_until
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_requests import SECRET, event_body, free_port, signed_headers

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
MARKER = "SECRET-MESSAGE-TEXT-4711"


@pytest.fixture
async def http_adapter():
    mock = MockSlackApi()
    await mock.start()
    config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
    adapter = SlackAdapter(config, AdminsConfig(), Secrets(ENV), host="127.0.0.1")
    handler = RecordingHandler()
    task = asyncio.create_task(adapter.start(handler))
    await wait_until(lambda: adapter.connected or task.done())
    yield adapter, handler, f"http://127.0.0.1:{config.port}/slack/events"
    await adapter.stop()
    await asyncio.wait_for(task, 5)
    await mock.close()


def _body(text: str = f"hello {MARKER}") -> str:
    event = {"type": "message", "channel": "C1", "user": "U2", "text": text, "ts": "1.000100"}
    return event_body(event, "Ev1")


async def _post(url: str, body: str | bytes, headers: dict) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        await response.read()
        return response.status


async def test_forged_signature_is_refused_and_its_body_never_logged(http_adapter, caplog) -> None:
    adapter, handler, url = http_adapter
    body = _body()
    headers = signed_headers(body, secret="not-the-secret")
    with caplog.at_level(logging.DEBUG):
        assert await _post(url, body, headers) == 401
        await settle()
    assert handler.messages == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert MARKER not in logged
    assert "response_url" not in logged


async def test_malformed_timestamp_is_a_400_not_a_500(http_adapter) -> None:
    _, handler, url = http_adapter
    body = _body()
    for stamp in ("abc", "1e9", "", "١٢٣", "9" * 40, "-5"):
        headers = {**signed_headers(body), "x-slack-request-timestamp": stamp}
        assert await _post(url, body, headers) == 400, stamp
    assert handler.messages == []


async def test_stale_request_is_refused(http_adapter) -> None:
    _, handler, url = http_adapter
    body = _body()
    headers = {**signed_headers(body), "x-slack-request-timestamp": str(int(time.time()) - 600)}
    assert await _post(url, body, headers) == 401
    assert handler.messages == []


async def test_huge_body_is_refused_without_being_logged(http_adapter, caplog) -> None:
    adapter, handler, url = http_adapter
    body = _body("x" * (2 * 1024 * 1024) + MARKER)
    with caplog.at_level(logging.DEBUG):
        assert await _post(url, body, signed_headers(body)) == 413
    assert MARKER not in "\n".join(record.getMessage() for record in caplog.records)
    assert handler.messages == []


async def test_signed_request_still_reaches_the_bot(http_adapter) -> None:
    _, handler, url = http_adapter
    body = _body("the deploy went great")
    assert await _post(url, body, signed_headers(body)) == 200
    await wait_until(lambda: handler.messages)
    assert handler.messages[0].text == "the deploy went great"
