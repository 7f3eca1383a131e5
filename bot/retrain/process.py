"""The retrain's training child, seen from the bot: start it, relay its epochs, kill it.

``bot.retrain.manager.RetrainManager`` runs ``python -m bot.retrain.job`` through
``TrainingProcess`` so TensorFlow training never runs in the bot's process. The child's stdout
is read line by line (``bot.retrain.progress``); every finished epoch is told to the admin, and
everything the
child printed is kept in ``train.log`` for the failure message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.retrain.progress import Progress, log_tail, parse_progress_line, read_lines

logger = logging.getLogger(__name__)

Notify = Callable[[str], Awaitable[None]]
EPOCH_EVENTS = ("epoch", "epoch_start", "epoch_end")


@dataclass(frozen=True)
class TrainResult:
    """How the child ended: exit code, the model directory it announced, its log file."""

    code: int
    announced: str | None
    log: Path

    def failure(self, serving: str) -> str | None:
        """The admin's message when the child failed (``None`` when it exited with 0)."""
        if self.code == 0:
            return None
        how = (
            f"was killed by signal {-self.code}"
            if self.code < 0
            else f"exited with code {self.code}"
        )
        tail = log_tail(self.log)
        return (
            f"Retrain failed: the training process {how}. The active model {serving} keeps "
            f"serving." + (f"\nLast output:\n{tail}" if tail else "")
        )


class TrainingProcess:
    """One run of the training child.

    Parameters
    ----------
    args
        The full command line (``python -m bot.retrain.job --output DIR ...``).
    run_dir
        Where ``train.log`` is written.
    progress
        Updated with each epoch the child reports.
    notify
        Told each finished epoch (failures to tell are logged, not raised).
    """

    def __init__(
        self, args: Sequence[str], run_dir: Path, progress: Progress, notify: Notify
    ) -> None:
        self.args = list(args)
        self.log = run_dir / "train.log"
        self.progress = progress
        self.notify = notify
        self.process: asyncio.subprocess.Process | None = None

    async def run(self) -> TrainResult:
        """Run the child to its end, relaying epochs; returns how it ended."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
        announced: str | None = None
        self.progress.stage = "training"
        with self.log.open("wb") as err:
            self.process = process = await asyncio.create_subprocess_exec(
                *self.args, stdout=asyncio.subprocess.PIPE, stderr=err, env=env, limit=1 << 20
            )
            logger.info("retrain: pid %d: %s", process.pid, " ".join(self.args))
            assert process.stdout is not None
            async for raw in read_lines(process.stdout):
                err.write(raw + b"\n")
                event = parse_progress_line(raw.decode("utf-8", "replace"))
                if event is None:
                    continue
                if event["event"] == "done":
                    announced = event.get("directory") or event.get("output")
                elif event["event"] in EPOCH_EVENTS:
                    await self._on_epoch(event)
            code = await process.wait()
        return TrainResult(code, announced, self.log)

    def kill(self) -> None:
        """Kill the child if it still runs."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def _on_epoch(self, event: dict[str, Any]) -> None:
        progress = self.progress
        if progress.update(event):
            total = f"/{progress.epochs}" if progress.epochs else ""
            shown = progress.shown_metrics()
            await safe_notify(self.notify, f"Retrain: epoch {progress.epoch}{total} done. {shown}")


async def safe_notify(notify: Notify, text: str) -> None:
    """Tell the admin ``text``; a failure to do so is logged, never raised."""
    try:
        await notify(text)
    except Exception:
        logger.exception("could not tell the admin: %s", text.splitlines()[0])
