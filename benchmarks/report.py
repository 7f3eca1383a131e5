"""Time one channel report (``Repository.channel_stats``) over 1,000,000 stored scores.

The rows are bulk-loaded with the driver's fastest path (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) into a fresh database migrated by Alembic, all in the reported channel and window,
plus noise in other channels and in the previous period. The report is then timed several times.
Target: <= 0.5 s per report.

Usage (from the repository root)::

    python benchmarks/report.py [--rows 1000000] [--noise 200000] [--days 7] [--repeat 5]
        [--db sqlite,postgres] [--postgres-url URL] [--text]

PostgreSQL uses ``--postgres-url`` or ``SENTIBOT_TEST_POSTGRES_URL`` and works in a throwaway
schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench_db import temporary_database  # noqa: E402

from storage.database import Database  # noqa: E402
from storage.tables import MessageRow  # noqa: E402
from storage.upserts import COLUMNS  # noqa: E402

END = datetime(2026, 3, 1, 9, 37, 12, tzinfo=UTC)  # mid-hour: edges come from raw rows


def generate(rows: int, noise: int, days: float, text: bool) -> Iterator[tuple]:
    """``rows`` messages in channel C-report over the window, in time order, then ``noise``:
    half in other channels, half in C-report's previous period (fixed seed)."""
    rng = random.Random(7)
    span = days * 86400.0
    labels = ("negative", "neutral", "positive")
    for i in range(rows + noise):
        if i < rows:
            channel, offset = "C-report", span - (i + rng.random()) * span / rows
        elif i % 2:
            channel, offset = f"C{i % 50}", rng.random() * span
        else:
            channel, offset = "C-report", span + rng.random() * span
        score = None if i % 97 == 0 else rng.random()
        label = "unscored" if score is None else labels[min(2, int(score * 3))]
        body = f"message {i} about things" if text and score is not None else None
        yield (
            "slack",
            "T1",
            channel,
            str(i),
            f"U{i % 5000}",
            END - timedelta(seconds=offset),
            score,
            label,
            "bench-v1",
            body,
            None if score is not None else "empty",
            None,  # edited_at: an original message
        )


def bulk_load(db: Database, rows: Iterator[tuple]) -> None:
    """Load rows with the driver's bulk path, bypassing the ORM."""
    names = ", ".join(COLUMNS)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.engine.dialect.name == "sqlite":
            to_db = MessageRow.__table__.c.created_at.type.dialect_impl(
                db.engine.dialect
            ).bind_processor(db.engine.dialect)
            marks = ", ".join("?" * len(COLUMNS))
            sql = f"INSERT INTO scored_messages ({names}) VALUES ({marks})"
            chunk: list[tuple] = []
            for row in rows:
                chunk.append(row[:5] + (to_db(row[5]),) + row[6:])
                if len(chunk) == 100_000:
                    cursor.executemany(sql, chunk)
                    chunk.clear()
            cursor.executemany(sql, chunk)
            raw.commit()
            cursor.execute("ANALYZE")
        else:
            with cursor.copy(f"COPY scored_messages ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
            cursor.execute("ANALYZE scored_messages")
            raw.commit()
    finally:
        raw.close()


def run(kind: str, args: argparse.Namespace) -> None:
    with temporary_database(kind, args.postgres_url) as url, Database(url) as db:
        started = time.perf_counter()
        bulk_load(db, generate(args.rows, args.noise, args.days, args.text))
        loaded = time.perf_counter() - started
        start = END - timedelta(days=args.days)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            stats = db.repository.channel_stats("slack", "C-report", start, END, examples=3)
            times.append(time.perf_counter() - t0)
        assert stats.count == args.rows, f"report counted {stats.count}, loaded {args.rows}"
        print(
            f"{kind:8s} rows={args.rows:,} noise={args.noise:,} text={args.text} "
            f"load={loaded:.1f}s ({(args.rows + args.noise) / loaded:,.0f} rows/s)  "
            f"report: first={times[0]:.3f}s median={statistics.median(times):.3f}s "
            f"min={min(times):.3f}s  (target <= 0.5 s)"
        )
        print(
            f"         count={stats.count:,} unscored={stats.unscored:,} mean={stats.mean:.4f} "
            f"hours={len(stats.hourly)} busiest={stats.busiest_hour:%Y-%m-%d %H:00} "
            f"previous={stats.previous_count:,} examples={len(stats.most_positive)}"
            f"+{len(stats.most_negative)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--noise", type=int, default=200_000)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("SENTIBOT_TEST_POSTGRES_URL", ""))
    parser.add_argument("--text", action="store_true", help="store text (report examples)")
    args = parser.parse_args()
    for kind in args.db.split(","):
        if kind == "postgres" and not args.postgres_url:
            print("postgres: skipped (set --postgres-url or SENTIBOT_TEST_POSTGRES_URL)")
            continue
        run(kind, args)


if __name__ == "__main__":
    main()
