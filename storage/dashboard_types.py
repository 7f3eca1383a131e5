"""What the dashboard's read-side queries answer (``storage.dashboard_queries``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.types import ChannelStats


@dataclass(slots=True)
class Totals:
    """Messages, scored messages, their score sum and label counts over some hours."""

    messages: int = 0
    scored: int = 0
    score_sum: float = 0.0
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    def add(self, other: Totals) -> None:
        """Add ``other``'s counts to these."""
        self.messages += other.messages
        self.scored += other.scored
        self.score_sum += other.score_sum
        self.negative += other.negative
        self.neutral += other.neutral
        self.positive += other.positive

    @property
    def mean(self) -> float | None:
        """The mean score of the scored messages (``None`` without any)."""
        return self.score_sum / self.scored if self.scored else None


@dataclass(slots=True)
class ChannelSummary:
    """One channel on the overview: the period's totals, the previous period's, a sparkline.

    ``spark`` holds the mean score of each bucket of the period (hours for a day, days
    beyond), oldest first; ``None`` for a bucket without a scored message.
    """

    platform: str
    workspace: str
    channel: str
    totals: Totals
    previous: Totals
    spark: list[float | None]
    last_report: datetime | None = None
    last_alert: datetime | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    """A report or alert a bot instance claimed: its period and outcome."""

    period_start: datetime
    period_end: datetime
    outcome: str | None
    instance: str


@dataclass(slots=True)
class ChannelDetail:
    """Everything the channel page shows, computed in SQL.

    ``heatmap[weekday][hour]`` (Monday 0, UTC) holds the ``Totals`` of the last ``heatmap_days``.
    """

    platform: str
    workspace: str
    channel: str
    stats: ChannelStats
    heatmap: list[list[Totals]]
    heatmap_days: int
    unscored: dict[str, int]
    alerts: list[Claimed]
    reports: list[Claimed]
    report_cron: str | None
    opted_out: bool = False


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """A model version as the model page shows it."""

    version: str
    active: bool
    created_at: datetime
    created_by: str
    metrics: dict[str, Any] = field(default_factory=dict)
