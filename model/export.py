"""Export a saved sentiment model as a TensorFlow SavedModel for TensorFlow Serving.

The export is built with ``keras.export.ExportArchive`` (what ``model.export`` uses) and has
one endpoint, ``serve``, also published as the ``serving_default`` signature TF Serving calls:

- input ``text``: a batch of raw strings, shape ``(None,)`` (the model's ``ChatNormalize``
  layer is inside the graph, so clients send chat text as is);
- output ``probability``: float32 ``(None,)``, the score (positive-class probability, or
  ``P(positive) + P(neutral) / 2`` of a three-class model) **after** the Platt calibration
  stored in the model's metadata, i.e. the number ``Scorer`` reports;
- output ``classes``: int64 ``(None,)``, the most probable class of a three-class model
  (0/1/2 = negative/neutral/positive, the label ``Scorer`` reports), -1 for a binary model;
- output ``words``: the normalised text (``ChatNormalize``), from which a client tells texts
  with no words left and checks the language, exactly as ``model.service.Scorer`` does;
- output ``known``: int32 ``(None,)``, how many of those words are in the model's vocabulary
  (what the language gate reads in place of the vocabulary itself);
- output ``model_version``: the model's version string, repeated per instance, so a client
  always knows which model answered.

TF Serving loads numbered version folders under a model's base path, so ``export_model``
writes ``<output>/<n>/`` with ``n`` one more than the highest number already there, and puts
a copy of ``metadata.json`` in ``assets.extra/`` (which TF Serving ignores).
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import keras
import tensorflow as tf

from model.artifact import METADATA_FILE, Artifact, load_artifact
from model.language_graph import known_counts, vocabulary_table
from model.serving_graph import scores_and_classes, vocabulary
from model.text import ChatNormalize

logger = logging.getLogger(__name__)

SIGNATURE = "serving_default"
INPUT_NAME = "text"
_EPS = 1e-7  # as model.calibration clips before the logit


class ExportError(Exception):
    """The model cannot be exported, described in one line."""


def _calibrated(probs: tf.Tensor, calibration: dict | None) -> tf.Tensor:
    """``sigmoid(a * logit(p) + b)`` in the graph; the same formula as ``apply_calibration``."""
    if not calibration:
        return probs
    if calibration.get("method") != "platt":
        raise ExportError(f"cannot export calibration method {calibration.get('method')!r}")
    p = tf.clip_by_value(tf.cast(probs, tf.float64), _EPS, 1.0 - _EPS)
    logit = tf.math.log(p) - tf.math.log1p(-p)
    z = float(calibration["a"]) * logit + float(calibration["b"])
    return tf.cast(tf.sigmoid(z), tf.float32)


def _split(network: keras.Model) -> tuple[ChatNormalize, keras.Model | None]:
    """The model's ``ChatNormalize`` layer and the network after it (``None`` if not cuttable)."""
    normalize = next((lay for lay in network.layers if isinstance(lay, ChatNormalize)), None)
    if normalize is None:
        raise ExportError("the model has no ChatNormalize layer; it must take raw strings")
    try:  # so the serving graph normalises each text once
        return normalize, keras.Model(normalize.output, network.output)
    except Exception:
        return normalize, None


def next_version_dir(output: Path) -> Path:
    """``output/<n>`` for the next free TF Serving version number (1 for a new folder)."""
    numbers = [int(p.name) for p in output.glob("*") if p.is_dir() and p.name.isdigit()]
    return output / str(max(numbers, default=0) + 1)


def export_artifact(artifact: Artifact, target: Path | str) -> Path:
    """Write ``artifact`` as a SavedModel into ``target`` (which must not exist yet).

    Parameters
    ----------
    artifact
        A loaded model (``model.artifact.load_artifact``).
    target
        The SavedModel folder to create, e.g. ``exports/sentiment/1``.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    ExportError
        When ``target`` exists or the calibration cannot be expressed in the graph.
    """
    target = Path(target)
    if target.exists():
        raise ExportError(f"export target already exists: {target}")
    network = artifact.model
    calibration = artifact.metadata.get("calibration")
    _calibrated(tf.constant([0.5]), calibration)  # fail before writing anything
    version = tf.constant(artifact.version)
    normalize, tail = _split(network)
    table = vocabulary_table(vocabulary(network))

    def serve(text: tf.Tensor) -> dict[str, tf.Tensor]:
        words = normalize(text)
        probs = tail(words, training=False) if tail is not None else network(text, training=False)
        scores, classes = scores_and_classes(probs)
        return {
            "probability": _calibrated(scores, calibration),
            "classes": classes,
            "words": words,
            "known": known_counts(table, words),
            "model_version": tf.fill(tf.shape(text), version),
        }

    archive = keras.export.ExportArchive()
    archive.track(network)
    archive.track(table)
    archive.add_endpoint(
        name="serve", fn=serve, input_signature=[tf.TensorSpec([None], tf.string, name=INPUT_NAME)]
    )
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        archive.write_out(str(tmp), verbose=False)
        extra = tmp / "assets.extra"
        extra.mkdir(exist_ok=True)
        (extra / METADATA_FILE).write_bytes((artifact.directory / METADATA_FILE).read_bytes())
        tmp.rename(target)  # TF Serving polls the base path: never show it half a model
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("exported model %s to %s", artifact.version, target)
    return target


def export_model(model_dir: Path | str, output: Path | str) -> Path:
    """Load the model in ``model_dir`` and export it as the next version under ``output``.

    Parameters
    ----------
    model_dir
        A model directory (``sentiment.keras`` + ``metadata.json``).
    output
        A TF Serving model base path (``--model_base_path``), created if needed.

    Returns
    -------
    Path
        The new version folder, e.g. ``output/1``.

    Raises
    ------
    model.artifact.ModelLoadError
        For a missing or corrupt model directory.
    ExportError
        When the model cannot be exported.
    """
    artifact = load_artifact(model_dir)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    return export_artifact(artifact, next_version_dir(output))
