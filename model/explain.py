"""Why a text got its score: occlusion of one word at a time.

The text and every copy of it with one word removed are scored in a single batch; a word's
contribution is ``score(text) - score(text without the word)``, so a positive number means the
word pushed the score up. Words are split on whitespace of the prepared text, so emoji and
emoticons count as words too. Nothing here imports TensorFlow: the scorer runs the model, in
process or on a model server.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from model.rules import ProbabilityModel
from model.textprep import prepare
from model.types import Label, Score

logger = logging.getLogger(__name__)

MAX_WORDS = 100  # longer texts are explained by their first MAX_WORDS words


class Scorer(ProbabilityModel, Protocol):
    """A scorer whose model can be explained: ``model.service.Scorer`` in process, or
    ``model.remote.RemoteScorer`` (the occlusion variants are scored by the model server)."""

    def score_many(self, texts: Sequence[str]) -> list[Score]: ...


@dataclass(frozen=True)
class WordContribution:
    """One word and how much it moved the score (signed, in probability units)."""

    word: str
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """The score of a text and the words that moved it most, strongest first."""

    text: str
    score: Score
    words: list[WordContribution] = field(default_factory=list)


def _display(token: str) -> str:
    stripped = token.strip(string.punctuation + "“”‘’«»")
    return stripped or token


def _variants(tokens: list[str]) -> list[str]:
    return [" ".join(tokens[:i] + tokens[i + 1 :]) for i in range(len(tokens))]


def explain_many(scorer: Scorer, texts: Sequence[str], top: int = 5) -> list[Explanation]:
    """Explain several texts with one model call for all their occlusion variants.

    Parameters
    ----------
    scorer
        The scorer whose model is explained.
    texts
        Raw texts; unscored ones (empty, other language) get an empty word list.
    top
        Most words reported per text.
    """
    scores = scorer.score_many(texts)
    batch: list[str] = []
    spans: list[tuple[int, int, list[str]]] = []
    for text, score in zip(texts, scores, strict=True):
        tokens = prepare(text, scorer.scoring.max_chars)[0].split()[:MAX_WORDS]
        if score.label is Label.UNSCORED or not tokens:
            spans.append((len(batch), len(batch), []))
            continue
        start = len(batch)
        batch.append(" ".join(tokens))
        batch.extend(_variants(tokens))
        spans.append((start, len(batch), tokens))
    probs, _, _ = scorer.probabilities(batch)
    explanations = []
    for text, score, (start, end, tokens) in zip(texts, scores, spans, strict=True):
        best: dict[str, float] = {}
        if end > start:
            full = float(probs[start])
            for token, without in zip(tokens, probs[start + 1 : end].tolist(), strict=True):
                word, delta = _display(token), full - without
                if abs(delta) > abs(best.get(word, 0.0)):
                    best[word] = delta
        ranked = sorted(best.items(), key=lambda item: abs(item[1]), reverse=True)[:top]
        words = [WordContribution(w, c) for w, c in ranked if c != 0.0]
        explanations.append(Explanation(text, score, words))
    return explanations


def explain(scorer: Scorer, text: str, top: int = 5) -> Explanation:
    """Explain one text (see ``explain_many``)."""
    return explain_many(scorer, [text], top)[0]


def format_explanation(explanation: Explanation) -> str:
    """A short plain-text list a person can read: the score and label, then each word with how
    much it moved the score (the score with the word minus the score without it)."""
    score = explanation.score
    if score.score is None:
        return f"unscored ({score.reason})"
    lines = [f"score {score.score:.3f} ({score.label.value}), 0 negative .. 1 positive"]
    if not explanation.words:
        lines.append("no single word moved the score")
        return "\n".join(lines)
    lines.append("words that moved it (score with the word minus score without it):")
    lines += [f"  {w.contribution:+.3f}  {w.word}" for w in explanation.words]
    return "\n".join(lines)
