"""The ``keras`` data source: ``keras.datasets.imdb`` decoded back to text.

``keras.datasets.imdb.load_data`` yields reviews as word indices shifted by ``INDEX_FROM`` = 3,
with 0 = padding, 1 = start of review and 2 = out-of-vocabulary. ``decode`` turns them back into
words with ``get_word_index()``, so this source feeds the same raw-text pipeline as the
archive. Local copies of ``imdb.npz`` (the raw, unshifted indices, as Keras downloads it) and
``imdb_word_index.json`` can be given; then nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from model.checksum import file_sha256
from model.splits import DataError, Reviews, make_split

logger = logging.getLogger(__name__)

PAD, START, OOV = 0, 1, 2
INDEX_FROM = 3


def reverse_index(word_index: Mapping[str, int]) -> dict[int, str]:
    """Map shifted indices (as ``load_data`` yields them) back to words."""
    return {rank + INDEX_FROM: word for word, rank in word_index.items()}


def decode(sequence: Iterable[int], words: Mapping[int, str]) -> str:
    """Decode one shifted sequence: drop padding and start marks, unknown words become ``?``."""
    out = []
    for index in sequence:
        index = int(index)
        if index in (PAD, START):
            continue
        out.append(words.get(index, "?") if index != OOV else "?")
    return " ".join(out)


def shift(raw: Iterable[Iterable[int]]) -> list[list[int]]:
    """Apply ``load_data``'s encoding to raw ranks: a start mark, then each rank + 3."""
    return [[START] + [int(w) + INDEX_FROM for w in review] for review in raw]


def _load_local(npz: Path) -> tuple[list[list[int]], np.ndarray, list[list[int]], np.ndarray]:
    try:
        with np.load(npz, allow_pickle=True) as data:
            parts = [data[key] for key in ("x_train", "y_train", "x_test", "y_test")]
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"cannot read Keras IMDB file {npz}: {exc}") from None
    return shift(parts[0]), parts[1], shift(parts[2]), parts[3]


def _read_word_index(path: Path) -> dict[str, int]:
    try:
        return {str(k): int(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError) as exc:
        raise DataError(f"cannot read the IMDB word index {path}: {exc}") from None


def load_keras_imdb(npz: str | Path | None = None, word_index: str | Path | None = None) -> Reviews:
    """Load IMDB through ``keras.datasets.imdb`` (or local copies) and decode it to text.

    Parameters
    ----------
    npz, word_index
        Local ``imdb.npz`` and ``imdb_word_index.json``; ``None`` downloads with Keras.

    Raises
    ------
    DataError
        When a file is missing or unreadable, or the Keras download fails.
    """
    from keras.datasets import imdb

    try:
        if npz:
            path = Path(npz).expanduser()
            if not path.is_file():
                raise DataError(f"Keras IMDB file not found: {path} (set [data] keras_npz)")
            x_train, y_train, x_test, y_test = _load_local(path)
            digest = file_sha256(path)
        else:
            (x_train, y_train), (x_test, y_test) = imdb.load_data()
            digest = None
        if word_index:
            index_path = Path(word_index).expanduser()
            if not index_path.is_file():
                raise DataError(f"IMDB word index not found: {index_path}")
            index = _read_word_index(index_path)
        else:
            index = imdb.get_word_index()
    except DataError:
        raise
    except Exception as exc:  # network and file errors from keras.utils.get_file
        raise DataError(f"cannot load keras.datasets.imdb: {exc}") from None
    words = reverse_index(index)
    train = make_split([decode(r, words) for r in x_train], np.asarray(y_train))
    test = make_split([decode(r, words) for r in x_test], np.asarray(y_test))
    logger.info("decoded %d train and %d test reviews from Keras", len(train), len(test))
    return Reviews(
        train, test, {"source": "keras", "archive": str(npz or "keras"), "sha256": digest}
    )
