"""The Scorer on a real (tiny) saved model: labels, bad input, calibration, languages, swap."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from model.artifact import Artifact, ModelLoadError
from model.config import ScoringConfig
from model.service import Scorer
from model.types import Label


def _with_calibration(artifact: Artifact, calibration: dict | None, version: str) -> Artifact:
    metadata = {**artifact.metadata, "calibration": calibration, "version": version}
    return Artifact(artifact.model, metadata, artifact.directory, version)


def test_scores_and_labels_follow_the_band(scorer: Scorer) -> None:
    good, bad = scorer.score_many(["what a great day", "what a terrible day"])
    assert good.model_version == bad.model_version == "tiny-a" == scorer.version
    assert 0.0 <= bad.score < scorer.scoring.neutral_low < scorer.scoring.neutral_high < good.score
    assert (good.label, bad.label) == (Label.POSITIVE, Label.NEGATIVE)
    assert good.reason is None


def test_emoji_move_the_score_in_the_right_direction(scorer: Scorer) -> None:
    plain, up, angry, cry, smile, frown = (
        s.score
        for s in scorer.score_many(["great", "great 👍", "great 😡", "great 😢", ":)", ":("])
    )
    assert up > plain > angry
    assert plain > cry
    assert smile > frown


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\x00\x01\x7f"])
def test_empty_text_is_unscored(scorer: Scorer, text: str) -> None:
    (result,) = scorer.score_many([text])
    assert (result.score, result.label, result.reason) == (None, Label.UNSCORED, "empty")
    assert result.model_version == "tiny-a"


@pytest.mark.parametrize("text", ["https://example.com/x", "<@U123> <#C42>", "```print(1)```"])
def test_text_without_words_is_unscored(scorer: Scorer, text: str) -> None:
    (result,) = scorer.score_many([text])
    assert (result.score, result.label, result.reason) == (None, Label.UNSCORED, "no words")


@pytest.mark.parametrize(
    "text",
    [
        "👍🎉",  # emoji only
        "great \ud800 day \udfff",  # lone surrogates
        "great\x00day\x1b[31m\u0085\u2028",  # control characters, NEL, line separator
        "<@U123> great job ```rm -rf /``` https://x.io",  # mentions, code block, link
        "<b>great</b> &amp; <script>",  # markup
    ],
)
def test_awkward_text_gets_a_score(scorer: Scorer, text: str) -> None:
    (result,) = scorer.score_many([text])
    assert result.label is not Label.UNSCORED
    assert 0.0 <= result.score <= 1.0


def test_huge_text_is_scored_on_its_start(scorer: Scorer) -> None:
    huge = "terrible " * (1 << 17)  # > 1 MB
    (result,) = scorer.score_many([huge])
    assert result.reason == "truncated" and result.label is Label.NEGATIVE


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bonjour à tous, je suis très content de ce nouveau film", "fr"),
        ("Das ist wirklich ein schlechter Film, ich bin enttäuscht", "de"),
        ("この映画は本当に最高でした", "ja"),
    ],
)
def test_other_languages_are_unscored_with_the_reason(
    scorer: Scorer, text: str, language: str
) -> None:
    (result,) = scorer.score_many([text])
    assert (result.score, result.label) == (None, Label.UNSCORED)
    assert result.reason == f"language:{language}"


def test_configured_language_is_scored(tiny_artifact: Artifact) -> None:
    scorer = Scorer(tiny_artifact, ScoringConfig(languages=["en", "fr"]))
    fr, ja = scorer.score_many(["Bonjour à tous, je suis très content de ce film", "最高でした"])
    assert fr.label is not Label.UNSCORED and ja.reason == "language:ja"


def test_calibration_from_metadata_is_applied(tiny_artifact: Artifact) -> None:
    flat = _with_calibration(tiny_artifact, {"method": "platt", "a": 0.0, "b": 0.0}, "flat")
    scorer = Scorer(flat)
    results = scorer.score_many(["what a great day", "what a terrible day"])
    assert [r.score for r in results] == [0.5, 0.5]
    assert {r.label for r in results} == {Label.NEUTRAL}
    with pytest.raises(ValueError, match="unknown calibration method"):
        Scorer(_with_calibration(tiny_artifact, {"method": "magic"}, "bad"))


def test_non_string_is_a_clear_error(scorer: Scorer) -> None:
    with pytest.raises(TypeError, match="text 1 must be str, not bytes"):
        scorer.score_many(["fine", b"bytes"])  # type: ignore[list-item]
    assert scorer.score_many([]) == []


def test_missing_model_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not found"):
        Scorer.from_directory(tmp_path / "nope")


def test_hot_swap_under_concurrent_scoring(
    tiny_artifact: Artifact, other_artifact: Artifact
) -> None:
    scorer = Scorer(tiny_artifact)
    texts = ["great", "terrible day", "", "ok thanks"] * 8
    results: list[list] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                batch = scorer.score_many(texts)
                results.append(batch)
        except BaseException as exc:  # noqa: BLE001  (collected and asserted on)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for artifact in (other_artifact, tiny_artifact, other_artifact):
        scorer.swap(artifact)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert results and all(len(batch) == len(texts) for batch in results)
    for batch in results:  # each batch scored entirely by one model
        assert len({s.model_version for s in batch}) == 1
        assert batch[0].model_version in {"tiny-a", "tiny-b"}
    assert {batch[0].model_version for batch in results} == {"tiny-a", "tiny-b"}
    assert scorer.version == "tiny-b"
    assert scorer.score_many(["great"])[0].model_version == "tiny-b"


def test_scorer_builds_its_language_filter_from_scoring(tiny_artifact: Artifact) -> None:
    french = "je ne comprends pas pourquoi ça ne marche pas"
    default = Scorer(tiny_artifact, ScoringConfig())
    assert default.score_many([french])[0].reason == "language:fr"
    lenient = Scorer(tiny_artifact, ScoringConfig(language_min_letters=100))
    assert (lenient.languages.min_letters, lenient.score_many([french])[0].reason) == (100, None)
