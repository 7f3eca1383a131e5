"""``sentibot run --adapter shell`` as a subprocess: real model, real SQLite file, piped stdin."""

from __future__ import annotations

import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests import REPO


def write_config(tmp_path: Path, model_dir: Path | str, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///{tmp_path / "bot.db"}"\nflush_interval_ms = 20\n'
        f'[model]\npath = "{model_dir}"\n'
        f'[reports]\nchart_dir = "{tmp_path / "charts"}"\n' + extra,
        encoding="utf-8",
    )
    return config


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTIBOT_")}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"):
        env.pop(name, None)
    env["PYTHONPATH"] = str(REPO)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def sentibot(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "run", "--config", str(config), *args]


def rows(tmp_path: Path, columns: str = "message_id, label, score, text") -> list[tuple]:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        return db.execute(f"SELECT {columns} FROM scored_messages").fetchall()


def line_number(message_id: str) -> int:
    return int(message_id.rsplit("-", 1)[1])


def test_piped_shell_scores_stores_and_answers(tmp_path: Path, tiny_model_dir: Path) -> None:
    config = write_config(tmp_path, tiny_model_dir)
    lines = [
        "what a wonderful, great and moving film",
        "this was terrible, boring and a waste of time",
        "🎉🎉🎉",
        "<@U123> ```print(1)``` **bold** <https://example.com|link>",
        "\x07 control \x1b[31m characters",
        "good " * 200_000,  # 1 MB
        "",
        "/sentiment I loved every minute of it",
        "/sentiment",
        "/sentiment-retrain",
        "/sentiment-report",
        "/help",
    ]
    done = subprocess.run(
        sentibot(config, "--adapter", "shell"),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=tmp_path,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"^sentibot> \S+ (positive|neutral|negative) \d\.\d\d [█░]{10}$", out, re.M)
    assert "sentibot> Usage: /sentiment <text>" in out
    assert "Only admins" not in out  # the local user is an admin
    assert "sentibot> Sentiment report for #local (shell)" in out
    assert "/sentiment-optout" in out  # the help text
    stored = rows(tmp_path, "message_id, platform, channel, author_id, label, score, text, reason")
    assert len(stored) == 6  # the blank line is no message; commands are not stored
    assert {(r[1], r[2]) for r in stored} == {("shell", "local")}
    assert all(r[6] is None for r in stored)  # no text by default
    by_line = {line_number(r[0]): r for r in stored}
    assert by_line[1][4] in ("positive", "neutral") and by_line[1][5] > by_line[2][5]
    assert by_line[6][7] == "truncated"


def test_sigterm_stores_every_line_read(tmp_path: Path, tiny_model_dir: Path) -> None:
    config = write_config(tmp_path, tiny_model_dir, "[privacy]\nstore_text = true\n")
    proc = subprocess.Popen(
        sentibot(config, "--adapter", "shell"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=tmp_path,
    )
    out: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [out.put(x) for x in proc.stdout], daemon=True).start()
    err: list[str] = []
    threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
    first = 200
    proc.stdin.write("".join(f"line {i} is good\n" for i in range(1, first + 1)))
    proc.stdin.write("/sentiment marker\n")
    proc.stdin.flush()
    reply = out.get(timeout=120)  # the command waits for the lines before it
    assert reply.startswith("sentibot> "), reply
    stop_feeding = threading.Event()

    def feed() -> None:
        i = first
        try:
            while not stop_feeding.is_set() and i < 100_000:
                proc.stdin.write("".join(f"line {i + k} is good\n" for k in range(1, 51)))
                proc.stdin.flush()
                i += 50
                time.sleep(0.002)
        except (BrokenPipeError, ValueError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    time.sleep(0.5)  # lines are streaming in
    sent_at = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    status = proc.wait(timeout=60)
    took = time.monotonic() - sent_at
    stop_feeding.set()
    feeder.join(5)
    logs = "".join(err)
    assert status == 0, logs[-2000:]
    assert took < 10.0  # [ops] shutdown_timeout_s (default 10)
    handled = re.search(r"shell: (\d+) message\(s\) and (\d+) command\(s\) handled", logs)
    assert handled, logs[-2000:]
    count = int(handled.group(1))
    assert count > first  # the signal came while lines were streaming
    stored = rows(tmp_path, "message_id, text")
    assert len(stored) == count  # every line handed to the core was stored
    numbers = sorted(line_number(message_id) for message_id, _ in stored)
    assert numbers == list(range(1, count + 1))  # the first `count` lines, none missing
    assert all(text == f"line {line_number(mid)} is good" for mid, text in stored)


def run_expecting_error(tmp_path: Path, config: Path, *args: str, env: dict | None = None) -> str:
    done = subprocess.run(
        sentibot(config, *args),
        input="",
        capture_output=True,
        text=True,
        env=env or child_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("sentibot:")]
    assert len(errors) == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return errors[0]


@pytest.mark.parametrize(
    ("adapter", "token"), [("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD_TOKEN")]
)
def test_missing_token_is_one_line(tmp_path: Path, adapter: str, token: str) -> None:
    config = write_config(tmp_path, tmp_path / "unused")
    line = run_expecting_error(tmp_path, config, "--adapter", adapter)
    assert token in line


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[storage]\nurl = "postgresql+psycopg://sentibot:s3cret@127.0.0.1:9/none"\n',
        encoding="utf-8",
    )
    line = run_expecting_error(tmp_path, config, "--adapter", "shell")
    assert "unreachable" in line and "s3cret" not in line


def test_bad_config_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[bot]\nrate_limit_per_minute = 0\n", encoding="utf-8")
    line = run_expecting_error(tmp_path, config, "--adapter", "shell")
    assert "rate_limit_per_minute" in line
