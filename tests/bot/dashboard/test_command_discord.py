"""``/sentiment-dashboard`` through discord.py, end to end: the real client against the
loopback fake of Discord (gateway INTERACTION_CREATE, discord.py's command tree, the
interaction callbacks and follow-ups under Discord's rules), the real core and a real
database; then the link, followed like a browser, starts a session on the real dashboard server
that shows exactly the channels the access rule allows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.adapter import DiscordAdapter
from bot.bootstrap import build_app
from bot.config import DiscordConfig, Secrets
from storage.database import Database
from storage.migrate import upgrade
from storage.types import ScoredMessage
from tests.bot.conftest import make_settings
from tests.bot.dashboard.follow import follow
from tests.fakes.discord_interactions import InteractionRecord
from tests.fakes.discord_payloads import (
    ADMINISTRATOR,
    GENERAL,
    GUILD,
    MODS,
    OTHER_GUILD,
    OWNER,
    SECRETS,
    TOKEN,
    USER,
    VIEW_CHANNEL,
)
from tests.fakes.discord_server import FakeDiscord, wait_until
from tests.fakes.scoring import FakeScorer, label_of
from tests.fakes.slack_requests import free_port

ADMIN = ADMINISTRATOR | VIEW_CHANNEL


@dataclass
class Live:
    discord: FakeDiscord

    async def dashboard(self, user_id: int, permissions: int) -> InteractionRecord:
        """``user_id`` runs ``/sentiment-dashboard`` in #general; what Discord recorded."""
        record = await self.discord.interact(
            "sentiment-dashboard", user_id=user_id, permissions=permissions
        )
        await wait_until(lambda: record.answered, 5.0)
        return record


def seed(db: Database) -> None:
    now, rows = datetime.now(UTC), []
    for guild, channel in ((GUILD, GENERAL), (GUILD, MODS), (OTHER_GUILD, SECRETS)):
        for i in range(4):
            score = 0.2 + 0.2 * i
            rows.append(ScoredMessage("discord", str(guild), str(channel), f"{channel}-{i}",
                                      str(USER), now - timedelta(hours=i + 1), score,
                                      label_of(score), "v1"))  # fmt: skip
    db.repository.upsert_messages(rows)


@pytest.fixture
async def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Live]:
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(Route, "BASE", server.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
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
    secrets = Secrets({"DISCORD_TOKEN": TOKEN})
    adapter = DiscordAdapter(DiscordConfig(guild_ids=[GUILD]), settings.admins, secrets)
    adapter.bot._connection.guild_ready_timeout = 0.05  # READY without the 2 s guild wait
    app = build_app(
        settings, adapter=adapter, scorer=FakeScorer(settings.scoring), database=database,
        secrets=secrets, scheduler_factory=None, retrainer_factory=None,
    )  # fmt: skip
    task = asyncio.create_task(app.run())
    try:
        await wait_until(lambda: adapter.connected or task.done(), 10)
        assert not task.done(), "the bot stopped while connecting"
        yield Live(server)
        assert server.unhandled == [], "the bot called routes the fake does not know"
    finally:
        app.request_stop("test")
        await asyncio.wait_for(task, 10)
        database.close()
        await server.stop()


@pytest.mark.parametrize(
    ("who", "permissions", "expected"),
    [
        (USER, VIEW_CHANNEL, [GENERAL]),  # a member: the channel they asked in
        (USER, ADMIN, [GENERAL]),  # an admin who cannot see #mods
        (OWNER, ADMIN, [GENERAL, MODS]),  # never #secrets: another server
    ],
    ids=["member", "admin-without-mods", "owner"],
)
async def test_the_private_link_shows_exactly_the_allowed_channels(
    live: Live, who: int, permissions: int, expected: list[int]
) -> None:
    record = await live.dashboard(who, permissions)
    assert record.seen_by_channel() == [], record.describe()  # nothing public, not even thinking
    [said] = record.seen_by_caller_only()
    assert said is not None and "valid 15 minutes" in said
    session = await follow(said)
    assert session.channels == session.rows == sorted(str(c) for c in expected)
    assert "general" in session.page and "secrets" not in session.page
