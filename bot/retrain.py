"""The admin retrain: train in a separate process, evaluate, promote only if not worse.

``RetrainManager.start`` answers at once and runs the retrain as a background task:

1. Feedback collected so far is split (``bot.feedback.split_feedback``): the training part is
   written as JSONL for the child's ``--extra-data``, the held-back part is kept for evaluation.
2. The training runs as a child process (``asyncio.create_subprocess_exec``):
   ``python -m bot.retrain_job --output DIR --extra-data FILE`` loads IMDB, appends the
   feedback rows and calls ``model.pipeline.run_training``; its Keras epoch lines are relayed
   to the admin as progress (``bot.retrain_progress``).
3. The new model is loaded (in a worker thread) and compared with the serving one on the IMDB
   test split (from each model's metadata) and on the held-back feedback (``bot.promotion``). It
   is promoted only when no figure is worse than the active model's by more than
   ``[train] promote_tolerance``.
4. Promotion records the version, its metrics and who asked (``Repository.add_model_version``,
   active) and hot-swaps the scorer; otherwise the version is recorded inactive and the admin is
   told why, with both sets of figures.

Only one retrain runs at a time. A crash or kill of the child leaves the old model serving, and
``close`` (bot shutdown) kills a running child.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.active_model import load_active, load_model_artifact
from bot.config import Settings
from bot.feedback import split_feedback, write_jsonl
from bot.messages import Person
from bot.promotion import compare, evaluate, find_artifact_dir, format_figures, record_versions
from bot.retrain_progress import Progress, log_tail, parse_progress_line, read_lines
from storage.repository import Repository

logger = logging.getLogger(__name__)

Notify = Callable[[str], Awaitable[None]]
DEFAULT_COMMAND = (sys.executable, "-m", "bot.retrain_job")
DEFAULT_TOLERANCE = 0.01
DEFAULT_HOLDOUT = 0.2


class RetrainManager:
    """Run one admin retrain at a time and promote its model when it is not worse.

    Parameters
    ----------
    settings
        ``[train]`` (``output_dir``, ``promote_tolerance``, ``feedback_holdout``) and
        ``[scoring]`` are used.
    scorer
        The serving ``model.service.Scorer`` (``version``, ``score_many``, ``swap``).
    repository
        The synchronous repository (called through ``asyncio.to_thread``).
    command
        The train command before its arguments (default ``python -m bot.retrain_job``); tests
        pass a tiny script. ``--output DIR``, ``--extra-data FILE`` (when there is feedback to
        train on) and ``--config FILE`` are appended.
    config_path
        Passed on as ``--config`` so the child reads the same configuration file.
    load_artifact, make_scorer
        Load a model directory / build a scorer for it (default: ``model.artifact`` and
        ``model.service``); called in worker threads.
    """

    def __init__(
        self,
        settings: Settings,
        scorer: Any,
        repository: Repository,
        *,
        command: Sequence[str] = DEFAULT_COMMAND,
        config_path: Path | str | None = None,
        runs_dir: Path | str | None = None,
        tolerance: float | None = None,
        holdout: float | None = None,
        load_artifact: Callable[[Path], Any] | None = None,
        make_scorer: Callable[[Any], Any] | None = None,
    ) -> None:
        train = settings.train
        self.settings = settings
        self.scorer = scorer
        self.repository = repository
        self.command = list(command)
        self.config_path = config_path
        self.runs_dir = Path(runs_dir or Path(train.output_dir) / "retrain")
        self.tolerance = (
            tolerance
            if tolerance is not None
            else getattr(train, "promote_tolerance", DEFAULT_TOLERANCE)
        )
        self.holdout = (
            holdout if holdout is not None else getattr(train, "feedback_holdout", DEFAULT_HOLDOUT)
        )
        self._load_artifact = load_artifact or load_model_artifact
        self._make_scorer = make_scorer or (lambda artifact: _default_scorer(artifact, settings))
        self.progress: Progress | None = None
        self._task: asyncio.Task[str] | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._swap_lock = asyncio.Lock()
        self._sync_failed: str | None = None

    @property
    def running(self) -> bool:
        """Whether a retrain is in progress."""
        return self._task is not None and not self._task.done()

    async def start(self, requested_by: Person, notify: Notify) -> str:
        """Start a retrain for ``requested_by``; returns the immediate answer.

        Progress and the result go to ``notify``. A second request while one runs is refused
        with the running one's progress.
        """
        if self.running and self.progress is not None:
            return f"A retrain is already running ({self.progress.describe()}); one at a time."
        who = requested_by.name or requested_by.id
        self.progress = Progress(
            requested_by=who, started_at=datetime.now(UTC), epochs=self.settings.train.epochs
        )
        self._task = asyncio.create_task(self._guarded(who, notify), name="retrain")
        return (
            f"Retrain started (model {self.scorer.version} keeps serving meanwhile). "
            "I'll post progress here and the result when it's done."
        )

    async def wait(self) -> str | None:
        """Wait for the running retrain (if any) and return its outcome message."""
        return await self._task if self._task is not None else None

    async def close(self) -> None:
        """Stop a running retrain (bot shutdown): the child is killed, the old model stays."""
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _guarded(self, who: str, notify: Notify) -> str:
        try:
            outcome = await self._run(who, notify)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("retrain failed")
            outcome = (
                f"Retrain failed: {type(exc).__name__}: {exc}. "
                f"The active model {self.scorer.version} keeps serving."
            )
        await _safe_notify(notify, outcome)
        return outcome

    async def _run(self, who: str, notify: Notify) -> str:
        assert self.progress is not None
        feedback = await asyncio.to_thread(self.repository.list_feedback)
        train_fb, held = split_feedback(feedback, self.holdout)
        run_dir = self.runs_dir / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        output = run_dir / "model"
        args = [*self.command, "--output", str(output)]
        if train_fb:
            args += ["--extra-data", str(write_jsonl(train_fb, run_dir / "feedback-train.jsonl"))]
        if self.config_path is not None:
            args += ["--config", str(self.config_path)]
        run_dir.mkdir(parents=True, exist_ok=True)
        await _safe_notify(
            notify,
            f"Retrain: training on IMDB plus {len(train_fb)} feedback example(s); "
            f"{len(held)} held back for evaluation.",
        )
        code, announced, log = await self._train(args, run_dir, notify)
        old = self.scorer.version
        if code != 0:
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            tail = log_tail(log)
            return (
                f"Retrain failed: the training process {how}. The active model {old} keeps "
                f"serving." + (f"\nLast output:\n{tail}" if tail else "")
            )
        directory = find_artifact_dir(output, announced)
        if directory is None:
            return f"Retrain failed: no model was saved in {output}. {old} keeps serving."
        self.progress.stage = "evaluating"
        artifact = await asyncio.to_thread(self._load_artifact, directory)
        new_fig, old_fig = await evaluate(
            artifact, held, self.scorer, self.repository, self._make_scorer
        )
        promote, reasons = compare(new_fig, old_fig, self.tolerance)
        await record_versions(
            self.repository, self.scorer, artifact, directory, new_fig, who, promote
        )
        figures = f"new: {format_figures(new_fig)}\nactive: {format_figures(old_fig)}"
        if not promote:
            return (
                f"Retrain done, but {artifact.version} is NOT promoted: "
                + "; ".join(reasons)
                + f". {old} keeps serving.\n{figures}\n"
                f"(Recorded; `sentibot models activate {artifact.version}` would use it anyway.)"
            )
        async with self._swap_lock:
            await asyncio.to_thread(self.scorer.swap, artifact)
        return f"Retrain done: {artifact.version} promoted and now serving (was {old}).\n{figures}"

    async def _train(
        self, args: list[str], run_dir: Path, notify: Notify
    ) -> tuple[int, str | None, Path]:
        """Run the child; relay epochs; return (exit code, announced directory, log file)."""
        assert self.progress is not None
        log = run_dir / "train.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
        announced: str | None = None
        self.progress.stage = "training"
        with log.open("wb") as err:
            self._process = process = await asyncio.create_subprocess_exec(
                *args, stdout=asyncio.subprocess.PIPE, stderr=err, env=env, limit=1 << 20
            )
            logger.info("retrain: pid %d: %s", process.pid, " ".join(args))
            assert process.stdout is not None
            async for raw in read_lines(process.stdout):
                err.write(raw + b"\n")
                event = parse_progress_line(raw.decode("utf-8", "replace"))
                if event is None:
                    continue
                if event["event"] == "done":
                    announced = event.get("directory") or event.get("output")
                elif event["event"] in ("epoch", "epoch_start", "epoch_end"):
                    await self._on_epoch(event, notify)
            code = await process.wait()
        self._process = None
        return code, announced, log

    async def _on_epoch(self, event: dict[str, Any], notify: Notify) -> None:
        progress = self.progress
        assert progress is not None
        if progress.update(event):
            total = f"/{progress.epochs}" if progress.epochs else ""
            shown = progress.shown_metrics()
            await _safe_notify(notify, f"Retrain: epoch {progress.epoch}{total} done. {shown}")

    async def sync_active_model(self) -> bool:
        """Serve the database's active version if it differs (rollback, another instance).

        Returns ``True`` when the model was swapped. A version whose files cannot be loaded is
        logged and the current model keeps serving.
        """
        if self.running:
            return False
        active = await asyncio.to_thread(self.repository.active_model_version)
        if active is None or active.version == self.scorer.version:
            return False
        async with self._swap_lock:
            if self._sync_failed == active.version:
                return False  # said so already; wait for another activation
            try:
                artifact = await asyncio.to_thread(load_active, active, self._load_artifact)
            except Exception as exc:
                self._sync_failed = active.version
                logger.error(
                    "cannot serve the active model %s: %s; %s keeps serving",
                    active.version, exc, self.scorer.version,
                )  # fmt: skip
                return False
            await asyncio.to_thread(self.scorer.swap, artifact)
        logger.info("now serving the active model version %s", active.version)
        return True


async def _safe_notify(notify: Notify, text: str) -> None:
    try:
        await notify(text)
    except Exception:
        logger.exception("could not tell the admin: %s", text.splitlines()[0])


def _default_scorer(artifact: Any, settings: Settings) -> Any:
    from model.service import Scorer

    return Scorer(artifact, settings.scoring)
