"""Feedback belongs to whoever wrote its text: opt-out purges it, an opted-out person's feedback
is refused (``add_feedback`` returns ``False``), retention purges it. SQLite, PostgreSQL, fake."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from storage.database import Database
from storage.errors import InvalidId
from storage.migrate import upgrade
from storage.repository import Repository
from storage.types import ChannelSettings, Feedback
from tests.storage.factories import T0, message


def fb(user: str, message_id: str, *, author: str | None = None, minutes: int = 0) -> Feedback:
    at = T0 + timedelta(minutes=minutes)
    return Feedback("slack", "C1", message_id, user, "negative", f"words {message_id}", at, author)


def authors(repo: Repository) -> list[tuple[str, str | None]]:
    return [(f.user_id, f.author_id) for f in repo.list_feedback()]


def test_author_is_the_writer_of_the_text(any_repo: Repository) -> None:
    any_repo.upsert_messages([message(1, author="U1")])
    assert any_repo.add_feedback(fb("U2", "1")) is True  # U2 corrects U1's message
    assert any_repo.add_feedback(fb("U3", "", minutes=1)) is True  # free text U3 typed
    assert any_repo.add_feedback(fb("U4", "gone", minutes=2)) is True  # message not stored
    assert any_repo.add_feedback(fb("U5", "x", author="U6", minutes=3)) is True
    assert authors(any_repo) == [("U2", "U1"), ("U3", "U3"), ("U4", None), ("U5", "U6")]


def test_opt_out_purges_feedback_on_their_words(any_repo: Repository) -> None:
    any_repo.upsert_messages([message(1, author="U1"), message(2, author="U2")])
    any_repo.add_feedback(fb("U2", "1"))  # on U1's words
    any_repo.add_feedback(fb("U1", "2", minutes=1))  # by U1, on U2's words
    any_repo.add_feedback(fb("U3", "2", minutes=2))  # neither
    any_repo.set_user_opt_out("slack", "U1", True)
    assert authors(any_repo) == [("U3", "U2")]


def test_opted_out_feedback_is_refused(any_repo: Repository) -> None:
    any_repo.upsert_messages([message(1, author="U1")])
    any_repo.set_user_opt_out("slack", "U9", True)
    assert any_repo.add_feedback(fb("U9", "")) is False  # the giver opted out
    assert any_repo.add_feedback(fb("U2", "x", author="U9")) is False  # the author did
    any_repo.set_user_opt_out("slack", "U1", True)  # purges message 1 ...
    assert any_repo.add_feedback(fb("U2", "1", author="U1")) is False
    any_repo.set_channel(ChannelSettings("slack", "C1", opted_out=True))
    assert any_repo.add_feedback(fb("U2", "")) is False  # the channel opted out
    assert any_repo.list_feedback() == []


def test_retention_purges_feedback(any_repo: Repository) -> None:
    any_repo.add_feedback(fb("U1", "", minutes=0))
    any_repo.add_feedback(fb("U2", "", minutes=60))
    any_repo.purge_older_than(T0 + timedelta(minutes=30))
    assert authors(any_repo) == [("U2", "U2")]


def test_migration_backfills_feedback_authors(db_url: str) -> None:
    upgrade(db_url, "0002")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO scored_messages (platform, workspace, channel, message_id, "
                "author_id, created_at, score, label, model_version) VALUES "
                "('slack', 'T1', 'C1', '1', 'U1', '2026-03-02 09:00:00', 0.5, 'neutral', 'v1')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO feedback (platform, channel, message_id, user_id, label, text, "
                "created_at) VALUES ('slack', 'C1', '1', 'U2', 'negative', 'a', :t), "
                "('slack', 'C1', '', 'U3', 'positive', 'b', :t), "
                "('slack', 'C1', 'gone', 'U4', 'positive', 'c', :t)"
            ),
            {"t": "2026-03-02 09:00:00"},
        )
    engine.dispose()
    upgrade(db_url)
    with Database(db_url) as db:
        assert sorted(authors(db.repository), key=lambda a: a[0]) == [
            ("U2", "U1"),
            ("U3", "U3"),
            ("U4", None),
        ]
        db.repository.set_user_opt_out("slack", "U1", True)
        assert [a for a, _ in authors(db.repository)] == ["U3", "U4"]


def test_feedback_ids_are_checked(any_repo: Repository) -> None:
    with pytest.raises(InvalidId, match="user_id contains a NUL"):
        any_repo.add_feedback(fb("U\x001", ""))
    assert any_repo.list_feedback() == []
