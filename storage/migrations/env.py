"""Alembic environment: runs migrations on the connection or URL that ``storage.migrate`` passes.

From the ``alembic`` command line (``alembic -c storage/alembic.ini upgrade head``) the URL comes
from ``SENTIBOT_STORAGE__URL`` or, failing that, ``sqlalchemy.url`` in the ini file.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from storage.engine import create_engine_for, is_sqlite
from storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(connection.engine.url),  # SQLite ALTERs need batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = (
        config.attributes.get("url")
        or os.environ.get("SENTIBOT_STORAGE__URL")
        or config.get_main_option("sqlalchemy.url")
    )
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("sentibot migrations run online only: use `sentibot db upgrade`")
run_migrations_online()
