"""Batched writes of scored messages, one strategy per database, following ``storage.ordering``.

Each round of a batch (``ordering.rounds``; almost always one) is at most two statements, each
deciding everything inside itself, so nothing is read first and then written:

- originals: ``INSERT .. SELECT .. ON CONFLICT DO UPDATE .. WHERE``, skipping messages with a
  tombstone (deleted) and of opted-out users and channels, and replacing only a stored original;
- edits: ``UPDATE .. FROM`` the batch, so an edit of a message never stored writes nothing, and
  only over an older (or no) edit. A stored row is never tombstoned or opted out: deletes and
  opt-outs remove it in the same transaction.

Created time and author stay. Both return how many rows they wrote.

On PostgreSQL the caller holds the shared write lock (``storage.locks``) so a delete committed
by another instance can never slip between this statement's snapshot and its commit, and the
batch takes its rollup buckets first (``storage.rollup_locks``) so instances never deadlock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects import sqlite

from storage.ordering import edit_time, is_edit, rounds
from storage.rollup_locks import release_empty, take_buckets
from storage.tables import UTCDateTime
from storage.types import ScoredMessage

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
    "edited_at",
)
UPDATED_ON_CONFLICT = ("score", "label", "model_version", "text", "reason", "edited_at")
PG_TYPES = ("varchar",) * 5 + ("timestamptz", "float8") + ("varchar",) * 4 + ("timestamptz",)

# Shared by both databases: the filters on an incoming original ``b`` and the winning rules.
FILTERS = (
    "WHERE NOT EXISTS (SELECT 1 FROM message_tombstones x WHERE x.platform = b.platform "
    "AND x.channel = b.channel AND x.message_id = b.message_id) "
    "AND NOT EXISTS (SELECT 1 FROM opted_out_users u "
    "WHERE u.platform = b.platform AND u.user_id = b.author_id) "
    "AND NOT EXISTS (SELECT 1 FROM channels c "
    "WHERE c.platform = b.platform AND c.channel = b.channel AND c.opted_out) "
)
_ON_CONFLICT = (
    "ON CONFLICT (platform, channel, message_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in UPDATED_ON_CONFLICT)
    + " WHERE scored_messages.edited_at IS NULL"  # an original never replaces an edit
)
_EDIT_SET = ", ".join(f"{c} = b.{c}" for c in UPDATED_ON_CONFLICT)
_EDIT_WHERE = (
    "WHERE scored_messages.platform = b.platform AND scored_messages.channel = b.channel "
    "AND scored_messages.message_id = b.message_id AND (scored_messages.edited_at IS NULL "
    "OR scored_messages.edited_at < b.edited_at)"
)

# PostgreSQL: a round as one JSON array of rows in one statement (one round trip, one cached
# plan, one run of the statement-level rollup trigger; the server parses the JSON, so the
# writer thread does not spend the GIL on per-value adaptation).
_RECORD = ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, PG_TYPES, strict=True))
_PG_ROWS = f"json_to_recordset(CAST(:rows AS json)) AS b({_RECORD})"
POSTGRES_UPSERT = text(
    f"INSERT INTO scored_messages ({', '.join(COLUMNS)}) SELECT b.* FROM {_PG_ROWS} "
    f"{FILTERS}{_ON_CONFLICT}"
)
POSTGRES_EDIT = text(f"UPDATE scored_messages SET {_EDIT_SET} FROM {_PG_ROWS} {_EDIT_WHERE}")


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
        "edited_at": edit_time(msg),
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given; use a timezone-aware one")
    return moment.isoformat()


def _split(batch: list[ScoredMessage]) -> list[tuple[bool, list[ScoredMessage]]]:
    """``(is_edit, messages)`` of a round, originals first; empty parts left out."""
    originals = [m for m in batch if not is_edit(m)]
    if len(originals) == len(batch):
        return [(False, batch)]
    edits = [m for m in batch if is_edit(m)]
    return [(False, originals), (True, edits)] if originals else [(True, edits)]


def postgres_upsert(conn: Connection, messages: Sequence[ScoredMessage]) -> int:
    """Write a batch to PostgreSQL, each part one statement over ``json_to_recordset(..)``,
    its rollup buckets taken first in the global order (``storage.rollup_locks``)."""
    if not messages:
        return 0
    buckets = take_buckets(conn, messages)
    written = 0
    for batch in rounds(messages):
        for edits, part in _split(batch):
            rows = [_row(m) for m in part]
            for row in rows:
                row["created_at"] = _iso(row["created_at"])
                row["edited_at"] = _iso(row["edited_at"])
            payload = json.dumps(rows, ensure_ascii=False)
            statement = POSTGRES_EDIT if edits else POSTGRES_UPSERT
            written += conn.execute(statement, {"rows": payload}).rowcount
    if written < len(messages):  # some were filtered out: their buckets may be empty
        release_empty(conn, buckets)
    return written


# SQLite: a round as one JSON array in one statement, so the driver steps once per batch (an
# ``executemany`` steps once per row and takes the GIL back after each step, which stalls
# behind a busy event loop). SQLite has one writer at a time; the statement is atomic.
_JSON_COLUMNS = ", ".join(f"json_extract(value, '$[{i}]') AS {c}" for i, c in enumerate(COLUMNS))
_SQLITE_ROWS = f"(SELECT {_JSON_COLUMNS} FROM json_each(:rows)) AS b"
SQLITE_UPSERT = text(
    f"INSERT INTO scored_messages ({', '.join(COLUMNS)}) SELECT b.* FROM {_SQLITE_ROWS} "
    f"{FILTERS}{_ON_CONFLICT}"
)
SQLITE_EDIT = text(f"UPDATE scored_messages SET {_EDIT_SET} FROM {_SQLITE_ROWS} {_EDIT_WHERE}")
_SQLITE_TIME = UTCDateTime().bind_processor(sqlite.dialect())


def _sqlite_row(msg: ScoredMessage) -> list[Any]:
    row = _row(msg)
    row["created_at"] = _SQLITE_TIME(row["created_at"])
    row["edited_at"] = _SQLITE_TIME(row["edited_at"])
    return [row[c] for c in COLUMNS]


def sqlite_upsert(conn: Connection, messages: Sequence[ScoredMessage]) -> int:
    """Write a batch to SQLite, each part one statement over ``json_each(..)``."""
    written = 0
    for batch in rounds(messages):
        for edits, part in _split(batch):
            payload = json.dumps([_sqlite_row(m) for m in part], ensure_ascii=False)
            statement = SQLITE_EDIT if edits else SQLITE_UPSERT
            written += conn.execute(statement, {"rows": payload}).rowcount
    return written
