"""Privacy helpers of the core: who opted out, what text may be kept, recent messages.

Opted-out users and channels are cached with a short TTL so several instances sharing one
database see each other's opt-outs; stored text is capped and made storable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from storage.types import ScoredMessage

if TYPE_CHECKING:
    from storage.repository import Repository

logger = logging.getLogger(__name__)


def storable_text(text: str, max_chars: int) -> str:
    """The part of ``text`` that may be stored: the scored part, valid UTF-8, without NULs.

    PostgreSQL text cannot hold NUL and no database driver takes lone surrogates.
    """
    cut = text[:max_chars]
    return cut.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


class PrivacyFilter:
    """Remembers which users and channels opted out, from the repository, with a short TTL.

    The TTL lets several instances sharing one database see each other's opt-outs within
    ``ttl_s`` seconds; an opt-out made through this instance applies at once.
    """

    def __init__(
        self,
        repository: Repository,
        *,
        ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 100_000,
    ) -> None:
        self.repository = repository
        self.ttl_s = ttl_s
        self._clock = clock
        self._max = max_entries
        self._cache: dict[tuple[str, str, str], tuple[bool, float]] = {}

    def _get(self, key: tuple[str, str, str]) -> tuple[bool, bool]:
        """Return (value, fresh)."""
        hit = self._cache.get(key)
        if hit is None:
            return False, False
        return hit[0], self._clock() < hit[1]

    def _put(self, key: tuple[str, str, str], value: bool) -> None:
        if len(self._cache) >= self._max:
            self._cache.clear()
        self._cache[key] = (value, self._clock() + self.ttl_s)

    def _lookup(self, platform: str, channel: str, user_id: str) -> tuple[bool, bool]:
        settings = self.repository.get_channel(platform, channel)
        channel_out = bool(settings and settings.opted_out)
        return channel_out, self.repository.is_user_opted_out(platform, user_id)

    def cached(self, platform: str, channel: str, user_id: str) -> bool | None:
        """The answer of ``blocked`` when both halves are cached and fresh, else ``None``."""
        now = self._clock()
        channel_hit = self._cache.get(("c", platform, channel))
        user_hit = self._cache.get(("u", platform, user_id))
        if channel_hit is None or user_hit is None or now >= channel_hit[1] or now >= user_hit[1]:
            return None
        return channel_hit[0] or user_hit[0]

    async def blocked(self, platform: str, channel: str, user_id: str) -> bool:
        """Whether a message by ``user_id`` in ``channel`` must not be stored."""
        ckey, ukey = ("c", platform, channel), ("u", platform, user_id)
        (c_out, c_fresh), (u_out, u_fresh) = self._get(ckey), self._get(ukey)
        if c_fresh and u_fresh:
            return c_out or u_out
        try:
            c_out, u_out = await asyncio.to_thread(self._lookup, platform, channel, user_id)
        except Exception as exc:  # database down: keep the last known answer, lose nothing
            logger.warning("opt-out lookup failed (%s); using the last known state", exc)
            return c_out or u_out
        self._put(ckey, c_out)
        self._put(ukey, u_out)
        return c_out or u_out

    def blocked_now(self, platform: str, channel: str, user_id: str) -> bool:
        """The cached answer only (no I/O), fresh or not."""
        return self._get(("c", platform, channel))[0] or self._get(("u", platform, user_id))[0]

    def set_user(self, platform: str, user_id: str, opted_out: bool) -> None:
        """Record a user's opt-out/opt-in made through this instance."""
        self._put(("u", platform, user_id), opted_out)


class RecentMessages:
    """The last scored message of each (platform, channel, author), for feedback (bounded)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._max = max_entries
        self._items: OrderedDict[tuple[str, str, str], ScoredMessage] = OrderedDict()

    def remember(self, msg: ScoredMessage) -> None:
        key = (msg.platform, msg.channel, msg.author_id)
        self._items[key] = msg
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def last(self, platform: str, channel: str, author_id: str) -> ScoredMessage | None:
        return self._items.get((platform, channel, author_id))

    def forget_user(self, platform: str, author_id: str) -> None:
        for key in [k for k in self._items if k[0] == platform and k[2] == author_id]:
            del self._items[key]

    def forget_message(self, platform: str, channel: str, message_id: str) -> None:
        for key, msg in list(self._items.items()):
            if key[:2] == (platform, channel) and msg.message_id == message_id:
                del self._items[key]
