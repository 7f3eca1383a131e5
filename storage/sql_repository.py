"""``Repository`` on SQLAlchemy 2: Core for bulk writes and aggregates, ORM for small tables."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, delete, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from storage import stats, upserts
from storage.engine import safe_url
from storage.errors import DatabaseUnavailable, DuplicateModelVersion, UnknownModelVersion
from storage.repository import Repository
from storage.tables import (
    ChannelRow,
    FeedbackRow,
    HourlyRow,
    MessageRow,
    ModelVersionRow,
    OptedOutUserRow,
    ReportPostedRow,
)
from storage.types import (
    ChannelSettings,
    ChannelStats,
    Feedback,
    MessageKey,
    ModelVersion,
    ScoredMessage,
)

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
M = MessageRow


def _unavailable(method: Callable[P, R]) -> Callable[P, R]:
    """Turn connection failures into ``DatabaseUnavailable`` (which the writer retries)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            raise _down(args[0], exc) from exc  # type: ignore[arg-type]
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise _down(args[0], exc) from exc  # type: ignore[arg-type]
            raise

    return wrapper


def _down(repo: SqlRepository, exc: DBAPIError) -> DatabaseUnavailable:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return DatabaseUnavailable(f"database {safe_url(repo.engine.url)} unavailable: {reason}")


def _model_version(row: ModelVersionRow) -> ModelVersion:
    return ModelVersion(
        version=row.version,
        path=row.path,
        metrics=dict(row.metrics),
        active=row.active,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _channel(row: ChannelRow) -> ChannelSettings:
    return ChannelSettings(row.platform, row.channel, row.workspace, row.opted_out, row.report_cron)


class SqlRepository(Repository):
    """The repository on a SQLite or PostgreSQL engine; each method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        postgres = engine.dialect.name == "postgresql"
        self._insert = postgresql.insert if postgres else sqlite.insert
        self._upsert = upserts.postgres_upsert if postgres else upserts.sqlite_upsert

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # -- scored messages -------------------------------------------------------------------
    @_unavailable
    def upsert_messages(self, messages: Sequence[ScoredMessage]) -> int:
        with self.engine.begin() as conn:
            return self._upsert(conn, messages)

    @_unavailable
    def delete_message(self, key: MessageKey) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(MessageRow).where(
                    tuple_(M.platform, M.channel, M.message_id)
                    == (key.platform, key.channel, key.message_id)
                )
            )
        return result.rowcount > 0

    @_unavailable
    def purge_user(self, platform: str, author_id: str) -> int:
        with self.engine.begin() as conn:
            where = (M.platform == platform) & (M.author_id == author_id)
            return conn.execute(delete(MessageRow).where(where)).rowcount

    @_unavailable
    def purge_older_than(self, cutoff: datetime) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(MessageRow).where(M.created_at < cutoff)).rowcount

    # -- privacy and channels --------------------------------------------------------------
    @_unavailable
    def set_user_opt_out(self, platform: str, user_id: str, opted_out: bool) -> None:
        with self._session() as session:
            row = session.get(OptedOutUserRow, (platform, user_id))
            if opted_out:
                if row is None:
                    session.add(
                        OptedOutUserRow(
                            platform=platform, user_id=user_id, opted_out_at=datetime.now(UTC)
                        )
                    )
                where = (M.platform == platform) & (M.author_id == user_id)
                session.execute(delete(MessageRow).where(where))
            elif row is not None:
                session.delete(row)

    @_unavailable
    def is_user_opted_out(self, platform: str, user_id: str) -> bool:
        with self._session() as session:
            return session.get(OptedOutUserRow, (platform, user_id)) is not None

    @_unavailable
    def set_channel(self, settings: ChannelSettings) -> None:
        with self._session() as session:
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

    @_unavailable
    def get_channel(self, platform: str, channel: str) -> ChannelSettings | None:
        with self._session() as session:
            row = session.get(ChannelRow, (platform, channel))
            return None if row is None else _channel(row)

    @_unavailable
    def channels(self, platform: str | None = None) -> list[ChannelSettings]:
        query = select(ChannelRow).order_by(ChannelRow.platform, ChannelRow.channel)
        if platform is not None:
            query = query.where(ChannelRow.platform == platform)
        with self._session() as session:
            return [_channel(row) for row in session.scalars(query)]

    @_unavailable
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
    @_unavailable
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

    @_unavailable
    def claim_report(
        self,
        platform: str,
        channel: str,
        period_start: datetime,
        period_end: datetime,
        instance: str,
    ) -> bool:
        row = {
            "platform": platform,
            "channel": channel,
            "period_start": period_start,
            "period_end": period_end,
            "instance": instance,
            "posted_at": datetime.now(UTC),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(self._insert(ReportPostedRow), row)
        except IntegrityError:
            logger.info("report %s/%s %s already claimed", platform, channel, period_start)
            return False
        return True

    # -- feedback and model versions -------------------------------------------------------
    @_unavailable
    def add_feedback(self, fb: Feedback) -> None:
        with self._session() as session:
            session.add(
                FeedbackRow(
                    platform=fb.platform,
                    channel=fb.channel,
                    message_id=fb.message_id,
                    user_id=fb.user_id,
                    label=fb.label,
                    text=upserts.clean_text(fb.text) or "",
                    created_at=fb.created_at,
                )
            )

    @_unavailable
    def list_feedback(self) -> list[Feedback]:
        query = select(FeedbackRow).order_by(FeedbackRow.created_at, FeedbackRow.id)
        with self._session() as session:
            return [
                Feedback(
                    r.platform, r.channel, r.message_id, r.user_id, r.label, r.text, r.created_at
                )
                for r in session.scalars(query)
            ]

    @_unavailable
    def add_model_version(self, mv: ModelVersion) -> None:
        try:
            with self._session() as session:
                if mv.active:
                    session.execute(update(ModelVersionRow).values(active=False))
                session.add(
                    ModelVersionRow(
                        version=mv.version,
                        path=mv.path,
                        metrics=mv.metrics,
                        active=mv.active,
                        created_at=mv.created_at,
                        created_by=mv.created_by,
                    )
                )
        except IntegrityError as exc:
            raise DuplicateModelVersion(
                f"model version {mv.version!r} is already recorded"
            ) from exc

    @_unavailable
    def list_model_versions(self) -> list[ModelVersion]:
        query = select(ModelVersionRow).order_by(ModelVersionRow.created_at, ModelVersionRow.id)
        with self._session() as session:
            return [_model_version(row) for row in session.scalars(query)]

    @_unavailable
    def activate_model_version(self, version: str) -> ModelVersion:
        with self._session() as session:
            row = session.scalars(
                select(ModelVersionRow).where(ModelVersionRow.version == version)
            ).one_or_none()
            if row is None:
                raise UnknownModelVersion(f"unknown model version {version!r}")
            session.execute(
                update(ModelVersionRow).where(ModelVersionRow.id != row.id).values(active=False)
            )
            row.active = True
            session.flush()
            return _model_version(row)

    @_unavailable
    def active_model_version(self) -> ModelVersion | None:
        query = select(ModelVersionRow).where(ModelVersionRow.active.is_(True))
        with self._session() as session:
            row = session.scalars(query).first()
            return None if row is None else _model_version(row)

    # -- health ----------------------------------------------------------------------------
    @_unavailable
    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
