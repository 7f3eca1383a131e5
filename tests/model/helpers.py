"""Small configurations and data builders shared by the model tests."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import numpy as np

from model.config import ModelConfig, TrainConfig
from model.data import Split

# Tiny sizes so each architecture trains an epoch on the fixture in a second or two.
SMALL = {
    "max_tokens": 2000,
    "sequence_length": 64,
    "embedding_dim": 8,
    "hidden_units": 8,
    "conv_filters": 8,
    "lstm_units": 4,
}


def small_model(architecture: str, **changes: object) -> ModelConfig:
    """A ``ModelConfig`` for ``architecture`` with tiny sizes (no per-architecture overrides)."""
    return ModelConfig.model_validate(
        {"architecture": architecture, **SMALL, "sequential": {}, **changes}
    )


def quick_train(**changes: object) -> TrainConfig:
    """One epoch, batches of 32."""
    return TrainConfig.model_validate({"epochs": 1, "batch_size": 32, **changes})


def write_archive(path: Path, split: Split, per_split: int) -> Path:
    """Write a miniature ``aclImdb_v1.tar.gz`` with ``per_split`` reviews in train and test."""
    staging = path.parent / "staging"
    for part, rows in (("train", range(per_split)), ("test", range(per_split, 2 * per_split))):
        for i in rows:
            label = "pos" if split.labels[i] == 1 else "neg"
            folder = staging / "aclImdb" / part / label
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i}_{9 if label == 'pos' else 2}.txt").write_text(
                split.texts[i], encoding="utf-8"
            )
    unsup = staging / "aclImdb" / "train" / "unsup"
    unsup.mkdir(parents=True, exist_ok=True)
    (unsup / "0_0.txt").write_text("unlabelled", encoding="utf-8")
    with tarfile.open(path, "w:gz") as tar:
        tar.add(staging / "aclImdb", arcname="aclImdb")
    return path


def write_keras_imdb(directory: Path, split: Split, n_train: int) -> tuple[Path, Path]:
    """Write a tiny ``imdb.npz`` (raw word ranks, as Keras ships it) and its word index."""
    vocabulary: dict[str, int] = {}
    encoded = []
    for text in split.texts:
        words = text.lower().split()
        encoded.append([vocabulary.setdefault(w, len(vocabulary) + 1) for w in words])
    sequences = np.empty(len(encoded), dtype=object)
    sequences[:] = encoded
    npz = directory / "imdb.npz"
    np.savez(
        npz,
        x_train=sequences[:n_train],
        y_train=split.labels[:n_train],
        x_test=sequences[n_train:],
        y_test=split.labels[n_train:],
    )
    index = directory / "imdb_word_index.json"
    index.write_text(json.dumps(vocabulary), encoding="utf-8")
    return npz, index
