"""Extra training rows that teach a review-trained network to score short text.

IMDB reviews average 230 words; chat messages have a handful. Optional augmentations, all
measured by ``benchmarks/accuracy.py``:

- sentences: single sentences of each training review, labelled like the review;
- lexicon: the words and phrases of VADER's hand-rated lexicon whose mean rating is clearly
  positive or negative, labelled by the sign of the rating;
- chat: labelled chat messages in three classes (``[data] chat_train``, ``model.chat``).
"""

from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path

import numpy as np

from model.config import DataConfig
from model.data import Split, concat, make_split

logger = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|<br\s*/?>|\n+|\x85", re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_LEXICON_ENTRY = re.compile(r"^[a-z][a-z' -]*$")


def split_sentences(text: str) -> list[str]:
    """Split a review into sentences (on ``.!?`` followed by space, line breaks, ``<br />``)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def sentence_rows(split: Split, min_words: int, max_per_review: int, seed: int) -> Split:
    """Up to ``max_per_review`` random sentences of each review with >= ``min_words`` words."""
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    labels: list[int] = []
    for text, label in zip(split.texts, split.labels, strict=True):
        candidates = [s for s in split_sentences(text) if len(_WORDS.findall(s)) >= min_words]
        if len(candidates) > max_per_review:
            picked = rng.choice(len(candidates), size=max_per_review, replace=False)
            candidates = [candidates[i] for i in sorted(picked)]
        texts.extend(candidates)
        labels.extend([int(label)] * len(candidates))
    return make_split(texts, labels)


def lexicon_path() -> Path:
    """Locate ``vader_lexicon.txt`` shipped inside the ``vaderSentiment`` package."""
    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "[data] lexicon_augment needs the vaderSentiment package (pip install vaderSentiment)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "vader_lexicon.txt"


def lexicon_rows(min_score: float, path: Path | None = None, negations: bool = False) -> Split:
    """Lexicon words/phrases with ``|mean rating| >= min_score`` (1 = positive, 0 = negative).

    With ``negations``, each single word also yields ``"not <word>"`` with the opposite label
    (VADER's own negation rule), so "not bad" and "not happy" are learned the right way round.
    """
    texts: list[str] = []
    labels: list[int] = []
    for line in (path or lexicon_path()).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        token, rating = parts[0].strip(), float(parts[1])
        if abs(rating) >= min_score and _LEXICON_ENTRY.match(token):
            texts.append(token)
            labels.append(int(rating > 0))
            if negations and " " not in token:
                texts.append(f"not {token}")
                labels.append(int(rating < 0))
    return make_split(texts, labels)


def augment(train: Split, config: DataConfig, chat: Split | None = None) -> Split:
    """Return ``train`` plus the augmentation rows that ``config`` switches on.

    ``chat`` (labelled chat messages, ``model.chat``, already repeated as ``[data] chat_repeat``
    asks: see ``model.pipeline``) is added; with it the result has three-class labels.
    """
    parts = [train]
    if config.sentence_augment and config.sentence_max_per_review > 0:
        parts.append(
            sentence_rows(
                train, config.sentence_min_words, config.sentence_max_per_review, config.seed
            )
        )
    if config.lexicon_augment:
        rows = lexicon_rows(config.lexicon_min_score, negations=config.lexicon_negations)
        if config.lexicon_not_neutral and chat is not None and len(chat):
            three = rows.three_class()
            rows = Split(three.texts, three.labels, 3, np.zeros(len(three), dtype=bool))
        parts.extend([rows] * config.lexicon_repeat)
    if chat is not None and len(chat):
        parts.append(chat)
    rows = concat(*parts)
    if len(parts) > 1:
        logger.info("augmented %d reviews to %d training rows", len(train), len(rows))
    return rows
