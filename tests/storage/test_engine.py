"""Engine creation: URL checks, SQLite directory creation, password masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.engine import create_engine_for, safe_url, sqlite_path
from storage.errors import UnsupportedDatabaseURL


def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "bot.db"
    engine = create_engine_for(f"sqlite:///{target}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    assert target.is_file()


def test_in_memory_sqlite_is_shared_between_connections() -> None:
    engine = create_engine_for("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    assert sqlite_path("sqlite://") is None


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(UnsupportedDatabaseURL, match="expected sqlite:///PATH"):
        create_engine_for(url)


def test_passwords_are_masked() -> None:
    assert safe_url("postgresql+psycopg://bot:s3cret@db/x") == "postgresql+psycopg://bot:***@db/x"
