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

Loading TensorFlow touches about 400 MB of its libraries' read-only pages (relocation tables,
static initialisers) that scoring never reads again. Once it is loaded, ``release_library_pages``
hands them back to the kernel (``madvise(MADV_PAGEOUT)``, Linux 5.4+; elsewhere nothing
happens): they stay in the page cache (reclaimable, no longer mapped in) and the few that scoring
needs come back on first use, so the resident memory of a running bot drops by about 350 MB
without changing its speed (``benchmarks/footprint.py`` and ``benchmarks/scoring.py`` measure
both). The kernel leaves pages that another process also maps (a second TensorFlow process
from the same installation), which are paid for once anyway.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

NATIVE_LOG = Path("var/sentibot.log")
MADV_PAGEOUT = 21  # linux/mman.h
NOT_NEEDED = ("matplotlib", "sklearn", "scipy", "PIL")  # Keras' optional imports sentibot skips


class _Hidden(importlib.abc.MetaPathFinder):
    """Makes ``import NAME`` (and its submodules) fail as if NAME were not installed."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(name for name in names if name not in sys.modules)

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.split(".", 1)[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is not loaded with TensorFlow", name=fullname)
        return None


def import_tensorflow(log: Path = NATIVE_LOG, *, threads: int | None = None) -> None:
    """Import TensorFlow (and start its runtime) with its native start-up lines sent to ``log``.

    Does nothing when TensorFlow is already imported.

    Parameters
    ----------
    log
        Where TensorFlow's native start-up lines go.
    threads
        TensorFlow's intra- and inter-op thread pools (default: one thread per core); they
        cannot change once the runtime has started, which this does.
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

        if threads is not None:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        tf.constant(0)  # the first operation sets up the devices (the cuInit line)
    finally:
        sys.meta_path.remove(hidden)
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
    release_library_pages(Path(tf.__file__).parent)


def release_library_pages(package: Path) -> int:
    """Page out the read-only mappings of the files under ``package`` (its shared libraries).

    Only mappings that cannot be written are advised, so no data can be lost: clean pages leave
    resident memory and are read back from the page cache when touched again.

    Returns
    -------
    int
        Bytes advised (0 where ``MADV_PAGEOUT`` is not available).
    """
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    prefix, advised = str(package) + os.sep, 0
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or not fields[5].startswith(prefix) or "w" in fields[1]:
            continue
        start, end = (int(value, 16) for value in fields[0].split("-"))
        if libc.madvise(start, end - start, MADV_PAGEOUT) != 0:
            logger.debug("madvise(MADV_PAGEOUT) refused (errno %d)", ctypes.get_errno())
            return advised  # an older kernel: nothing to gain from trying the rest
        advised += end - start
    logger.debug("paged out %d MB of TensorFlow's libraries", advised >> 20)
    return advised
