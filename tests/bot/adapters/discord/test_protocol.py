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
from bot.config import DiscordConfig, Secrets, Settings
from bot.core.access import CANNOT_VIEW, OPERATORS_ONLY, OTHER_SERVER
from storage.types import MessageKey
from tests.bot.conftest import make_settings
from tests.fakes.discord_interactions import InteractionRecord
from tests.fakes.discord_payloads import (
    ADMINISTRATOR,
    GENERAL,
    GUILD,
    MODS,
    OPERATOR,
    OTHER_GUILD,
    OTHER_USER,
    OWNER,
    SECRETS,
    TOKEN,
    USER,
    VIEW_CHANNEL,
)
from tests.fakes.discord_server import FakeDiscord, wait_until
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository

ADMIN = ADMINISTRATOR | VIEW_CHANNEL
UNRESOLVED = "I can't use that value here (is it a channel I can see?)."


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
        f"[privacy]\nstore_text = true\n[admins]\ndiscord = [{OPERATOR}]\n",
    )


class RecordingSchedules:
    """The report scheduler's surface (``ReportSchedules``), recording schedule changes."""

    def __init__(self, *_: object) -> None:
        self.applied: list[tuple[tuple[str, str], str]] = []

    async def start(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def apply_schedule(self, pair: tuple[str, str], cron: str) -> None:
        self.applied.append((pair, cron))


@pytest.fixture
async def live(live_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Live]:
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(Route, "BASE", server.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    adapter = DiscordAdapter(
        DiscordConfig(guild_ids=[GUILD]), live_settings.admins, Secrets({"DISCORD_TOKEN": TOKEN})
    )
    adapter.bot._connection.guild_ready_timeout = 0.05  # READY without the 2 s guild wait
    scorer, repo = FakeScorer(live_settings.scoring), FakeRepository()
    app = build_app(
        live_settings,
        adapter=adapter,
        scorer=scorer,  # type: ignore[arg-type]
        repository=repo,
        scheduler_factory=RecordingSchedules,
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
    assert set(live.discord.synced) == {GUILD}  # [discord] guild_ids: synced there only
    names = {c["name"] for c in live.discord.synced[GUILD]}
    assert {"sentiment", "sentiment-report", "Score this message"} <= names


async def test_messages_edits_and_deletes_end_in_the_repository(live: Live) -> None:
    kept = await live.discord.send_message("what a great day")
    edited = await live.discord.send_message("this is bad")
    gone = await live.discord.send_message("awful thing I regret")
    await live.discord.delete(gone)  # a moderation bot, milliseconds later
    await live.settle()
    when = await live.discord.edit(edited, "this is good actually")
    await live.settle()

    row = live.row(kept)
    assert row is not None and (row.text, row.label) == ("what a great day", "positive")
    row = live.row(edited)
    assert row is not None and (row.text, row.label) == ("this is good actually", "positive")
    assert row.edited and row.edited_at == datetime.fromisoformat(when)
    assert live.row(gone) is None
    assert MessageKey("discord", str(GENERAL), str(gone)) in live.repo.tombstones


async def test_purges_and_edits_of_unknown_messages_leave_no_row(live: Live) -> None:
    old = await live.discord.send_message("good, from before the bot", before_the_bot=True)
    purged = [await live.discord.send_message(f"bad {i}") for i in range(3)]
    await live.discord.bulk_delete(purged)
    await live.discord.edit(old, "great, edited after the bot joined")
    await live.settle()
    assert live.repo.messages == {}
    assert {MessageKey("discord", str(GENERAL), str(i)) for i in purged} <= set(
        live.repo.tombstones
    )


async def test_an_opted_out_persons_messages_are_not_stored(live: Live) -> None:
    record = await live.answered(await live.discord.interact("sentiment-optout"))
    assert record.seen_by_channel() == [], record.describe()
    await live.discord.send_message("great news nobody may keep")
    kept = await live.discord.send_message("good news", author=OTHER_USER)
    await live.settle()
    assert [k.message_id for k in live.repo.messages] == [str(kept)]


async def test_sentiment_is_answered_publicly_within_the_deadline(live: Live) -> None:
    record = await live.answered(await live.discord.interact("sentiment", {"text": "great day"}))
    assert record.calls == ["callback:4"], record.describe()
    assert record.acknowledged_after is not None and record.acknowledged_after < 3.0
    [said] = record.seen_by_channel()
    assert said is not None and "positive" in said.lower(), record.describe()


@pytest.mark.parametrize(
    "who,permissions,options,answer",
    [
        (OWNER, ADMIN, {"elsewhere": f"{OTHER_GUILD}/{SECRETS}"}, OPERATORS_ONLY),
        (OWNER, ADMIN, {"channel": SECRETS}, UNRESOLVED),  # not a channel of this guild
        (OPERATOR, 0, {"elsewhere": f"{GUILD}/{SECRETS}"}, OTHER_SERVER),
        (USER, ADMIN, {"channel": MODS}, CANNOT_VIEW),  # an admin who can't see #mods
    ],
    ids=["owner-elsewhere", "owner-channel-option", "operator-wrong-server", "hidden-channel"],
)
async def test_reports_the_caller_may_not_see_are_refused_privately(
    live: Live, who: int, permissions: int, options: dict[str, str | int], answer: str
) -> None:
    record = await live.answered(
        await live.discord.interact(
            "sentiment-report", options, user_id=who, permissions=permissions
        )
    )
    assert record.seen_by_channel() == [], record.describe()
    assert record.calls == ["callback:4"] and record.seen_by_caller_only() == [answer]


async def test_an_operator_may_ask_for_another_servers_report_explicitly(live: Live) -> None:
    record = await live.answered(
        await live.discord.interact(
            "sentiment-report", {"elsewhere": f"{OTHER_GUILD}/{SECRETS}"}, user_id=OPERATOR
        )
    )
    assert record.calls == ["callback:5", "followup"], record.describe()
    [said] = record.seen_by_channel()
    assert said is not None and str(SECRETS) in said


async def test_a_bad_period_is_a_private_period_error(live: Live) -> None:
    record = await live.answered(
        await live.discord.interact("sentiment-report", {"period": "fortnight"})
    )
    assert record.seen_by_channel() == [], record.describe()
    assert record.calls == ["callback:4"]
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
    live.discord.deadline_s = 1.0  # Discord's 3 s, scaled down with the handler's delay
    original = live.app.bot.on_command

    async def slow(command):  # type: ignore[no-untyped-def]
        await asyncio.sleep(1.5)  # past the (scaled) deadline
        return await original(command)

    monkeypatch.setattr(live.app.bot, "on_command", slow)
    record = await live.answered(await live.discord.interact("sentiment", {"text": "great"}))
    assert not record.failed and record.calls == ["callback:5", "followup"], record.describe()
    assert record.acknowledged_after is not None and record.acknowledged_after < 1.0
    [said] = record.seen_by_channel()
    assert said is not None and "positive" in said.lower()


async def test_the_fake_fails_an_interaction_answered_too_late(
    live: Live, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The control for the test above: without the defer the fake's deadline bites, the
    interaction fails for the user and the late answer is refused. The bot logs one warning
    (no traceback, no follow-up Discord would refuse too) and carries on."""
    monkeypatch.setattr(common, "DEFER_AFTER_S", 2.0)
    live.discord.deadline_s = 0.3
    original = live.app.bot.on_command

    async def slow(command):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.6)
        return await original(command)

    monkeypatch.setattr(live.app.bot, "on_command", slow)
    late = await live.discord.interact("sentiment", {"text": "great"})
    await wait_until(lambda: any("deadline" in r.getMessage() for r in caplog.records))
    assert late.failed and late.rejected == [("callback:4", 404)], late.describe()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert late.seen_by_channel() == [] and late.seen_by_caller_only() == []
    monkeypatch.setattr(live.app.bot, "on_command", original)
    live.discord.deadline_s = 3.0
    record = await live.answered(await live.discord.interact("sentiment", {"text": "great"}))
    assert record.calls == ["callback:4"], record.describe()


async def test_reconnect_and_resume_replay_each_message_once(live: Live) -> None:
    before = await live.discord.send_message("good before")
    await live.settle()
    await live.discord.reconnect()
    # said while the client is away: kept by the gateway, replayed after RESUME
    during = [await live.discord.send_message(f"great {i}") for i in range(3)]
    regretted = await live.discord.send_message("awful, delete me")
    await live.discord.delete(regretted)
    await wait_until(lambda: len(live.discord.gateway.resumes) == 1)
    after = await live.discord.send_message("love after")
    await live.settle()

    gateway = live.discord.gateway
    assert len(gateway.identifies) == 1  # resumed, not a new session
    assert gateway.connections[-1].startswith("/resume/")
    assert gateway.resumes[0]["session_id"] == gateway.session_id
    ids = [before, *during, after]
    assert sorted(k.message_id for k in live.repo.messages) == sorted(str(i) for i in ids)
    assert live.row(regretted) is None
    scored = sorted(text for batch in live.scorer.calls for text in batch)
    expected = ["awful, delete me", "good before", "great 0", "great 1", "great 2", "love after"]
    assert scored == expected  # each event handled once: nothing replayed twice


async def test_an_invalidated_session_identifies_again_and_keeps_streaming(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before identifying again (the identify rate limit)."""

    monkeypatch.setattr(live.adapter.bot, "before_identify_hook", no_wait)
    await live.discord.invalidate_session()
    await wait_until(lambda: len(live.discord.gateway.identifies) == 2)
    kept = await live.discord.send_message("great after a new session")
    await live.settle()
    assert live.row(kept) is not None
    assert live.discord.gateway.resumes == []


async def test_a_thumbs_down_on_a_score_reply_is_private_feedback_on_the_text(live: Live) -> None:
    scored = await live.answered(await live.discord.interact("sentiment", {"text": "great day"}))
    reply = scored.messages[0]
    # the adapter learns its reply's id (GET @original) just after answering; a person is slower
    await wait_until(lambda: live.adapter.replies.get(str(GENERAL), str(reply.id)) is not None)
    await live.discord.react("👎", reply.id, user_id=OTHER_USER)
    await wait_until(lambda: bool(live.repo.feedback) and bool(live.discord.dms))
    [feedback] = live.repo.feedback
    assert (feedback.label, feedback.text) == ("negative", "great day")
    assert (feedback.user_id, feedback.author_id) == (str(OTHER_USER), str(USER))
    [dm] = live.discord.dms
    assert dm["user"] == OTHER_USER and live.discord.channel_posts == []


@pytest.mark.parametrize("defer_after_s", [2.0, 0.0], ids=["fast", "slow"])
async def test_a_private_command_answers_privately_however_fast(
    live: Live, monkeypatch: pytest.MonkeyPatch, defer_after_s: float
) -> None:
    """``/sentiment-schedule`` is private (``CommandSpec.private``): answered at once or after
    an (ephemeral) defer, only the caller sees the new schedule."""
    monkeypatch.setattr(common, "DEFER_AFTER_S", defer_after_s)
    record = await live.answered(
        await live.discord.interact(
            "sentiment-schedule", {"cron": "0 9 * * 1-5"}, user_id=OWNER, permissions=ADMIN
        )
    )
    assert record.seen_by_channel() == [], record.describe()
    [said] = record.seen_by_caller_only()
    assert said is not None and "0 9 * * 1-5" in said
