"""Report claims as leases with a recorded outcome, and the schedules version the bot polls.

The same checks run on SQLite, PostgreSQL and the fake; two engines race for an expired lease.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from storage.database import Database
from storage.migrate import upgrade
from storage.repository import Repository
from storage.types import ChannelSettings
from tests.storage.factories import T0

START, END = T0, T0 + timedelta(days=1)
NOW = T0 + timedelta(days=1, minutes=1)


def claim(repo: Repository, who: str, minutes: float = 0, lease_s: float | None = 300) -> bool:
    at = NOW + timedelta(minutes=minutes)
    return repo.claim_report("slack", "C1", START, END, who, lease_s=lease_s, now=at)


def test_an_expired_unposted_lease_is_claimed_again(any_repo: Repository) -> None:
    assert claim(any_repo, "a") is True
    assert claim(any_repo, "b", minutes=4) is False  # a's lease runs 5 minutes
    assert claim(any_repo, "b", minutes=6) is True  # a died before posting
    assert claim(any_repo, "a", minutes=7) is False
    assert any_repo.finish_report("slack", "C1", START, END, "b", posted=True) is True
    assert claim(any_repo, "c", minutes=60) is False  # posted: never again
    assert any_repo.finish_report("slack", "C1", START, END, "b", posted=True) is False


def test_a_failed_post_is_claimable_at_once(any_repo: Repository) -> None:
    assert claim(any_repo, "a") is True
    assert any_repo.finish_report("slack", "C1", START, END, "b", posted=False) is False
    assert any_repo.finish_report("slack", "C1", START, END, "a", posted=False) is True
    assert claim(any_repo, "b", minutes=0.5) is True


def test_a_claim_without_a_lease_is_final(any_repo: Repository) -> None:
    assert claim(any_repo, "a", lease_s=None) is True  # as every claim before leases
    assert claim(any_repo, "b", minutes=60 * 24 * 30) is False


def test_schedules_version_changes_with_channel_settings(any_repo: Repository) -> None:
    before = any_repo.schedules_version()
    assert any_repo.schedules_version() == before  # polling changes nothing
    any_repo.set_channel(ChannelSettings("slack", "C1", report_cron="0 8 * * 1"))
    middle = any_repo.schedules_version()
    any_repo.set_channel(ChannelSettings("slack", "C2", opted_out=True))
    assert before < middle < any_repo.schedules_version()


def test_schedules_version_changes_with_a_new_channel(any_repo: Repository) -> None:
    from tests.storage.factories import message

    before = any_repo.schedules_version()
    any_repo.upsert_messages([message(1, channel="C1"), message(2, channel="C1")])
    first = any_repo.schedules_version()
    assert first > before
    any_repo.upsert_messages([message(3, channel="C1")])
    assert any_repo.schedules_version() == first  # a known channel changes nothing
    any_repo.upsert_messages([message(4, channel="C2")])
    assert any_repo.schedules_version() > first


def test_another_instance_sees_the_new_channel(db_url: str) -> None:
    from tests.storage.factories import message

    upgrade(db_url)
    with Database(db_url) as a, Database(db_url) as b:
        a.repository.upsert_messages([message(1, channel="C1")])
        seen = b.repository.schedules_version()
        b.repository.upsert_messages([message(2, channel="C1")])  # b's first write there
        assert a.repository.schedules_version() == seen  # not new to the database
        b.repository.upsert_messages([message(3, channel="C7")])
        assert a.repository.schedules_version() > seen


@pytest.mark.postgres
def test_one_instance_takes_over_an_expired_lease(postgres_url: str) -> None:
    upgrade(postgres_url)
    with Database(postgres_url) as a, Database(postgres_url) as b:
        assert claim(a.repository, "dead", lease_s=60)
        jobs = [(db, f"{name}{i}") for i in range(10) for db, name in ((a, "a"), (b, "b"))]
        with ThreadPoolExecutor(max_workers=8) as pool:
            won = list(pool.map(lambda job: claim(job[0].repository, job[1], minutes=5), jobs))
    assert sum(won) == 1
