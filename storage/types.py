"""Plain value types crossing the storage boundary (no SQLAlchemy, no platform SDK)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MessageKey:
    """Identifies a chat message on its platform: the idempotency key of a stored score."""

    platform: str
    channel: str
    message_id: str


@dataclass(frozen=True, slots=True)
class ScoredMessage:
    """One scored chat message, as stored.

    ``text`` is kept only when ``[privacy] store_text`` is on; the writer drops it otherwise.
    ``score`` is ``None`` for unscored messages, whose ``reason`` says why.

    ``edited`` marks a rescore after an edit, ``edited_at`` the platform's time of that edit. An
    edit is applied only over a stored message and only if newer than the edit stored (an edit
    without ``edited_at`` counts as made at ``created_at``); the original (``edited`` false)
    never replaces an edited row, so a late retry cannot undo an edit.
    """

    platform: str
    workspace: str
    channel: str
    message_id: str
    author_id: str
    created_at: datetime
    score: float | None
    label: str
    model_version: str
    text: str | None = None
    reason: str | None = None
    edited_at: datetime | None = None
    edited: bool = False

    @property
    def key(self) -> MessageKey:
        return MessageKey(self.platform, self.channel, self.message_id)

    def without_text(self) -> ScoredMessage:
        """This message with ``text`` dropped (what is stored when ``store_text`` is off)."""
        return ScoredMessage(
            self.platform,
            self.workspace,
            self.channel,
            self.message_id,
            self.author_id,
            self.created_at,
            self.score,
            self.label,
            self.model_version,
            None,
            self.reason,
            self.edited_at,
            self.edited,
        )  # fmt: skip  (positional: several times faster than dataclasses.replace)


@dataclass(frozen=True, slots=True)
class Feedback:
    """A user's correction of a score; the one case where text is kept.

    ``user_id`` gave the feedback; ``author_id`` wrote ``text`` (``None``: the repository takes
    the author of the stored message ``message_id``, or ``user_id`` for free text, where
    ``message_id`` is ``""``). Opting out purges both a person's feedback and the feedback on
    their words.
    """

    platform: str
    channel: str
    message_id: str
    user_id: str
    label: str  # "positive" | "negative"
    text: str
    created_at: datetime
    author_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyText:
    """The text a public score reply (``/sentiment <text>``) scored, kept so its correction
    buttons can say what they correct after a restart; ``token`` is the buttons' reference.

    ``author_id`` asked (the text is theirs): their opt-out, the channel's and retention delete
    it like any stored text."""

    token: str
    platform: str
    workspace: str
    channel: str
    author_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExampleMessage:
    """A stored message shown in a report (only with ``store_text``).

    ``workspace`` is the Slack team or Discord guild the message came from; a Discord message
    link needs it (``""`` when unknown).
    """

    message_id: str
    score: float
    text: str
    workspace: str = ""


@dataclass(frozen=True, slots=True)
class ChannelStats:
    """Aggregates of one channel over ``[start, end)``, computed in SQL."""

    platform: str
    channel: str
    start: datetime
    end: datetime
    count: int
    unscored: int
    mean: float | None
    negative: int
    neutral: int
    positive: int
    previous_count: int
    previous_mean: float | None
    hourly: list[tuple[datetime, int, float | None]] = field(default_factory=list)
    # (hour start, negative, neutral, positive) for the same hours as ``hourly``
    hourly_labels: list[tuple[datetime, int, int, int]] = field(default_factory=list)
    busiest_hour: datetime | None = None
    most_positive: list[ExampleMessage] = field(default_factory=list)
    most_negative: list[ExampleMessage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """A trained model known to the database."""

    version: str
    path: str
    metrics: dict[str, float]
    active: bool
    created_at: datetime
    created_by: str = ""


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """Per-channel settings: an opted-out channel stores nothing; ``report_cron`` beats config."""

    platform: str
    channel: str
    workspace: str = ""
    opted_out: bool = False
    report_cron: str | None = None
