"""Two bot instances writing the same channels of one PostgreSQL database at once: batches
stored and deadlocks met.

Two ``Database`` objects (two engines, as two instances have) each run ``--threads`` writer
threads for ``--seconds``; every batch holds ``--batch`` messages over ``--channels`` channels
and the last two days, ``--edits`` of them edits of messages the thread stored before. Both
instances hit the same rollup buckets (``hourly_scores``, ``daily_scores``), which is where
deadlocks come from unless every transaction takes them in one order
(``storage.rollup_locks``). A deadlocked batch is rolled back and counted, not retried.

Usage (from the repository root)::

    python benchmarks/contention.py [--seconds 20] [--threads 2] [--batch 500] [--channels 5]
        [--edits 0.2] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_db import temporary_database  # noqa: E402

from storage.database import Database  # noqa: E402
from storage.errors import DatabaseUnavailable  # noqa: E402
from storage.types import ScoredMessage  # noqa: E402


@dataclasses.dataclass
class Tally:
    batches: int = 0
    deadlocks: int = 0
    other: int = 0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def writer(db: Database, seed: int, args: argparse.Namespace, stop: float, tally: Tally) -> None:
    """Write batches until ``stop``, counting stored batches and deadlocks."""
    rng, sent, n, now = random.Random(seed), [], 0, datetime.now(UTC)
    while time.monotonic() < stop:
        batch = []
        for _ in range(args.batch):
            if sent and rng.random() < args.edits:
                old = rng.choice(sent)
                at = old.created_at + timedelta(seconds=rng.random() * 1000)
                batch.append(dataclasses.replace(old, score=rng.random(), edited=True,
                                                 edited_at=at))  # fmt: skip
                continue
            n, score = n + 1, rng.random()
            label = "negative" if score < 0.4 else "positive" if score > 0.6 else "neutral"
            msg = ScoredMessage("slack", "T1", f"C{rng.randrange(args.channels)}", f"{seed}-{n}",
                                f"U{n % 50}", now - timedelta(seconds=rng.random() * 172800),
                                score, label, "bench")  # fmt: skip
            sent.append(msg)
            batch.append(msg)
        try:
            db.repository.upsert_messages(batch)
            outcome = "batches"
        except DatabaseUnavailable as exc:
            outcome = "deadlocks" if "deadlock" in str(exc) else "other"
        with tally.lock:
            setattr(tally, outcome, getattr(tally, outcome) + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=2, help="writer threads per instance")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--edits", type=float, default=0.2)
    parser.add_argument("--postgres-url", default=os.environ.get("SENTIBOT_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    if not args.postgres_url:
        sys.exit("set --postgres-url or SENTIBOT_TEST_POSTGRES_URL")
    tally = Tally()
    with temporary_database("postgres", args.postgres_url) as url, Database(url) as a, \
            Database(url) as b:  # fmt: skip
        stop = time.monotonic() + args.seconds
        threads = [threading.Thread(target=writer, args=(db, i, args, stop, tally))
                   for i, db in enumerate([a, b] * args.threads)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    stored = tally.batches * args.batch
    print(f"2 instances x {args.threads} threads, {args.seconds:.0f} s: {tally.batches} batches "
          f"of {args.batch} stored ({stored / args.seconds:,.0f} msgs/s), {tally.deadlocks} "
          f"deadlocks, {tally.other} other errors; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip


if __name__ == "__main__":
    main()
