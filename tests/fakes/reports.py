"""Stored messages for report, scheduler, alert, feedback and retrain tests, and an adapter that
records what it is asked to post (the fixtures are in ``tests/bot/conftest.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.messages import ChatMessage, Reply
from bot.core.ports import Adapter, Handler
from storage.repository import Repository
from storage.types import ScoredMessage
from tests.fakes.scoring import label_of
from tests.fakes.storage import utc

NOW = utc(2026, 11, 25, 12)


def message(
    channel: str,
    message_id: str,
    created_at: datetime,
    score: float | None,
    *,
    platform: str = "slack",
    text: str | None = None,
) -> ScoredMessage:
    """A stored message with the label its score gets."""
    return ScoredMessage(
        platform=platform,
        workspace="T1",
        channel=channel,
        message_id=message_id,
        author_id="U1",
        created_at=created_at,
        score=score,
        label=label_of(score),
        model_version="test-1",
        text=text,
        reason="empty" if score is None else None,
    )


def fill(repo: Repository, channel: str, scores: list[tuple[datetime, float | None]]) -> None:
    """Store one message per ``(created_at, score)``."""
    repo.upsert_messages(
        [message(channel, f"{channel}-{i}", at, score) for i, (at, score) in enumerate(scores)]
    )


def steady(end: datetime, hours: float, count: int, score: float) -> list[tuple[datetime, float]]:
    """``count`` messages of ``score`` spread evenly over the ``hours`` before ``end``."""
    step = timedelta(hours=hours) / count
    return [(end - step * (i + 0.5), score) for i in range(count)]


class RecordingAdapter(Adapter):
    """An adapter that records what it is asked to post."""

    def __init__(self, name: str = "slack") -> None:
        self.name = name
        self.posts: list[tuple[str, Reply]] = []

    async def start(self, handler: Handler) -> None:  # pragma: no cover - not used
        return None

    async def post(self, channel: str, reply: Reply) -> None:
        self.posts.append((channel, reply))

    async def stop(self) -> None:
        return None

    async def fetch_message(self, channel: str, message_id: str) -> ChatMessage | None:
        return None
