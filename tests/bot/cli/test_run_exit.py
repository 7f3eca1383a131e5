"""``sentibot run`` exits after its bounded shutdown even when a worker thread is stuck."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from tests import REPO

STUCK = textwrap.dedent(
    """
    import asyncio, logging, threading
    from bot.cli.run import _exit_if_threads_hang, _run_loop

    logging.basicConfig(level=logging.INFO)
    forever = threading.Event()

    async def main() -> int:
        asyncio.get_running_loop().run_in_executor(None, forever.wait)  # a call that never returns
        await asyncio.sleep(0.1)
        return 0

    status = _run_loop(main())  # asyncio.run would wait for that thread forever
    print("loop finished", status, flush=True)
    _exit_if_threads_hang(status, grace_s=0.5)
    print("not reached")
    """
)


def test_a_stuck_worker_thread_does_not_keep_the_process_alive() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", STUCK], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert time.monotonic() - started < 30
    assert done.stdout.splitlines() == ["loop finished 0"]
    assert done.returncode == 1  # work may be lost: not a clean exit
    assert "still busy" in done.stderr


def test_idle_worker_threads_exit_normally() -> None:
    clean = STUCK.replace("forever.wait", "lambda: None").replace('print("not reached")', "")
    done = subprocess.run(
        [sys.executable, "-c", clean], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "still busy" not in done.stderr
