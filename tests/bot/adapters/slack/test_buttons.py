"""Slack buttons through Bolt's own request handling: a reply's buttons go out as Block Kit, a
signed ``block_actions`` press is acknowledged first and reaches the core, and a "help me learn"
press can fetch the message from the Web API (local mock)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.config import AdminsConfig, Secrets, SlackConfig
from bot.core.messages import Button, Reply
from tests.fakes.handler import RecordingHandler, wait_until
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_requests import SECRET, action_body, free_port, request
from tests.fakes.slack_requests import slash_body as _slash

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
BUTTONS = [Button("✅ right", "sb:fix:tok:p", "primary"), Button("❌ wrong", "sb:fix:tok:n")]


@pytest.fixture
async def slack():
    mock = MockSlackApi(not_in={"CNOTIN"})
    await mock.start()
    config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
    adapter = SlackAdapter(config, AdminsConfig(), Secrets(ENV), host="127.0.0.1")
    handler = RecordingHandler()
    task = asyncio.create_task(adapter.start(handler))
    await wait_until(lambda: adapter.connected or task.done())
    yield adapter, handler, mock
    await adapter.stop()
    await asyncio.wait_for(task, 5)
    await mock.close()


def blocks_of(posted: dict) -> list[dict]:
    blocks = posted["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


async def test_a_reply_with_buttons_is_posted_as_blocks(slack) -> None:
    adapter, handler, mock = slack
    handler.replies["sentiment"] = Reply("U2 asked: 🙂 positive 0.90", buttons=BUTTONS)
    body = _slash("/sentiment", "great", user="U2", response_url=f"{mock.base}/response/1")
    await adapter.app.async_dispatch(request(body))
    await wait_until(lambda: mock.named("chat.postMessage"))
    [posted] = mock.named("chat.postMessage")
    section, actions = blocks_of(posted)
    assert section["text"]["text"] == "U2 asked: 🙂 positive 0.90"
    assert [e["action_id"] for e in actions["elements"]] == ["sb:fix:tok:p", "sb:fix:tok:n"]
    assert actions["elements"][0]["style"] == "primary" and "style" not in actions["elements"][1]
    assert posted["text"] == "U2 asked: 🙂 positive 0.90"  # the notification's fallback


async def test_a_press_is_acked_first_then_answered_privately(slack) -> None:
    adapter, handler, mock = slack
    gate = asyncio.Event()
    original = handler.on_press

    async def slow(press):
        await gate.wait()
        return await original(press)

    handler.on_press = slow
    body = action_body("sb:fix:tok:n", user="U3", team="T9", response_url=f"{mock.base}/response/2")
    started = time.monotonic()
    response = await adapter.app.async_dispatch(request(body))
    assert response.status == 200 and time.monotonic() - started < 2.0
    assert not mock.responses  # acknowledged before the core answered
    gate.set()
    await wait_until(lambda: mock.responses)
    [press] = handler.presses
    assert (press.platform, press.workspace, press.channel) == ("slack", "T9", "C1")
    assert (press.user.id, press.action, press.source) == ("U3", "sb:fix:tok:n", adapter)
    [answer] = mock.responses
    assert answer["response_type"] == "ephemeral" and answer["text"] == "pressed sb:fix:tok:n"
    assert answer["replace_original"] is False  # the buttons stay for the others


async def test_unsigned_press_is_refused(slack) -> None:
    adapter, handler, mock = slack
    body = action_body("sb:fix:tok:n", user="U3", response_url=f"{mock.base}/response/3")
    response = await adapter.app.async_dispatch(request(body, secret="wrong"))
    assert response.status == 401 and not handler.presses


async def test_fetch_message_reads_the_message_as_it_is_now(slack) -> None:
    adapter, _, mock = slack
    ts = "1700000000.000100"
    mock.history[("C1", ts)] = {"type": "message", "user": "U2", "text": "ship it :tada:", "ts": ts}
    found = await adapter.fetch_message("C1", ts)
    assert found is not None
    assert (found.workspace, found.author.id, found.text) == ("T1", "U2", "ship it 🎉")
    assert await adapter.fetch_message("C1", "1700000000.000200") is None  # deleted
    assert await adapter.fetch_message("CNOTIN", ts) is None  # the bot can't read there
    mock.history[("C1", ts)] = {"type": "message", "bot_id": "B9", "text": "beep", "ts": ts}
    assert await adapter.fetch_message("C1", ts) is None  # a bot's


async def test_a_long_report_with_buttons_is_split_into_sections(slack) -> None:
    adapter, _, mock = slack
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(80))  # about 8,000 characters
    await adapter.post("C1", Reply(text, buttons=BUTTONS))
    [posted] = mock.named("chat.postMessage")
    *sections, actions = blocks_of(posted)
    assert "".join(s["text"]["text"] for s in sections) == text
    assert all(len(s["text"]["text"]) <= 3000 for s in sections) and len(sections) == 3
    assert actions["type"] == "actions"
