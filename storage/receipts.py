"""Per-item receipts of ``storage.writer.MessageWriter``: futures settled once an item is durable.

A receipt is an ``asyncio.Future`` resolved with an ``Outcome`` after the transaction holding its
item (a message row, an edit or a tombstone) has committed, or once it is clear that it never
will. Items are tracked by identity while they sit in the writer's buffer or in flight; an item
with no receipt costs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from enum import StrEnum


class Outcome(StrEnum):
    """How a submitted item ended.

    ``COMMITTED``: durably decided in the database: written, or dropped by a rule that will drop
    it again (opt-out, tombstone, older edit); safe to acknowledge to the platform.
    ``REJECTED``: the item can never be stored (an invalid id); acknowledge it, a redelivery
    cannot help. ``REFUSED``: not stored (buffer full, writer closed or stopped); do not
    acknowledge, so the platform redelivers it, possibly to another instance.
    """

    COMMITTED = "committed"
    REJECTED = "rejected"
    REFUSED = "refused"


class Receipts:
    """Futures waiting on items, keyed by the items' identity."""

    def __init__(self) -> None:
        self._waiting: dict[int, list[asyncio.Future[Outcome]]] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def expect(self, item: object) -> asyncio.Future[Outcome]:
        """A new future for ``item``; the caller keeps ``item`` referenced until it is settled."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(id(item), []).append(future)
        return future

    @staticmethod
    def done(outcome: Outcome) -> asyncio.Future[Outcome]:
        """An already resolved future (an item refused or rejected on arrival)."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        future.set_result(outcome)
        return future

    def settle(self, items: Iterable[object], outcome: Outcome) -> None:
        """Resolve the futures of ``items`` with ``outcome``."""
        if not self._waiting:
            return
        for item in items:
            for future in self._waiting.pop(id(item), ()):
                if not future.done():
                    future.set_result(outcome)

    def move(self, items: Iterable[object], to: object) -> None:
        """Make the futures of ``items`` wait for ``to`` instead (a message deleted in the buffer
        is settled by its delete's commit)."""
        if not self._waiting:
            return
        for item in items:
            futures = self._waiting.pop(id(item), None)
            if futures:
                self._waiting.setdefault(id(to), []).extend(futures)

    def settle_all(self, outcome: Outcome) -> None:
        """Resolve every waiting future (the writer closed or stopped)."""
        waiting, self._waiting = self._waiting, {}
        for futures in waiting.values():
            for future in futures:
                if not future.done():
                    future.set_result(outcome)
