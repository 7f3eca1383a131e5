"""Deletes win and edits follow the platform's clock, through the real bot (#12, #18).

The bot is wired by ``build_app`` around the fake adapter and a fake scorer, with its
repository on SQLite and on the in-memory fake (the same assertions for both). "Stored" is read
back through ``channel_stats``, as a report would see it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.messages import ChatMessage, Person
from model.types import Score
from storage.database import Database
from storage.migrate import upgrade
from storage.repository import Repository
from tests.bot.conftest import Harness, make_settings, start_harness
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ANN = Person("U1", "ann")
CONFIG = (
    "[storage]\nflush_interval_ms = 5\n[scoring]\nmax_wait_ms = 1\n[privacy]\nstore_text = true\n"
)


class GatedScorer(FakeScorer):
    """Holds every batch until ``gate`` is set: a message "still being scored"."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        self.waiting.set()
        self.gate.wait(10)
        return super().score_many(texts)


@pytest.fixture(params=["sqlite", "fake"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    if request.param == "fake":
        yield FakeRepository()
        return
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    db = Database(url)
    try:
        yield db.repository
    finally:
        db.close()


@pytest.fixture
async def bot(tmp_path: Path, repository: Repository) -> AsyncIterator[Harness]:
    harness = await start_harness(
        make_settings(tmp_path, CONFIG), repository=repository, scorer=GatedScorer()
    )
    yield harness
    harness.scorer.gate.set()
    if not harness.task.done():
        await harness.stop()


def texts(harness: Harness) -> list[str]:
    """The stored texts of #general around T0, as a report reads them."""
    stats = harness.repo.channel_stats(
        "fake", "general", T0 - timedelta(days=1), T0 + timedelta(days=1), examples=10
    )
    found = {e.text for e in [*stats.most_positive, *stats.most_negative]}
    assert stats.count >= len(found)
    return sorted(found) if stats.count else []


def edited(message: ChatMessage, text: str, at: datetime) -> ChatMessage:
    return ChatMessage(
        message.platform,
        message.workspace,
        message.channel,
        message.message_id,
        message.author,
        text,
        message.created_at,
        edited_at=at,
    )


async def test_a_delete_that_arrives_while_the_message_is_scored_wins(bot: Harness) -> None:
    scorer = bot.scorer
    scorer.gate.clear()
    message = bot.adapter.message("the build is terrible again", user=ANN, created_at=T0)
    scoring = asyncio.create_task(bot.bot.on_message(message, durable=True))
    assert await asyncio.to_thread(scorer.waiting.wait, 5)
    await bot.bot.on_delete("fake", "general", message.message_id, deleted_at=T0, durable=True)
    scorer.gate.set()
    await scoring
    await bot.settle()
    assert texts(bot) == []


async def test_a_delete_delivered_first_wins_over_the_late_message(bot: Harness) -> None:
    message = bot.adapter.message("I love this", user=ANN, created_at=T0)
    await bot.bot.on_delete("fake", "general", message.message_id, durable=True)
    await bot.bot.on_message(message, durable=True)
    await bot.bot.on_edit(edited(message, "I hate this", T0 + timedelta(minutes=1)), durable=True)
    assert texts(bot) == []


async def test_a_late_retry_of_the_original_does_not_undo_an_edit(bot: Harness) -> None:
    message = bot.adapter.message("this is awful", user=ANN, created_at=T0)
    await bot.bot.on_message(message, durable=True)
    await bot.bot.on_edit(edited(message, "this is great", T0 + timedelta(minutes=2)), durable=True)
    await bot.bot.on_message(message, durable=True)  # Slack's retry of the original, late
    await bot.bot.on_edit(edited(message, "this is bad", T0 + timedelta(minutes=1)), durable=True)
    assert texts(bot) == ["this is great"]


async def test_an_edit_of_a_message_never_stored_is_not_stored(bot: Harness) -> None:
    message = bot.adapter.message("great day", user=ANN, created_at=T0)
    await bot.bot.on_edit(edited(message, "great day!", T0 + timedelta(minutes=1)), durable=True)
    assert texts(bot) == []


async def test_a_delete_while_shutting_down_is_still_applied(bot: Harness) -> None:
    message = bot.adapter.message("good news", user=ANN, created_at=T0)
    await bot.bot.on_message(message, durable=True)
    bot.bot.stop_accepting()
    await bot.bot.on_delete("fake", "general", message.message_id, durable=True)
    assert texts(bot) == []
