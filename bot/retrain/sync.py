"""Keep the served model in step with the database's active model version.

``sentibot models activate`` (a rollback) or a retrain on another bot instance changes the
active version in the database; ``ActiveModelSync.run`` (a scheduler job, through
``RetrainManager.sync_active_model``) loads that version and swaps it in. It shares the
retrain's swap lock, so a promotion and a sync never swap at the same time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.retrain.versions import load_active
from storage.repository import Repository

logger = logging.getLogger(__name__)


class ActiveModelSync:
    """Serve the database's active version when it differs from the serving one.

    Parameters
    ----------
    scorer
        The serving scorer (``version``, ``swap``).
    repository
        The synchronous repository (called through ``asyncio.to_thread``).
    load_artifact
        Loads a model directory (in a worker thread).
    swap_lock
        Held while swapping.
    busy
        ``True`` while a retrain runs; no sync then (the retrain decides what serves).
    """

    def __init__(
        self,
        scorer: Any,
        repository: Repository,
        load_artifact: Callable[[Path], Any],
        swap_lock: asyncio.Lock,
        busy: Callable[[], bool],
    ) -> None:
        self.scorer = scorer
        self.repository = repository
        self.load_artifact = load_artifact
        self.swap_lock = swap_lock
        self.busy = busy
        self._failed: str | None = None

    async def run(self) -> bool:
        """Swap in the active version if it differs; ``True`` when the model was swapped.

        A version whose files cannot be loaded is logged once and the current model keeps
        serving.
        """
        if self.busy():
            return False
        active = await asyncio.to_thread(self.repository.active_model_version)
        if active is None or active.version == self.scorer.version:
            return False
        async with self.swap_lock:
            if self._failed == active.version:
                return False  # said so already; wait for another activation
            try:
                artifact = await asyncio.to_thread(load_active, active, self.load_artifact)
            except Exception as exc:
                self._failed = active.version
                logger.error(
                    "cannot serve the active model %s: %s; %s keeps serving",
                    active.version, exc, self.scorer.version,
                )  # fmt: skip
                return False
            await asyncio.to_thread(self.scorer.swap, artifact)
        logger.info("now serving the active model version %s", active.version)
        return True
