"""The database's active model version: loading it at startup and when it changes.

``sentibot models activate`` and a promoted retrain mark one ``ModelVersion`` active. A bot
starting up serves it when its directory loads (``active_scorer``), else the configured model.
A running bot follows later activations (a rollback, or a retrain on another instance):
``ActiveModelSync.run`` (a scheduler job, through ``RetrainManager.sync_active_model``) loads
that version and swaps it in. It shares the retrain's swap lock, so a promotion and a sync never
swap at the same time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.engine import make_url

from bot.errors import first_line
from storage.repository import Repository
from storage.types import ModelVersion

MODEL_STORE = Path("var/models")  # every trained version; the bundled model/default is separate


def into_store(directory: Path, version: str, store: Path = MODEL_STORE) -> Path:
    """Copy a trained model folder into the model store as ``store/version`` (runs/ is scratch)
    and return the copy; a folder already in the store is returned as it is."""
    import shutil

    target = store / version
    if directory.resolve() == target.resolve():
        return target
    store.mkdir(parents=True, exist_ok=True)
    shutil.copytree(directory, target, dirs_exist_ok=True)
    return target


if TYPE_CHECKING:
    from bot.config import Settings
    from model.artifact import Artifact
    from model.batcher import BatchScorer as Scorer

logger = logging.getLogger(__name__)

Loaded = TypeVar("Loaded")


def load_model_artifact(directory: Path) -> Artifact:
    """Load a model directory (``model.artifact.load_artifact``); raises ``ModelLoadError``."""
    from model.artifact import load_artifact

    return load_artifact(directory)


def load_active(record: ModelVersion, load: Callable[[Path], Loaded]) -> Loaded:
    """Load ``record``'s directory with ``load`` and check it holds that version.

    Raises
    ------
    ValueError
        When the directory holds another version; whatever ``load`` raises otherwise.
    """
    loaded = load(Path(record.path))
    version = getattr(loaded, "version", None)
    if version != record.version:
        raise ValueError(f"{record.path} holds {version}, not {record.version}")
    return loaded


def active_scorer(
    repository: Repository, load: Callable[[Path], Loaded], fallback: str
) -> Loaded | None:
    """A scorer for the active version, or ``None`` (with a log line) to serve ``fallback``.

    Parameters
    ----------
    repository
        Asked for ``active_model_version()`` (synchronously: this runs before the event loop).
    load
        Builds a scorer from a model directory.
    fallback
        Names the model served instead, for the log line.
    """
    try:
        active = repository.active_model_version()
    except Exception as exc:
        logger.warning("could not read the active model version (%s): serving %s", exc, fallback)
        return None
    if active is None:
        logger.info("no active model version recorded: serving %s", fallback)
        return None
    try:
        scorer = load_active(active, load)
    except Exception as exc:
        logger.warning(
            "the active model version %s (%s) does not load: %s; serving %s instead",
            active.version, active.path, first_line(exc), fallback,
        )  # fmt: skip
        return None
    logger.info("serving the active model version %s from %s", active.version, active.path)
    return scorer


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
        scorer: Scorer,
        repository: Repository,
        load_artifact: Callable[[Path], Artifact],
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


def model_directory(settings: Settings, given: Path | str | None = None) -> Path:
    """The model a command loads: ``given`` (``--model``), else the database's active version
    (what a running bot serves after a retrain or ``sentibot models activate``), else the
    configured model (``[model] path``, or the bundled one).

    The database is only read: a SQLite file that does not exist yet, a schema that is behind or
    a database that is down mean "no active version", said in a log line, never an error.
    """
    if given is not None:
        return Path(given)
    configured = Path(settings.model.directory)
    url = make_url(settings.storage.url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return configured
    from storage.database import Database

    try:
        with Database(url) as database:
            record = database.repository.active_model_version()
    except Exception as exc:
        logger.info("no active version read (%s): %s", type(exc).__name__, configured)
        return configured
    if record is None or not Path(record.path).is_dir():
        return configured
    logger.info("active model version %s from the database", record.version)
    return Path(record.path)
