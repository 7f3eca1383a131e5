"""Time the web dashboard over HTTP: the overview of 200 channels and a channel page, over
1,000,000 stored scores, on SQLite and PostgreSQL; and weigh the overview page.

The rows (200 channels in 4 workspaces, spread over the last 31 days up to now) are bulk-loaded
as in ``benchmarks/report.py``; the real aiohttp app then answers an operator's session (every
channel visible) on a loopback port. Each figure is the median of ``--repeat`` requests after
one warm-up. Targets: overview <= 0.3 s, channel page <= 0.2 s, overview page <= 300 kB.

Usage (from the repository root)::

    python benchmarks/dashboard.py [--rows 1000000] [--channels 200] [--repeat 5]
        [--db sqlite,postgres] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from bench_db import temporary_database  # noqa: E402
from report import bulk_load  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.dashboard.context import Deps, Options  # noqa: E402
from bot.dashboard.links import Signer, new_link  # noqa: E402
from bot.dashboard.web import build_app  # noqa: E402
from storage.dashboard_queries import SqlDashboardReader  # noqa: E402
from storage.dashboard_store import OPERATOR, SqlDashboardStore  # noqa: E402
from storage.database import Database  # noqa: E402

DAYS = 31


def generate(rows: int, channels: int, end: datetime) -> Iterator[tuple]:
    """``rows`` messages over ``channels`` channels and the last ``DAYS`` days (fixed seed)."""
    rng = random.Random(17)
    span = DAYS * 86400.0
    labels = ("negative", "neutral", "positive")
    for i in range(rows):
        channel = i % channels
        score = None if i % 97 == 0 else rng.random()
        label = "unscored" if score is None else labels[min(2, int(score * 3))]
        yield (
            "slack", f"T{channel % 4}", f"C{channel:03d}", str(i), f"U{i % 5000}",
            end - timedelta(seconds=rng.random() * span), score, label, "bench-v1", None,
            None if score is not None else "empty", None,
        )  # fmt: skip


async def timed(client: TestClient, path: str, repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` GETs of ``path`` (after one warm-up), and the body size."""
    answer = await client.get(path)
    assert answer.status == 200, (path, answer.status)
    size = len(await answer.read())
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = await client.get(path)
        await answer.read()
        times.append(time.perf_counter() - started)
    return statistics.median(times), size


async def measure(db: Database, args: argparse.Namespace) -> None:
    deps = Deps(SqlDashboardReader(db.engine), SqlDashboardStore(db.engine), Signer(b"b" * 32),
                Options())  # fmt: skip
    async with TestClient(TestServer(build_app(deps))) as client:
        link, _ = new_link(deps.signer, OPERATOR, "")
        assert (await client.get(link, allow_redirects=False)).status == 303
        for since in ("24h", "7d", "30d"):
            api, _ = await timed(client, f"/api/channels?since={since}", args.repeat)
            page, size = await timed(client, f"/?since={since}", args.repeat)
            channel, _ = await timed(client, f"/channel/slack/C007?since={since}", args.repeat)
            capi, _ = await timed(client, f"/api/channels/slack/C007?since={since}", args.repeat)
            print(
                f"  {since:>3}: overview API {api * 1000:6.1f} ms, page {page * 1000:6.1f} ms "
                f"({size / 1000:.0f} kB) | channel page {channel * 1000:6.1f} ms, "
                f"API {capi * 1000:6.1f} ms"
            )
        print(f"  load average {os.getloadavg()[0]:.1f} after measuring")
        body = await (await client.get("/api/channels?since=24h")).json()
        assert len(body["channels"]) == args.channels, len(body["channels"])


def run(kind: str, args: argparse.Namespace) -> None:
    end = datetime.now(UTC)
    with temporary_database(kind, args.postgres_url) as url, Database(url) as db:
        started = time.perf_counter()
        bulk_load(db, generate(args.rows, args.channels, end))
        with db.engine.begin() as conn:  # the writer notes new channels; the bulk path does not
            conn.execute(text("INSERT INTO known_channels (platform, channel) "
                              "SELECT DISTINCT platform, channel FROM hourly_scores"))  # fmt: skip
        loaded = time.perf_counter() - started
        print(f"{kind}: {args.rows:,} scores in {args.channels} channels loaded in {loaded:.0f} s "
              "(targets: overview <= 300 ms, channel page <= 200 ms, page <= 300 kB); load "
              f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
        asyncio.run(measure(db, args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("SENTIBOT_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    for kind in args.db.split(","):
        if kind == "postgres" and not args.postgres_url:
            print("postgres: skipped (set --postgres-url or SENTIBOT_TEST_POSTGRES_URL)")
            continue
        run(kind, args)


if __name__ == "__main__":
    main()
