"""Evaluating a saved model on the IMDB test split (the only place the test split is used)."""

from __future__ import annotations

import logging
from pathlib import Path

from model.architectures import compile_model
from model.artifact import load_artifact
from model.config import DataConfig
from model.data import Split, load_reviews
from model.training import evaluate

logger = logging.getLogger(__name__)

METRIC_KEYS = ("loss", "accuracy", "precision", "recall", "auc")


def evaluate_split(model_dir: Path | str, split: Split) -> dict[str, float]:
    """Load the artifact in ``model_dir`` and return its metrics on ``split``.

    Returns
    -------
    dict
        ``loss``, ``accuracy``, ``precision``, ``recall`` and ``auc``.
    """
    artifact = load_artifact(model_dir)
    compile_model(artifact.model, "adam")
    metrics = evaluate(artifact.model, split)
    return {key: round(metrics[key], 6) for key in METRIC_KEYS}


def evaluate_directory(model_dir: Path | str, data: DataConfig) -> dict[str, float]:
    """Evaluate the model in ``model_dir`` on the 25,000 IMDB test reviews of ``data``.

    Raises
    ------
    model.artifact.ModelLoadError
        When the model cannot be loaded.
    model.data.DataError
        When the data set cannot be loaded.
    """
    artifact_check = load_artifact(model_dir)  # fail fast, before loading 50,000 reviews
    del artifact_check
    reviews = load_reviews(data)
    return evaluate_split(model_dir, reviews.test)
