"""The real bot and the real discord.py client against a fake Discord on loopback (#12).

``tests.fakes.discord_server`` plays Discord: REST and the gateway, following Discord's documented
rules (a 3 s interaction deadline, one callback per interaction, the first follow-up after a
defer keeps the defer's visibility, op 7 Reconnect and RESUME with a replay). The bot is wired by
``build_app`` with the production ``DiscordAdapter``, ``FakeScorer`` and ``FakeRepository``, so
everything between the socket and the repository is the code that runs in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.cogs import common
from bot.app import App
from bot.bootstrap import build_app
from bot.config import AdminsConfig, DiscordConfig, Secrets, Settings
from bot.core.access import OTHER_SERVER
from storage.types import MessageKey
from tests.bot.conftest import make_settings
from tests.fakes.discord_interactions import InteractionRecord
from tests.fakes.discord_server import (
    ADMINISTRATOR,
    GENERAL,
    GUILD,
    OTHER_GUILD,
    OWNER,
    SECRETS,
    TOKEN,
    VIEW_CHANNEL,
    FakeDiscord,
    wait_until,
)
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository


@dataclass
class Live:
    """The running bot connected to the fake Discord."""

    discord: FakeDiscord
    app: App
    adapter: DiscordAdapter
    scorer: FakeScorer
    repo: FakeRepository
    task: asyncio.Task[int]

    async def settle(self) -> None:
        """Wait until the client has processed every event so far and the bot has written it."""
        await self.discord.synced_to_client()
        await self.app.bot.drain()
        await self.app.writer.flush()

    def row(self, message_id: int):
        return self.repo.messages.get(MessageKey("discord", str(GENERAL), str(message_id)))

    async def answered(self, record: InteractionRecord, timeout: float = 5.0) -> InteractionRecord:
        await wait_until(lambda: record.answered, timeout)
        return record


@pytest.fixture
def live_settings(tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path,
        "[storage]\nflush_interval_ms = 5\n[scoring]\nmax_wait_ms = 1\n"
        "[privacy]\nstore_text = true\n",
    )


@pytest.fixture
async def live(live_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Live]:
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(Route, "BASE", server.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    adapter = DiscordAdapter(
        DiscordConfig(guild_ids=[GUILD]), AdminsConfig(), Secrets({"DISCORD_TOKEN": TOKEN})
    )
    adapter.bot._connection.guild_ready_timeout = 0.05  # READY without the 2 s guild wait
    scorer, repo = FakeScorer(live_settings.scoring), FakeRepository()
    app = build_app(
        live_settings,
        adapter=adapter,
        scorer=scorer,  # type: ignore[arg-type]
        repository=repo,
        scheduler_factory=None,
        retrainer_factory=None,
    )
    task = asyncio.create_task(app.run())
    try:
        await wait_until(lambda: adapter.connected or task.done(), 10)
        assert not task.done(), "the bot stopped while connecting"
        yield Live(server, app, adapter, scorer, repo, task)
        assert server.unhandled == [], "the bot called routes the fake does not know"
    finally:
        app.request_stop("test")
        await asyncio.wait_for(task, 10)
        await server.stop()


async def test_login_identify_asks_exactly_the_needed_intents(live: Live) -> None:
    [identify] = live.discord.gateway.identifies
    wanted = discord.Intents(
        guilds=True, guild_messages=True, guild_reactions=True, message_content=True
    )
    assert identify["intents"] == wanted.value
    assert identify["token"] == TOKEN
    assert "compress=zlib-stream" in live.discord.gateway.connections[0]
    assert {c["name"] for c in live.discord.synced[GUILD]} >= {"sentiment", "sentiment-report"}


async def test_messages_edits_and_deletes_end_in_the_repository(live: Live) -> None:
    kept = await live.discord.send_message("what a great day")
    edited = await live.discord.send_message("this is bad")
    gone = await live.discord.send_message("awful thing I regret")
    await live.discord.delete(gone)  # a moderation bot, milliseconds later
    await live.settle()
    when = await live.discord.edit(edited, "this is good actually")
    await live.settle()
    await wait_until(lambda: (row := live.row(edited)) is not None and row.edited)

    assert live.row(kept).text == "what a great day" and live.row(kept).label == "positive"
    row = live.row(edited)
    assert (row.text, row.label) == ("this is good actually", "positive")
    assert row.edited_at == datetime.fromisoformat(when)
    assert live.row(gone) is None
    assert MessageKey("discord", str(GENERAL), str(gone)) in live.repo.tombstones


async def test_sentiment_is_answered_publicly_within_the_deadline(live: Live) -> None:
    record = await live.answered(await live.discord.interact("sentiment", {"text": "great day"}))
    assert record.calls == ["callback:4"], record.describe()
    assert record.acknowledged_after is not None and record.acknowledged_after < 3.0
    [said] = record.seen_by_channel()
    assert said is not None and "positive" in said.lower(), record.describe()


async def test_a_report_on_another_guilds_channel_is_refused_privately(live: Live) -> None:
    asked = {"elsewhere": f"{OTHER_GUILD}/{SECRETS}"}
    owner = await live.answered(
        await live.discord.interact(
            "sentiment-report", asked, user_id=OWNER, permissions=ADMINISTRATOR | VIEW_CHANNEL
        )
    )
    assert owner.seen_by_channel() == [], owner.describe()
    assert len(owner.seen_by_caller_only()) == 1
    by_option = await live.answered(
        await live.discord.interact(
            "sentiment-report",
            {"channel": SECRETS},
            user_id=OWNER,
            permissions=ADMINISTRATOR | VIEW_CHANNEL,
        )
    )
    assert by_option.seen_by_channel() == [], by_option.describe()
    assert by_option.calls == ["callback:4"]
    assert by_option.seen_by_caller_only() in ([OTHER_SERVER], [common_unresolved()])


def common_unresolved() -> str:
    return "I can't use that value here (is it a channel I can see?)."


async def test_a_bad_period_is_a_private_period_error(live: Live) -> None:
    record = await live.answered(
        await live.discord.interact("sentiment-report", {"period": "fortnight"})
    )
    assert record.calls == ["callback:4"] and record.seen_by_channel() == [], record.describe()
    [said] = record.seen_by_caller_only()
    assert said is not None and "fortnight" in said and "admin" not in said


async def test_a_report_defers_publicly_and_its_answer_replaces_the_thinking(live: Live) -> None:
    record = await live.answered(await live.discord.interact("sentiment-report"))
    assert record.calls == ["callback:5", "followup"], record.describe()
    [said] = record.seen_by_channel()  # the "thinking…" message, edited into the answer
    assert said is not None and "no messages" in said and record.seen_by_caller_only() == []


async def test_a_private_answer_after_a_public_defer_leaves_nothing_public(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the pre-check is too slow to wait for, the report defers publicly and the command
    itself refuses: Discord would show that refusal to the channel (it edits the public
    "thinking…"), so the adapter must delete ``@original`` and follow up privately."""
    monkeypatch.setattr(common, "DEFER_AFTER_S", 0.1)
    check = live.app.bot.check_command

    async def slow_check(command):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.5)
        return await check(command)

    monkeypatch.setattr(live.app.bot, "check_command", slow_check)
    record = await live.answered(
        await live.discord.interact("sentiment-report", {"period": "fortnight"})
    )
    assert record.seen_by_channel() == [], record.describe()
    assert record.calls == ["callback:5", "delete-original", "followup"], record.describe()
    [said] = record.seen_by_caller_only()
    assert said is not None and "fortnight" in said


async def test_a_slow_command_is_deferred_before_the_deadline(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "DEFER_AFTER_S", 0.2)
    live.discord.deadline_s = 1.0  # Discord's rule, scaled down with the handler's delay
    handler = live.app.bot
    original = handler.on_command

    async def slow(command):  # type: ignore[no-untyped-def]
        await asyncio.sleep(1.5)  # longer than the (scaled) deadline
        return await original(command)

    monkeypatch.setattr(handler, "on_command", slow)
    record = await live.answered(
        await live.discord.interact("sentiment", {"text": "great"}), timeout=5
    )
    assert not record.failed and record.calls[:2] == ["callback:5", "followup"], record.describe()
    assert record.acknowledged_after is not None and record.acknowledged_after < 1.0
    assert len(record.seen_by_channel()) == 1


async def test_reconnect_and_resume_replay_each_message_once(live: Live) -> None:
    before = await live.discord.send_message("good before")
    await live.settle()
    await live.discord.reconnect()
    during = [await live.discord.send_message(f"great {i}") for i in range(3)]
    await wait_until(lambda: len(live.discord.gateway.resumes) == 1)
    await live.settle()
    after = await live.discord.send_message("love after")
    await live.settle()

    gateway = live.discord.gateway
    assert len(gateway.identifies) == 1  # resumed, not a new session
    assert gateway.connections[-1].startswith("/resume/")
    assert gateway.resumes[0]["session_id"] == gateway.session_id
    ids = [before, *during, after]
    assert all(live.row(i) is not None for i in ids)
    stored = [k.message_id for k in live.repo.messages]
    assert sorted(stored) == sorted(str(i) for i in ids)
    scored = [text for batch in live.scorer.calls for text in batch]
    assert sorted(scored) == sorted(["good before", "great 0", "great 1", "great 2", "love after"])
