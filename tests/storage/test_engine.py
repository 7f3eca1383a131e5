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


URL_WITH_PASSWORD = "postgresql+psycopg://bot:s3cr%40t!@db.example:5432/x"


def test_safe_url_never_raises_and_never_shows_the_password() -> None:
    assert "s3cr" not in safe_url(URL_WITH_PASSWORD)
    assert safe_url("postgresql://bot:hunter2@") == "postgresql://bot:***@"
    assert "hunter2" not in safe_url("::not a url://bot:hunter2@host")


def test_scrub_hides_the_password_in_any_form() -> None:
    from storage.engine import describe_error, scrub

    text = (
        f"connect to {URL_WITH_PASSWORD} failed; password 's3cr@t!' rejected; "
        "also postgresql://other:pw2@h/y\nsecond line s3cr@t!"
    )
    cleaned = scrub(text, URL_WITH_PASSWORD)
    assert "s3cr" not in cleaned and "pw2" not in cleaned
    assert "bot:***@db.example" in cleaned and "other:***@h/y" in cleaned
    error = RuntimeError(text)
    assert describe_error(error, URL_WITH_PASSWORD) == cleaned.splitlines()[0]
