"""Slack's Socket Mode rules, through slack_sdk's real client and the Slack-like socket server:
a ``refresh_requested`` disconnect is followed by a new connection and no event is lost; an
event whose ack is lost is delivered again and stored once (#12, #18)."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.config import AdminsConfig, Secrets, SlackConfig
from tests.fakes.handler import RecordingHandler, wait_until
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_socket import SlackLikeSockets

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-1-a"}


def event(text: str, ts: str) -> dict:
    return {"type": "message", "channel": "C1", "channel_type": "channel", "user": "U2",
            "text": text, "ts": ts}  # fmt: skip


@pytest.fixture
async def socket_mode():
    sockets = SlackLikeSockets(ack_timeout_s=1.0)
    mock = MockSlackApi(dispatcher=sockets)
    await mock.start()
    config = SlackConfig(mode="socket", api_base_url=mock.base + "/api/")
    adapter = SlackAdapter(config, AdminsConfig(), Secrets(ENV))
    handler = RecordingHandler()
    task = asyncio.create_task(adapter.start(handler))
    await sockets.wait_connected("a", timeout=10)
    yield sockets, mock, handler
    await adapter.stop()
    await asyncio.wait_for(task, 10)
    await mock.close()


async def test_a_refresh_reconnects_and_loses_nothing(socket_mode) -> None:
    sockets, mock, handler = socket_mode
    await sockets.deliver(event("before", "1700000000.000100"), "Ev1")
    opened = len(mock.named("apps.connections.open"))
    await sockets.refresh("a")
    await wait_until(lambda: len(mock.named("apps.connections.open")) > opened, timeout=10)
    await sockets.wait_connected("a", timeout=10)
    ack = await sockets.deliver(event("after", "1700000000.000200"), "Ev2")
    assert ack.who == "a"
    await wait_until(lambda: len(handler.messages) == 2)
    assert [m.text for m in handler.messages] == ["before", "after"]
    assert handler.durable == [True, True]  # acked after the store, both times


async def test_a_lost_ack_is_redelivered_and_handled_once(socket_mode) -> None:
    sockets, _, handler = socket_mode
    ack = await sockets.deliver(event("ship it", "1700000000.000300"), "Ev3", lose_first_ack=True)
    assert ack.attempt >= 1  # Slack sent it again
    await asyncio.sleep(0.2)
    assert [m.text for m in handler.messages] == ["ship it"]  # the retry was dropped
