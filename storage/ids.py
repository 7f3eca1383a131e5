"""Checks of platform ids at the storage boundary, and a safe way to show them in logs.

Ids come from chat platforms, so from strangers: a NUL, a lone surrogate or a 10 kB "id" must be
refused with a clear error before it reaches a batch (where PostgreSQL would refuse the whole
statement), and must never be written to a log as is. ``check_message`` and ``check_key`` raise
``InvalidId``; ``loggable`` renders any value as a short, escaped, single-line string.
"""

from __future__ import annotations

from datetime import datetime

from storage.errors import InvalidId
from storage.types import Feedback, MessageKey, ReplyText, ScoredMessage

# The column widths of ``storage.tables``.
LIMITS = {
    "platform": 16,
    "workspace": 64,
    "channel": 64,
    "message_id": 128,
    "author_id": 64,
    "label": 16,
    "model_version": 128,
    "user_id": 64,
    "token": 32,
}
LOG_CHARS = 40


def loggable(value: object, limit: int = LOG_CHARS) -> str:
    """``value`` for a log line: as is when short and printable, else escaped and capped."""
    if isinstance(value, str) and len(value) <= limit and value.isprintable() and value.isascii():
        return value
    text = value if isinstance(value, str) else repr(value)
    shown = ascii(text[:limit])
    return shown if len(text) <= limit else f"{shown}...({len(text)} chars)"


def check_id(field: str, value: object, *, empty: bool = False) -> None:
    """Raise ``InvalidId`` unless ``value`` can be stored in column ``field``.

    Parameters
    ----------
    field
        A key of ``LIMITS``.
    value
        The id: a ``str`` within the column's width, without NUL or lone surrogates.
    empty
        Whether ``""`` is allowed (``workspace`` may be unknown).
    """
    if not isinstance(value, str):
        raise InvalidId(f"{field} must be a string, not {type(value).__name__}")
    limit = LIMITS[field]
    if len(value) > limit:
        raise InvalidId(
            f"{field} too long ({len(value)} chars, at most {limit}): {loggable(value)}"
        )
    if not value and not empty:
        raise InvalidId(f"{field} is empty")
    if "\x00" in value:
        raise InvalidId(f"{field} contains a NUL character: {loggable(value)}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidId(f"{field} is not valid Unicode: {loggable(value)}") from None


def check_key(key: MessageKey) -> None:
    """Raise ``InvalidId`` unless every part of ``key`` can be stored."""
    check_id("platform", key.platform)
    check_id("channel", key.channel)
    check_id("message_id", key.message_id)


def check_feedback(fb: Feedback) -> None:
    """Raise ``InvalidId`` unless a feedback's ids can be stored (``message_id`` may be empty)."""
    check_id("platform", fb.platform)
    check_id("channel", fb.channel)
    check_id("message_id", fb.message_id, empty=True)
    check_id("user_id", fb.user_id)
    check_id("label", fb.label)
    if fb.author_id is not None:
        check_id("author_id", fb.author_id)


def check_reply_text(rt: ReplyText) -> None:
    """Raise ``InvalidId`` unless a reply text's ids can be stored."""
    check_id("token", rt.token)
    check_id("platform", rt.platform)
    check_id("workspace", rt.workspace, empty=True)
    check_id("channel", rt.channel)
    check_id("author_id", rt.author_id)


def _plainly_valid(msg: ScoredMessage) -> bool:
    """The hot path of ``check_message``: short ASCII ids without NUL, aware times."""
    try:
        joined = (
            msg.platform
            + msg.workspace
            + msg.channel
            + msg.message_id
            + msg.author_id
            + msg.label
            + msg.model_version
        )
        return (
            0 < len(msg.platform) <= 16
            and len(msg.workspace) <= 64
            and 0 < len(msg.channel) <= 64
            and 0 < len(msg.message_id) <= 128
            and 0 < len(msg.author_id) <= 64
            and 0 < len(msg.label) <= 16
            and len(msg.model_version) <= 128
            and joined.isascii()
            and "\x00" not in joined
            and msg.created_at.tzinfo is not None
            and (msg.edited_at is None or msg.edited_at.tzinfo is not None)
        )
    except (TypeError, AttributeError):
        return False


def check_message(msg: ScoredMessage) -> None:
    """Raise ``InvalidId`` (a ``ValueError``) unless ``msg``'s ids and times can be stored."""
    if _plainly_valid(msg):
        return
    check_key(msg.key)
    check_id("workspace", msg.workspace, empty=True)
    check_id("author_id", msg.author_id)
    check_id("label", msg.label)
    check_id("model_version", msg.model_version, empty=True)
    for name, moment in (("created_at", msg.created_at), ("edited_at", msg.edited_at)):
        if moment is None and name == "edited_at":
            continue
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise InvalidId(f"{name} must be a timezone-aware datetime, not {loggable(moment)}")


def reason_of(exc: BaseException) -> str:
    """Why a write failed, for a log line, without the data: never the SQL parameters.

    Our own errors (``InvalidId`` and other ``StorageError``) already show ids escaped and
    capped; a driver error shows only its class and SQLSTATE, since its text may quote values.
    """
    from storage.errors import StorageError

    if isinstance(exc, StorageError):
        return loggable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 300)
    orig = getattr(exc, "orig", None)
    if orig is not None:
        state = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
        return f"{type(orig).__name__}" + (f" ({state})" if state else "")
    return type(exc).__name__
