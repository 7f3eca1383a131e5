"""Messages per second from intake to stored row, sustained, on SQLite and PostgreSQL.

Two paths, each on each database:

- ``full`` (the default): raw chat text enters the real core, ``SentimentBot.on_message``,
  as a chat adapter hands it over; it is checked against opt-outs, scored by the shipped model
  through the ``MicroBatcher`` (a worker thread, batches of ``[scoring] batch_size``) and
  stored by the ``MessageWriter``, all wired by ``bot.bootstrap.build_app``.
- ``storage``: ``MessageWriter.put`` of an already scored message, to show what storage alone
  sustains.

A message counts once its row is committed: the run lasts ``--seconds`` of sending, then the
app (or writer) is shut down, which drains everything, and the elapsed time includes that
drain. Every row is checked to be stored. Target: >= 10,000 messages/s on each database.

Usage (from the repository root)::

    python benchmarks/pipeline.py [--seconds 60] [--db sqlite,postgres] [--postgres-url URL]
        [--path full,storage] [--waves 1] [--batch-size 500] [--write-batch 2000]
        [--channels 20] [--edits 0.05]

PostgreSQL uses ``--postgres-url`` or ``SENTIBOT_TEST_POSTGRES_URL`` and works in a throwaway
schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from bench_db import temporary_database  # noqa: E402
from scoring import load_messages  # noqa: E402  (the same chat and sentence sets)

from storage.config import StorageConfig  # noqa: E402
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
            batch_size=args.write_batch,
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


async def run_full(kind: str, args: argparse.Namespace) -> None:
    """Raw text through ``SentimentBot.on_message``: opt-out check, scoring, storage."""
    from bot.adapters.fake import FakeAdapter
    from bot.bootstrap import build_app
    from bot.config import load_settings
    from bot.core.messages import ChatMessage, Person

    texts = load_messages()
    rng = random.Random(3)
    with temporary_database(kind, args.postgres_url) as url:
        settings = load_settings()
        storage = settings.storage.model_copy(update={"url": url, "batch_size": args.write_batch})
        settings = settings.model_copy(update={"storage": storage})
        app = build_app(settings, adapter=FakeAdapter("slack", "T1"), scheduler_factory=None,
                        retrainer_factory=None)  # fmt: skip
        await app.start()
        start = datetime.now(UTC)
        t0 = time.perf_counter()
        deadline, next_report = t0 + args.seconds, t0 + 10
        sent = ids = 0
        waves: collections.deque[asyncio.Future[list[None]]] = collections.deque()
        while time.perf_counter() < deadline:
            if len(waves) >= args.waves:  # as an adapter would: a few batches in flight
                sent += len(await waves.popleft())
            wave = []
            for _ in range(args.batch_size):
                is_edit = ids > 0 and rng.random() < args.edits
                number = rng.randrange(ids) if is_edit else ids
                ids += not is_edit
                message = ChatMessage(
                    platform="slack",
                    workspace="T1",
                    channel=f"C{number % args.channels}",
                    message_id=str(number),
                    author=Person(f"U{number % 1000}"),
                    text=texts[(number + is_edit) % len(texts)],
                    created_at=start + timedelta(milliseconds=number),
                )
                handle = app.bot.on_edit if is_edit else app.bot.on_message
                wave.append(handle(message))
            waves.append(asyncio.gather(*wave))  # scored and handed to the writer
            if time.perf_counter() >= next_report:
                stored = sent - app.writer.pending
                print(f"    {time.perf_counter() - t0:5.0f} s: {stored:,} stored, "
                      f"{app.writer.pending:,} buffered")  # fmt: skip
                next_report += 10
        while waves:
            sent += len(await waves.popleft())
        clean = await app.shutdown()  # drains the batcher and the writer, closes the database
        elapsed = time.perf_counter() - t0
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT count(*) FROM scored_messages")).scalar_one()
            unscored = conn.execute(
                sa.text("SELECT count(*) FROM scored_messages WHERE score IS NULL")
            ).scalar_one()
        engine.dispose()
        lost = "none lost" if rows == ids and clean else f"MISMATCH: {ids - rows:,} missing"
        print(
            f"{kind:8s} {sent / elapsed:10,.0f} msgs/s raw text->scored->stored over "
            f"{elapsed:.1f} s ({sent:,} messages, {sent - ids:,} edits, {rows:,} rows, "
            f"{unscored:,} unscored, {lost}, errors {app.bot.stats['errors']}); target >= 10,000"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("SENTIBOT_TEST_POSTGRES_URL", ""))
    parser.add_argument("--batch-size", type=int, default=500, help="messages sent at once")
    parser.add_argument(
        "--write-batch", type=int, default=StorageConfig().batch_size, help="[storage] batch_size"
    )
    parser.add_argument("--buffer-limit", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--edits", type=float, default=0.05, help="share of re-sent (edited) ids")
    parser.add_argument("--path", default="full,storage", help="full (with scoring), storage")
    parser.add_argument("--waves", type=int, default=1, help="full: batches of messages in flight")
    args = parser.parse_args()
    for path in args.path.split(","):
        what = "raw text, scored by the shipped model" if path == "full" else "scoring excluded"
        print(
            f"pipeline {path}: {args.seconds:.0f} s per database, {args.batch_size} messages "
            f"sent at once, writes of {args.write_batch}, {what}"
        )
        for kind in args.db.split(","):
            if kind == "postgres" and not args.postgres_url:
                print("postgres: skipped (set --postgres-url or SENTIBOT_TEST_POSTGRES_URL)")
                continue
            asyncio.run(run_full(kind, args) if path == "full" else run(kind, args))


if __name__ == "__main__":
    main()
