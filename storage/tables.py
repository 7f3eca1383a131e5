"""The database schema as SQLAlchemy 2 declarative classes (the Alembic migrations create it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Constraint names are explicit so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit keys on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY autoincrements.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores ``timestamptz``; SQLite stores the UTC wall time as text (which sorts and
    compares in time order). Naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; use a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], object] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_sqlite_text(value: datetime | None) -> str | None:
            # The hot path of every write: one step to SQLAlchemy's SQLite text format.
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError(
                    f"naive datetime {value.isoformat()} given; use a timezone-aware one"
                )
            if value.utcoffset():
                value = value.astimezone(UTC)
            return value.isoformat(" ", "microseconds")[:26]

        return to_sqlite_text

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class MessageRow(Base):
    """One scored chat message; ``text`` only with ``[privacy] store_text``."""

    __tablename__ = "scored_messages"
    __table_args__ = (
        UniqueConstraint("platform", "channel", "message_id", name="uq_scored_messages_key"),
        Index("ix_scored_messages_channel_time", "platform", "channel", "created_at"),
        Index("ix_scored_messages_author", "platform", "author_id"),
        Index("ix_scored_messages_created_at", "created_at"),
        # Report examples: only rows with stored text, so it costs nothing when text is off.
        Index(
            "ix_scored_messages_text_score",
            "platform",
            "channel",
            "score",
            sqlite_where=sql_text("text IS NOT NULL"),
            postgresql_where=sql_text("text IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(128))
    author_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(16))
    model_version: Mapped[str] = mapped_column(String(128))
    text: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(64))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # platform time; NULL: original


class TombstoneRow(Base):
    """A deleted message: any later write of it is a no-op until the tombstone is purged."""

    __tablename__ = "message_tombstones"
    __table_args__ = (Index("ix_message_tombstones_deleted_at", "deleted_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChangeCounterRow(Base):
    """A version number bumped on every change of something instances cache (``schedules``)."""

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class KnownChannelRow(Base):
    """A channel that has had a stored message: a new one bumps the ``schedules`` counter."""

    __tablename__ = "known_channels"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)


class ChannelRow(Base):
    """Per-channel settings."""

    __tablename__ = "channels"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), default="")
    opted_out: Mapped[bool] = mapped_column(default=False)
    report_cron: Mapped[str | None] = mapped_column(String(64))


class OptedOutUserRow(Base):
    """A user who asked not to be stored."""

    __tablename__ = "opted_out_users"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportPostedRow(Base):
    """A report claimed (and then posted) by one bot instance; the unique key makes it once only."""

    __tablename__ = "reports_posted"
    __table_args__ = (
        UniqueConstraint(
            "platform", "channel", "period_start", "period_end", name="uq_reports_posted_period"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    instance: Mapped[str] = mapped_column(String(128))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when claimed (the column's old name)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # NULL: never expires
    outcome: Mapped[str | None] = mapped_column(String(16))  # NULL (claimed), posted, failed
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default=sql_text("1"))


class ModelVersionRow(Base):
    """A trained model: where it lives, how it scored, whether it serves."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(128), unique=True)
    path: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(128), default="")


class FeedbackRow(Base):
    """A user's correction of a score, with the text it refers to (written by ``author_id``)."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_author", "platform", "author_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    author_id: Mapped[str | None] = mapped_column(String(64))  # NULL: unknown (older rows)


class ReplyTextRow(Base):
    """The text a public score reply scored, for its correction buttons (``ReplyText``)."""

    __tablename__ = "reply_texts"
    __table_args__ = (Index("ix_reply_texts_author", "platform", "author_id"),)

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class HourlyRow(Base):
    """Per-channel, per-hour totals of ``scored_messages``, kept exact by database triggers.

    Reports read these (a week is 168 rows) instead of scanning every message; only the
    partial hours at the edges of a window are computed from ``scored_messages`` itself.
    ``score_sum`` and the label counts cover scored messages only; a bucket whose last
    message left (delete, opt-out, retention) is deleted (migration 0006).
    """

    __tablename__ = "hourly_scores"
    __table_args__ = (Index("ix_hourly_scores_hour", "hour"),)  # the dashboard's overview

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    messages: Mapped[int] = mapped_column(BigInteger)
    scored: Mapped[int] = mapped_column(BigInteger)
    score_sum: Mapped[float] = mapped_column(Float)
    negative: Mapped[int] = mapped_column(BigInteger)
    neutral: Mapped[int] = mapped_column(BigInteger)
    positive: Mapped[int] = mapped_column(BigInteger)


class DailyRow(Base):
    """Per-channel, per-UTC-day totals of ``scored_messages``, kept exact by the same triggers
    as ``HourlyRow``; the dashboard's overview reads whole days here (migration 0006)."""

    __tablename__ = "daily_scores"
    __table_args__ = (Index("ix_daily_scores_day", "day"), {"sqlite_with_rowid": False})

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    messages: Mapped[int] = mapped_column(BigInteger)
    scored: Mapped[int] = mapped_column(BigInteger)
    score_sum: Mapped[float] = mapped_column(Float)
    negative: Mapped[int] = mapped_column(BigInteger)
    neutral: Mapped[int] = mapped_column(BigInteger)
    positive: Mapped[int] = mapped_column(BigInteger)


class DashboardSecretRow(Base):
    """The dashboard's link-signing key, generated once so that every instance agrees."""

    __tablename__ = "dashboard_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DashboardGrantRow(Base):
    """A channel one person may see on the dashboard, as the access rule decided it last."""

    __tablename__ = "dashboard_grants"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DashboardRevokedRow(Base):
    """A dashboard session (and the link that started it) ended by logging out."""

    __tablename__ = "dashboard_revoked"
    __table_args__ = (Index("ix_dashboard_revoked_expires_at", "expires_at"),)

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
