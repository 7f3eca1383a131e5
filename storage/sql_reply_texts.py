"""The reply-text part of ``SqlRepository``: what a public score reply scored (#15)."""

from __future__ import annotations

from sqlalchemy import Connection, String, delete, exists, insert, literal, select
from sqlalchemy.orm import Session

from storage import upserts
from storage.ids import check_reply_text
from storage.locks import lock_writes
from storage.sql_base import SqlBase, unavailable
from storage.tables import ChannelRow, OptedOutUserRow, ReplyTextRow, UTCDateTime
from storage.types import ReplyText

R = ReplyTextRow
COLUMNS = ("token", "platform", "workspace", "channel", "author_id", "text", "created_at")


def delete_user_reply_texts(executor: Connection | Session, platform: str, user_id: str) -> None:
    """Delete the reply texts of one user's commands, in the caller's transaction."""
    where = (R.platform == platform) & (R.author_id == user_id)
    executor.execute(delete(ReplyTextRow).where(where))


def delete_channel_reply_texts(executor: Connection | Session, platform: str, channel: str) -> None:
    """Delete the reply texts of one channel, in the caller's transaction."""
    where = (R.platform == platform) & (R.channel == channel)
    executor.execute(delete(ReplyTextRow).where(where))


class ReplyTextsMixin(SqlBase):
    """``Repository`` methods on the ``reply_texts`` table."""

    @unavailable
    def keep_reply_text(self, rt: ReplyText) -> bool:
        check_reply_text(rt)
        opted_out = exists().where(
            (OptedOutUserRow.platform == rt.platform) & (OptedOutUserRow.user_id == rt.author_id)
        ) | exists().where(
            (ChannelRow.platform == rt.platform)
            & (ChannelRow.channel == rt.channel)
            & ChannelRow.opted_out.is_(True)
        )
        values = select(
            *(literal(getattr(rt, name), String) for name in COLUMNS[:5]),
            literal(upserts.clean_text(rt.text) or "", String),
            literal(rt.created_at, UTCDateTime()),
        ).where(~opted_out)
        statement = insert(ReplyTextRow).from_select(list(COLUMNS), values).returning(R.token)
        with self.engine.begin() as conn:
            lock_writes(conn, exclusive=False)
            return conn.execute(statement).first() is not None

    @unavailable
    def reply_text(self, token: str) -> ReplyText | None:
        with self._session() as session:
            row = session.get(ReplyTextRow, token)
            if row is None:
                return None
            return ReplyText(
                row.token,
                row.platform,
                row.workspace,
                row.channel,
                row.author_id,
                row.text,
                row.created_at,
            )
