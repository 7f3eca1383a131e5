"""Deletes always win and edits follow the platform's clocks: SQLite, PostgreSQL and the fake.

Every check runs on ``any_repo`` (both databases and ``tests.fakes.storage``), so the fake the
bot's unit tests use obeys the same rules as the database.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from storage.repository import Repository
from storage.types import MessageKey, ScoredMessage
from tests.storage.factories import T0, message

KEY = MessageKey("slack", "C1", "1")


def edit(msg: ScoredMessage, score: float, minutes: float | None) -> ScoredMessage:
    """``msg`` edited ``minutes`` after ``T0`` (``None``: an edit without a platform time)."""
    at = None if minutes is None else T0 + timedelta(minutes=minutes)
    return dataclasses.replace(msg, score=score, text=f"edit {score}", edited=True, edited_at=at)


def score_of(repo: Repository, key: MessageKey = KEY) -> float | None | str:
    """The stored score of ``key`` (``"absent"`` when there is no row)."""
    stats = repo.channel_stats(
        key.platform, key.channel, T0 - timedelta(days=1), T0 + timedelta(days=1)
    )
    if stats.count == 0:
        return "absent"
    return None if stats.mean is None else round(stats.mean, 9)  # the hourly rollup adds up


# -- deletes win ------------------------------------------------------------------------------
def test_write_after_delete_is_a_no_op(any_repo: Repository) -> None:
    any_repo.upsert_messages([message(1, 0.9)])
    assert any_repo.delete_message(KEY) is True
    assert any_repo.upsert_messages([message(1, 0.9)]) == 0  # a retry of the original
    assert any_repo.upsert_messages([edit(message(1), 0.2, 5)]) == 0  # a late edit
    assert score_of(any_repo) == "absent"


def test_delete_before_the_message_arrives(any_repo: Repository) -> None:
    assert any_repo.delete_message(KEY) is False  # Slack delivered the delete first
    assert any_repo.upsert_messages([message(1), message(2)]) == 1
    assert any_repo.channel_stats("slack", "C1", T0, T0 + timedelta(hours=1)).count == 1
    assert any_repo.delete_message(KEY) is False  # a second delete is harmless


def test_tombstones_kept_then_purged(any_repo: Repository) -> None:
    now = datetime.now(UTC)
    any_repo.delete_message(KEY, deleted_at=now - timedelta(days=3))
    any_repo.delete_message(MessageKey("slack", "C1", "2"), deleted_at=now - timedelta(days=8))
    any_repo.purge_older_than(T0 - timedelta(days=90))  # default: tombstones of 7 days
    assert any_repo.upsert_messages([message(1), message(2)]) == 1  # 2's tombstone is gone
    any_repo.purge_older_than(T0 - timedelta(days=90), tombstones_before=now - timedelta(days=1))
    assert any_repo.upsert_messages([message(1)]) == 1


def test_tombstone_survives_a_restart(sqlite_url: str) -> None:
    from storage.database import Database
    from storage.migrate import upgrade

    upgrade(sqlite_url)
    with Database(sqlite_url) as first:
        first.repository.upsert_messages([message(1)])
        first.repository.delete_message(KEY)
    with Database(sqlite_url) as second:  # the same instance after a restart
        assert second.repository.upsert_messages([message(1)]) == 0


# -- edits in platform order ------------------------------------------------------------------
def test_edits_apply_only_when_newer(any_repo: Repository) -> None:
    original = message(1, 0.5)
    any_repo.upsert_messages([original])
    assert any_repo.upsert_messages([edit(original, 0.9, 10)]) == 1
    assert any_repo.upsert_messages([edit(original, 0.1, 5)]) == 0  # older edit, late
    assert any_repo.upsert_messages([edit(original, 0.9, 10)]) == 0  # the same edit again
    assert score_of(any_repo) == 0.9
    assert any_repo.upsert_messages([edit(original, 0.2, 20)]) == 1
    assert score_of(any_repo) == 0.2


def test_retry_of_the_original_never_undoes_an_edit(any_repo: Repository) -> None:
    original = message(1, 0.5)
    any_repo.upsert_messages([original])
    any_repo.upsert_messages([edit(original, 0.9, 10)])
    assert any_repo.upsert_messages([original]) == 0
    assert score_of(any_repo) == 0.9


def test_edit_without_a_platform_time_still_beats_the_original(any_repo: Repository) -> None:
    original = message(1, 0.5)
    any_repo.upsert_messages([original])
    assert any_repo.upsert_messages([edit(original, 0.9, None)]) == 1
    assert any_repo.upsert_messages([original]) == 0
    assert any_repo.upsert_messages([edit(original, 0.3, 1)]) == 1  # later than created_at
    assert score_of(any_repo) == 0.3


def test_edit_of_a_message_never_stored_is_not_stored(any_repo: Repository) -> None:
    assert any_repo.upsert_messages([edit(message(1), 0.9, 10)]) == 0
    assert score_of(any_repo) == "absent"


def test_original_rescore_still_replaces_an_original(any_repo: Repository) -> None:
    any_repo.upsert_messages([message(1, 0.5, version="v1")])
    assert any_repo.upsert_messages([message(1, 0.8, version="v2")]) == 1  # a model change
    assert score_of(any_repo) == 0.8


def test_order_within_one_batch(any_repo: Repository) -> None:
    original = message(1, 0.5)
    # Original then its edit in one batch: both apply, in order.
    assert any_repo.upsert_messages([original, edit(original, 0.9, 10), original]) == 2
    assert score_of(any_repo) == 0.9
    # Edits collapse to the newest, whatever their order in the batch.
    any_repo.upsert_messages([edit(original, 0.3, 30), edit(original, 0.1, 20)])
    assert score_of(any_repo) == 0.3
    # An edit before its original (on an empty key) is dropped; the original is stored.
    other = message(2, 0.5, channel="C2")
    any_repo.upsert_messages([edit(other, 0.9, 10), other])
    assert score_of(any_repo, MessageKey("slack", "C2", "2")) == 0.5


def test_replays_after_a_restart_keep_the_order(sqlite_url: str) -> None:
    from storage.database import Database
    from storage.migrate import upgrade

    upgrade(sqlite_url)
    original = message(1, 0.5)
    with Database(sqlite_url) as first:
        first.repository.upsert_messages([original, message(2, channel="C2")])
        first.repository.upsert_messages([edit(original, 0.9, 10)])
        first.repository.delete_message(MessageKey("slack", "C2", "2"))
    with Database(sqlite_url) as second:  # a Discord replay after a restart
        assert second.repository.upsert_messages([original, message(2, channel="C2")]) == 0
        assert score_of(second.repository) == 0.9
        assert score_of(second.repository, MessageKey("slack", "C2", "2")) == "absent"
