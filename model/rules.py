"""The scoring rules around the model, shared by the in-process and the remote scorer.

``score_texts`` prepares a batch (``model.textprep.prepare``), asks the model for calibrated
probabilities and the normalised texts (``probabilities``), and applies the rules: empty text
and text with no words left are unscored, a text in a language the model does not handle is
unscored (``model.language``), a three-class model's label is its class and a binary model's
comes from the neutral band, a truncated text says so. No TensorFlow here: a bot that scores
through a model server (``model.remote``) applies exactly the rules an in-process
``model.service.Scorer`` does.
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from model.config import ScoringConfig
from model.heads import band_classes
from model.language import LanguageFilter
from model.textprep import CONTROL_CHARS, prepare
from model.types import Label, Score, scores_of

_LABELS = (Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE)


class ProbabilityModel(Protocol):
    """What ``score_texts`` needs: the scoring settings, the gate and the model's answer."""

    scoring: ScoringConfig
    languages: LanguageFilter

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str], str]: ...


def score_texts(scorer: ProbabilityModel, texts: Sequence[str]) -> list[Score]:
    """Score a batch of raw texts with ``scorer``'s model; the whole batch is scored by one model.

    Parameters
    ----------
    scorer
        The scorer (``model.service.Scorer`` or ``model.remote.RemoteScorer``).
    texts
        Raw texts.

    Raises
    ------
    TypeError
        When an item is not a ``str`` (naming its position).
    """
    prepared, truncated = _prepare_all(texts, scorer.scoring.max_chars)
    blank: set[int] = set()
    if "" in prepared or any(map(str.isspace, prepared)):
        blank = {i for i, text in enumerate(prepared) if not text or text.isspace()}
    todo = [i for i in range(len(prepared)) if i not in blank] if blank else None
    probs, words, version = scorer.probabilities(
        prepared if todo is None else [prepared[i] for i in todo]
    )
    classes = getattr(words, "classes", None)
    if classes is not None and len(classes) and classes[0] >= 0:
        codes = classes  # a three-class model: the label is its most probable class
    else:
        codes = band_classes(probs, scorer.scoring.neutral_low, scorer.scoring.neutral_high)
    scores = scores_of(probs.tolist(), list(map(_LABELS.__getitem__, codes.tolist())), version)
    check = scorer.languages.enabled
    known = getattr(words, "known_words", None)
    counts = getattr(words, "known_counts", None)
    plain = getattr(words, "plain", None)
    for j in range(len(words)) if plain is None else np.flatnonzero(~plain).tolist():
        normalised = words[j]
        if not normalised:
            scores[j] = Score(None, Label.UNSCORED, version, "no words")
        elif check and (
            code := scorer.languages.foreign_language(
                normalised, known, known_count=None if counts is None else int(counts[j])
            )
        ):
            scores[j] = Score(None, Label.UNSCORED, version, f"language:{code}")
    if todo is not None:
        results = [Score(None, Label.UNSCORED, version, "empty")] * len(prepared)
        for i, score in zip(todo, scores, strict=True):
            results[i] = score
        scores = results
    for i in truncated:
        if scores[i].reason is None:
            scores[i] = replace(scores[i], reason="truncated")
    return scores


def _prepare_all(texts: Sequence[str], max_chars: int) -> tuple[list[str], list[int]]:
    """``prepare`` every text: the texts and the positions of the truncated ones.

    A batch that ``prepare`` would return unchanged (no control characters or invalid
    surrogates, already NFC, none too long) is checked as one joined string and returned as it
    is, without a Python call per text. Otherwise only the texts that are not plain printable
    ASCII within ``max_chars`` (which ``prepare`` returns as they are) go through ``prepare``.
    """
    if set(map(type, texts)) - {str}:
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {index} must be str, not {type(text).__name__}")
    joined = " ".join(texts)  # a space neither combines nor is a control character
    longest = max(map(len, texts), default=0)
    if longest <= max_chars and _unchanged(joined):
        return list(texts), []
    plain = map(operator.and_, map(str.isascii, texts), map(str.isprintable, texts))
    if longest > max_chars:
        plain = map(operator.and_, plain, (len(text) <= max_chars for text in texts))
    out, truncated = list(texts), []
    for index in [i for i, ok in enumerate(plain) if not ok]:
        out[index], cut = prepare(texts[index], max_chars)
        if cut:
            truncated.append(index)
    return out, truncated


def _unchanged(joined: str) -> bool:
    """Whether ``prepare`` leaves every text of ``joined`` as it is (length aside)."""
    if not joined.isprintable() and CONTROL_CHARS.search(joined) is not None:
        return False  # (tabs, newlines and emoji joiners are not printable, yet kept)
    if joined.isascii():
        return True
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return unicodedata.is_normalized("NFC", joined)
