"""Peak memory and start-up time of sentibot's commands, embedded and thin.

Each command runs as a child process of this script; its peak RSS is the child's own
``ru_maxrss`` (``os.wait4``), its time the wall clock from start to exit (or, for ``serve``,
to the line saying it serves). Rows:

- ``score "x"``: one text, the model in process (embedded: in NumPy, ``model.numpy_runtime``,
  and in TensorFlow, ``[model] runtime``) and through ``sentibot serve`` (thin);
- ``run`` (shell adapter, SQLite): with no input (start-up and shutdown), and with 2,000 chat
  messages piped to its standard input, embedded (TensorFlow, the ``auto`` default for ``run``,
  and NumPy) and thin;
- ``serve``: start-up to "serving", and its peak RSS after the thin rows above went through it.

The thin rows set ``SENTIBOT_MODEL__SERVING_URL`` to the server this script started. Every row
is one run (the machine's load moves them; run twice to see how much). Extra environment for
every child: ``--env NAME=VALUE`` (e.g. ``--env MALLOC_ARENA_MAX=2`` to compare).

Usage::

    python benchmarks/footprint.py [--messages 2000] [--env NAME=VALUE ...] [--embedded-only]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTIBOT = [sys.executable, "-m", "bot.cli"]


@dataclass
class Row:
    command: str
    mode: str
    seconds: float
    peak_mb: float
    note: str = ""


def chat_lines(count: int) -> bytes:
    """``count`` chat lines from the benchmark sets (text column), cycled."""
    texts = []
    for path in sorted((ROOT / "benchmarks" / "data").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                texts.append(line.split("\t")[0].replace("/", " "))  # no "/command" lines
    return "".join(f"{texts[i % len(texts)]}\n" for i in range(count)).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(args: list[str], env: dict[str, str], stdin: bytes = b"") -> tuple[float, float, int]:
    """Run ``sentibot ARGS`` to the end: (seconds, peak RSS in MB, exit status)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [*SENTIBOT, *args], cwd=ROOT, env=env, stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert child.stdin is not None
    feeder = threading.Thread(target=_feed, args=(child.stdin, stdin), daemon=True)
    feeder.start()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, child.returncode


def _feed(pipe, data: bytes) -> None:  # noqa: ANN001
    try:
        pipe.write(data)
        pipe.close()
    except BrokenPipeError:
        pass


class Server:
    """``sentibot serve`` on a free port: start-up time, then peak RSS when stopped."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        start = time.perf_counter()
        self.child = subprocess.Popen(
            [*SENTIBOT, "serve", "--port", str(self.port)], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        if not re.search(r"serving model", line):
            raise SystemExit(f"sentibot serve did not start: {line!r}")
        self.startup = time.perf_counter() - start
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> tuple[float, int]:
        """SIGTERM; (peak RSS in MB, exit status)."""
        self.child.send_signal(signal.SIGTERM)
        _, status, usage = os.wait4(self.child.pid, 0)
        self.child.returncode = os.waitstatus_to_exitcode(status)
        return usage.ru_maxrss / 1024, self.child.returncode


def run_all(messages: int, extra: dict[str, str], embedded_only: bool = False) -> list[Row]:
    rows: list[Row] = []
    chat = chat_lines(messages)
    with tempfile.TemporaryDirectory() as scratch:
        base = {**os.environ, **extra, "SENTIBOT_BOT__ADAPTER": "shell"}
        base.pop("SENTIBOT_MODEL__SERVING_URL", None)

        def env(name: str, **more: str) -> dict[str, str]:
            return {**base, "SENTIBOT_STORAGE__URL": f"sqlite:///{scratch}/{name}.db", **more}

        def row(command: str, mode: str, args: list[str], e: dict[str, str], data: bytes = b"",
                note: str = "") -> None:  # fmt: skip
            seconds, peak, status = measure(args, e, data)
            if status != 0:
                note = f"{note} exit {status}".strip()
            rows.append(Row(command, mode, seconds, peak, note))
            print(f"  {command} ({mode}): {seconds:.2f} s, {peak:.0f} MB {note}", file=sys.stderr)

        numpy, tensorflow = {"SENTIBOT_MODEL__RUNTIME": "numpy"}, {"SENTIBOT_MODEL__RUNTIME":
                                                                    "tensorflow"}  # fmt: skip
        row('score "x"', "embedded, NumPy", ["score", "x"], env("score", **numpy))
        row('score "x"', "embedded, TensorFlow", ["score", "x"], env("score-tf", **tensorflow))
        row("run, no input", "embedded, TensorFlow", ["run"], env("run-empty", **tensorflow))
        row(f"run, {messages:,} messages", "embedded, TensorFlow", ["run"],
            env("run-embedded", **tensorflow), chat)  # fmt: skip
        row("run, no input", "embedded, NumPy", ["run"], env("run-empty-np", **numpy))
        row(f"run, {messages:,} messages", "embedded, NumPy", ["run"], env("run-np", **numpy),
            chat)  # fmt: skip
        if embedded_only:
            return rows
        server = Server(env("serve"))
        try:
            thin = {"SENTIBOT_MODEL__SERVING_URL": server.url}
            row('score "x"', "thin", ["score", "x"], env("score-thin", **thin))
            row("run, no input", "thin", ["run"], env("run-empty-thin", **thin))
            row(f"run, {messages:,} messages", "thin", ["run"], env("run-thin", **thin), chat)
        finally:
            peak, status = server.stop()
        note = "start-up to serving; peak after the thin rows" + (
            f", exit {status}" if status else ""
        )
        rows.append(Row("serve", "model server", server.startup, peak, note))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| command | mode | seconds | peak RSS | note |", "|---|---|---:|---:|---|"]
    lines += [f"| {r.command} | {r.mode} | {r.seconds:.2f} | {r.peak_mb:.0f} MB | {r.note} |"
              for r in rows]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for every child")
    parser.add_argument(
        "--embedded-only", action="store_true", help="only the in-process rows (older versions)"
    )
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"footprint: {args.messages:,} messages, cores {os.cpu_count()}, load {load}, "
          f"extra env {extra}", file=sys.stderr)  # fmt: skip
    print(table(run_all(args.messages, extra, args.embedded_only)))
    print("load average after: " + "/".join(f"{x:.2f}" for x in os.getloadavg()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
