"""The model-version and feedback part of ``SqlRepository`` (small ORM tables)."""

from __future__ import annotations

import logging

from sqlalchemy import Connection, String, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import upserts
from storage.errors import DuplicateModelVersion, UnknownModelVersion
from storage.ids import check_feedback
from storage.locks import lock_writes
from storage.sql_base import SqlBase, unavailable
from storage.tables import (
    ChannelRow,
    FeedbackRow,
    MessageRow,
    ModelVersionRow,
    OptedOutUserRow,
    UTCDateTime,
)
from storage.types import Feedback, ModelVersion

F = FeedbackRow
FEEDBACK_COLUMNS = (
    "platform",
    "channel",
    "message_id",
    "user_id",
    "label",
    "text",
    "created_at",
    "author_id",
)

logger = logging.getLogger(__name__)


def _model_version(row: ModelVersionRow) -> ModelVersion:
    return ModelVersion(
        version=row.version,
        path=row.path,
        metrics=dict(row.metrics),
        active=row.active,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def delete_user_feedback(executor: Connection | Session, platform: str, user_id: str) -> int:
    """Delete the feedback one user gave or wrote the text of, in the caller's transaction.

    Parameters
    ----------
    executor
        An open connection or session; its transaction commits or rolls back the deletion.
    platform, user_id
        Whose feedback.

    Returns
    -------
    int
        How many feedback rows were deleted.
    """
    where = (F.platform == platform) & ((F.user_id == user_id) | (F.author_id == user_id))
    return executor.execute(delete(FeedbackRow).where(where)).rowcount


def _add_feedback_statement(fb: Feedback) -> object:
    """``INSERT .. SELECT`` of one feedback, refused inside the statement for an opted-out
    giver, author or channel; the author defaults to the stored message's."""
    stored_author = (
        select(MessageRow.author_id)
        .where(
            (MessageRow.platform == fb.platform)
            & (MessageRow.channel == fb.channel)
            & (MessageRow.message_id == fb.message_id)
        )
        .scalar_subquery()
    )
    typed = literal(None, String) if fb.message_id else literal(fb.user_id, String)
    author = func.coalesce(literal(fb.author_id, String), stored_author, typed)
    opted_out_person = exists().where(
        (OptedOutUserRow.platform == fb.platform)
        & ((OptedOutUserRow.user_id == fb.user_id) | (OptedOutUserRow.user_id == author))
    )
    opted_out_channel = exists().where(
        (ChannelRow.platform == fb.platform)
        & (ChannelRow.channel == fb.channel)
        & ChannelRow.opted_out.is_(True)
    )
    values = select(
        literal(fb.platform, String),
        literal(fb.channel, String),
        literal(fb.message_id, String),
        literal(fb.user_id, String),
        literal(fb.label, String),
        literal(upserts.clean_text(fb.text) or "", String),
        literal(fb.created_at, UTCDateTime()),
        author,
    ).where(~opted_out_person, ~opted_out_channel)
    return insert(FeedbackRow).from_select(list(FEEDBACK_COLUMNS), values).returning(F.id)


class ModelFeedbackMixin(SqlBase):
    """``Repository`` methods on the ``feedback`` and ``model_versions`` tables."""

    # -- feedback --------------------------------------------------------------------------
    @unavailable
    def add_feedback(self, fb: Feedback) -> bool:
        check_feedback(fb)
        statement = _add_feedback_statement(fb)
        with self.engine.begin() as conn:
            lock_writes(conn, exclusive=False)
            row = conn.execute(statement).first()  # type: ignore[call-overload]
            stored = row is not None
            if stored:  # one person's correction of one thing counts once: the newest
                same = F.message_id == fb.message_id
                if not fb.message_id:
                    same = same & (F.text == (upserts.clean_text(fb.text) or ""))
                where = (F.platform == fb.platform) & (F.channel == fb.channel)
                where = where & (F.user_id == fb.user_id) & same & (F.id != row[0])
                conn.execute(delete(FeedbackRow).where(where))
        if not stored:
            logger.info("feedback on %s/%s refused: opted out", fb.platform, fb.channel)
        return stored

    @unavailable
    def list_feedback(self) -> list[Feedback]:
        query = select(FeedbackRow).order_by(FeedbackRow.created_at, FeedbackRow.id)
        with self._session() as session:
            return [
                Feedback(
                    r.platform,
                    r.channel,
                    r.message_id,
                    r.user_id,
                    r.label,
                    r.text,
                    r.created_at,
                    r.author_id,
                )
                for r in session.scalars(query)
            ]

    # -- model versions --------------------------------------------------------------------
    @unavailable
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

    @unavailable
    def list_model_versions(self) -> list[ModelVersion]:
        query = select(ModelVersionRow).order_by(ModelVersionRow.created_at, ModelVersionRow.id)
        with self._session() as session:
            return [_model_version(row) for row in session.scalars(query)]

    @unavailable
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

    @unavailable
    def active_model_version(self) -> ModelVersion | None:
        query = select(ModelVersionRow).where(ModelVersionRow.active.is_(True))
        with self._session() as session:
            row = session.scalars(query).first()
            return None if row is None else _model_version(row)
