"""The report part of ``SqlRepository``: claims as leases, their outcome, the schedules version.

The ``schedules`` counter goes up when a channel's settings change (``set_channel``) and when a
channel gets its first stored message (``note_channels``, in the write's transaction), so an
instance polling ``schedules_version`` learns of both within its poll interval.

A claim is one row of ``reports_posted`` per (platform, channel, period). Claiming inserts it,
or takes it over in the same statement (``ON CONFLICT .. DO UPDATE .. WHERE``) when its lease
has expired and it was not posted; the database's row lock makes exactly one claimer win, on
one instance or many.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.sql_base import SqlBase, unavailable
from storage.tables import ChangeCounterRow, KnownChannelRow, ReportPostedRow

R = ReportPostedRow
POSTED, FAILED = "posted", "failed"
SCHEDULES = "schedules"


def bump_schedules(conn: Connection | Session) -> None:
    """Raise the ``schedules`` version, in the caller's transaction."""
    counter = ChangeCounterRow
    conn.execute(
        update(counter).where(counter.name == SCHEDULES).values(version=counter.version + 1)
    )


def note_channels(conn: Connection, channels: Set[tuple[str, str]]) -> None:
    """Record ``(platform, channel)`` pairs as known, in the caller's transaction; one not known
    before (to any instance) bumps ``schedules``. Called once per channel and process."""
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert
    new = False
    for platform, channel in sorted(channels):
        stmt = insert(KnownChannelRow).values(platform=platform, channel=channel)
        stmt = stmt.on_conflict_do_nothing().returning(KnownChannelRow.channel)
        new |= conn.execute(stmt).first() is not None
    if new:
        bump_schedules(conn)


class ReportsMixin(SqlBase):
    """``Repository`` methods on ``reports_posted`` and ``change_counters``."""

    @unavailable
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
        now = now or datetime.now(UTC)
        until = None if lease_s is None else now + timedelta(seconds=lease_s)
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert
        stmt = insert(R).values(
            platform=platform,
            channel=channel,
            period_start=period_start,
            period_end=period_end,
            instance=instance,
            posted_at=now,
            lease_until=until,
            attempts=1,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "channel", "period_start", "period_end"],
            set_={
                "instance": stmt.excluded.instance,
                "posted_at": stmt.excluded.posted_at,
                "lease_until": stmt.excluded.lease_until,
                "outcome": None,
                "attempts": R.attempts + 1,
            },
            where=(R.outcome.is_(None) | (R.outcome != POSTED))
            & R.lease_until.is_not(None)
            & (R.lease_until <= now),
        ).returning(R.id)
        with self.engine.begin() as conn:
            return conn.execute(stmt).first() is not None

    @unavailable
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
        where = (
            (R.platform == platform)
            & (R.channel == channel)
            & (R.period_start == period_start)
            & (R.period_end == period_end)
            & (R.outcome.is_(None) | (R.outcome != POSTED))
        )
        if posted:
            stmt = update(R).where(where).values(outcome=POSTED)
        else:  # the lease ends where it began: expired for any later claimer
            stmt = (
                update(R)
                .where(where & (R.instance == instance))
                .values(outcome=FAILED, lease_until=R.posted_at)
            )
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    @unavailable
    def schedules_version(self) -> int:
        query = select(ChangeCounterRow.version).where(ChangeCounterRow.name == SCHEDULES)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
