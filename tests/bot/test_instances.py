"""Two real bot instances on one PostgreSQL database, driven the way Slack drives them (#18).

Each instance is a child process running the real app (``tests.fakes.instance``: Socket Mode
adapter, ack after commit, writer, report scheduler; only the scorer is the keyword fake). A
Slack-like Socket Mode server (``tests.fakes.slack_socket``) hands each envelope to one
connection and redelivers unacked ones to the other. Asserted: one row per surviving message
with its newest edit; deletes win, also when delivered to the other instance at the same
moment; late retries never undo an edit or resurrect a delete; each report is posted once
across instances; a SIGKILL mid-stream loses no acked event; SIGTERM ends cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.migrate import upgrade
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_socket import Ack, SlackLikeSockets

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
REPORT_EVERY_S = 2.0


def message(channel: str, ts: str, text: str) -> dict:
    return {"type": "message", "channel": channel, "channel_type": "channel", "user": "U2",
            "text": text, "ts": ts, "team": "T1"}  # fmt: skip


def edit(channel: str, ts: str, old: str, new: str, edited_ts: str) -> dict:
    changed = {**message(channel, ts, new), "edited": {"user": "U2", "ts": edited_ts}}
    return {"type": "message", "subtype": "message_changed", "channel": channel,
            "channel_type": "channel", "message": changed,
            "previous_message": message(channel, ts, old)}  # fmt: skip


def delete(channel: str, ts: str, text: str, deleted_ts: str) -> dict:
    return {"type": "message", "subtype": "message_deleted", "channel": channel,
            "deleted_ts": ts, "event_ts": deleted_ts,
            "previous_message": message(channel, ts, text)}  # fmt: skip


@dataclass
class Cluster:
    """The fake Slack, the database and the bot processes by name (``a``, ``b``)."""

    url: str
    slack: SlackLikeSockets
    api: MockSlackApi
    config: Path
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def spawn(self, who: str, report_from: float) -> None:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_APP_TOKEN": f"xapp-test-{who}",
            "SENTIBOT_TEST_REPORT_EVERY_S": str(REPORT_EVERY_S),
            "SENTIBOT_TEST_REPORT_FROM": str(report_from),
            "PYTHONPATH": str(ROOT),
        }
        log = (self.logs / f"{who}.log").open("wb")
        self.procs[who] = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.instance", str(self.config)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def rows(self) -> dict[str, tuple[str | None, object]]:
        """Stored messages: ``message_id -> (text, edited_at)``."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                found = conn.execute(sa.text(
                    "SELECT message_id, text, edited_at FROM scored_messages"
                )).all()  # fmt: skip
        finally:
            engine.dispose()
        return {row[0]: (row[1], row[2]) for row in found}

    def query(self, sql: str) -> list[tuple[object, ...]]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(sa.text(sql)).all()]
        finally:
            engine.dispose()


@pytest.fixture
async def cluster(tmp_path: Path, postgres_url: str) -> AsyncIterator[Cluster]:
    upgrade(postgres_url)
    slack = SlackLikeSockets(ack_timeout_s=1.0)
    api = MockSlackApi(dispatcher=slack)
    await api.start()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\nadapter = "slack"\n'
        f'[slack]\nmode = "socket"\napi_base_url = "{api.base}/api/"\n'
        f'[storage]\nurl = "{postgres_url}"\nflush_interval_ms = 50\n'
        f"[privacy]\nstore_text = true\n"
        f'[reports]\nmin_messages = 1\nchart_dir = "{tmp_path / "charts"}"\n'
        f"[alerts]\nenabled = false\n"
        f'[ops]\nlog_level = "WARNING"\nshutdown_timeout_s = 5\n',
        encoding="utf-8",
    )
    world = Cluster(postgres_url, slack, api, config, tmp_path)
    try:
        yield world
    finally:
        for proc in world.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        await api.close()


async def start_two(cluster: Cluster) -> None:
    start = time.time()
    for who in ("a", "b"):
        cluster.spawn(who, start)
    try:
        await cluster.slack.wait_connected("a", "b", timeout=40)
    except TimeoutError:
        logs = {w: (cluster.logs / f"{w}.log").read_text(errors="replace")[-2000:] for w in "ab"}
        raise AssertionError(f"instances did not connect: {logs}") from None


async def exited(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> int:
    """Wait for ``proc`` without blocking the loop (the fake Slack must answer its goodbye)."""
    return await asyncio.to_thread(proc.wait, timeout)


async def bounded(jobs: list[Callable[[], Awaitable[object]]], width: int = 16) -> None:
    """Run ``jobs`` with at most ``width`` in flight (the stream of a busy workspace)."""
    gate = asyncio.Semaphore(width)

    async def one(job: Callable[[], Awaitable[object]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(one(job) for job in jobs))


def stamps() -> Callable[[int, int], str]:
    """Slack ``ts`` values from now on (the scheduled reports see these messages)."""
    base = int(time.time())

    def ts(i: int, offset: int = 0) -> str:
        return f"{base + offset}.{i:06d}"

    return ts


async def test_two_instances_keep_one_truth(cluster: Cluster) -> None:
    await start_two(cluster)
    slack, ts = cluster.slack, stamps()
    expected: dict[str, str | None] = {}  # message ts -> its newest text, None once deleted

    def scenario(i: int) -> Callable[[], Awaitable[object]]:
        channel, key, text = f"C{i // 3 % 3}", ts(i), f"great day number {i}"
        first, other = ("a", "b") if i % 2 else ("b", "a")
        ev = f"Ev{i}"

        async def plain() -> None:  # its ack is lost once: redelivered to the other instance
            await slack.deliver(message(channel, key, text), ev, to=first, lose_first_ack=True)
            expected[key] = text

        async def edited() -> None:  # two edits, the newer first, then a late retry of the original
            await slack.deliver(message(channel, key, text), ev, to=first)
            newest, older = f"awful day {i}", f"fine day {i}"
            await slack.deliver(edit(channel, key, text, newest, ts(i, 20)), ev + "e2", to=other)
            await slack.deliver(edit(channel, key, text, older, ts(i, 10)), ev + "e1", to=first)
            await slack.deliver(message(channel, key, text), ev, to=other)  # retry on the other
            expected[key] = newest

        async def deleted_at_once() -> None:  # message and delete on both instances together
            await asyncio.gather(
                slack.deliver(message(channel, key, text), ev, to=first),
                slack.deliver(delete(channel, key, text, ts(i, 5)), ev + "d", to=other),
            )
            await slack.deliver(message(channel, key, text), ev, to=other)  # a late retry
            await slack.deliver(edit(channel, key, text, "back?", ts(i, 30)), ev + "e", to=first)
            expected[key] = None

        return [plain, edited, deleted_at_once][i % 3]

    await bounded([scenario(i) for i in range(150)])
    rows = cluster.rows()
    survivors = {k: v for k, v in expected.items() if v is not None}
    assert set(rows) == set(survivors), {
        "resurrected": sorted(set(rows) - set(survivors))[:5],
        "lost": sorted(set(survivors) - set(rows))[:5],
    }
    wrong = {k: rows[k][0] for k, text in survivors.items() if rows[k][0] != text}
    assert not wrong, wrong
    redelivered = [d for d in slack.deliveries if d[2] > 0]
    assert redelivered and {who for _, who, _ in redelivered} == {"a", "b"}
    stones = cluster.query("SELECT message_id FROM message_tombstones")
    assert {s[0] for s in stones} == {k for k, v in expected.items() if v is None}

    # reports: both instances fire on the same 2 s periods; each period is posted once
    # (messages keep coming, so each 2 s period has some to report)
    for n in range(int(3 * REPORT_EVERY_S / 0.25)):
        tail = stamps()(1000 + n)
        await slack.deliver(message(f"C{n % 3}", tail, "good"), f"Tail{n}", to="ab"[n % 2])
        await asyncio.sleep(0.25)

    def reports() -> tuple[dict[str, int], dict[str, int]]:
        """Posts seen by Slack and reports recorded as posted, per channel."""
        claims = cluster.query("SELECT channel FROM reports_posted WHERE outcome = 'posted'")
        posts = cluster.api.named("chat.postMessage")
        channels = ("C0", "C1", "C2")
        return (
            {ch: sum(p.get("channel") == ch for p in posts) for ch in channels},
            {ch: sum(c[0] == ch for c in claims) for ch in channels},
        )

    # a post whose "posted" record is still on its way settles within a moment; a report
    # posted twice never does
    deadline = time.monotonic() + 15
    while (seen := reports())[0] != seen[1] and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    per_channel, recorded = seen
    assert sum(recorded.values()) >= 2 and per_channel == recorded, seen

    for who in ("a", "b"):  # SIGTERM: a clean stop
        cluster.procs[who].send_signal(signal.SIGTERM)
    assert [await exited(cluster.procs[w]) for w in ("a", "b")] == [0, 0]


async def test_sigkill_mid_stream_loses_no_acked_event(cluster: Cluster) -> None:
    await start_two(cluster)
    slack, ts = cluster.slack, stamps()
    acks: dict[str, Ack] = {}
    deletes: set[str] = set()
    killed = asyncio.Event()

    def job(i: int) -> Callable[[], Awaitable[object]]:
        async def run() -> None:
            key, to = ts(i), "ab"[i % 2]
            if i % 10 == 9:  # delete an earlier message
                target = ts(i - 5)
                ev = delete("C1", target, "x", ts(i, 5))
                acks[f"d{target}"] = await slack.deliver(ev, f"Del{i}", to=to)
                deletes.add(target)
            else:
                acks[key] = await slack.deliver(message("C1", key, f"good {i}"), f"Ev{i}", to=to)
            if len(acks) == 150 and not killed.is_set():
                killed.set()
                cluster.procs["b"].send_signal(signal.SIGKILL)

        return run

    await bounded([job(i) for i in range(400)], width=24)
    assert killed.is_set() and await exited(cluster.procs["b"]) == -signal.SIGKILL
    by_b = [a for a in acks.values() if a.who == "b"]
    assert by_b, "b acked nothing before its SIGKILL"
    rows = cluster.rows()
    stones = {s[0] for s in cluster.query("SELECT message_id FROM message_tombstones")}
    acked_messages = {k for k in acks if not k.startswith("d")}
    # every acked message is stored (or deleted by a later acked delete); every acked delete is
    # a tombstone
    lost = sorted(k for k in acked_messages if k not in rows and k not in deletes)
    assert not lost, f"{len(lost)} acked messages lost, e.g. {lost[:5]}"
    assert deletes <= stones and not (deletes & set(rows))
    cluster.procs["a"].send_signal(signal.SIGTERM)
    assert await exited(cluster.procs["a"]) == 0
