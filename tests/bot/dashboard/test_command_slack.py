"""``/sentiment-dashboard`` through Slack's own protocol, end to end: a signed slash-command
request to the real adapter (Bolt's request handling) and core, the platform lookups on the
local Web API mock, the private answer through ``response_url``; then the link, followed like a
browser, starts a session on the real dashboard server that shows exactly the channels the
access rule allows, re-read on every request."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.bootstrap import build_app
from bot.config import AdminsConfig, Secrets, SlackConfig
from storage.database import Database
from storage.migrate import upgrade
from tests.bot.conftest import make_settings
from tests.bot.dashboard.conftest import message
from tests.bot.dashboard.follow import follow, shows_now
from tests.fakes.handler import wait_until
from tests.fakes.scoring import FakeScorer
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_requests import SECRET, free_port, signed_headers, slash_body

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
CHANNELS = {
    "C1": {"name": "general"},
    "C2": {"name": "random"},
    "G2": {"name": "mods", "is_private": True, "members": ["UADMIN"]},
    "G3": {"name": "people-ops", "is_private": True, "members": []},  # the admin is not a member
    "C5": {"name": "shared", "team": "T2"},  # Slack says: another workspace's channel
}


@dataclass
class Live:
    mock: MockSlackApi
    events: str  # Bolt's endpoint
    dashboard: str  # the dashboard's address


def seed(db: Database) -> None:
    now = datetime.now(UTC)
    rows = [message("T1", channel, i, 0.2 + 0.1 * i, when=now - timedelta(hours=i + 1))
            for channel in ("C1", "C2", "G2", "G3", "C5") for i in range(5)]  # fmt: skip
    rows += [message("T2", "C9", i, 0.5, when=now - timedelta(hours=i + 1)) for i in range(3)]
    db.repository.upsert_messages(rows)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    mock = MockSlackApi(admins={"UADMIN"}, channels=copy.deepcopy(CHANNELS))
    await mock.start()
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    database = Database(url)
    seed(database)
    port = free_port()
    settings = make_settings(
        tmp_path,
        "[storage]\nflush_interval_ms = 5\n[dashboard]\nenabled = true\n"
        f'host = "127.0.0.1"\nport = {port}\npublic_url = "http://127.0.0.1:{port}"\n',
    )
    config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
    adapter = SlackAdapter(config, AdminsConfig(slack=["UOP"]), Secrets(ENV), host="127.0.0.1")
    app = build_app(
        settings, adapter=adapter, scorer=FakeScorer(settings.scoring), database=database,
        secrets=Secrets(ENV), scheduler_factory=None, retrainer_factory=None,
    )  # fmt: skip
    task = asyncio.create_task(app.run())
    try:
        await wait_until(lambda: adapter.connected or task.done())
        assert not task.done(), "the bot stopped while starting"
        yield Live(mock, f"http://127.0.0.1:{config.port}/slack/events", f"http://127.0.0.1:{port}")
    finally:
        app.request_stop("test")
        await asyncio.wait_for(task, 10)
        database.close()
        await mock.close()


async def dashboard_command(live: Live, user: str, channel: str = "C1") -> dict:
    """``user`` runs ``/sentiment-dashboard`` in ``channel``; the answer Slack got back."""
    before = len(live.mock.responses)
    body = slash_body("/sentiment-dashboard", "", user=user, channel=channel,
                      response_url=f"{live.mock.base}/response/1")  # fmt: skip
    async with (
        aiohttp.ClientSession() as session,
        session.post(live.events, data=body, headers=signed_headers(body)) as response,
    ):
        assert response.status == 200  # acknowledged at once
    await wait_until(lambda: len(live.mock.responses) > before)
    return live.mock.responses[-1]


async def test_a_member_sees_only_the_channel_they_asked_in(live: Live) -> None:
    answer = await dashboard_command(live, "UUSER", "C2")
    assert answer["response_type"] == "ephemeral"  # the caller only
    assert not live.mock.named("chat.postMessage")  # nothing reached the channel
    session = await follow(answer["text"])
    assert session.channels == session.rows == ["C2"]  # the API and the page
    assert "random" in session.page and "general" not in session.page


async def test_an_admin_sees_what_they_may_view_and_leaving_a_channel_counts(live: Live) -> None:
    answer = await dashboard_command(live, "UADMIN")
    assert answer["response_type"] == "ephemeral"
    session = await follow(answer["text"])
    # Not G3 (private, not a member), not C5 (Slack: another workspace), not C9 (T2's).
    assert session.channels == session.rows == ["C1", "C2", "G2"]
    assert "mods" in session.page and "people-ops" not in session.page
    live.mock.channels["G2"]["members"] = []  # left #mods: asking again narrows the grant...
    again = await dashboard_command(live, "UADMIN")
    assert (await follow(again["text"])).channels == ["C1", "C2"]
    assert await shows_now(live.dashboard, session.cookie) == ["C1", "C2"]  # ...the old session too


async def test_a_forged_link_signs_nobody_in(live: Live) -> None:
    answer = await dashboard_command(live, "UUSER")
    forged = answer["text"].replace("login?t=", "login?t=x")
    with pytest.raises(AssertionError, match="401"):
        await follow(forged)
