"""Idempotent batched writes of scored messages, one strategy per database.

Both skip messages of opted-out users and channels, keep the last copy of a message id within a
batch, and on a stored id replace the score, label, model version, text and reason (an edit is a
rescore; created time and author stay). They return the number of messages written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.dialects import sqlite

from storage.tables import ChannelRow, MessageRow, OptedOutUserRow
from storage.types import ScoredMessage

M = MessageRow
COLUMNS = (
    "platform",
    "workspace",
    "channel",
    "message_id",
    "author_id",
    "created_at",
    "score",
    "label",
    "model_version",
    "text",
    "reason",
)
UPDATED_ON_CONFLICT = ("score", "label", "model_version", "text", "reason")
PG_TYPES = ("varchar",) * 5 + ("timestamptz", "float8") + ("varchar",) * 4

# PostgreSQL: the whole batch as 11 arrays in one statement (one round trip, one cached plan,
# one run of the statement-level rollup trigger); the opt-out filter runs in the same statement,
# so an opt-out committed by another instance is honoured without a race.
_ARRAYS = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(COLUMNS, PG_TYPES, strict=True))
POSTGRES_UPSERT = text(
    f"INSERT INTO scored_messages ({', '.join(COLUMNS)}) "
    f"SELECT b.* FROM unnest({_ARRAYS}) "
    f"AS b({', '.join(COLUMNS)}) "
    "WHERE NOT EXISTS (SELECT 1 FROM opted_out_users u "
    "WHERE u.platform = b.platform AND u.user_id = b.author_id) "
    "AND NOT EXISTS (SELECT 1 FROM channels c "
    "WHERE c.platform = b.platform AND c.channel = b.channel AND c.opted_out) "
    "ON CONFLICT (platform, channel, message_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in UPDATED_ON_CONFLICT)
)


def clean_text(value: str | None) -> str | None:
    """Make chat text storable everywhere: no NUL characters, no lone surrogates."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _latest(messages: Sequence[ScoredMessage]) -> list[ScoredMessage]:
    return list({m.key: m for m in messages}.values())


def _row(msg: ScoredMessage) -> dict[str, Any]:
    return {
        "platform": msg.platform,
        "workspace": msg.workspace,
        "channel": msg.channel,
        "message_id": msg.message_id,
        "author_id": msg.author_id,
        "created_at": msg.created_at,
        "score": msg.score,
        "label": str(msg.label),
        "model_version": msg.model_version,
        "text": clean_text(msg.text),
        "reason": msg.reason[:64] if msg.reason else msg.reason,
    }


def postgres_upsert(conn: Connection, messages: Sequence[ScoredMessage]) -> int:
    """Write a batch to PostgreSQL with one ``INSERT .. SELECT unnest(..) ON CONFLICT``."""
    rows = [_row(m) for m in _latest(messages)]
    if not rows:
        return 0
    for value in (r["created_at"] for r in rows):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; use a timezone-aware one")
    arrays = {c: [r[c] for r in rows] for c in COLUMNS}
    return conn.execute(POSTGRES_UPSERT, arrays).rowcount


def _sqlite_statement() -> Any:
    stmt = sqlite.insert(MessageRow)
    return stmt.on_conflict_do_update(
        index_elements=[M.platform, M.channel, M.message_id],
        set_={name: stmt.excluded[name] for name in UPDATED_ON_CONFLICT},
    )


SQLITE_UPSERT = _sqlite_statement()


def sqlite_upsert(conn: Connection, messages: Sequence[ScoredMessage]) -> int:
    """Write a batch to SQLite with ``executemany`` of ``INSERT .. ON CONFLICT DO UPDATE``.

    SQLite has one writer at a time, so filtering opt-outs first in the same transaction is
    exact.
    """
    latest = _latest(messages)
    if not latest:
        return 0
    users = conn.execute(
        select(OptedOutUserRow.platform, OptedOutUserRow.user_id).where(
            OptedOutUserRow.user_id.in_({m.author_id for m in latest})
        )
    )
    channels = conn.execute(
        select(ChannelRow.platform, ChannelRow.channel).where(
            ChannelRow.opted_out.is_(True), ChannelRow.channel.in_({m.channel for m in latest})
        )
    )
    blocked_users = {(r.platform, r.user_id) for r in users}
    blocked_channels = {(r.platform, r.channel) for r in channels}
    rows = [
        _row(m)
        for m in latest
        if (m.platform, m.author_id) not in blocked_users
        and (m.platform, m.channel) not in blocked_channels
    ]
    if rows:
        conn.execute(SQLITE_UPSERT, rows)
    return len(rows)
