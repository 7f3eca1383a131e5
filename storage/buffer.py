"""The bounded in-memory buffer of ``storage.writer.MessageWriter``.

Messages wait here for their batch. The buffer holds at most ``limit`` messages, counting the
batch being written; past that it refuses new ones and says so once per episode (and again
when it accepts messages again), so a long outage does not flood the log.
"""

from __future__ import annotations

import logging
import time
from collections import deque

from storage.types import MessageKey, ScoredMessage

logger = logging.getLogger(__name__)


class WriteBuffer:
    """A FIFO of scored messages with a hard limit.

    Parameters
    ----------
    limit
        Messages held at most, waiting and being written together.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.in_flight = 0  # messages taken by ``take`` and not yet released
        self.refused = 0  # messages refused because the buffer was full
        self._items: deque[ScoredMessage] = deque()
        self._full_since: float | None = None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def pending(self) -> int:
        """Messages waiting or being written."""
        return len(self._items) + self.in_flight

    @property
    def full(self) -> bool:
        """Whether one more message would go past the limit."""
        return self.pending >= self.limit

    def admit(self) -> bool:
        """Whether one more message fits; a refusal is counted and logged once per episode."""
        if self.full:
            self.refused += 1
            if self._full_since is None:
                self._full_since = time.monotonic()
                logger.error(
                    "write buffer full: %d messages waiting for the database (buffer_limit=%d); "
                    "new messages are refused until it drains",
                    self.pending,
                    self.limit,
                )
            return False
        if self._full_since is not None:
            logger.warning(
                "write buffer accepting again after %.1f s; %d messages were refused so far",
                time.monotonic() - self._full_since,
                self.refused,
            )
            self._full_since = None
        return True

    def append(self, msg: ScoredMessage) -> None:
        """Queue ``msg`` (call ``admit`` first)."""
        self._items.append(msg)

    def take(self, count: int) -> list[ScoredMessage]:
        """Remove the oldest ``count`` messages (at most) as the batch in flight."""
        batch = [self._items.popleft() for _ in range(min(count, len(self._items)))]
        self.in_flight = len(batch)
        return batch

    def put_back(self, batch: list[ScoredMessage]) -> None:
        """Return an unwritten batch to the front, in its order."""
        self._items.extendleft(reversed(batch))

    def release(self) -> None:
        """The batch in flight is written, dropped or put back."""
        self.in_flight = 0

    def remove(self, key: MessageKey) -> list[ScoredMessage]:
        """Drop the waiting messages with ``key``; returns them."""
        removed = [m for m in self._items if m.key == key]
        if removed:
            self._items = deque(m for m in self._items if m.key != key)
        return removed
