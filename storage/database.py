"""Opening the database: engine, schema check or first-start migration, repository."""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from storage.config import StorageConfig
from storage.engine import create_engine_for, is_sqlite, safe_url
from storage.migrate import check_current, current_revision, head_revision, upgrade
from storage.sql_repository import SqlRepository

logger = logging.getLogger(__name__)

__all__ = [
    "Database",
    "check_current",
    "create_engine_for",
    "open_database",
    "upgrade",
]


class Database:
    """An engine and the repository on it.

    Parameters
    ----------
    url
        ``sqlite:///PATH`` or ``postgresql+psycopg://USER@HOST/DB``.
    """

    def __init__(self, url: str | URL, **engine_kwargs: object) -> None:
        self.url = url
        self.engine: Engine = create_engine_for(url, **engine_kwargs)
        self.repository = SqlRepository(self.engine)

    def __repr__(self) -> str:
        return f"Database({safe_url(self.url)!r})"

    def upgrade(self) -> str:
        """Migrate this database to the newest schema."""
        return upgrade(self.engine)

    def check_current(self) -> None:
        """Raise ``SchemaOutOfDate`` unless the schema is at the newest revision."""
        check_current(self.engine)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_database(config: StorageConfig) -> Database:
    """Open the configured database, ready to use.

    A SQLite database is created (with its directory) and migrated on first start, and
    migrated forward when sentibot is upgraded. Any other database must already be at the
    newest schema: several instances may share it, so migrating is an explicit step.

    Raises
    ------
    storage.errors.SchemaOutOfDate
        For a shared database that is behind, naming ``sentibot db upgrade``.
    storage.errors.DatabaseUnavailable
        When the database cannot be reached.
    """
    database = Database(config.url)
    try:
        if is_sqlite(config.url):
            before = current_revision(database.engine)
            if before != head_revision():
                reached = database.upgrade()
                logger.info("migrated %s from %s to %s", database, before or "empty", reached)
        else:
            database.check_current()
    except Exception:
        database.close()
        raise
    return database
