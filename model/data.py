"""Labelled review text for training and evaluation, from either configured source.

``load_reviews`` returns the IMDB train and test splits as raw text, whichever source
``[data] source`` names (``archive``: the official ``aclImdb_v1.tar.gz``; ``keras``:
``keras.datasets.imdb`` decoded back to words), so both feed the same raw-text pipeline.
Validation always comes out of the training split (``train_validation_split``); the test split
is only for evaluation.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from model.config import DataConfig
from model.imdb_archive import load_archive
from model.imdb_keras import load_keras_imdb
from model.splits import DataError, Reviews, Split, concat, make_split

__all__ = [
    "DataError",
    "Reviews",
    "Split",
    "concat",
    "load_reviews",
    "make_split",
    "read_jsonl",
    "subsample",
    "train_validation_split",
]

logger = logging.getLogger(__name__)


def subsample(split: Split, size: int | None, seed: int) -> Split:
    """Return a seeded, label-balanced random subset of ``size`` rows (all rows if ``None``)."""
    if size is None or size >= len(split):
        return split
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    for value in range(split.classes):
        rows = np.flatnonzero(split.labels == value)
        take = min(len(rows), size // split.classes)
        chosen.extend(rng.choice(rows, size=take, replace=False).tolist())
    rng.shuffle(chosen)
    return split.take(chosen)


def train_validation_split(split: Split, fraction: float, seed: int) -> tuple[Split, Split]:
    """Split the *training* data into training and validation parts, stratified and seeded.

    Parameters
    ----------
    split
        The training split (never the test split).
    fraction
        Share of rows held out for validation, in ``(0, 1)``.
    seed
        Random seed, so the same configuration always holds out the same reviews.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    train_rows: list[int] = []
    val_rows: list[int] = []
    for value in range(split.classes):
        rows = rng.permutation(np.flatnonzero(split.labels == value))
        cut = max(1, round(len(rows) * fraction)) if len(rows) > 1 else 0
        val_rows.extend(rows[:cut].tolist())
        train_rows.extend(rows[cut:].tolist())
    return split.take(rng.permutation(train_rows)), split.take(rng.permutation(val_rows))


def read_jsonl(path: Path | str) -> Split:
    """Read ``{"text": ..., "label": 0|1}`` lines (the test fixtures use this format)."""
    texts: list[str] = []
    labels: list[int] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                texts.append(str(row["text"]))
                labels.append(int(row["label"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise DataError(f"{path}:{number}: bad row ({exc})") from None
    return make_split(texts, labels)


def load_reviews(config: DataConfig) -> Reviews:
    """Load the IMDB train and test splits from the configured source.

    Raises
    ------
    DataError
        When the archive (or the Keras files) are missing, damaged or incomplete.
    """
    if config.source == "keras":
        return load_keras_imdb(config.keras_npz or None, config.keras_word_index or None)
    return load_archive(config.archive, config.cache_dir)
