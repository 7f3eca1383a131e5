"""The storage port: what the bot needs from a database, as an abstract class.

``SqlRepository`` (``storage.sql_repository``) implements it on SQLAlchemy; ``tests.fakes.storage``
keeps it in memory for unit tests. Every method is synchronous and transactional on its own;
async code calls it through ``asyncio.to_thread``.

Privacy rule shared by every implementation: ``upsert_messages`` itself drops messages of users
who opted out and of channels that opted out, so no caller can store them by mistake.
``store_text`` is the writer's business: the repository stores whatever ``text`` it is given.

Order rule (``storage.ordering``), decided inside each write so that several instances sharing
one database agree: a deleted message leaves a tombstone that no later write gets past (until
``[privacy] tombstone_days``); an edit applies only over a stored message and only if newer
than the stored edit; a retry of the original never undoes an edit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime

from storage.types import (
    ChannelSettings,
    ChannelStats,
    ExampleMessage,
    Feedback,
    MessageKey,
    ModelVersion,
    ReplyText,
    ScoredMessage,
)

DEFAULT_TOMBSTONE_DAYS = 7  # ``[privacy] tombstone_days``


class Repository(ABC):
    """Everything sentibot stores. Times are timezone-aware UTC."""

    # -- scored messages -------------------------------------------------------------------
    @abstractmethod
    def upsert_messages(self, messages: Sequence[ScoredMessage]) -> int:
        """Store scored messages idempotently, in platform order (``storage.ordering``).

        A message whose ``(platform, channel, message_id)`` is already stored gets the new
        score, label, model version, text and reason when the write wins: an original over an
        original (a retry or a rescore), an edit over anything with an older edit time. An edit
        of a message not stored, a deleted (tombstoned) message, and messages from opted-out
        users or channels are dropped. Returns the number of rows written.

        Raises ``storage.errors.InvalidId`` (a ``ValueError``) for an id that cannot be stored.
        """

    @abstractmethod
    def delete_message(self, key: MessageKey, deleted_at: datetime | None = None) -> bool:
        """Remove one message for good: its row, and any later write (a tombstone).

        ``deleted_at`` is the platform's time of the delete (now when ``None``); the tombstone
        is kept until ``purge_older_than`` passes it. ``True`` when a row existed.
        """

    @abstractmethod
    def purge_user(self, platform: str, author_id: str) -> int:
        """Delete every stored message of one user, the feedback they gave, the feedback on
        their words and the texts of their score replies; returns how many messages."""

    @abstractmethod
    def purge_older_than(
        self, cutoff: datetime, *, tombstones_before: datetime | None = None
    ) -> int:
        """Retention: delete messages, feedback and reply texts created before ``cutoff``, and
        tombstones of
        deletes before ``tombstones_before`` (by default ``DEFAULT_TOMBSTONE_DAYS`` ago).
        Returns how many messages."""

    # -- privacy and channels --------------------------------------------------------------
    @abstractmethod
    def set_user_opt_out(self, platform: str, user_id: str, opted_out: bool) -> None:
        """Record (or lift) a user's opt-out; opting out also purges their messages and feedback."""

    @abstractmethod
    def is_user_opted_out(self, platform: str, user_id: str) -> bool:
        """Whether the user opted out."""

    @abstractmethod
    def set_channel(self, settings: ChannelSettings) -> None:
        """Create or replace a channel's settings. Opting a channel out purges its messages and
        reply texts."""

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
    def least_sure(
        self, platform: str, channel: str, start: datetime, end: datetime, *, limit: int = 3
    ) -> list[ExampleMessage]:
        """Up to ``limit`` messages of ``[start, end)`` labelled negative or positive that the
        model was least sure of: the score nearest 0.5, the boundary a correction (positive or
        negative) moves (ties: the earlier message id). Neutral-labelled messages, which a
        correction cannot label, and messages someone already corrected are left out; ``text``
        is the stored text or ``""`` (``[privacy] store_text`` off)."""

    @abstractmethod
    def claim_report(
        self,
        platform: str,
        channel: str,
        period_start: datetime,
        period_end: datetime,
        instance: str,
        *,
        lease_s: float | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Claim the report of a channel and period; ``True`` when this instance got it.

        Without ``lease_s`` the claim is final: only the first claimer ever gets it. With it,
        the claim is a lease until ``now + lease_s``: once it has expired without a recorded
        ``posted`` outcome (the post failed or the claimer died), the next claimer gets it. A
        report recorded as posted is never claimed again.
        """

    @abstractmethod
    def finish_report(
        self,
        platform: str,
        channel: str,
        period_start: datetime,
        period_end: datetime,
        instance: str,
        *,
        posted: bool,
    ) -> bool:
        """Record the outcome of a claimed report; ``True`` when recorded.

        ``posted=True`` makes the report final (never claimed again, whoever records it).
        ``posted=False`` (the post failed) ends ``instance``'s lease at once so another instance
        can claim it; it is recorded only while ``instance`` holds the claim.
        """

    @abstractmethod
    def schedules_version(self) -> int:
        """A number that goes up whenever a channel's settings change or a channel gets its first
        stored message, on any instance (one indexed row: poll it every few seconds and reload
        channels and schedules when it moved)."""

    # -- feedback and model versions -------------------------------------------------------
    @abstractmethod
    def add_feedback(self, fb: Feedback) -> bool:
        """Store a user's correction of a score (with the text it refers to).

        One person's correction of one thing counts once: it replaces the same person's earlier
        correction of the same message (``message_id``), or of the same text when ``message_id``
        is ``""``. Returns ``False`` and stores nothing when the giver or the author of the text
        (``Feedback.author_id``, resolved from the stored message when ``None``) opted out, or
        the channel did; ``True`` when stored. Raises ``storage.errors.InvalidId`` for an id that
        cannot be stored.
        """

    @abstractmethod
    def list_feedback(self) -> list[Feedback]:
        """Every feedback entry, oldest first."""

    @abstractmethod
    def keep_reply_text(self, rt: ReplyText) -> bool:
        """Keep the text a public score reply scored, for its correction buttons.

        Returns ``False`` and keeps nothing when its author or the channel opted out. Raises
        ``storage.errors.InvalidId`` for an id that cannot be stored.
        """

    @abstractmethod
    def reply_text(self, token: str) -> ReplyText | None:
        """The reply text with ``token``, or ``None`` (never kept, purged, or opted out)."""

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
