"""Opting out deletes a user's feedback too: on SQLite, PostgreSQL and the fake repository."""

from __future__ import annotations

from datetime import timedelta

from storage.repository import Repository
from storage.types import Feedback
from tests.fakes.storage import FakeRepository
from tests.storage.factories import T0, message


def feedback(
    user: str,
    message_id: str,
    *,
    platform: str = "slack",
    minutes: int = 0,
    author: str | None = "",
) -> Feedback:
    """Feedback by ``user``; its text written by ``author`` (``""``: the same person)."""
    at = T0 + timedelta(minutes=minutes)
    text = f"text of {message_id}"
    author = user if author == "" else author
    return Feedback(platform, "C1", message_id, user, "positive", text, at, author)


def load(repo: Repository) -> list[Feedback]:
    """Messages and feedback of U1 and U2 on Slack, and of U1 on Discord (another person)."""
    repo.upsert_messages(
        [
            message(1, author="U1"),
            message(2, author="U2"),
            message(3, author="U1", platform="discord"),
        ]
    )
    given = [
        feedback("U1", "1", minutes=0),
        feedback("U2", "2", minutes=1),
        feedback("U1", "3", platform="discord", minutes=2),
        feedback("U1", "", minutes=3),  # feedback on free text, attached to no message
    ]
    for fb in given:
        repo.add_feedback(fb)
    return given


def check_purge_user(repo: Repository) -> None:
    given = load(repo)
    assert repo.purge_user("slack", "U1") == 1  # counts messages, as the reply says
    assert repo.list_feedback() == [given[1], given[2]]
    assert repo.purge_user("slack", "U1") == 0
    assert repo.list_feedback() == [given[1], given[2]]


def check_opt_out(repo: Repository) -> None:
    given = load(repo)
    repo.set_user_opt_out("slack", "U2", True)
    assert repo.list_feedback() == [given[0], given[2], given[3]]
    repo.set_user_opt_out("slack", "U2", False)  # opting in again restores nothing
    assert repo.list_feedback() == [given[0], given[2], given[3]]


def test_purge_user_deletes_their_feedback(repo: Repository) -> None:
    check_purge_user(repo)


def test_opt_out_deletes_their_feedback(repo: Repository) -> None:
    check_opt_out(repo)


def test_fake_repository_agrees() -> None:
    check_purge_user(FakeRepository())
    check_opt_out(FakeRepository())


def test_purge_leaves_other_messages(repo: Repository) -> None:
    load(repo)
    repo.purge_user("slack", "U1")
    stats = repo.channel_stats("slack", "C1", T0, T0 + timedelta(hours=1), examples=0)
    assert stats.count == 1  # U2's message
    assert repo.channel_stats("discord", "C1", T0, T0 + timedelta(hours=1)).count == 1
