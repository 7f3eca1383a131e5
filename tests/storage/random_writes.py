"""Random sequences of every write path (originals, rescores, edits in any order, deletes,
user and channel opt-outs, retention purges), applied the same way to any ``Repository``."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from storage.repository import Repository
from storage.types import ChannelSettings, MessageKey, ScoredMessage
from tests.fakes.scoring import label_of

NOW = datetime(2026, 3, 2, 9, 37, 12, tzinfo=UTC)  # mid-hour, mid-day: every edge is partial
CHANNELS = ("C1", "C2", "C3", "C4")
AUTHORS = ("U1", "U2", "U3", "U4", "U5")
DAYS = 62  # messages up to this far back: both periods of the 30-day overview

Op = Callable[[Repository], object]


class RandomWrites:
    """A seeded generator of write operations; ``ops(n)`` gives the same list for a seed."""

    def __init__(self, seed: int, ids: str = "") -> None:
        self.rng = random.Random(seed)
        self.ids = ids  # message ids are ``ids`` and a number
        self.sent: list[ScoredMessage] = []  # every original sent, deleted or not
        self.next_id = 0

    def _score(self) -> float | None:
        return None if self.rng.random() < 0.1 else self.rng.random()

    def _original(self) -> ScoredMessage:
        self.next_id += 1
        score = self._score()
        back = self.rng.uniform(-0.5, DAYS * 24) * 3600  # a few in the current hour's future
        msg = ScoredMessage(
            platform="slack",
            workspace="T1",
            channel=self.rng.choice(CHANNELS),
            message_id=f"{self.ids}{self.next_id}",
            author_id=self.rng.choice(AUTHORS),
            created_at=NOW - timedelta(seconds=back),
            score=score,
            label=label_of(score),
            model_version="v1",
            text=f"text {self.next_id}",
            reason="empty" if score is None else None,
        )
        self.sent.append(msg)
        return msg

    def _rescored(self, msg: ScoredMessage, *, edit: bool) -> ScoredMessage:
        score = self._score()
        changed = dataclasses.replace(
            msg, score=score, label=label_of(score), reason="empty" if score is None else None
        )
        if not edit:
            return changed
        at = msg.created_at + timedelta(minutes=self.rng.uniform(1, 300))
        return dataclasses.replace(changed, edited=True, edited_at=at, text="edited")

    def _batch(self) -> list[ScoredMessage]:
        batch = []
        for _ in range(self.rng.randint(1, 12)):
            roll = self.rng.random()
            if roll < 0.6 or not self.sent:
                batch.append(self._original())
            else:
                batch.append(self._rescored(self.rng.choice(self.sent), edit=roll > 0.75))
        return batch

    def _key(self) -> MessageKey:
        if self.sent and self.rng.random() < 0.9:
            return self.rng.choice(self.sent).key
        return MessageKey("slack", self.rng.choice(CHANNELS), "never-sent")

    def op(self) -> Op:
        """One random operation."""
        roll, rng = self.rng.random(), self.rng
        if roll < 0.6:
            batch = self._batch()
            return lambda repo: repo.upsert_messages(batch)
        if roll < 0.78:
            key = self._key()
            return lambda repo: repo.delete_message(key)
        if roll < 0.85:
            user, out = rng.choice(AUTHORS), rng.random() < 0.35
            return lambda repo: repo.set_user_opt_out("slack", user, out)
        if roll < 0.92:
            settings = ChannelSettings("slack", rng.choice(CHANNELS), "T1", rng.random() < 0.35)
            return lambda repo: repo.set_channel(settings)
        if roll < 0.97:
            cutoff = NOW - timedelta(days=rng.uniform(DAYS - 15, DAYS + 1))
            return lambda repo: repo.purge_older_than(cutoff)
        user = rng.choice(AUTHORS)
        return lambda repo: repo.purge_user("slack", user)

    def ops(self, n: int) -> list[Op]:
        """``n`` random operations."""
        return [self.op() for _ in range(n)]
