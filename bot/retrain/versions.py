"""The database's active model version: loading it at startup and when it changes.

``sentibot models activate`` and a promoted retrain mark one ``ModelVersion`` active. A bot
starting up serves it when its directory loads (``active_scorer``), else the configured model;
a running bot follows later activations through ``RetrainManager.sync_active_model``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import first_line
from storage.repository import Repository
from storage.types import ModelVersion

logger = logging.getLogger(__name__)

Loaded = TypeVar("Loaded")


def load_model_artifact(directory: Path) -> Any:
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
