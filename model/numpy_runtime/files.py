"""Read a saved model without Keras: ``metadata.json`` and the ``.keras`` zip.

A ``.keras`` file is a zip of ``config.json`` (the layer graph), ``model.weights.h5`` (the
weights, one HDF5 group per layer) and ``assets/`` (e.g. a ``TextVectorization`` vocabulary).
Keras names a layer's group and asset folder after its class (``Dense`` -> ``dense``,
``dense_1``... in the order of the model's layers); ``LayerFiles`` follows the same rule and
checks each group's recorded layer name, so a file laid out differently is refused, not
misread.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from model.checksum import file_sha256

MODEL_FILE = "sentiment.keras"
METADATA_FILE = "metadata.json"
FORMAT = 1  # model.artifact.FORMAT
KERAS_MAJOR = "3"  # the .keras layout read here


class UnsupportedModel(Exception):
    """This runtime cannot compute the model exactly; use TensorFlow (one line says why)."""


def read_metadata(directory: Path) -> dict[str, Any]:
    """``metadata.json``, checked as ``model.artifact.read_metadata`` checks it.

    Raises
    ------
    UnsupportedModel
        When a file is missing or damaged, or the format is not one this runtime reads (the
        TensorFlow path then reports the problem in its own words).
    """
    meta_path, model_path = directory / METADATA_FILE, directory / MODEL_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnsupportedModel(f"{meta_path} cannot be read ({type(exc).__name__})") from None
    if not isinstance(meta, dict) or "version" not in meta or meta.get("format") != FORMAT:
        raise UnsupportedModel(f"{meta_path}: not a model format this runtime reads")
    if str(meta.get("keras_version", "")).split(".", 1)[0] != KERAS_MAJOR:
        raise UnsupportedModel(f"{meta_path}: saved by Keras {meta.get('keras_version')}")
    expected = meta.get("model_sha256")
    if not model_path.is_file() or (expected and file_sha256(model_path) != expected):
        raise UnsupportedModel(f"{model_path} is missing or does not match its hash")
    return meta


def _snake(name: str) -> str:
    """Keras' ``naming.to_snake_case``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def child_paths(path: str, layers: list[dict[str, Any]]) -> list[str]:
    """Where Keras stores each of ``layers`` (config entries) under ``path``."""
    seen: dict[str, int] = {}
    out = []
    for layer in layers:
        base = _snake(str(layer["class_name"]))
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.append(f"{path}/layers/{base}" + (f"_{count}" if count else ""))
    return out


class ModelArchive:
    """The contents of a ``.keras`` file, read once (weights and assets held in memory).

    Parameters
    ----------
    path
        The ``.keras`` file.
    """

    def __init__(self, path: Path) -> None:
        try:
            with zipfile.ZipFile(path) as archive:
                self.config: dict[str, Any] = json.loads(archive.read("config.json"))
                weights = archive.read("model.weights.h5")
                self._assets = {
                    name: archive.read(name)
                    for name in archive.namelist()
                    if name.startswith("assets/")
                }
        except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise UnsupportedModel(f"{path} cannot be read ({type(exc).__name__})") from None
        self._h5 = h5py.File(io.BytesIO(weights), "r")

    def weights(self, path: str, name: str) -> list[np.ndarray]:
        """The variables of the layer stored at ``path`` (``layers/dense``), in Keras' order.

        Raises
        ------
        UnsupportedModel
            When the group is missing or records another layer name than ``name``.
        """
        group = self._h5.get(f"{path.strip('/')}/vars")
        if group is None or group.attrs.get("name") != name:
            raise UnsupportedModel(f"weights of layer {name!r} not found at {path}")
        return [np.asarray(group[str(i)]) for i in range(len(group))]

    def asset(self, path: str, filename: str) -> bytes:
        """An asset file of the layer stored at ``path`` (e.g. ``vocabulary.txt``)."""
        key = f"assets/{path.strip('/')}/{filename}"
        if key not in self._assets:
            raise UnsupportedModel(f"asset {key} not found")
        return self._assets[key]

    def close(self) -> None:
        """Release the weights file."""
        self._h5.close()
