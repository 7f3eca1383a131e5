"""Engines for the two supported backends, with SQLite tuned for a bot's concurrent writes."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from storage.errors import UnsupportedDatabaseURL

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_CACHE_KIB = 65536  # per connection; the default 2 MiB makes writes slow down as tables grow
POSTGRES_CONNECT_TIMEOUT_S = 5
EXPECTED = "sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"


# ``scheme://user:password@``: what a URL-looking password is, even in a malformed URL.
_USER_PASSWORD = re.compile(r"(?<=://)([^/\s:@]*):[^\s@]*@")


def safe_url(url: str | URL) -> str:
    """The URL with any password masked (``***``), for messages and logs; never raises."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return _USER_PASSWORD.sub(r"\1:***@", str(url))


def scrub(text: str, url: str | URL) -> str:
    """``text`` (an exception's message, a log line) without the password of ``url``.

    The password is masked wherever it appears: inside the URL as given or as SQLAlchemy renders
    it, URL-encoded, or alone; and any other ``user:password@`` is masked too.

    Parameters
    ----------
    text
        What may contain the secret.
    url
        The database URL whose password must not show.
    """
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError, TypeError):
        password = None
    if password:
        secret = str(password)
        for form in {secret, quote_plus(secret), quote(secret, safe="")}:
            text = text.replace(form, "***")
    return _USER_PASSWORD.sub(r"\1:***@", text)


def describe_error(exc: BaseException, url: str | URL) -> str:
    """The first line of ``exc``'s message with ``url``'s password scrubbed (``scrub``)."""
    message = str(exc).strip()
    first = message.splitlines()[0] if message else type(exc).__name__
    return scrub(first, url)


def is_sqlite(url: str | URL) -> bool:
    """Whether the URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    """The file of a SQLite URL, or ``None`` for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def create_engine_for(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for a ``sqlite:///`` or ``postgresql+psycopg://`` URL.

    SQLite gets WAL mode, foreign keys and a busy timeout on every connection, and the parent
    directory of its file is created. An in-memory SQLite database is shared by all threads.
    PostgreSQL connections are checked before use so the pool recovers after an outage.

    Raises ``UnsupportedDatabaseURL`` for a malformed URL or another backend.

    Parameters
    ----------
    url
        The database URL.
    **kwargs
        Passed on to :func:`sqlalchemy.create_engine`.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UnsupportedDatabaseURL(f"invalid database URL: expected {EXPECTED}") from None
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is None:
            kwargs.setdefault("poolclass", StaticPool)
            kwargs.setdefault("connect_args", {"check_same_thread": False})
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if parsed.get_backend_name() == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_S)
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, connect_args=connect_args, **kwargs)
    raise UnsupportedDatabaseURL(
        f"unsupported database URL {safe_url(parsed)}: expected {EXPECTED}"
    )
