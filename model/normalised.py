"""The normalised texts of a scored batch and what the model found about them (no TensorFlow).

Filled in process by ``model.service.Scorer`` and, from a model server's answer, by
``model.remote.RemoteScorer``; read by the scoring rules (``model.rules``).
"""

from __future__ import annotations

import numpy as np


class Normalised(list):
    """The normalised texts of a batch (a ``list`` of ``str``) and what the graph found.

    Attributes
    ----------
    known_words
        The model's vocabulary: the language gate accepts a text made of words the model
        knows without running the language detector on it.
    plain
        Per text, ``True`` when the compiled call already found it English (ASCII, mostly
        common or known words), so the Python language gate can skip it; ``None`` if unknown.
    classes
        Per text, the class code 0/1/2 of a three-class model, -1 for a binary model (label
        from the neutral band); ``None`` if unknown.
    known_counts
        Per text, how many of its words are in the model's vocabulary, as a model server
        reports them (instead of ``known_words``); ``None`` if not reported.
    """

    known_words: frozenset[str] = frozenset()
    plain: np.ndarray | None = None
    classes: np.ndarray | None = None
    known_counts: np.ndarray | None = None


def decode(values: list[bytes]) -> list[str]:
    """Decode the normalised texts the compiled call returned.

    Parameters
    ----------
    values
        UTF-8 bytes, one per text.

    Returns
    -------
    list of str
        Decoded with ``"replace"``: all at once when they hold no newline, else one by one.
    """
    joined = b"\n".join(values).decode("utf-8", "replace").split("\n")
    if len(joined) == len(values):
        return joined
    return [value.decode("utf-8", "replace") for value in values]
