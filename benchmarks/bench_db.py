"""A throw-away, migrated database for the storage benchmarks (SQLite file or PostgreSQL schema)."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

from storage.migrate import upgrade


@contextlib.contextmanager
def temporary_database(kind: str, postgres_url: str) -> Iterator[str]:
    """A fresh, migrated database URL of ``kind``; removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sentibot-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            yield url
        return
    schema = f"sentibot_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = (
        sa.engine.make_url(postgres_url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
