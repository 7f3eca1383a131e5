"""Fixtures for report, scheduler, alert, feedback and retrain tests.

``any_repo`` runs a test on the in-memory ``FakeRepository`` and on the real ``SqlRepository``
over a SQLite file; ``postgres_url`` gives a fresh PostgreSQL schema when
``SENTIBOT_TEST_POSTGRES_URL`` is set and skips with a printed reason otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.core.messages import Reply
from bot.core.ports import Adapter, Handler
from storage.repository import Repository
from storage.types import ScoredMessage
from tests.fakes.scoring import label_of
from tests.fakes.storage import FakeRepository, utc
from tests.postgres import postgres_url  # noqa: F401  (fixture)

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


@pytest.fixture
def fake_repo() -> FakeRepository:
    return FakeRepository()


@pytest.fixture
def sqlite_repo(tmp_path: Path) -> Iterator[Repository]:
    from storage.database import Database
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'reports.db'}"
    upgrade(url)
    database = Database(url)
    try:
        yield database.repository
    finally:
        database.close()


@pytest.fixture(params=["fake", "sqlite"])
def any_repo(request: pytest.FixtureRequest) -> Repository:
    """The same test on the in-memory fake and on SQLite."""
    return request.getfixturevalue(f"{request.param}_repo")
