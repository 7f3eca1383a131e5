"""Alembic migrations from an empty database, round trips, and the schema check at start."""

from __future__ import annotations

import importlib.resources

import pytest
import sqlalchemy as sa

from storage.config import StorageConfig
from storage.database import Database, open_database
from storage.errors import DatabaseUnavailable, SchemaOutOfDate
from storage.migrate import check_current, current_revision, downgrade, head_revision, upgrade
from storage.tables import Base, UTCDateTime
from tests.storage.factories import message

TABLES = set(Base.metadata.tables)


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def insert_old_rows(db: Database, messages: list) -> None:
    """Rows as an older revision holds them (the repository writes today's columns)."""
    columns = ("platform", "workspace", "channel", "message_id", "author_id", "created_at")
    columns += ("score", "label", "model_version", "text", "reason")
    table = sa.table("scored_messages", *(sa.column(c) for c in columns))
    table.c.created_at.type = UTCDateTime()
    with db.engine.begin() as conn:
        conn.execute(sa.insert(table), [{c: getattr(m, c) for c in columns} for m in messages])


def test_migrations_ship_inside_the_package() -> None:
    migrations = importlib.resources.files("storage") / "migrations"
    assert (migrations / "env.py").is_file()
    assert any(p.name.endswith(".py") for p in (migrations / "versions").iterdir())


def test_upgrade_from_empty(db_url: str) -> None:
    assert current_revision(db_url) is None
    with pytest.raises(SchemaOutOfDate, match="is empty.*`sentibot db upgrade`"):
        check_current(db_url)
    assert upgrade(db_url) == head_revision()
    assert table_names(db_url) == TABLES
    check_current(db_url)
    assert upgrade(db_url) == head_revision()  # idempotent


def test_downgrade_upgrade_round_trip(db_url: str) -> None:
    upgrade(db_url)
    downgrade(db_url, "base")
    assert table_names(db_url) == set()
    assert current_revision(db_url) is None
    upgrade(db_url)
    assert table_names(db_url) == TABLES
    with open_database(StorageConfig(url=db_url)) as db:
        assert db.repository.upsert_messages([message(1)]) == 1


def test_database_newer_than_code(db_url: str) -> None:
    upgrade(db_url)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'fffffff'"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="newer than this sentibot"):
        check_current(db_url)


def test_sqlite_created_and_migrated_on_first_start(sqlite_url: str) -> None:
    with open_database(StorageConfig(url=sqlite_url)) as db:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        db.repository.upsert_messages([message(1)])
    with open_database(StorageConfig(url=sqlite_url)) as db:  # second start keeps the data
        assert db.repository.monitored_channels() == [("slack", "C1")]


@pytest.mark.postgres
def test_postgres_behind_names_the_command(postgres_url: str) -> None:
    with pytest.raises(SchemaOutOfDate, match="`sentibot db upgrade`"):
        open_database(StorageConfig(url=postgres_url))
    assert table_names(postgres_url) == set()  # never migrated behind the admin's back
    upgrade(postgres_url)
    with open_database(StorageConfig(url=postgres_url)) as db:
        db.repository.ping()


def test_unreachable_postgres_is_one_clear_error() -> None:
    url = "postgresql+psycopg://bot:hunter2@127.0.0.1:9/sentibot"  # port 9: nothing listens
    with pytest.raises(DatabaseUnavailable, match="cannot reach database") as info:
        open_database(StorageConfig(url=url))
    assert "hunter2" not in str(info.value)


def test_rollup_backfilled_from_existing_rows(db_url: str) -> None:
    from datetime import timedelta

    from tests.storage.factories import T0

    upgrade(db_url, "0001")
    db = Database(db_url)
    try:
        insert_old_rows(db, [message(i, i / 10, at=timedelta(minutes=25 * i)) for i in range(8)])
        upgrade(db.engine)
        stats = db.repository.channel_stats("slack", "C1", T0, T0 + timedelta(hours=4))
    finally:
        db.close()
    assert stats.count == 8
    assert [n for _, n, _ in stats.hourly] == [3, 2, 3]
    assert stats.mean == pytest.approx(0.35)


def columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_0003_down_and_up_keeps_rows_and_triggers(db_url: str) -> None:
    from storage.types import MessageKey

    upgrade(db_url)
    with Database(db_url) as db:
        db.repository.upsert_messages([message(1), message(2)])
        db.repository.delete_message(MessageKey("slack", "C1", "2"))
    downgrade(db_url, "0002")
    assert current_revision(db_url) == "0002"
    assert "message_tombstones" not in table_names(db_url)
    assert "edited_at" not in columns(db_url, "scored_messages")
    assert "author_id" not in columns(db_url, "feedback")
    assert "lease_until" not in columns(db_url, "reports_posted")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # the rollup triggers survived the downgrade
        conn.execute(sa.text("DELETE FROM scored_messages"))
        assert conn.execute(sa.text("SELECT sum(messages) FROM hourly_scores")).scalar() == 0
    engine.dispose()
    upgrade(db_url)
    assert table_names(db_url) == TABLES
    with Database(db_url) as db:
        assert db.repository.schedules_version() == 1
        assert db.repository.upsert_messages([message(2)]) == 1  # tombstones start afresh
        assert db.repository.schedules_version() == 2  # C1 has no rows left: new again
