"""Occlusion explanations name the words that moved the score, with their signs."""

from __future__ import annotations

from model.explain import explain, explain_many, format_explanation
from model.service import Scorer
from model.types import Label


class CountingScorer(Scorer):
    """Counts model calls, to check that the variants go in one batch."""

    calls = 0

    def probabilities(self, texts):  # noqa: ANN001, ANN201
        type(self).calls += 1
        return super().probabilities(texts)


def test_great_is_positive_and_terrible_negative(scorer: Scorer) -> None:
    result = explain(scorer, "the food was great but the service was terrible", top=3)
    signs = {w.word: w.contribution for w in result.words}
    assert signs["great"] > 0
    assert signs["terrible"] < 0
    assert len(result.words) <= 3
    magnitudes = [abs(w.contribution) for w in result.words]
    assert magnitudes == sorted(magnitudes, reverse=True)
    text = format_explanation(result)
    assert "+" in text and "great" in text and "terrible" in text
    assert text.splitlines()[0].startswith("score ")


def test_variants_are_scored_in_one_batch(tiny_artifact) -> None:  # noqa: ANN001
    scorer = CountingScorer(tiny_artifact)
    before = CountingScorer.calls
    explain_many(scorer, ["great day", "terrible day :(", "ok"])
    # one call from score_many for the labels, one for every occlusion variant of every text
    assert CountingScorer.calls - before == 2


def test_punctuation_and_emoji_words(scorer: Scorer) -> None:
    result = explain(scorer, "great!!! 😡")
    words = {w.word for w in result.words}
    assert "great" in words and "😡" in words


def test_unscored_text_has_no_words(scorer: Scorer) -> None:
    empty = explain(scorer, "   ")
    assert empty.score.label is Label.UNSCORED and empty.words == []
    assert format_explanation(empty) == "unscored (empty)"
    foreign = explain(scorer, "この映画は本当に最高でした")
    assert format_explanation(foreign) == "unscored (language:ja)"
