"""Two bot instances on one PostgreSQL database, fed through a Slack-like Socket Mode server.

Starts two real bot processes (``tests.fakes.instance``: the app ``sentibot run`` builds, with
the keyword fake scorer instead of TensorFlow, so the figures are the Slack adapter, ack after
commit and the database, not the model) behind the loopback Socket Mode server of the tests
(``tests.fakes.slack_socket``: one connection per envelope, redelivery when the ack is
missing), sends ``--messages`` channel messages with ``--in-flight`` unacked at once, split
between the two instances, and prints:

- acked msgs/s: messages over the time until the last ack;
- stored msgs/s: messages over the time until the database held all of them;
- p50 / p95 / max ack latency: from the envelope's first delivery to its ack (the row is
  committed by then).

Usage::

    python benchmarks/instances.py [--messages 5000] [--in-flight 64] [--postgres-url URL]

PostgreSQL comes from ``--postgres-url`` or ``SENTIBOT_TEST_POSTGRES_URL``; the run works in a
throwaway schema.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from bench_db import temporary_database  # noqa: E402

from tests.fakes.slack_api import MockSlackApi  # noqa: E402
from tests.fakes.slack_socket import SlackLikeSockets  # noqa: E402


def spawn(who: str, config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_APP_TOKEN": f"xapp-bench-{who}",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.instance", str(config)],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def stored(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM scored_messages")).scalar_one())
    finally:
        engine.dispose()


async def run(url: str, messages: int, in_flight: int, tmp: Path) -> None:
    slack = SlackLikeSockets(ack_timeout_s=3.0)  # Slack's own ack deadline
    api = MockSlackApi(dispatcher=slack)
    await api.start()
    config = tmp / "config.toml"
    config.write_text(
        f'[bot]\nadapter = "slack"\n[slack]\nmode = "socket"\napi_base_url = "{api.base}/api/"\n'
        f'[storage]\nurl = "{url}"\n[alerts]\nenabled = false\n[ops]\nlog_level = "WARNING"\n',
        encoding="utf-8",
    )
    procs = {who: spawn(who, config, tmp / f"{who}.log") for who in ("a", "b")}
    try:
        await slack.wait_connected("a", "b", timeout=60)
        base, gate = int(time.time()), asyncio.Semaphore(in_flight)
        latencies: list[float] = []

        async def one(i: int) -> None:
            event = {"type": "message", "channel": f"C{i % 20}", "channel_type": "channel",
                     "user": f"U{i % 50}", "text": f"what a great day {i}",
                     "ts": f"{base}.{i:06d}", "team": "T1"}  # fmt: skip
            async with gate:
                ack = await slack.deliver(event, f"Ev{i}", to="ab"[i % 2])
            latencies.append(ack.latency_s)

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(messages)))
        acked_s = time.perf_counter() - start
        while (count := await asyncio.to_thread(stored, url)) < messages:
            if time.perf_counter() - start > acked_s + 60:
                break
            await asyncio.sleep(0.01)
        stored_s = time.perf_counter() - start
        q = statistics.quantiles(latencies, n=100)
        redelivered = sum(1 for _, _, attempt in slack.deliveries if attempt > 0)
        print(f"two instances, PostgreSQL, {messages} messages, {in_flight} in flight")
        print(f"  acked:  {messages / acked_s:,.0f} msgs/s ({acked_s:.2f} s)")
        print(f"  stored: {count / stored_s:,.0f} msgs/s ({count} of {messages} rows)")
        print(f"  ack latency: p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, "
              f"max {max(latencies) * 1000:.1f} ms; {redelivered} redelivered")  # fmt: skip
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            await asyncio.to_thread(proc.wait, 30)
        await api.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--postgres-url", default=os.environ.get("SENTIBOT_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    if not args.postgres_url:
        print("set --postgres-url or SENTIBOT_TEST_POSTGRES_URL")
        return 2
    with (
        temporary_database("postgres", args.postgres_url) as url,
        tempfile.TemporaryDirectory(prefix="sentibot-instances-") as tmp,
    ):
        asyncio.run(run(url, args.messages, args.in_flight, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
