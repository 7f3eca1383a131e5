"""Import TensorFlow (and Keras) without its C++ start-up lines, and without what it does not need.

TensorFlow prints the absl, oneDNN and CUDA notices (twice: once per native library it loads)
and, on its first operation, a ``cuInit`` error on machines without a GPU. They are written by
C++ straight to file descriptor 2 before logging is set up, so ``TF_CPP_MIN_LOG_LEVEL`` does not
hide them. ``import_tensorflow`` points descriptor 2 at the log file (``var/sentibot.log``, or
nowhere when it cannot be opened) while TensorFlow loads and runs its first operation, then
gives the terminal back. Every command that runs the model calls it before anything imports
TensorFlow; nothing else in the process's output changes.

Keras also imports, when they are installed, matplotlib (an image-gallery helper), Pillow (image
helpers), scikit-learn (its scikit-learn wrappers) and SciPy (the legacy ``tf.keras`` engine),
each inside ``try: ... except ImportError``. sentibot uses none of that, so they are hidden while
TensorFlow and Keras load: that saves their memory and seconds of start-up (measured by
``benchmarks/footprint.py``). They import normally afterwards: the report charts load matplotlib
when they first draw.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

NATIVE_LOG = Path("var/sentibot.log")
NOT_NEEDED = ("matplotlib", "sklearn", "scipy", "PIL")  # Keras' optional imports sentibot skips


class _Hidden(importlib.abc.MetaPathFinder):
    """Makes ``import NAME`` (and its submodules) fail as if NAME were not installed."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(name for name in names if name not in sys.modules)

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.split(".", 1)[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is not loaded with TensorFlow", name=fullname)
        return None


def import_tensorflow(log: Path = NATIVE_LOG) -> None:
    """Import TensorFlow (and start its runtime) with its native start-up lines sent to ``log``.

    Does nothing when TensorFlow is already imported.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:  # a read-only working directory: drop them
        target = os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(target, 2)
    os.close(target)
    hidden = _Hidden(NOT_NEEDED)
    sys.meta_path.insert(0, hidden)
    try:
        import keras  # noqa: F401  (imported by TensorFlow anyway; its optional imports hidden)
        import tensorflow as tf

        tf.constant(0)  # the first operation sets up the devices (the cuInit line)
    finally:
        sys.meta_path.remove(hidden)
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
