"""A per-user sliding-window rate limit for chat commands."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Hashable

logger = logging.getLogger(__name__)

WINDOW_S = 60.0


class RateLimiter:
    """Allow at most ``per_minute`` events per key in any 60-second window.

    Parameters
    ----------
    per_minute
        Events allowed per key and minute (``[bot] rate_limit_per_minute``).
    clock
        A monotonic clock in seconds; injectable for tests.
    max_keys
        Keys kept before idle ones are forgotten, so memory stays bounded.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._clock = clock
        self._max_keys = max_keys
        self._events: dict[Hashable, deque[float]] = {}

    def _window(self, key: Hashable, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self._max_keys:
                self._forget_idle(now)
            events = self._events[key] = deque()
        while events and now - events[0] >= WINDOW_S:
            events.popleft()
        return events

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, ev in self._events.items() if not ev or now - ev[-1] >= WINDOW_S]
        for key in idle:
            del self._events[key]
        if len(self._events) >= self._max_keys:  # still full: drop the oldest-touched half
            ordered = sorted(self._events, key=lambda k: self._events[k][-1])
            for key in ordered[: len(ordered) // 2]:
                del self._events[key]

    def allow(self, key: Hashable) -> bool:
        """Record an event for ``key`` and say whether it is within the limit.

        A refused event is not recorded, so a user who keeps trying is not locked out longer.
        """
        now = self._clock()
        events = self._window(key, now)
        if len(events) >= self.per_minute:
            return False
        events.append(now)
        return True

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may act again (0 when it may now)."""
        now = self._clock()
        events = self._window(key, now)
        if len(events) < self.per_minute:
            return 0.0
        return max(0.0, WINDOW_S - (now - events[0]))
