"""Soak test: run ``sentibot run --adapter shell`` for minutes at a steady rate with bad input.

The bot runs as a subprocess (configured by ``SENTIBOT_*`` variables: SQLite in a temporary
directory, JSON logs, the ops server on a free port). A feeder thread writes chat lines to its
standard input at ``--rate`` lines per second, a ``--bad`` fraction of them hostile: blank
lines, 1 MB lines, control characters and ANSI escapes, emoji sequences, chat markup, invalid
UTF-8 and lone surrogates, bidi and zero-width characters, link-only lines, 5000-letter words.
Every ``--interval`` seconds it prints lines sent, rows stored, the writer queue (from
``/metrics``), the bot's RSS and its warning/error counts. At the end the input is closed (or
SIGTERM sent, ``--stop sigterm``), the bot drains and exits, and it prints messages in, stored,
lost, errors, and the RSS trend. Target: nothing lost, RSS flat, no error lines.

Usage::

    python benchmarks/soak.py --minutes 10 --rate 20 [--model DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = (  # noqa: SIM905  (a sentence is easier to read than a 28-line list)
    "great awful love hate the team build deploy release coffee meeting is was really not so "
    "very good bad terrible amazing slow fast broken fixed thanks today again"
).split()
BAD_INPUTS: dict[str, bytes] = {
    "blank": b"   ",
    "1 MB": ("great " * 174763).encode(),
    "control": b"hello \x01\x02\x1b[31mred\x1b[0m \x7f tab\there \xc2\x85 nel \xe2\x80\xa8 end",
    "emoji": "🎉🎉 love it 😍👍🏽 👨‍👩‍👧 🏳️‍🌈 ❤️".encode(),
    "markup": b"<@U123> see <#C42|dev> ```code``` <https://x.io|link> **bold** <b>hi</b> &amp;",
    "bad utf-8": b"bad \xed\xa0\x80 surrogate \xff\xfe \xc3 cut",
    "bidi": "\u202ereversed\u202c and \u200bzero\u200dwidth \ufeff".encode(),
    "link only": b"https://example.com/a?b=c",
    "long word": b"a" * 5000,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def stored_rows(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM scored_messages").fetchone()[0]
    except sqlite3.Error:
        return 0


def queue_depth(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return "-"
    for line in text.splitlines():
        if line.startswith("sentibot_writer_queue_depth "):
            return str(int(float(line.split()[1])))
    return "-"


class Soak:
    """The bot subprocess, the feeder and the log readers."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.db = workdir / "soak.db"
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            PYTHONPATH=f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}",
            TF_CPP_MIN_LOG_LEVEL="2",
            SENTIBOT_STORAGE__URL=f"sqlite:///{self.db}",
            SENTIBOT_OPS__PORT=str(self.port),
            SENTIBOT_OPS__LOG_FORMAT="json",
            SENTIBOT_REPORTS__CHART_DIR=str(workdir / "charts"),
        )
        if args.model:
            env["SENTIBOT_MODEL__PATH"] = str(Path(args.model).resolve())
        command = [sys.executable, "-m", "bot.cli", "run", "--adapter", "shell"]
        self.proc = subprocess.Popen(  # noqa: S603
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.sent = Counter[str]()
        self.levels = Counter[str]()
        self.problems = Counter[str]()
        self.replies = 0
        self.handled: int | None = None
        self.stop_feeding = threading.Event()
        for target in (self._read_stdout, self._read_stderr):
            threading.Thread(target=target, daemon=True).start()

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.replies += line.startswith(b"sentibot>")

    def _read_stderr(self) -> None:
        for raw in self.proc.stderr:  # type: ignore[union-attr]
            try:
                entry = json.loads(raw)
            except ValueError:
                if raw.startswith(b"Traceback"):
                    self.levels["TRACEBACK"] += 1
                continue
            level, message = entry.get("level", "?"), str(entry.get("message", ""))
            self.levels[level] += 1
            if level in ("WARNING", "ERROR", "CRITICAL"):
                self.problems[f"{level} {entry.get('logger')}: {message[:90]}"] += 1
            if message.startswith("shell: ") and "message(s)" in message:
                self.handled = int(message.split()[1])

    def feed(self, seconds: float) -> None:
        rng, rate, end = random.Random(self.args.seed), self.args.rate, time.monotonic() + seconds
        due, last_command = time.monotonic(), time.monotonic()
        while not self.stop_feeding.is_set() and due < end:
            if rng.random() < self.args.bad:
                kind = rng.choice(list(BAD_INPUTS))
                line = BAD_INPUTS[kind]
            else:
                kind, line = "chat", " ".join(rng.choices(WORDS, k=rng.randint(2, 12))).encode()
            if time.monotonic() - last_command > 30:
                kind, line, last_command = (
                    "command",
                    b"/sentiment great work team",
                    time.monotonic(),
                )
            try:
                self.proc.stdin.write(line + b"\n")  # type: ignore[union-attr]
                self.proc.stdin.flush()  # type: ignore[union-attr]
            except (BrokenPipeError, OSError):
                return
            self.sent[kind] += 1
            due += 1 / rate
            time.sleep(max(0.0, due - time.monotonic()))

    def wait_ready(self, timeout_s: float = 300.0) -> float:
        """Wait until ``/healthz`` answers 200 (model loaded, database open); seconds waited."""
        start = time.monotonic()
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() - start < timeout_s and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return time.monotonic() - start
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"soak: the bot did not become healthy (exit status {self.proc.poll()})")

    @property
    def messages_sent(self) -> int:
        return sum(n for kind, n in self.sent.items() if kind not in ("blank", "command"))

    def sample(self, start: float) -> tuple[float, float | None]:
        rss = rss_mb(self.proc.pid)
        problems = self.levels["WARNING"], self.levels["ERROR"] + self.levels["CRITICAL"]
        print(
            f"{time.monotonic() - start:7.0f} {self.messages_sent:8d} {stored_rows(self.db):8d} "
            f"{queue_depth(self.port):>6} {rss or 0:8.1f} {problems[0]:6d} {problems[1]:6d}",
            flush=True,
        )
        return time.monotonic() - start, rss


def trend(points: list[tuple[float, float]]) -> float:
    """Least-squares slope in MB per minute of the samples after the first fifth."""
    points = points[len(points) // 5 :]
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t, mean_r = sum(t for t, _ in points) / n, sum(r for _, r in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return 60 * sum((t - mean_t) * (r - mean_r) for t, r in points) / var if var else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="feeding time (default 10)")
    parser.add_argument("--rate", type=float, default=20.0, help="lines per second (default 20)")
    parser.add_argument("--bad", type=float, default=0.1, help="fraction of bad input (0.1)")
    parser.add_argument("--interval", type=float, default=None, help="seconds between samples")
    parser.add_argument("--model", default=None, help="model directory (default: bundled)")
    parser.add_argument("--stop", choices=("eof", "sigterm"), default="eof")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    interval = args.interval or max(5.0, args.minutes * 60 / 20)
    with tempfile.TemporaryDirectory(prefix="sentibot-soak-") as tmp:
        soak = Soak(args, Path(tmp))
        ready = soak.wait_ready()
        print(f"bot healthy after {ready:.1f} s, RSS {rss_mb(soak.proc.pid) or 0:.1f} MB")
        start = time.monotonic()
        feeder = threading.Thread(target=soak.feed, args=(args.minutes * 60,), daemon=True)
        feeder.start()
        print(f"soak: {args.minutes:g} min at {args.rate:g} lines/s, {args.bad:.0%} bad input")
        print(
            f"{'t (s)':>7} {'sent':>8} {'stored':>8} {'queue':>6} {'rss MB':>8} {'warn':>6} "
            f"{'error':>6}"
        )
        samples: list[tuple[float, float]] = []
        while feeder.is_alive() and soak.proc.poll() is None:
            feeder.join(interval)
            t, rss = soak.sample(start)
            if rss is not None:
                samples.append((t, rss))
        stop_at = time.monotonic()
        if args.stop == "sigterm":
            soak.proc.send_signal(signal.SIGTERM)
        soak.proc.stdin.close()  # type: ignore[union-attr]
        status = soak.proc.wait(timeout=300)
        shutdown_s = time.monotonic() - stop_at
        time.sleep(0.5)  # let the log readers finish
        stored = stored_rows(soak.db)
        received = soak.handled if soak.handled is not None else soak.messages_sent
        print(f"\nlines sent: {sum(soak.sent.values())} ({dict(sorted(soak.sent.items()))})")
        print(f"messages in (read by the bot): {received} of {soak.messages_sent} sent")
        print(f"stored: {stored}   lost: {received - stored}   command replies: {soak.replies}")
        print(f"exit status: {status}   shutdown: {shutdown_s:.1f} s")
        print(f"log lines by level: {dict(soak.levels)}")
        for problem, count in soak.problems.most_common(10):
            print(f"  {count:6d} x {problem}")
        if samples:
            rss = [r for _, r in samples]
            print(
                f"RSS MB: first {rss[0]:.1f}, last {rss[-1]:.1f}, max {max(rss):.1f}, "
                f"trend {trend(samples):+.2f} MB/min (after warm-up)"
            )
        errors = soak.levels["ERROR"] + soak.levels["CRITICAL"] + soak.levels["TRACEBACK"]
        ok = received == stored and status == 0 and errors == 0
        print("verdict:", "PASS (nothing lost, no errors)" if ok else "FAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
