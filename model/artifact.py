"""The saved model: one end-to-end ``sentiment.keras`` file plus ``metadata.json``.

``save_artifact`` writes both files (the metadata records the model file's SHA-256, the Keras
and TensorFlow versions and a format number); ``load_artifact`` checks all of that before it
asks Keras to deserialise anything, so a missing, damaged or incompatible model directory
fails with one clear line (``ModelLoadError``) instead of a deep Keras traceback.
"""

from __future__ import annotations

import json
import logging
import warnings
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from model.checksum import file_sha256

__all__ = ["Artifact", "ModelLoadError", "file_sha256", "load_artifact", "save_artifact"]

logger = logging.getLogger(__name__)

MODEL_FILE = "sentiment.keras"
METADATA_FILE = "metadata.json"
FORMAT = 1
REQUIRED_KEYS = ("version", "architecture", "format", "keras_version", "tensorflow_version")


class ModelLoadError(Exception):
    """A model directory that cannot be used, described in one line."""


@dataclass
class Artifact:
    """A loaded model and its metadata.

    Attributes
    ----------
    model
        End-to-end Keras model: batch of raw strings ``(None,)`` -> ``(None, 1)`` probabilities.
    metadata
        The parsed ``metadata.json``.
    directory
        Where it was loaded from.
    version
        ``metadata["version"]``, e.g. ``"bigram-20261125T1300-ab12cd34"``.
    """

    model: keras.Model
    metadata: dict[str, Any]
    directory: Path
    version: str


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


def save_artifact(model: keras.Model, directory: Path | str, metadata: dict[str, Any]) -> Path:
    """Save ``model`` and its metadata into ``directory`` (created if needed).

    Parameters
    ----------
    model
        The end-to-end model (raw strings in, probabilities out).
    directory
        Target folder; existing ``sentiment.keras`` / ``metadata.json`` are replaced.
    metadata
        At least ``architecture``; ``version``, ``created_at``, the library versions, ``format``
        and ``model_sha256`` are filled in here when missing.

    Notes
    -----
    The artifact is for inference: the optimizer state of ``model`` and of any nested model is
    dropped (set to ``None``) before saving, which keeps the file a third of the size. Keras
    stores the zip's members uncompressed; they are deflated here (the vocabulary, stored
    twice, shrinks to 40%), and Keras and ``model.numpy_runtime`` read either.

    Returns
    -------
    Path
        The directory.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    tmp_path = directory / (MODEL_FILE + ".tmp.keras")
    for network in (model, *(layer for layer in model.layers if isinstance(layer, keras.Model))):
        network.optimizer = None
    model.save(tmp_path)
    _deflate(tmp_path)
    tmp_path.replace(model_path)
    digest = file_sha256(model_path)
    now = datetime.now(UTC)
    meta = dict(metadata)
    meta.setdefault("architecture", "unknown")
    meta.setdefault("created_at", now.isoformat(timespec="seconds"))
    meta.setdefault("version", f"{meta['architecture']}-{now:%Y%m%dT%H%M%S}-{digest[:8]}")
    meta.setdefault("calibration", None)
    meta.update(
        format=FORMAT,
        keras_version=keras.__version__,
        tensorflow_version=tf.__version__,
        model_sha256=digest,
    )
    (directory / METADATA_FILE).write_text(
        json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    logger.info("saved model %s to %s", meta["version"], directory)
    return directory


def _deflate(path: Path) -> None:
    """Rewrite the zip at ``path`` with every member deflated (same names, dates and order)."""
    packed = path.with_name(path.name + ".deflated")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(packed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=9)
    packed.replace(path)


def read_metadata(directory: Path | str) -> dict[str, Any]:
    """Read and validate ``metadata.json`` without loading the model.

    Raises
    ------
    ModelLoadError
        When the directory, either file, or a required key is missing, the JSON is corrupt, the
        format or the Keras/TensorFlow major version differs, or the model file's hash does not
        match.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelLoadError(f"model directory not found: {directory}")
    meta_path = directory / METADATA_FILE
    model_path = directory / MODEL_FILE
    if not meta_path.is_file():
        raise ModelLoadError(f"{meta_path} is missing; train a model with 'sentibot train'")
    if not model_path.is_file():
        raise ModelLoadError(f"{model_path} is missing; train a model with 'sentibot train'")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{meta_path} is corrupt: {exc}") from None
    if not isinstance(meta, dict):
        raise ModelLoadError(f"{meta_path} is corrupt: expected a JSON object")
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        raise ModelLoadError(f"{meta_path} lacks required keys: {', '.join(missing)}")
    if meta["format"] != FORMAT:
        raise ModelLoadError(
            f"{meta_path}: model format {meta['format']!r} is not supported (expected {FORMAT})"
        )
    for name, have in (("keras", keras.__version__), ("tensorflow", tf.__version__)):
        saved = str(meta[f"{name}_version"])
        if _major(saved) != _major(have):
            raise ModelLoadError(
                f"{meta_path}: model was saved with {name} {saved}, incompatible with "
                f"installed {name} {have}; retrain with 'sentibot train'"
            )
    expected = meta.get("model_sha256")
    if expected and file_sha256(model_path) != expected:
        raise ModelLoadError(f"{model_path} does not match the hash in {METADATA_FILE}: damaged")
    return meta


def load_artifact(directory: Path | str) -> Artifact:
    """Validate the metadata, then load the model.

    Raises
    ------
    ModelLoadError
        See :func:`read_metadata`; also when Keras cannot deserialise the file.
    """
    import model.charngrams  # noqa: F401  (registers CharNgramSplit and RowL2Normalize)
    import model.class_calibration  # noqa: F401  (registers ClassCalibration)
    import model.compact  # noqa: F401  (registers CompactDense)
    import model.lexicon  # noqa: F401  (registers LexiconFeatures for deserialisation)
    import model.losses  # noqa: F401  (the polarity-aware loss a ``polarity`` core was compiled with)
    import model.text  # noqa: F401  (registers ChatNormalize for deserialisation)

    directory = Path(directory)
    meta = read_metadata(directory)
    try:
        with warnings.catch_warnings():  # optimizer state is deliberately not saved
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            network = keras.saving.load_model(directory / MODEL_FILE, compile=False)
    except Exception as exc:  # Keras raises many types for a bad file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"cannot load {directory / MODEL_FILE}: {first}") from exc
    logger.info("loaded model %s from %s", meta["version"], directory)
    return Artifact(model=network, metadata=meta, directory=directory, version=str(meta["version"]))
