"""Logging setup: human-readable or JSON lines, with secrets and message text kept out.

``configure_logging`` installs one handler on the root logger, so every library's records
(discord.py, slack-bolt, aiohttp, SQLAlchemy...) pass through the same ``RedactionFilter``
before they are formatted. The filter replaces the values of the platform-token environment
variables, anything shaped like a Slack or Discord token, and database-URL passwords with
``[REDACTED]`` in the message, its arguments, extra fields and tracebacks.

Message text is not logged unless ``[privacy] store_text`` is on: code that wants to mention a
message in a log line goes through ``loggable_text(text, store_text)``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

logger = logging.getLogger(__name__)

REDACTED = "[REDACTED]"
SECRET_ENV_VARS: tuple[str, ...] = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "DISCORD_TOKEN",
)
# Shorter values are not treated as secrets: redacting "abc" everywhere would ruin the logs.
MIN_SECRET_LENGTH = 8
TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}"),  # Slack bot/user/workspace tokens
    re.compile(r"\bxoxe\.xox[bp]-[A-Za-z0-9-]{8,}"),  # Slack rotating tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"),  # Slack app-level tokens
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b"),  # Discord
    re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),  # user:password in a URL
)
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def _secret_values(names: Iterable[str]) -> list[str]:
    values = (os.environ.get(name, "").strip() for name in names)
    return sorted({v for v in values if len(v) >= MIN_SECRET_LENGTH}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace ``secrets`` and anything shaped like a token in ``text`` with ``[REDACTED]``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class RedactionFilter(logging.Filter):
    """Rewrite every record so that no token reaches a handler's output.

    The values of ``env_vars`` are read from the environment for each record, so a token set
    after logging was configured is still caught. The filter never drops a record.
    """

    def __init__(self, env_vars: Iterable[str] = SECRET_ENV_VARS) -> None:
        super().__init__()
        self.env_vars = tuple(env_vars)
        self._traceback_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secret_values(self.env_vars)
        try:
            message = record.getMessage()
        except Exception:  # bad %-args: keep what we can rather than lose the record
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = redact(message, secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value, secrets))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, extra fields.

    ``exc_info`` (the formatted traceback) and ``stack_info`` are added when present; values
    that JSON cannot represent are written with ``str()``.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


# Libraries whose INFO records are routine (each job run, each migration context).
CHATTY_LIBRARIES = ("apscheduler", "alembic.runtime.migration")


def configure_logging(
    level: str | int = "INFO",
    fmt: Literal["text", "json"] = "text",
    *,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr), redacted, as text or JSON lines.

    Replaces handlers previously installed by this function (so calling it twice is safe) and
    routes ``warnings`` through logging.

    Parameters
    ----------
    level
        A level name (``"INFO"``, ``"debug"``) or number; ``[ops] log_level``.
    fmt
        ``"text"`` for people, ``"json"`` for log collectors; ``[ops] log_format``.
    stream
        Where to write; stderr by default.

    Returns
    -------
    logging.Handler
        The installed handler.

    Raises
    ------
    ValueError
        For an unknown level or format.
    """
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown log format {fmt!r}: use 'text' or 'json'")
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name("sentibot")
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):  # ours from an earlier call, or logging.basicConfig's
        console = type(old) is logging.StreamHandler and old.stream in (sys.stderr, sys.stdout)
        if old.get_name() == "sentibot" or console:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in CHATTY_LIBRARIES:  # their INFO lines are routine; warnings still show
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    logging.captureWarnings(True)
    return handler


def loggable_text(text: str, store_text: bool, *, limit: int = 80) -> str:
    """How a chat message's text may appear in a log line.

    Parameters
    ----------
    text
        The message text.
    store_text
        ``[privacy] store_text``: when off, only the length is shown.
    limit
        With ``store_text`` on, longer text is cut to this many characters.

    Returns
    -------
    str
        ``"<42 chars>"`` without ``store_text``; otherwise the (cut) text, ``repr``-quoted so
        control characters cannot forge log lines.
    """
    if not store_text:
        return f"<{len(text)} chars>"
    shown = text if len(text) <= limit else text[:limit] + "..."
    return repr(shown)
