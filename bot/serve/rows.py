"""What the model server answers for each text: the outputs of the exported signature.

``sentibot export`` writes a SavedModel whose ``serving_default`` signature returns, per text,
``probability`` (calibrated), ``classes``, ``words`` (the normalised text), ``known`` (how many
of those words the model knows) and ``model_version``. ``PredictionRows`` computes the same
outputs with the in-process ``model.service.Scorer`` (its compiled call, no SavedModel), so a
thin bot (``model.remote.RemoteScorer``) reads the same fields from ``sentibot serve`` as from
TF Serving, and scores exactly what an in-process bot scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypedDict

import numpy as np

from model.normalised import Normalised
from model.textprep import prepare

MAX_TEXT_CHARS = 100_000  # per text; a bot sends at most [scoring] max_chars


class Row(TypedDict):
    """One prediction, as TF Serving's row format writes it."""

    probability: float
    classes: int
    words: str
    known: int
    model_version: str


OUTPUTS = tuple(Row.__annotations__)  # the signature's output names, in order


class InProcessModel(Protocol):
    """``model.service.Scorer``: calibrated probabilities and normalised texts of a batch."""

    @property
    def version(self) -> str: ...

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, Normalised, str]: ...


class PredictionRows:
    """Turn batches of texts into signature rows with an in-process model.

    Parameters
    ----------
    model
        The serving ``model.service.Scorer`` (swapped by the active-version sync).
    """

    def __init__(self, model: InProcessModel) -> None:
        self.model = model

    @property
    def version(self) -> str:
        """The version of the model answering now."""
        return self.model.version

    def score_many(self, texts: Sequence[str]) -> list[Row]:
        """The signature's outputs for each text; the whole batch is scored by one model.

        Texts are made safe first (``model.textprep.prepare``, capped at ``MAX_TEXT_CHARS``):
        a client such as ``RemoteScorer`` has already prepared them, and preparing twice
        changes nothing.
        """
        prepared = [prepare(text, MAX_TEXT_CHARS)[0] for text in texts]
        probs, words, version = self.model.probabilities(prepared)
        known = words.known_words
        classes = words.classes if words.classes is not None else np.full(len(words), -1)
        return [
            Row(
                probability=probability,
                classes=code,
                words=normalised,
                known=sum(map(known.__contains__, normalised.lower().split())),
                model_version=version,
            )
            for probability, code, normalised in zip(
                probs.tolist(), classes.tolist(), words, strict=True
            )
        ]
