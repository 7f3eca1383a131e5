"""The admin retrain: train in a separate process, evaluate, promote only if not worse.

``RetrainManager.start`` answers at once and runs the retrain as a background task:

1. Feedback collected so far is split (``bot.core.feedback.split_feedback``): the training part is
   written as JSONL for the child's ``--extra-data``, the held-back part is kept for evaluation.
2. The training runs as a child process (``asyncio.create_subprocess_exec``):
   ``python -m bot.retrain.job --output DIR --extra-data FILE`` loads IMDB, appends the
   feedback rows and calls ``model.pipeline.run_training``; its Keras epoch lines are relayed
   to the admin as progress (``bot.retrain.process``, ``bot.retrain.progress``).
3. The new model is loaded (in a worker thread) and compared with the serving one on the IMDB
   test split (from each model's metadata) and on the held-back feedback
   (``bot.retrain.promotion``). It is promoted only when no figure is worse than the active
   model's by more than ``[train] promote_tolerance``.
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
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.feedback import split_feedback, write_jsonl
from bot.core.messages import Person
from bot.retrain.process import Notify, TrainingProcess, safe_notify
from bot.retrain.progress import Progress
from bot.retrain.promotion import (
    HELD,
    TRAINED,
    compare,
    evaluate,
    find_artifact_dir,
    format_figures,
    record_versions,
)
from bot.retrain.versions import MODEL_STORE, ActiveModelSync, into_store, load_model_artifact
from storage.repository import Repository

if TYPE_CHECKING:
    from model.artifact import Artifact
    from model.batcher import BatchScorer as Scorer
    from storage.types import ModelVersion

logger = logging.getLogger(__name__)

CORRECTIONS = "corrections"  # a version's metric: how many corrections existed when it trained

DEFAULT_COMMAND = (sys.executable, "-m", "bot.retrain.job")


class RetrainManager:
    """Run one admin retrain at a time and promote its model when it is not worse.

    Parameters
    ----------
    settings
        ``[train]`` (``output_dir``, ``epochs``, ``promote_tolerance``, ``feedback_holdout``)
        and ``[scoring]`` are used.
    scorer
        The serving ``model.service.Scorer`` (``version``, ``score_many``, ``swap``).
    repository
        The synchronous repository (called through ``asyncio.to_thread``).
    command
        The train command before its arguments (default ``python -m bot.retrain.job``); tests
        pass a tiny script. ``--output DIR``, ``--extra-data FILE`` (when there is feedback to
        train on) and ``--config FILE`` are appended.
    config_path
        Passed on as ``--config`` so the child reads the same configuration file.
    runs_dir
        Where each retrain's scratch folder goes (default ``[train] output_dir``/retrain).
    store
        The model store every recorded version is copied into (default ``var/models``), so
        versions never live in scratch and instances sharing ``var/`` find them.
    tolerance, holdout
        Override ``[train] promote_tolerance`` and ``[train] feedback_holdout``.
    load_artifact, make_scorer
        Load a model directory / build a scorer for it (default: ``model.artifact`` and
        ``model.service``); called in worker threads.
    """

    def __init__(
        self,
        settings: Settings,
        scorer: Scorer,
        repository: Repository,
        *,
        command: Sequence[str] = DEFAULT_COMMAND,
        config_path: Path | str | None = None,
        runs_dir: Path | str | None = None,
        store: Path | str | None = None,
        tolerance: float | None = None,
        holdout: float | None = None,
        load_artifact: Callable[[Path], Artifact] | None = None,
        make_scorer: Callable[[Artifact], Scorer] | None = None,
    ) -> None:
        train = settings.train
        self.settings = settings
        self.scorer = scorer
        self.repository = repository
        self.command = list(command)
        self.config_path = config_path
        self.runs_dir = Path(runs_dir or Path(train.output_dir) / "retrain")  # scratch
        self.store = Path(store) if store is not None else MODEL_STORE
        self.tolerance = train.promote_tolerance if tolerance is None else tolerance
        self.holdout = train.feedback_holdout if holdout is None else holdout
        self._load_artifact = load_artifact or load_model_artifact
        self._make_scorer = make_scorer or (lambda artifact: _default_scorer(artifact, settings))
        self.progress: Progress | None = None
        self._task: asyncio.Task[str] | None = None
        self._child: TrainingProcess | None = None
        self._swap_lock = asyncio.Lock()
        self._sync = ActiveModelSync(  # reads self._load_artifact at call time
            scorer,
            repository,
            lambda d: self._load_artifact(d),
            self._swap_lock,
            lambda: self.running,
        )

    @property
    def running(self) -> bool:
        """Whether a retrain is in progress."""
        return self._task is not None and not self._task.done()

    @property
    def _process(self) -> asyncio.subprocess.Process | None:
        """The running training child, if any."""
        return self._child.process if self._child is not None else None

    async def start(self, requested_by: Person, notify: Notify, *, force: bool = False) -> str:
        """Start a retrain for ``requested_by``; returns the immediate answer.

        Progress and the result go to ``notify``. A second request while one runs is refused
        with the running one's progress. Without ``force``, a retrain with no correction since
        the last one is not started: it would train minutes to promote the same model.
        """
        if self.running and self.progress is not None:
            return f"A retrain is already running ({self.progress.describe()}); one at a time."
        if not force and (unchanged := await self._nothing_new()) is not None:
            return unchanged
        who = requested_by.name or requested_by.id
        self.progress = Progress(
            requested_by=who, started_at=datetime.now(UTC), epochs=self.settings.train.epochs
        )
        self._task = asyncio.create_task(self._guarded(who, notify), name="retrain")
        return (
            f"Retrain started (model {self.scorer.version} keeps serving meanwhile). "
            "I'll post progress here and the result when it's done."
        )

    async def _last_trained(self) -> tuple[ModelVersion | None, int]:
        """The newest version that recorded its corrections, and the corrections in all."""
        feedback = await asyncio.to_thread(self.repository.list_feedback)
        versions = await asyncio.to_thread(self.repository.list_model_versions)
        trained = [v for v in versions if CORRECTIONS in v.metrics]
        return max(trained, key=lambda v: v.created_at, default=None), len(feedback)

    async def new_corrections(self) -> tuple[int, int]:
        """Corrections recorded since the last retrain (all of them before any), and in all."""
        last, total = await self._last_trained()
        used = int(last.metrics[CORRECTIONS]) if last is not None else 0
        return max(0, total - used), total

    async def _nothing_new(self) -> str | None:
        """Why a retrain now would learn nothing new, or ``None`` when there is something."""
        last, total = await self._last_trained()
        if last is None or total > int(last.metrics[CORRECTIONS]):
            return None
        return (
            f"No new corrections since the last retrain ({last.version} learnt from "
            f"{int(last.metrics[CORRECTIONS])}): a retrain now would give the same model. "
            "Correct a few scores first (/sentiment-feedback or 👍/👎), or run "
            "/sentiment-retrain force."
        )

    async def wait(self) -> str | None:
        """Wait for the running retrain (if any) and return its outcome message."""
        return await self._task if self._task is not None else None

    async def close(self) -> None:
        """Stop a running retrain (bot shutdown): the child is killed, the old model stays."""
        if self._child is not None:
            self._child.kill()
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
        await safe_notify(notify, outcome)
        return outcome

    def _args(self, output: Path, extra_data: Path | None) -> list[str]:
        """The training child's command line."""
        args = [*self.command, "--output", str(output)]
        if extra_data is not None:
            args += ["--extra-data", str(extra_data)]
        if self.config_path is not None:
            args += ["--config", str(self.config_path)]
        return args

    async def _run(self, who: str, notify: Notify) -> str:
        assert self.progress is not None
        feedback = await asyncio.to_thread(self.repository.list_feedback)
        train_fb, held = split_feedback(feedback, self.holdout)
        run_dir = self.runs_dir / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        output = run_dir / "model"
        extra = write_jsonl(train_fb, run_dir / "feedback-train.jsonl") if train_fb else None
        run_dir.mkdir(parents=True, exist_ok=True)
        await safe_notify(
            notify,
            f"Retrain: training on IMDB plus {len(train_fb)} feedback example(s); "
            f"{len(held)} held back for evaluation.",
        )
        self._child = TrainingProcess(self._args(output, extra), run_dir, self.progress, notify)
        try:
            result = await self._child.run()
        finally:
            self._child = None
        old = self.scorer.version
        failure = result.failure(old)
        if failure is not None:
            return failure
        directory = find_artifact_dir(output, result.announced)
        if directory is None:
            return f"Retrain failed: no model was saved in {output}. {old} keeps serving."
        self.progress.stage = "evaluating"
        artifact = await asyncio.to_thread(self._load_artifact, directory)
        new_fig, old_fig = await evaluate(
            artifact, held, self.scorer, self.repository, self._make_scorer
        )
        promote, reasons = compare(new_fig, old_fig, self.tolerance)
        new_fig = {
            **new_fig,
            CORRECTIONS: float(len(train_fb) + len(held)),
            TRAINED: float(len(train_fb)),
            HELD: float(len(held)),
        }
        stored = await asyncio.to_thread(into_store, directory, artifact.version, self.store)
        await record_versions(self.repository, self.scorer, artifact, stored, new_fig, who, promote)
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

    async def sync_active_model(self) -> bool:
        """Serve the database's active version if it differs (rollback, another instance).

        Returns ``True`` when the model was swapped (see ``bot.retrain.versions``).
        """
        return await self._sync.run()


def _default_scorer(artifact: Artifact, settings: Settings) -> Scorer:
    from model.service import Scorer

    return Scorer(artifact, settings.scoring)
