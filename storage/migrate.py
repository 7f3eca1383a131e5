"""Schema migrations (Alembic, shipped inside the package) and the schema-version check."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from storage.engine import create_engine_for, safe_url, scrub
from storage.errors import DatabaseUnavailable, SchemaOutOfDate

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "run `sentibot db upgrade`"


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            getattr(command, action)(config, revision)
    except OperationalError as exc:
        raise DatabaseUnavailable(
            scrub(
                f"cannot reach database {safe_url(engine.url)}: {exc.orig}", engine.url
            ).splitlines()[0]
        ) from exc


def upgrade(url: str | URL | Engine, revision: str = "head") -> str:
    """Migrate a database to ``revision`` (the newest by default); returns the revision reached."""
    engine, owned = _engine(url)
    try:
        _run(engine, "upgrade", revision)
        reached = current_revision(engine)
        logger.info("database %s at revision %s", safe_url(engine.url), reached)
        return reached or "base"
    finally:
        if owned:
            engine.dispose()


def downgrade(url: str | URL | Engine, revision: str) -> None:
    """Migrate a database down to ``revision`` (``"base"`` drops every table)."""
    engine, owned = _engine(url)
    try:
        _run(engine, "downgrade", revision)
    finally:
        if owned:
            engine.dispose()


def current_revision(url: str | URL | Engine) -> str | None:
    """The revision a database is at, ``None`` for an empty (never migrated) database."""
    engine, owned = _engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailable(
            scrub(
                f"cannot reach database {safe_url(engine.url)}: {exc.orig}", engine.url
            ).splitlines()[0]
        ) from exc
    finally:
        if owned:
            engine.dispose()


def check_current(url: str | URL | Engine) -> None:
    """Raise ``SchemaOutOfDate`` (naming ``sentibot db upgrade``) unless the schema is at head."""
    engine, owned = _engine(url)
    try:
        current = current_revision(engine)
        head = head_revision()
        if current == head:
            return
        where = safe_url(engine.url)
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if current is not None and current not in known:
            raise SchemaOutOfDate(
                f"database {where} is at revision {current}, newer than this sentibot ({head}): "
                "upgrade sentibot"
            )
        state = "is empty" if current is None else f"is at revision {current}"
        raise SchemaOutOfDate(f"database {where} {state}, sentibot needs {head}: {UPGRADE_HINT}")
    finally:
        if owned:
            engine.dispose()


def _engine(url: str | URL | Engine) -> tuple[Engine, bool]:
    if isinstance(url, Engine):
        return url, False
    return create_engine_for(url), True
