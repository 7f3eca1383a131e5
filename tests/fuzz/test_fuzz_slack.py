"""Fuzz: random Slack HTTP requests, signed and unsigned, against the real adapter and Bolt app.

Whatever arrives (any body, any headers, a valid signature over garbage included), the server
answers below 500, the adapter keeps serving, and only a correctly signed event reaches the bot.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.adapter import SlackAdapter
from bot.config import AdminsConfig, Secrets, SlackConfig
from tests.fakes.handler import RecordingHandler, wait_until
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_requests import SECRET, free_port
from tests.fuzz.loop import LoopThread

EXAMPLES = 300
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANY_CHAR = st.characters(exclude_categories=())
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(ANY_CHAR, max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
EVENT_TYPES = st.sampled_from(["message", "reaction_added", "app_mention", "member_joined"])


@st.composite
def envelopes(draw: st.DrawFn) -> str:
    """Event envelopes with random fields where Slack puts real ones."""
    event = draw(
        st.dictionaries(
            st.sampled_from(
                ["text", "user", "ts", "channel", "subtype", "channel_type", "thread_ts", "bot_id"]
            ),
            JSONISH,
            max_size=6,
        )
    )
    event["type"] = draw(EVENT_TYPES)
    body = {
        "type": draw(st.sampled_from(["event_callback", "url_verification", "x"])),
        "event": event,
        "event_id": draw(st.text(max_size=12)),
        "team_id": "T1",
        "challenge": draw(st.text(max_size=12)),
    }
    return json.dumps(body)


BODIES = st.one_of(
    envelopes(),
    st.text(ANY_CHAR, max_size=300).map(
        lambda t: t.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    ),
    st.just("payload=%7B%22type%22%3A%22block_actions%22%7D"),
    st.just("command=%2Fsentiment&text=hi&user_id=U1&channel_id=C1&team_id=T1"),
)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[LoopThread, SlackAdapter, RecordingHandler, str]]:
    loop = LoopThread()
    mock = MockSlackApi()
    loop.run(mock.start())
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
    config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
    adapter = SlackAdapter(config, AdminsConfig(), Secrets(env), host="127.0.0.1")
    handler = RecordingHandler()
    task = asyncio.run_coroutine_threadsafe(adapter.start(handler), loop.loop)

    async def ready() -> None:
        await wait_until(lambda: adapter.connected or task.done())

    loop.run(ready())
    yield loop, adapter, handler, f"http://127.0.0.1:{config.port}/slack/events"
    assert not task.done(), "the Slack adapter stopped serving during the fuzz run"
    loop.run(adapter.stop())
    task.result(10)
    loop.run(mock.close())
    loop.close()


async def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        await response.read()
        return response.status


def _sign(body: bytes, stamp: str) -> str:
    return SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)


@FUZZ
@given(
    body=BODIES,
    stamp=HEADER_TEXT,
    signature=HEADER_TEXT,
    extra=st.dictionaries(
        st.sampled_from(["content-type", "x-slack-retry-num", "x-slack-retry-reason", "expect"]),
        HEADER_TEXT,
        max_size=3,
    ),
)
def test_unsigned_or_forged_requests_never_5xx_and_never_reach_the_bot(
    served, body: str, stamp: str, signature: str, extra: dict[str, str]
) -> None:
    loop, _, handler, url = served
    before = len(handler.messages) + len(handler.commands)
    headers = {**extra, "x-slack-request-timestamp": stamp, "x-slack-signature": signature}
    status = loop.run(_post(url, body.encode(), headers))
    assert status < 500
    assert status in (400, 401, 413, 417) or status < 300
    assert len(handler.messages) + len(handler.commands) == before


@FUZZ
@given(
    body=BODIES,
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
    ),
)
def test_signed_garbage_never_5xx_and_the_adapter_keeps_serving(
    served, body: str, content_type: str
) -> None:
    loop, adapter, _, url = served
    raw = body.encode()
    stamp = str(int(time.time()))
    headers = {"x-slack-request-timestamp": stamp, "x-slack-signature": _sign(raw, stamp)}
    if content_type:
        headers["content-type"] = content_type
    assert loop.run(_post(url, raw, headers)) < 500
    assert adapter.connected
