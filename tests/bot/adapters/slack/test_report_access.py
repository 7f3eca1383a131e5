"""Who may see a report, through Slack's own protocol: signed slash-command requests to the real
adapter and core, ``conversations.info`` and ``response_url`` on the local Web API mock (#12)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.bootstrap import build_app
from bot.config import AdminsConfig, Secrets, SlackConfig
from bot.core.access import ADMINS_ONLY, NOT_FOUND, OPERATORS_ONLY
from tests.bot.conftest import make_settings
from tests.fakes.handler import wait_until
from tests.fakes.scoring import FakeScorer
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_requests import SECRET, free_port, signed_headers, slash_body
from tests.fakes.storage import FakeRepository

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}


@pytest.fixture
async def slack(tmp_path):
    mock = MockSlackApi(
        admins={"UADMIN"},
        channels={"C1": {"name": "general"}, "G2": {"name": "mods", "is_private": True}},
    )
    await mock.start()
    settings = make_settings(tmp_path, "[storage]\nflush_interval_ms = 5\n")
    config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
    adapter = SlackAdapter(config, AdminsConfig(slack=["UOP"]), Secrets(ENV), host="127.0.0.1")
    app = build_app(
        settings, adapter=adapter, scorer=FakeScorer(settings.scoring),
        repository=FakeRepository(), scheduler_factory=None, retrainer_factory=None,
    )  # fmt: skip
    task = asyncio.create_task(app.run())
    await wait_until(lambda: adapter.connected or task.done())
    yield mock, f"http://127.0.0.1:{config.port}/slack/events"
    app.request_stop("test")
    await asyncio.wait_for(task, 10)
    await mock.close()


async def report(mock: MockSlackApi, url: str, text: str, user: str) -> dict:
    before = len(mock.responses)
    body = slash_body("/sentiment-report", text, user=user, response_url=f"{mock.base}/response/1")
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=signed_headers(body)) as response,
    ):
        assert response.status == 200  # acked at once
    await wait_until(lambda: len(mock.responses) > before)
    return mock.responses[-1]


async def test_refusals_come_back_privately(slack) -> None:
    mock, url = slack
    answer = await report(mock, url, "G2 24h", "UUSER")
    assert (answer["response_type"], answer["text"]) == ("ephemeral", ADMINS_ONLY)
    answer = await report(mock, url, "CGONE 24h", "UADMIN")  # not a channel Slack knows
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == NOT_FOUND.format(channel="'CGONE'")
    answer = await report(mock, url, "T9/C7", "UADMIN")  # a workspace admin, not an operator
    assert (answer["response_type"], answer["text"]) == ("ephemeral", OPERATORS_ONLY)
    answer = await report(mock, url, "fortnight", "UUSER")
    assert answer["response_type"] == "ephemeral"
    assert not mock.named("chat.postMessage")  # nothing reached the channel


async def test_a_private_channel_needs_membership(slack) -> None:
    mock, url = slack
    answer = await report(mock, url, "G2", "UADMIN")  # an admin, not a member of #mods
    assert answer["response_type"] == "ephemeral" and "can't view" in answer["text"]
    assert not mock.named("chat.postMessage")
