"""Builders of storage values for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.types import ScoredMessage
from tests.fakes.scoring import label_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def message(
    message_id: str | int,
    score: float | None = 0.5,
    *,
    channel: str = "C1",
    author: str = "U1",
    at: datetime | timedelta = T0,
    platform: str = "slack",
    text: str | None = None,
    version: str = "v1",
) -> ScoredMessage:
    """A scored message; ``at`` may be an offset from ``T0``."""
    created = T0 + at if isinstance(at, timedelta) else at
    return ScoredMessage(
        platform=platform,
        workspace="T1",
        channel=channel,
        message_id=str(message_id),
        author_id=author,
        created_at=created,
        score=score,
        label=label_of(score),
        model_version=version,
        text=text,
        reason="empty" if score is None else None,
    )
