"""Reply texts (what a public score reply scored, for its buttons) follow the privacy rules, and
one person's correction of one thing counts once. SQLite, PostgreSQL and the fake."""

from __future__ import annotations

from datetime import timedelta

from storage.repository import Repository
from storage.types import ChannelSettings, Feedback, ReplyText
from tests.storage.factories import T0, message


def rt(token: str, author: str = "U1", channel: str = "C1", minutes: int = 0) -> ReplyText:
    at = T0 + timedelta(minutes=minutes)
    return ReplyText(token, "slack", "T1", channel, author, f"words of {token}\x00", at)


def test_kept_and_found_by_token(any_repo: Repository) -> None:
    assert any_repo.keep_reply_text(rt("tok1")) is True
    found = any_repo.reply_text("tok1")
    assert found is not None and found.text == "words of tok1\ufffd"
    assert (found.workspace, found.channel, found.author_id) == ("T1", "C1", "U1")
    assert any_repo.reply_text("nope") is None


def test_opt_outs_and_retention_delete_them(any_repo: Repository) -> None:
    any_repo.set_user_opt_out("slack", "U9", True)
    assert any_repo.keep_reply_text(rt("t9", author="U9")) is False
    for token, author, channel, minutes in [
        ("a", "U1", "C1", 0),
        ("b", "U2", "C1", 60),
        ("c", "U2", "C2", 60),
        ("d", "U3", "C3", 0),
    ]:
        assert any_repo.keep_reply_text(rt(token, author, channel, minutes)) is True
    any_repo.set_user_opt_out("slack", "U1", True)
    any_repo.set_channel(ChannelSettings("slack", "C2", opted_out=True))
    any_repo.purge_older_than(T0 + timedelta(minutes=30))
    assert [t for t in "abcd" if any_repo.reply_text(t) is not None] == ["b"]
    assert any_repo.keep_reply_text(rt("e", "U4", "C2")) is False  # the channel opted out


def correction(user: str, label: str, message_id: str, text: str, minutes: int) -> Feedback:
    at = T0 + timedelta(minutes=minutes)
    return Feedback("slack", "C1", message_id, user, label, text, at, "U7")


def test_a_second_press_replaces_the_first(any_repo: Repository) -> None:
    any_repo.add_feedback(correction("U1", "positive", "m1", "hello", 0))
    any_repo.add_feedback(correction("U2", "positive", "m1", "hello", 1))  # another person
    any_repo.add_feedback(correction("U1", "negative", "m1", "hello", 2))  # U1 changes it
    any_repo.add_feedback(correction("U1", "negative", "", "free text", 3))
    any_repo.add_feedback(correction("U1", "positive", "", "free text", 4))  # changed again
    any_repo.add_feedback(correction("U1", "positive", "", "other text", 5))
    rows = [(f.user_id, f.label, f.message_id, f.text) for f in any_repo.list_feedback()]
    assert rows == [
        ("U2", "positive", "m1", "hello"),
        ("U1", "negative", "m1", "hello"),
        ("U1", "positive", "", "free text"),
        ("U1", "positive", "", "other text"),
    ]


def test_least_sure_are_polar_nearest_the_boundary_not_yet_corrected(any_repo: Repository) -> None:
    scores = {"1": 0.95, "2": 0.65, "3": 0.32, "4": 0.61, "5": 0.1, "6": None, "7": 0.38}
    scores |= {"10": 0.5, "11": 0.45}  # labelled neutral: a correction can't say so
    any_repo.upsert_messages([message(i, s, text=f"t{i}") for i, s in scores.items()])
    any_repo.upsert_messages([message(8, 0.5, at=timedelta(days=2))])  # outside the window
    any_repo.upsert_messages([message(9, 0.5, channel="C2")])  # another channel
    window = (T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    found = any_repo.least_sure("slack", "C1", *window)
    assert [(e.message_id, e.text, e.workspace) for e in found] == [
        ("4", "t4", "T1"),
        ("7", "t7", "T1"),
        ("2", "t2", "T1"),
    ]
    assert found[0].score == 0.61
    any_repo.add_feedback(correction("U1", "positive", "4", "t4", 0))
    assert [e.message_id for e in any_repo.least_sure("slack", "C1", *window, limit=2)] == [
        "7",
        "2",
    ]
