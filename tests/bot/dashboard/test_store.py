"""The dashboard's state in the database, on SQLite and PostgreSQL: one shared signing secret,
grants replaced as a whole, logouts shared by every instance."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from bot.dashboard.links import LINK, new_link, signer_for
from storage.dashboard_store import Grant, SqlDashboardStore, Viewer
from storage.database import Database

BOB = Viewer("discord", "G1", "U2")


def test_instances_share_one_generated_secret(database: Database, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    other = Database(database.url)  # a second instance on the same database
    try:
        first = SqlDashboardStore(database.engine).signing_secret()
        second = SqlDashboardStore(other.engine).signing_secret()
    finally:
        other.close()
    assert first == second and len(first) == 32
    assert first.hex() not in caplog.text  # never logged
    url, _ = new_link(signer_for(SqlDashboardStore(database.engine), None), BOB, "http://x")
    token = url.split("t=", 1)[1]
    assert signer_for(SqlDashboardStore(database.engine), None).verify(token, LINK).viewer == BOB


def test_the_environment_secret_wins(database: Database) -> None:
    store = SqlDashboardStore(database.engine)
    from_env = signer_for(store, SecretStr("an operator's secret, long enough"))
    url, _ = new_link(from_env, BOB, "http://x")
    with pytest.raises(Exception, match="not one of"):
        signer_for(store, None).verify(url.split("t=", 1)[1], LINK)


def test_grants_are_replaced_as_a_whole_and_named(database: Database) -> None:
    store = SqlDashboardStore(database.engine)
    store.replace_grants(BOB, [Grant("C1", "general"), Grant("C2", "x" * 300)])
    store.replace_grants(Viewer("discord", "G1", "U3"), [Grant("C9", "nine")])
    assert [g.channel for g in store.grants(BOB)] == ["C1", "C2"]
    assert len(store.grants(BOB)[1].name) == 128  # cut to the column
    store.replace_grants(BOB, [Grant("C2", "random")])
    assert store.grants(BOB) == [Grant("C2", "random")]
    assert store.channel_names()[("discord", "C9")] == "nine"
    store.replace_grants(BOB, [])
    assert store.grants(BOB) == []


def test_a_logout_is_seen_by_every_instance(database: Database) -> None:
    store = SqlDashboardStore(database.engine)
    later = datetime.now(UTC) + timedelta(hours=1)
    store.revoke("s1", later)
    store.revoke("s1", later)  # twice: fine
    other = Database(database.url)
    try:
        assert SqlDashboardStore(other.engine).is_revoked("s1")
        assert not SqlDashboardStore(other.engine).is_revoked("s2")
    finally:
        other.close()
    store.revoke("s2", datetime.now(UTC) - timedelta(seconds=1))  # already past its time
    store.revoke("s3", later)  # ... so this one's clean-up forgets it
    assert not store.is_revoked("s2") and store.is_revoked("s3")
