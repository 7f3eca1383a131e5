"""RecentReplies, shared by the Slack and Discord adapters: bounded, oldest forgotten first."""

from __future__ import annotations

from bot.adapters.recent_replies import RecentReplies


def test_remembers_per_channel_and_forgets_the_oldest() -> None:
    replies = RecentReplies(limit=2)
    replies.remember("C1", "1", "great day")
    replies.remember("C2", "1", "awful day")
    assert replies.get("C1", "1") == "great day" and replies.get("C2", "1") == "awful day"
    replies.remember("C1", "1", "great day")  # used again: now the newest
    replies.remember("C1", "2", "fine")
    assert replies.get("C2", "1") is None
    assert replies.get("C1", "1") == "great day" and replies.get("C1", "2") == "fine"
    assert replies.get("C9", "1") is None
