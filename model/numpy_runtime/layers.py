"""The layers this runtime computes, by Keras class name, and the numeric ones.

``LAYERS`` maps a class name from ``config.json`` to a builder: ``(layer config, archive,
storage path) -> operation``; an operation takes the layer's inputs (a list) and returns its
output. A class that is not in ``LAYERS``, or a setting a builder does not handle, raises
``UnsupportedModel`` and the model runs in TensorFlow instead. Adding a layer is one builder
here (or in ``model.numpy_runtime.text_layers``) plus a case in the equivalence tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.numpy_runtime.files import ModelArchive, UnsupportedModel

Operation = Callable[[list[Any]], Any]
Builder = Callable[[dict[str, Any], ModelArchive, str], Operation]
LAYERS: dict[str, Builder] = {}

_CLASS_EPS = 1e-6  # model.class_calibration._EPS


@dataclass(frozen=True)
class SparseRows:
    """A batch of sparse rows (CSR): row ``i`` holds ``values[indptr[i]:indptr[i+1]]`` at
    columns ``indices[...]``; ``width`` columns in all."""

    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray | None  # None: all ones (multi-hot)
    width: int

    def matmul(self, kernel: np.ndarray) -> np.ndarray:
        """``rows @ kernel`` without building the dense rows."""
        gathered = kernel[self.indices]
        if self.values is not None:
            gathered = gathered * self.values[:, None]
        out = np.zeros((len(self.indptr) - 1, kernel.shape[1]), np.float32)
        starts = self.indptr[:-1]
        filled = starts < self.indptr[1:]
        if filled.any():
            out[filled] = np.add.reduceat(gathered, starts[filled], axis=0)
        return out


def register(*names: str) -> Callable[[Builder], Builder]:
    """Add a builder to ``LAYERS`` under the Keras class names ``names``."""

    def add(builder: Builder) -> Builder:
        for name in names:
            LAYERS[name] = builder
        return builder

    return add


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "tanh": np.tanh,
}


def check_float32(config: dict[str, Any]) -> None:
    """Refuse a layer that computes in another precision than float32 (mixed precision)."""
    policy = config.get("dtype")
    name = policy.get("config", {}).get("name") if isinstance(policy, dict) else policy
    if name not in (None, "float32"):
        raise UnsupportedModel(f"layer {config.get('name')!r} computes in {name}")


def activation(name: object, layer: str) -> Callable[[np.ndarray], np.ndarray]:
    """The activation function called ``name`` (a string in ``config.json``)."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise UnsupportedModel(f"activation {name!r} of layer {layer!r}")
    return ACTIVATIONS[name]


@register("InputLayer", "Dropout")
def _identity(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    return lambda inputs: inputs[0]


@register("Dense")
def _dense(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    weights = _dense_weights(config, archive, path)
    bias = weights[1] if config.get("use_bias", True) else None
    return _dense_op(config, weights[0].astype(np.float32), bias)


@register("CompactDense")
def _compact_dense(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    """``model.compact.CompactDense``: int8 codes, a float32 scale per column, then the bias."""
    weights = _dense_weights(config, archive, path)
    use_bias = config.get("use_bias", True)
    codes, scale = weights[:2] if len(weights) >= 2 else (np.zeros(0), np.zeros(0))
    if (
        len(weights) != 2 + use_bias
        or codes.dtype != np.int8
        or codes.ndim != 2
        or scale.shape != codes.shape[1:]
    ):
        raise UnsupportedModel(f"CompactDense layer {config['name']!r}: unexpected saved weights")
    kernel = codes.astype(np.float32) * scale.astype(np.float32)
    return _dense_op(config, kernel, weights[2] if use_bias else None)


def _dense_weights(config: dict[str, Any], archive: ModelArchive, path: str) -> list[np.ndarray]:
    check_float32(config)
    if config.get("lora_rank") or config.get("quantization_config"):
        raise UnsupportedModel(f"Dense layer {config['name']!r} is LoRA or quantized")
    return archive.weights(path, config["name"])


def _dense_op(config: dict[str, Any], kernel: np.ndarray, bias: np.ndarray | None) -> Operation:
    act = activation(config.get("activation", "linear"), config["name"])
    bias = None if bias is None else bias.astype(np.float32)

    def dense(inputs: list[Any]) -> np.ndarray:
        x = inputs[0]
        if isinstance(x, SparseRows):
            y = x.matmul(kernel)
        else:
            if x.ndim != 2:
                raise UnsupportedModel(f"Dense layer {config['name']!r} on rank {x.ndim}")
            y = x @ kernel
        return act(y if bias is None else y + bias)

    return dense


@register("Activation")
def _activation(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    act = activation(config.get("activation"), config["name"])
    return lambda inputs: act(inputs[0])


@register("Concatenate")
def _concatenate(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    if config.get("axis", -1) not in (-1, 1):
        raise UnsupportedModel(f"Concatenate on axis {config.get('axis')}")
    return lambda inputs: np.concatenate(inputs[0], axis=-1)


@register("Add")
def _add(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    return lambda inputs: sum(inputs[0][1:], inputs[0][0])


@register("ClassCalibration")
def _class_calibration(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    """``model.class_calibration.ClassCalibration``: the calibrated neutral share."""
    check_float32(config)
    kernel, bias = (w.astype(np.float32) for w in archive.weights(path, config["name"]))

    def calibrate(inputs: list[Any]) -> np.ndarray:
        p = inputs[0]
        logits = np.log(np.clip(p, _CLASS_EPS, 1.0)) @ kernel.T + bias
        neutral = _softmax(logits)[:, 1:2]
        negative, positive = p[:, 0:1], p[:, 2:3]
        polar = np.maximum(negative + positive, _CLASS_EPS)
        rest = 1.0 - neutral
        return np.concatenate([rest * negative / polar, neutral, rest * positive / polar], -1)

    return calibrate


@register("RowL2Normalize")
def _row_l2(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    """``model.charngrams.RowL2Normalize``: each row divided by its L2 norm."""
    check_float32(config)

    def normalize(inputs: list[Any]) -> Any:
        x = inputs[0]
        if isinstance(x, SparseRows):
            values = np.ones(len(x.indices), np.float32) if x.values is None else x.values
            rows = np.repeat(np.arange(len(x.indptr) - 1), np.diff(x.indptr))
            squares = np.bincount(rows, values * values, len(x.indptr) - 1).astype(np.float32)
            scale = 1.0 / np.sqrt(np.maximum(squares, np.float32(1e-12)))
            return SparseRows(x.indptr, x.indices, (values * scale[rows]).astype(np.float32),
                              x.width)  # fmt: skip
        squares = (x * x).sum(axis=1, keepdims=True)
        return x / np.sqrt(np.maximum(squares, np.float32(1e-12)))

    return normalize
