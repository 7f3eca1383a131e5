"""``PrivacyFilter.cached``: the no-await answer of the message hot path, and its TTL."""

from __future__ import annotations

import asyncio

from bot.core.privacy import PrivacyFilter


class Repository:
    """Opt-outs as plain sets; counts the lookups."""

    def __init__(self) -> None:
        self.users: set[str] = set()
        self.lookups = 0

    def get_channel(self, platform: str, channel: str) -> None:
        self.lookups += 1

    def is_user_opted_out(self, platform: str, user_id: str) -> bool:
        return user_id in self.users


def test_cached_answers_only_while_both_halves_are_fresh() -> None:
    now = [0.0]
    repository = Repository()
    privacy = PrivacyFilter(repository, ttl_s=10, clock=lambda: now[0])
    assert privacy.cached("slack", "C1", "U1") is None  # nothing known yet
    assert asyncio.run(privacy.blocked("slack", "C1", "U1")) is False
    assert privacy.cached("slack", "C1", "U1") is False
    assert privacy.cached("slack", "C1", "U2") is None  # another user: not known
    privacy.set_user("slack", "U1", True)  # an opt-out through this instance: at once
    assert privacy.cached("slack", "C1", "U1") is True
    now[0] = 11.0  # the channel half is stale now
    assert privacy.cached("slack", "C1", "U1") is None
    repository.users.add("U1")
    assert asyncio.run(privacy.blocked("slack", "C1", "U1")) is True
    assert privacy.cached("slack", "C1", "U1") is True
    assert repository.lookups == 2
