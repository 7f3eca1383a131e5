"""Progress of a retrain's training process: reading its output lines, and where it is.

The training child (``python -m bot.retrain.job``) prints Keras' ``verbose=2`` lines and a final
JSON line; ``parse_progress_line`` turns each into an event and ``Progress`` keeps the latest.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_KERAS_EPOCH = re.compile(r"^Epoch (\d+)/(\d+)\s*$")
_KERAS_METRIC = re.compile(r"\b(\w+): ([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")
SHOWN = ("loss", "accuracy", "val_loss", "val_accuracy")


@dataclass
class Progress:
    """Where the running retrain is."""

    requested_by: str
    started_at: datetime
    stage: str = "starting"
    epoch: int = 0
    epochs: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    started: bool = False  # an "Epoch n/m" line came and its metrics line did not yet

    def describe(self, now: datetime | None = None) -> str:
        """One line: who asked, how long ago, and the stage or epoch."""
        minutes = ((now or datetime.now(UTC)) - self.started_at).total_seconds() / 60
        where = self.stage
        if self.epochs:
            where = f"epoch {self.epoch}/{self.epochs}"
            if self.metrics:
                where += f" ({self.shown_metrics()})"
        return f"asked by {self.requested_by} {minutes:.0f} min ago, {where}"

    def shown_metrics(self) -> str:
        """``loss 0.412, accuracy 0.810, ...`` for the metrics worth showing."""
        return ", ".join(f"{k} {self.metrics[k]:.3f}" for k in SHOWN if k in self.metrics)

    def update(self, event: dict[str, Any]) -> bool:
        """Apply an ``epoch``/``epoch_start``/``epoch_end`` event; ``True`` when an epoch ended."""
        kind = event["event"]
        if "epochs" in event:
            self.epochs = int(event["epochs"] or 0)
        if kind == "epoch_start":  # Keras prints "Epoch n/m" only when m > 1
            self.epoch, self.started = int(event["epoch"]), True
            return False
        if "epoch" in event:
            self.epoch = int(event["epoch"])
        elif not self.started:  # an end without its start line: the next epoch
            self.epoch += 1
        self.started = False
        self.metrics = {
            k: float(v) for k, v in event.items() if k in SHOWN and isinstance(v, int | float)
        }
        return True


def parse_progress_line(line: str) -> dict[str, Any] | None:
    """Read one line of the train command's output.

    Understands JSON lines (``{"event": "epoch", "epoch": 2, "epochs": 6, "loss": ...}`` and
    ``{"event": "done", "directory": ..., "version": ...}``) and Keras' ``verbose=2`` output
    (``Epoch 2/6`` then one line of metrics per epoch).
    Returns the event as a dict, or ``None`` for any other line.
    """
    text = line.strip()
    if text.startswith("{"):
        try:
            event = json.loads(text)
        except ValueError:
            return None
        if not isinstance(event, dict):
            return None
        if "event" not in event:
            event["event"] = "epoch" if "epoch" in event else "info"
        return event
    match = _KERAS_EPOCH.match(text)
    if match:
        return {"event": "epoch_start", "epoch": int(match[1]), "epochs": int(match[2])}
    if "loss: " in text:  # Keras verbose=2: "782/782 - 3s - accuracy: 0.81 - loss: 0.42 - ..."
        values = {key: float(value) for key, value in _KERAS_METRIC.findall(text)}
        return {"event": "epoch_end", **values} if values else None
    return None


async def read_lines(stream: asyncio.StreamReader, longest: int = 1 << 16) -> AsyncIterator[bytes]:
    """A child's output lines, split on ``\\n`` and ``\\r`` (progress bars), long ones cut."""
    pending = b""
    while chunk := await stream.read(1 << 16):
        pending += chunk
        *lines, pending = re.split(rb"[\r\n]", pending)
        for line in lines:
            if line:
                yield line[:longest]
        pending = pending[-longest:]
    if pending:
        yield pending


def log_tail(log: Path, lines: int = 5) -> str:
    """The last ``lines`` lines of a log file (each cut to 300 characters); ``""`` if unreadable."""
    try:
        text = log.read_text("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(line[-300:] for line in text[-lines:])
