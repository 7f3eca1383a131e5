"""Messages per second from intake to stored row, sustained, on SQLite and PostgreSQL.

Intake is ``MessageWriter.put`` of an already scored message (``ScoredMessage`` built by the
producer; scoring cost is excluded, see ``benchmarks/scoring.py`` for that). A message counts
once its row is committed; the run lasts ``--seconds`` of sending, then ``close()`` drains the
buffer and the elapsed time includes that drain. Every row is checked to be stored.
Target: >= 10,000 messages/s on each database.

Usage (from the repository root)::

    python benchmarks/pipeline.py [--seconds 60] [--db sqlite,postgres] [--postgres-url URL]
        [--batch-size 500] [--channels 20] [--edits 0.05]

PostgreSQL uses ``--postgres-url`` or ``SENTIBOT_TEST_POSTGRES_URL`` and works in a throwaway
schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from bench_db import temporary_database  # noqa: E402

from storage.database import Database  # noqa: E402
from storage.types import ScoredMessage  # noqa: E402
from storage.writer import MessageWriter  # noqa: E402

LABELS = ("negative", "neutral", "positive")


async def produce(writer: MessageWriter, args: argparse.Namespace) -> tuple[int, int]:
    """Send messages for ``args.seconds``; returns (messages sent, distinct message ids)."""
    rng = random.Random(3)
    start = datetime.now(UTC)
    t0 = time.perf_counter()
    deadline = t0 + args.seconds
    next_report = t0 + 10
    sent = ids = 0
    while True:
        for _ in range(args.batch_size):
            is_edit = ids > 0 and rng.random() < args.edits
            number = rng.randrange(ids) if is_edit else ids  # an edit rescores an old id
            ids += not is_edit
            score = rng.random()
            await writer.put(
                ScoredMessage(
                    platform="slack",
                    workspace="T1",
                    channel=f"C{number % args.channels}",
                    message_id=str(number),
                    author_id=f"U{number % 1000}",
                    created_at=start + timedelta(milliseconds=number),
                    score=score,
                    label=LABELS[min(2, int(score * 3))],
                    model_version="bench-v1",
                    text=None,
                )
            )
            sent += 1
        await asyncio.sleep(0)  # let the writer hand the next batch to its thread
        now = time.perf_counter()
        if now >= next_report:
            stored = sent - writer.pending
            print(f"    {now - t0:5.0f} s: {stored:,} stored, {writer.pending:,} buffered")
            next_report += 10
        if now >= deadline:
            return sent, ids


async def run(kind: str, args: argparse.Namespace) -> None:
    with temporary_database(kind, args.postgres_url) as url, Database(url) as db:
        writer = MessageWriter(
            db.repository,
            batch_size=args.batch_size,
            flush_interval_ms=200,
            buffer_limit=args.buffer_limit,
            retry_max_s=5,
        )
        await writer.start()
        t0 = time.perf_counter()
        sent, ids = await produce(writer, args)
        left = await writer.close()
        elapsed = time.perf_counter() - t0
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT count(*) FROM scored_messages")).scalar_one()
        lost = "none lost" if rows == ids and left == 0 else f"MISMATCH: {ids - rows:,} missing"
        print(
            f"{kind:8s} {sent / elapsed:10,.0f} msgs/s intake->stored over {elapsed:.1f} s "
            f"({sent:,} messages, {sent - ids:,} edits, {rows:,} rows, {lost}, "
            f"write errors {writer.errors}); target >= 10,000"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("SENTIBOT_TEST_POSTGRES_URL", ""))
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--buffer-limit", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--edits", type=float, default=0.05, help="share of re-sent (edited) ids")
    args = parser.parse_args()
    print(f"pipeline: {args.seconds:.0f} s per database, batch {args.batch_size}, scoring excluded")
    for kind in args.db.split(","):
        if kind == "postgres" and not args.postgres_url:
            print("postgres: skipped (set --postgres-url or SENTIBOT_TEST_POSTGRES_URL)")
            continue
        asyncio.run(run(kind, args))


if __name__ == "__main__":
    main()
