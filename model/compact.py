"""Smaller model files: n-gram kernels saved as 8-bit codes with one scale per column.

Most of a bag-of-n-grams network's file is the kernels that read its n-grams: one row of
float32 weights per feature (150,000 x (16 + 3) in the default). ``CompactDense`` is a
``Dense`` layer that computes and trains in float32 exactly as ``Dense`` does, and saves its
kernel as ``int8`` codes and a float32 scale per output column (symmetric: ``kernel ~ codes *
scale``, ``scale = max |column| / 127``), a quarter of the bytes. Loading rebuilds the float32
kernel from them, so the loaded layer runs at ``Dense``'s speed.

Guarantees
----------
- ``round_kernels(model)`` puts every ``CompactDense`` kernel on its 8-bit grid. Training calls
  it before evaluating and saving, so the metrics recorded are those of the weights saved:
  saving a rounded kernel and loading it gives the same kernel back, to float32 rounding.
- Rounding moves each weight by at most half a step, ``scale / 2``; with a column's scale set
  by its largest weight, a weight of typical size moves by a few per cent.
- A column of zeros (or of weights so small that ``max / 127`` is zero in float32) gets scale
  1 and codes 0 (no division by zero); a kernel holding NaN or infinity is refused.

The stored variables, in order: ``"0"`` codes (``int8``, the kernel's shape), ``"1"`` scale
(``float32``, one per column), ``"2"`` bias (if ``use_bias``). ``model.numpy_runtime`` reads
the same layout.
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["CompactDense", "dequantize", "quantize", "round_kernels"]

_LEVELS = 127  # symmetric int8: codes in -127..127


def quantize(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A float kernel to ``int8`` codes and a float32 scale per column.

    Parameters
    ----------
    kernel
        ``(inputs, units)`` weights.

    Returns
    -------
    codes, scale
        ``codes`` (``int8``, ``kernel``'s shape) and ``scale`` (``float32``, ``(units,)``), with
        ``codes * scale`` the nearest point of the grid to ``kernel``.

    Raises
    ------
    ValueError
        When ``kernel`` holds NaN or infinity.
    """
    kernel = np.asarray(kernel, dtype=np.float32)
    if not np.isfinite(kernel).all():
        raise ValueError("the kernel holds NaN or infinity: nothing to save")
    peak = np.abs(kernel).max(axis=0) if kernel.size else np.zeros(kernel.shape[1:], np.float32)
    scale = (peak / np.float32(_LEVELS)).astype(np.float32)
    scale[scale <= 0] = 1.0  # a column of zeros (or of weights too small to divide)
    codes = np.clip(np.rint(kernel / scale), -_LEVELS, _LEVELS).astype(np.int8)
    return codes, scale


def dequantize(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``codes * scale`` as float32: the kernel ``quantize`` stored."""
    return np.asarray(codes, dtype=np.float32) * np.asarray(scale, dtype=np.float32)


@keras.saving.register_keras_serializable(package="sentibot")
class CompactDense(keras.layers.Dense):
    """``Dense``, saved with an 8-bit kernel and a scale per column (see the module notes)."""

    def round_kernel(self) -> None:
        """Put the kernel on the grid it is saved on (training calls this before evaluating)."""
        self.kernel.assign(dequantize(*quantize(keras.ops.convert_to_numpy(self.kernel))))

    def save_own_variables(self, store: dict) -> None:  # noqa: D102 (Keras' hook)
        if not self.built:
            return
        codes, scale = quantize(keras.ops.convert_to_numpy(self.kernel))
        store["0"], store["1"] = codes, scale
        if self.bias is not None:
            store["2"] = keras.ops.convert_to_numpy(self.bias)

    def load_own_variables(self, store: dict) -> None:  # noqa: D102 (Keras' hook)
        if not self.built:
            return
        expected = 3 if self.bias is not None else 2
        if len(store.keys()) != expected:
            raise ValueError(
                f"layer {self.name!r} expects {expected} saved variables, found {len(store.keys())}"
            )
        codes, scale = np.asarray(store["0"]), np.asarray(store["1"])
        if codes.shape != tuple(self.kernel.shape) or scale.shape != (self.kernel.shape[1],):
            raise ValueError(f"layer {self.name!r}: saved kernel of shape {codes.shape}")
        self.kernel.assign(dequantize(codes, scale))
        if self.bias is not None:
            self.bias.assign(np.asarray(store["2"]))


def round_kernels(model: keras.Model) -> int:
    """Round every ``CompactDense`` kernel in ``model`` (nested models too) to its saved grid.

    Returns
    -------
    int
        How many layers were rounded.
    """
    count = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            count += round_kernels(layer)
        elif isinstance(layer, CompactDense):
            layer.round_kernel()
            count += 1
    return count
