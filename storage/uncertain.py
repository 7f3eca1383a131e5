"""The messages a model was least sure of, for a report's "help me learn" (#15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, exists, func, select

from storage.stats import in_window
from storage.tables import FeedbackRow, MessageRow
from storage.types import ExampleMessage

M = MessageRow
F = FeedbackRow
POLAR = ("negative", "positive")  # a correction says one or the other


def least_sure(
    conn: Connection, platform: str, channel: str, start: datetime, end: datetime, *, limit: int
) -> list[ExampleMessage]:
    """``Repository.least_sure`` in one indexed range scan of the window."""
    corrected = exists().where(
        (F.platform == M.platform) & (F.channel == M.channel) & (F.message_id == M.message_id)
    )
    query = (
        select(M.message_id, M.score, M.text, M.workspace)
        .where(in_window(platform, channel, start, end), M.score.is_not(None), ~corrected)
        .where(M.label.in_(POLAR))
        .order_by(func.abs(M.score - 0.5), M.message_id)
        .limit(limit)
    )
    return [
        ExampleMessage(row.message_id, float(row.score), row.text or "", row.workspace)
        for row in conn.execute(query)
    ]
