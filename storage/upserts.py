"""Idempotent batched writes of scored messages, one strategy per database.

Both skip messages of opted-out users and channels, keep the last copy of a message id within a
batch, and on a stored id replace the score, label, model version, text and reason (an edit is a
rescore; created time and author stay). They return the number of messages written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.dialects import sqlite

from storage.tables import ChannelRow, MessageRow, OptedOutUserRow, UTCDateTime
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

# PostgreSQL: the whole batch as one JSON array of rows in one statement (one round trip, one
# cached plan, one run of the statement-level rollup trigger; the server parses the JSON, so the
# writer thread does not spend the GIL on per-value adaptation); the opt-out filter runs in the
# same statement, so an opt-out committed by another instance is honoured without a race.
_RECORD = ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, PG_TYPES, strict=True))
POSTGRES_UPSERT = text(
    f"INSERT INTO scored_messages ({', '.join(COLUMNS)}) "
    f"SELECT b.* FROM json_to_recordset(CAST(:rows AS json)) AS b({_RECORD}) "
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
    """Write a batch to PostgreSQL with one ``INSERT .. SELECT json_to_recordset(..)``."""
    rows = [_row(m) for m in _latest(messages)]
    if not rows:
        return 0
    for row in rows:
        created: datetime = row["created_at"]
        if created.tzinfo is None:
            raise ValueError(
                f"naive datetime {created.isoformat()} given; use a timezone-aware one"
            )
        row["created_at"] = created.isoformat()
    return conn.execute(POSTGRES_UPSERT, {"rows": json.dumps(rows, ensure_ascii=False)}).rowcount


# SQLite: the whole batch as one JSON array in one statement, so the driver steps once per
# batch (an ``executemany`` steps once per row and takes the GIL back after each step, which
# stalls behind a busy event loop).
_JSON_COLUMNS = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(COLUMNS)))
SQLITE_UPSERT = text(
    f"INSERT INTO scored_messages ({', '.join(COLUMNS)}) "
    f"SELECT {_JSON_COLUMNS} FROM json_each(:rows) WHERE true "  # WHERE: SQLite's upsert syntax
    "ON CONFLICT (platform, channel, message_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in UPDATED_ON_CONFLICT)
)
_SQLITE_TIME = UTCDateTime().bind_processor(sqlite.dialect())


def _sqlite_row(msg: ScoredMessage) -> list[Any]:
    row = _row(msg)
    row["created_at"] = _SQLITE_TIME(row["created_at"])
    return [row[c] for c in COLUMNS]


def sqlite_upsert(conn: Connection, messages: Sequence[ScoredMessage]) -> int:
    """Write a batch to SQLite with one ``INSERT .. SELECT json_each(..) ON CONFLICT``.

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
        _sqlite_row(m)
        for m in latest
        if (m.platform, m.author_id) not in blocked_users
        and (m.platform, m.channel) not in blocked_channels
    ]
    if rows:
        conn.execute(SQLITE_UPSERT, {"rows": json.dumps(rows, ensure_ascii=False)})
    return len(rows)
