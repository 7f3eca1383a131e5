"""The storage port: what the bot needs from a database, as an abstract class.

``SqlRepository`` (``storage.sql_repository``) implements it on SQLAlchemy; ``tests.fakes.storage``
keeps it in memory for unit tests. Every method is synchronous and transactional on its own;
async code calls it through ``asyncio.to_thread``.

Privacy rule shared by every implementation: ``upsert_messages`` itself drops messages of users
who opted out and of channels that opted out, so no caller can store them by mistake.
``store_text`` is the writer's business: the repository stores whatever ``text`` it is given.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime

from storage.types import (
    ChannelSettings,
    ChannelStats,
    Feedback,
    MessageKey,
    ModelVersion,
    ScoredMessage,
)


class Repository(ABC):
    """Everything sentibot stores. Times are timezone-aware UTC."""

    # -- scored messages -------------------------------------------------------------------
    @abstractmethod
    def upsert_messages(self, messages: Sequence[ScoredMessage]) -> int:
        """Store scored messages idempotently.

        A message whose ``(platform, channel, message_id)`` is already stored replaces the stored
        score, label, model version, text and reason (an edit is a rescore). Messages from
        opted-out users or channels are dropped. Returns the number of messages written.
        """

    @abstractmethod
    def delete_message(self, key: MessageKey) -> bool:
        """Remove one stored message; ``True`` when it existed."""

    @abstractmethod
    def purge_user(self, platform: str, author_id: str) -> int:
        """Delete every stored message and every feedback of one user; returns how many messages."""

    @abstractmethod
    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete messages created before ``cutoff`` (retention); returns how many."""

    # -- privacy and channels --------------------------------------------------------------
    @abstractmethod
    def set_user_opt_out(self, platform: str, user_id: str, opted_out: bool) -> None:
        """Record (or lift) a user's opt-out; opting out also purges their messages and feedback."""

    @abstractmethod
    def is_user_opted_out(self, platform: str, user_id: str) -> bool:
        """Whether the user opted out."""

    @abstractmethod
    def set_channel(self, settings: ChannelSettings) -> None:
        """Create or replace a channel's settings. Opting a channel out purges its messages."""

    @abstractmethod
    def get_channel(self, platform: str, channel: str) -> ChannelSettings | None:
        """A channel's settings, or ``None`` when never set."""

    @abstractmethod
    def channels(self, platform: str | None = None) -> list[ChannelSettings]:
        """Channels with settings, optionally of one platform, ordered by (platform, channel)."""

    @abstractmethod
    def monitored_channels(self) -> list[tuple[str, str]]:
        """``(platform, channel)`` pairs that have stored messages and are not opted out."""

    # -- reports ---------------------------------------------------------------------------
    @abstractmethod
    def channel_stats(
        self,
        platform: str,
        channel: str,
        start: datetime,
        end: datetime,
        *,
        examples: int = 3,
    ) -> ChannelStats:
        """Aggregates of a channel over ``[start, end)`` and the previous period of equal length.

        ``count`` counts every stored message in the window, ``unscored`` those without a score;
        ``mean`` and the label counts cover scored messages. ``hourly`` holds
        ``(hour start, messages, mean score)`` for hours with messages, in order; ``busiest_hour``
        is the hour with the most messages (earliest on ties). ``most_positive`` /
        ``most_negative`` hold up to ``examples`` messages that have stored text.
        """

    @abstractmethod
    def claim_report(
        self,
        platform: str,
        channel: str,
        period_start: datetime,
        period_end: datetime,
        instance: str,
    ) -> bool:
        """Claim the report of a channel and period; ``True`` only for the first claimer."""

    # -- feedback and model versions -------------------------------------------------------
    @abstractmethod
    def add_feedback(self, fb: Feedback) -> None:
        """Store a user's correction of a score (with the text it refers to)."""

    @abstractmethod
    def list_feedback(self) -> list[Feedback]:
        """Every feedback entry, oldest first."""

    @abstractmethod
    def add_model_version(self, mv: ModelVersion) -> None:
        """Record a model version; an active one deactivates the others.

        Raises ``DuplicateModelVersion`` when the version is already recorded.
        """

    @abstractmethod
    def list_model_versions(self) -> list[ModelVersion]:
        """Every recorded model version, oldest first."""

    @abstractmethod
    def activate_model_version(self, version: str) -> ModelVersion:
        """Make one version the active one (and no other); raises ``UnknownModelVersion``."""

    @abstractmethod
    def active_model_version(self) -> ModelVersion | None:
        """The active version, if any."""

    # -- health ----------------------------------------------------------------------------
    @abstractmethod
    def ping(self) -> None:
        """Raise ``DatabaseUnavailable`` when the database cannot be reached."""
