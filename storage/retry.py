"""Retrying blocking storage calls through database outages, with exponential backoff.

``OutageRetry`` runs a call in a worker thread; while it fails for an outage
(``TRANSIENT_ERRORS``) it waits and tries again, the delay doubling up to a cap. The outage is
logged once when it starts and once when the database is back. Any other error is the data's,
not the database's, and goes to the caller.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

R = TypeVar("R")

# Outages worth waiting for; anything else is a problem with the data, isolated and dropped.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (DatabaseUnavailable, ConnectionError)


class OutageRetry:
    """Calls that wait out database outages.

    Parameters
    ----------
    min_s, max_s
        First delay between tries, and the cap of its doubling.
    pending
        How many messages are buffered (for the log lines).
    sleep
        How to wait (``asyncio.sleep``; tests pass a recorder).
    """

    def __init__(
        self,
        min_s: float,
        max_s: float,
        *,
        pending: Callable[[], int],
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.min_s = min(min_s, max_s)
        self.max_s = max_s
        self.failures = 0  # failed tries so far, each retry of an outage counted
        self._pending = pending
        self._sleep = sleep
        self._down_since: float | None = None

    async def __call__(self, call: Callable[..., R], *args: object) -> R:
        """Run ``call(*args)`` in a thread until it stops failing for an outage."""
        delay = self.min_s
        while True:
            try:
                result = await asyncio.to_thread(call, *args)
            except TRANSIENT_ERRORS as exc:
                self.failures += 1
                if self._down_since is None:
                    self._down_since = time.monotonic()
                    logger.error(
                        "database unavailable (%s); buffering %d messages, retrying up to "
                        "every %.0f s",
                        exc,
                        self._pending(),
                        self.max_s,
                    )
                await self._sleep(delay)
                delay = min(delay * 2, self.max_s)
                continue
            if self._down_since is not None:
                logger.warning(
                    "database back after %.1f s; writing %d buffered messages",
                    time.monotonic() - self._down_since,
                    self._pending(),
                )
                self._down_since = None
            return result
