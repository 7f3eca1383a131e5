"""At a terminal, ``sentibot run`` is a chat: no log line (Python's or TensorFlow's C++ start-up
lines) mixes with what is said; they go to var/sentibot.log (#15). Runs the real CLI with the
bundled model on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import REPO


def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    out, end = b"", time.monotonic() + timeout
    while needle not in out and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


@pytest.mark.slow
def test_logs_never_mix_with_the_chat(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    sentibot = Path(sys.executable).with_name("sentibot")
    proc = subprocess.Popen(
        [str(sentibot), "run", "--adapter", "shell", "--config", str(REPO / "config.toml")],
        stdin=slave, stdout=slave, stderr=slave, cwd=tmp_path, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    try:
        shown = _read_until(master, b"/quit or Ctrl-D", 120)
        os.write(master, "the deploy went great 🎉\n".encode())
        shown += _read_until(master, b"positive", 30)
        os.write(master, b"/quit\n")
        shown += _read_until(master, b"bye", 30)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = shown.decode("utf-8", "replace")
    assert "positive" in text and "bye" in text
    for noise in ("INFO", "WARNING", "I0000", "absl", "cuda"):
        assert noise not in text, text
    logged = (tmp_path / "var" / "sentibot.log").read_text(encoding="utf-8")
    assert "shut down cleanly" in logged
