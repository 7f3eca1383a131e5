"""``Repository`` on SQLAlchemy 2: Core for bulk writes and aggregates, ORM for small tables.

The model-version and feedback methods live in ``storage.sql_models_feedback``, the report
claims in ``storage.sql_reports``; the engine, sessions and the outage decorator in
``storage.sql_base``. Deletes, opt-outs and retention purges take the PostgreSQL write lock
exclusive, content writes shared (``storage.locks``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import stats, uncertain, upserts
from storage.ids import check_key, check_message
from storage.locks import lock_writes
from storage.repository import DEFAULT_TOMBSTONE_DAYS, Repository
from storage.sql_base import unavailable
from storage.sql_models_feedback import ModelFeedbackMixin, delete_user_feedback
from storage.sql_reply_texts import (
    ReplyTextsMixin,
    delete_channel_reply_texts,
    delete_user_reply_texts,
)
from storage.sql_reports import ReportsMixin, bump_schedules, note_channels
from storage.tables import (
    ChannelRow,
    FeedbackRow,
    HourlyRow,
    MessageRow,
    OptedOutUserRow,
    ReplyTextRow,
    TombstoneRow,
)
from storage.types import (
    ChannelSettings,
    ChannelStats,
    ExampleMessage,
    MessageKey,
    ScoredMessage,
)

logger = logging.getLogger(__name__)

M = MessageRow


def _now() -> datetime:
    return datetime.now(UTC)


def _channel(row: ChannelRow) -> ChannelSettings:
    return ChannelSettings(row.platform, row.channel, row.workspace, row.opted_out, row.report_cron)


def _purge_user(executor: Connection | Session, platform: str, user_id: str) -> int:
    """Delete a user's stored messages, feedback and reply texts; returns how many messages."""
    lock_writes(executor, exclusive=True)
    delete_user_feedback(executor, platform, user_id)
    delete_user_reply_texts(executor, platform, user_id)
    where = (M.platform == platform) & (M.author_id == user_id)
    return executor.execute(delete(MessageRow).where(where)).rowcount


class SqlRepository(ModelFeedbackMixin, ReplyTextsMixin, ReportsMixin, Repository):
    """The repository on a SQLite or PostgreSQL engine; each method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        postgres = engine.dialect.name == "postgresql"
        self._insert = postgresql.insert if postgres else sqlite.insert
        self._upsert = upserts.postgres_upsert if postgres else upserts.sqlite_upsert
        self._known_channels: set[tuple[str, str]] = set()  # in ``known_channels`` for sure

    # -- scored messages -------------------------------------------------------------------
    @unavailable
    def upsert_messages(self, messages: Sequence[ScoredMessage]) -> int:
        for msg in messages:
            check_message(msg)
        unseen = {(m.platform, m.channel) for m in messages} - self._known_channels
        with self.engine.begin() as conn:
            lock_writes(conn, exclusive=False)
            written = self._upsert(conn, messages)
            if unseen and written:
                note_channels(conn, unseen)
        if written:
            self._known_channels |= unseen  # after the commit
        return written

    @unavailable
    def delete_message(self, key: MessageKey, deleted_at: datetime | None = None) -> bool:
        check_key(key)
        tombstone = {
            "platform": key.platform,
            "channel": key.channel,
            "message_id": key.message_id,
            "deleted_at": deleted_at or datetime.now(UTC),
        }
        with self.engine.begin() as conn:
            lock_writes(conn, exclusive=True)
            conn.execute(self._insert(TombstoneRow).on_conflict_do_nothing(), tombstone)
            result = conn.execute(
                delete(MessageRow).where(
                    tuple_(M.platform, M.channel, M.message_id)
                    == (key.platform, key.channel, key.message_id)
                )
            )
        return result.rowcount > 0

    @unavailable
    def purge_user(self, platform: str, author_id: str) -> int:
        with self.engine.begin() as conn:
            return _purge_user(conn, platform, author_id)

    @unavailable
    def purge_older_than(
        self, cutoff: datetime, *, tombstones_before: datetime | None = None
    ) -> int:
        if tombstones_before is None:
            tombstones_before = datetime.now(UTC) - timedelta(days=DEFAULT_TOMBSTONE_DAYS)
        with self.engine.begin() as conn:
            lock_writes(conn, exclusive=True)  # like every delete: no write slips past it
            conn.execute(delete(FeedbackRow).where(FeedbackRow.created_at < cutoff))
            conn.execute(delete(ReplyTextRow).where(ReplyTextRow.created_at < cutoff))
            conn.execute(delete(TombstoneRow).where(TombstoneRow.deleted_at < tombstones_before))
            return conn.execute(delete(MessageRow).where(M.created_at < cutoff)).rowcount

    # -- privacy and channels --------------------------------------------------------------
    @unavailable
    def set_user_opt_out(self, platform: str, user_id: str, opted_out: bool) -> None:
        with self._session() as session:
            if opted_out:  # atomic: another instance may opt the same person out at once
                lock_writes(session, exclusive=True)
                values = {"platform": platform, "user_id": user_id, "opted_out_at": _now()}
                session.execute(self._insert(OptedOutUserRow).on_conflict_do_nothing(), values)
                _purge_user(session, platform, user_id)
            else:
                row = OptedOutUserRow
                where = (row.platform == platform) & (row.user_id == user_id)
                session.execute(delete(row).where(where))

    @unavailable
    def is_user_opted_out(self, platform: str, user_id: str) -> bool:
        with self._session() as session:
            return session.get(OptedOutUserRow, (platform, user_id)) is not None

    @unavailable
    def set_channel(self, settings: ChannelSettings) -> None:
        with self._session() as session:
            if settings.opted_out:
                lock_writes(session, exclusive=True)
            bump_schedules(session)
            session.merge(
                ChannelRow(
                    platform=settings.platform,
                    channel=settings.channel,
                    workspace=settings.workspace,
                    opted_out=settings.opted_out,
                    report_cron=settings.report_cron,
                )
            )
            if settings.opted_out:
                where = (M.platform == settings.platform) & (M.channel == settings.channel)
                session.execute(delete(MessageRow).where(where))
                delete_channel_reply_texts(session, settings.platform, settings.channel)

    @unavailable
    def get_channel(self, platform: str, channel: str) -> ChannelSettings | None:
        with self._session() as session:
            row = session.get(ChannelRow, (platform, channel))
            return None if row is None else _channel(row)

    @unavailable
    def channels(self, platform: str | None = None) -> list[ChannelSettings]:
        query = select(ChannelRow).order_by(ChannelRow.platform, ChannelRow.channel)
        if platform is not None:
            query = query.where(ChannelRow.platform == platform)
        with self._session() as session:
            return [_channel(row) for row in session.scalars(query)]

    @unavailable
    def monitored_channels(self) -> list[tuple[str, str]]:
        opted_out = select(ChannelRow.platform, ChannelRow.channel).where(
            ChannelRow.opted_out.is_(True)
        )
        # The hourly rollup names every channel with messages, in far fewer rows.
        query = (
            select(HourlyRow.platform, HourlyRow.channel)
            .distinct()
            .where(
                HourlyRow.messages > 0,
                tuple_(HourlyRow.platform, HourlyRow.channel).not_in(opted_out),
            )
            .order_by(HourlyRow.platform, HourlyRow.channel)
        )
        with self.engine.connect() as conn:
            return [(r.platform, r.channel) for r in conn.execute(query)]

    # -- reports ---------------------------------------------------------------------------
    @unavailable
    def channel_stats(
        self,
        platform: str,
        channel: str,
        start: datetime,
        end: datetime,
        *,
        examples: int = 3,
    ) -> ChannelStats:
        with self.engine.connect() as conn:
            return stats.channel_stats(conn, platform, channel, start, end, examples=examples)

    @unavailable
    def least_sure(
        self, platform: str, channel: str, start: datetime, end: datetime, *, limit: int = 3
    ) -> list[ExampleMessage]:
        with self.engine.connect() as conn:
            return uncertain.least_sure(conn, platform, channel, start, end, limit=limit)

    # -- health ----------------------------------------------------------------------------
    @unavailable
    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
