"""SqlRepository on a SQLite file and on PostgreSQL: idempotency, privacy, small tables."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from storage.errors import DuplicateModelVersion, UnknownModelVersion
from storage.sql_repository import SqlRepository
from storage.tables import MessageRow
from storage.types import ChannelSettings, Feedback, MessageKey, ModelVersion
from tests.storage.factories import T0, message


def rows(repo: SqlRepository) -> list[MessageRow]:
    with sa.orm.Session(repo.engine) as session:
        return list(session.scalars(sa.select(MessageRow).order_by(MessageRow.message_id)))


def test_same_message_twice_is_one_row(repo: SqlRepository) -> None:
    batch = [message(1, 0.9), message(2, 0.1)]
    assert repo.upsert_messages(batch) == 2
    assert repo.upsert_messages(batch) == 2  # a Slack retry / Discord replay
    assert repo.upsert_messages([message(1, 0.9), message(1, 0.9)]) == 1  # within one batch
    assert [r.message_id for r in rows(repo)] == ["1", "2"]


def test_same_id_in_other_channel_is_another_message(repo: SqlRepository) -> None:
    repo.upsert_messages([message(1), message(1, channel="C2"), message(1, platform="discord")])
    assert len(rows(repo)) == 3


def test_edit_rescores_in_place(repo: SqlRepository) -> None:
    repo.upsert_messages([message(1, 0.9, text="great", author="U1")])
    edited = dataclasses.replace(message(1, 0.1, text="awful", version="v2"), author_id="U1")
    repo.upsert_messages([edited])
    (row,) = rows(repo)
    assert (row.score, row.label, row.model_version, row.text) == (0.1, "negative", "v2", "awful")
    assert row.created_at == T0 and row.created_at.tzinfo is not None


def test_delete_removes_the_row(repo: SqlRepository) -> None:
    repo.upsert_messages([message(1), message(2)])
    assert repo.delete_message(MessageKey("slack", "C1", "1")) is True
    assert repo.delete_message(MessageKey("slack", "C1", "1")) is False
    assert [r.message_id for r in rows(repo)] == ["2"]


def test_opt_out_purges_and_blocks_new_rows(repo: SqlRepository) -> None:
    repo.upsert_messages([message(1, author="U1"), message(2, author="U2")])
    repo.set_user_opt_out("slack", "U1", True)
    assert repo.is_user_opted_out("slack", "U1")
    assert not repo.is_user_opted_out("discord", "U1")
    assert [r.message_id for r in rows(repo)] == ["2"]
    assert repo.upsert_messages([message(3, author="U1"), message(4, author="U2")]) == 1
    assert [r.message_id for r in rows(repo)] == ["2", "4"]
    repo.set_user_opt_out("slack", "U1", False)
    assert repo.upsert_messages([message(5, author="U1")]) == 1


def test_purge_user_counts(repo: SqlRepository) -> None:
    repo.upsert_messages([message(i, author="U9" if i % 2 else "U1") for i in range(10)])
    assert repo.purge_user("slack", "U9") == 5
    assert len(rows(repo)) == 5


def test_opted_out_channel_stores_nothing(repo: SqlRepository) -> None:
    repo.upsert_messages([message(1, channel="C1"), message(2, channel="C2")])
    repo.set_channel(ChannelSettings("slack", "C1", "T1", opted_out=True))
    assert [r.channel for r in rows(repo)] == ["C2"]
    assert repo.upsert_messages([message(3, channel="C1")]) == 0
    assert repo.monitored_channels() == [("slack", "C2")]


def test_retention_purges_old_rows(repo: SqlRepository) -> None:
    repo.upsert_messages([message(i, at=timedelta(days=-i)) for i in range(10)])
    assert repo.purge_older_than(T0 - timedelta(days=6, hours=12)) == 3  # days 7, 8, 9
    assert len(rows(repo)) == 7


def test_unscored_and_hostile_text_is_stored(repo: SqlRepository) -> None:
    hostile = {
        "nul": "a\x00b",
        "surrogate": "bad \ud800 half",
        "emoji": "🔥🔥🔥",
        "big": "x" * 1_000_000,
        "markup": "<@U123> ```code``` **bold**",
    }
    repo.upsert_messages([message(k, 0.5, text=v) for k, v in hostile.items()])
    repo.upsert_messages([message("empty", None, text="")])
    stored = {r.message_id: r for r in rows(repo)}
    assert stored["nul"].text == "a\ufffdb"
    assert stored["surrogate"].text == "bad ? half"
    assert stored["emoji"].text == "🔥🔥🔥"
    assert len(stored["big"].text) == 1_000_000
    assert stored["empty"].score is None and stored["empty"].reason == "empty"


def test_scores_and_times_round_trip_exactly_through_the_batch(repo: SqlRepository) -> None:
    # Batches travel as one JSON document; floats and microseconds must survive it exactly.
    scores = [0.1, 1 / 3, 0.123456789012345678, 2**-40, 1 - 2**-53, 0.0, 1.0, 5e-324]
    at = [timedelta(microseconds=7 * i + 1) for i in range(len(scores))]
    batch = [message(i, s, at=t) for i, (s, t) in enumerate(zip(scores, at, strict=True))]
    repo.upsert_messages(batch)
    stored = {int(r.message_id): r for r in rows(repo)}
    assert [stored[i].score for i in range(len(scores))] == scores
    assert [stored[i].created_at for i in range(len(scores))] == [T0 + t for t in at]


def test_without_text_keeps_everything_else() -> None:
    full = message(1, 0.25, text="secret")
    assert full.without_text() == dataclasses.replace(full, text=None)


def test_naive_datetime_is_refused(repo: SqlRepository) -> None:
    naive = dataclasses.replace(message(1), created_at=datetime(2026, 1, 1))
    with pytest.raises((ValueError, sa.exc.StatementError), match="timezone-aware"):
        repo.upsert_messages([naive])


def test_timezones_are_normalised_to_utc(repo: SqlRepository) -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # 09:00 UTC
    repo.upsert_messages([message(1, at=paris)])
    assert rows(repo)[0].created_at == T0


def test_claim_report_once(repo: SqlRepository) -> None:
    start, end = T0, T0 + timedelta(days=1)
    assert repo.claim_report("slack", "C1", start, end, "a") is True
    assert repo.claim_report("slack", "C1", start, end, "b") is False
    assert repo.claim_report("slack", "C2", start, end, "b") is True
    assert repo.claim_report("slack", "C1", end, end + timedelta(days=1), "b") is True


def test_channels(repo: SqlRepository) -> None:
    assert repo.get_channel("slack", "C1") is None
    repo.set_channel(ChannelSettings("slack", "C1", "T1", report_cron="0 8 * * 1"))
    repo.set_channel(ChannelSettings("discord", "9", "G1"))
    repo.set_channel(ChannelSettings("slack", "C1", "T1", report_cron=None))
    assert repo.get_channel("slack", "C1") == ChannelSettings("slack", "C1", "T1")
    assert [c.channel for c in repo.channels()] == ["9", "C1"]
    assert [c.channel for c in repo.channels("slack")] == ["C1"]


def test_feedback_keeps_text(repo: SqlRepository) -> None:
    later = Feedback("slack", "C1", "2", "U2", "negative", "meh", T0 + timedelta(minutes=1))
    first = Feedback("slack", "C1", "1", "U1", "positive", "not bad at all", T0)
    repo.add_feedback(later)
    repo.add_feedback(first)
    assert repo.list_feedback() == [first, later]


def test_model_versions_one_active(repo: SqlRepository) -> None:
    assert repo.active_model_version() is None
    v1 = ModelVersion("v1", "/m/v1", {"accuracy": 0.88}, True, T0, "bundled")
    v2 = ModelVersion(
        "v2", "/m/v2", {"accuracy": 0.9, "test": {"f1": 0.9}}, True, T0 + timedelta(1)
    )
    repo.add_model_version(v1)
    repo.add_model_version(v2)
    assert repo.active_model_version() == v2
    assert repo.list_model_versions() == [dataclasses.replace(v1, active=False), v2]
    assert repo.activate_model_version("v1") == v1
    assert [v.active for v in repo.list_model_versions()] == [True, False]
    with pytest.raises(UnknownModelVersion, match="nope"):
        repo.activate_model_version("nope")
    with pytest.raises(DuplicateModelVersion):
        repo.add_model_version(v1)


def test_ping(repo: SqlRepository) -> None:
    repo.ping()


def test_created_at_round_trips_as_aware_utc(repo: SqlRepository) -> None:
    repo.upsert_messages([message(1, at=timedelta(microseconds=123456))])
    assert rows(repo)[0].created_at == T0 + timedelta(microseconds=123456)
    assert rows(repo)[0].created_at.utcoffset() == timedelta(0)
