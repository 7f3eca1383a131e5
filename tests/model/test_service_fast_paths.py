"""The scoring fast paths give exactly what the slow paths give.

The compiled call's English check, the model-vocabulary shortcut of the language gate, the
ASCII shortcut of ``prepare``, the sharded call and ``ChatNormalize``'s rewrite that skips lone
spaces must never change a result.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.artifact import Artifact
from model.chat_patterns import NOT_WORDS, NOT_WORDS_BUT_A_SPACE
from model.config import BUNDLED_MODEL_DIR, ScoringConfig
from model.language import LanguageFilter
from model.language_graph import english_graph_check
from model.service import SHARD_MIN, Scorer
from model.serving_graph import vocabulary
from model.text import CONTROL_CHARS, normalize, prepare
from tests import REPO

ROOT = REPO
DATA = ROOT / "benchmarks" / "data"
FOREIGN_FILE = Path(__file__).with_name("foreign_messages.txt")

AWKWARD = [
    "",
    "   ",
    "\x00\x01",
    "great \ud800 day",
    "ok\tthanks\nteam",
    "naïve café was great",
    "<@U123> https://x.io",
    "great 👍 :)",
    "DAS IST GUT",
    "why introduce rachel for instance",
]


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.rsplit("\t", 1)[0] for line in lines if line.strip() and line[0] != "#"]


def english_texts() -> list[str]:
    names = ("chat_messages.tsv", "imdb_test_sentences.tsv", "neutral_messages.txt")
    return [text for name in names for text in _lines(DATA / name)]


@pytest.fixture(scope="module")
def default_vocabulary() -> frozenset[str]:
    from model.artifact import load_artifact

    return vocabulary(load_artifact(BUNDLED_MODEL_DIR).model)


def test_prepare_ascii_shortcut_matches_the_general_path() -> None:
    for text in ["ok", "a\x00b\x7fc\td\ne", "x" * 50, "a\x1bb", "tab\there"]:
        for limit in (3, 4000):
            general = text.encode("utf-8", "replace").decode("utf-8")[:limit]
            expected = CONTROL_CHARS.sub(" ", unicodedata.normalize("NFC", general))
            assert prepare(text, limit) == (expected, len(text) > limit)


@pytest.mark.parametrize(
    "odd",
    [
        "",
        "a\x1bb",
        "nel\x85here",
        "em\x97dash",
        "line\u2028sep",
        "bad \ud800 half",
        "cafe\u0301",
        "x" * 41,
        "ü" * 41,
    ],
)
def test_batch_shortcut_matches_prepare_per_text(odd: str) -> None:
    from model.rules import _prepare_all

    clean = ["naïve café was great", "great 👍 :)", "ok\tthanks\nteam", "DAS IST GUT"]
    for texts in (clean, [*clean, odd], [odd, *clean], [odd, "plain", odd, "x" * 40]):
        expected = [prepare(text, 40) for text in texts]
        prepared, truncated = _prepare_all(texts, 40)
        assert prepared == [text for text, _ in expected]
        assert truncated == [i for i, (_, cut) in enumerate(expected) if cut]


def test_foreign_messages_are_caught_with_and_without_the_vocabulary(
    default_vocabulary: frozenset[str],
) -> None:
    gate = LanguageFilter(["en"])
    foreign = normalize(_lines(FOREIGN_FILE))
    without = gate.foreign_languages(foreign)
    with_vocabulary = gate.foreign_languages(foreign, default_vocabulary)
    assert with_vocabulary == without  # the shortcut lets no foreign message through
    assert sum(map(bool, without)) >= len(foreign) - 4


def test_english_is_never_foreign_with_the_vocabulary(default_vocabulary: frozenset[str]) -> None:
    texts = normalize(english_texts())
    assert len(texts) > 1000
    assert not any(LanguageFilter(["en"]).foreign_languages(texts, default_vocabulary))


def test_graph_check_only_passes_what_the_gate_passes(default_vocabulary: frozenset[str]) -> None:
    texts = normalize(english_texts() + _lines(FOREIGN_FILE) + AWKWARD)
    plain = english_graph_check(default_vocabulary)(tf.constant(texts)).numpy()
    gate = LanguageFilter(["en"])
    assert plain.mean() > 0.9  # it does skip most English
    for text, skip in zip(texts, plain.tolist(), strict=True):
        if skip:
            assert gate.foreign_language(text, default_vocabulary) is None, text
    by_text = dict(zip(texts, plain.tolist(), strict=True))
    assert by_text["ok thanks team"] and not by_text[""]
    assert not by_text["naïve café was great"]  # not ASCII: the gate decides


def test_batched_sharded_results_equal_one_at_a_time(tiny_artifact: Artifact) -> None:
    scorer = Scorer(tiny_artifact, ScoringConfig(max_chars=40))
    texts = (AWKWARD + _lines(FOREIGN_FILE) + english_texts()[:40] + ["terrible " * 20])[:90]
    assert len(texts) >= SHARD_MIN
    batched = scorer.score_many(texts)
    single = [scorer.score_many([text])[0] for text in texts]
    for many, one in zip(batched, single, strict=True):  # scores: float rounding of batching
        assert (many.label, many.reason, many.model_version) == (one.label, one.reason, "tiny-a")
        assert many.score == pytest.approx(one.score, abs=1e-5)
    reasons = {score.reason for score in batched}
    assert {"empty", "no words", "language:fr", "language:ja", "truncated"} <= reasons


def test_scores_of_makes_the_scores_score_makes() -> None:
    from dataclasses import FrozenInstanceError, replace

    from model.types import Label, Score, scores_of

    made = scores_of([0.25, 0.5], [Label.NEGATIVE, Label.NEUTRAL], "v1")
    expected = [Score(0.25, Label.NEGATIVE, "v1"), Score(0.5, Label.NEUTRAL, "v1")]
    assert made == expected and [hash(s) for s in made] == [hash(s) for s in expected]
    assert replace(made[0], reason="truncated") == Score(0.25, Label.NEGATIVE, "v1", "truncated")
    with pytest.raises(FrozenInstanceError):
        made[0].score = 1.0  # type: ignore[misc]


_PUNCTUATION_ALPHABET = " \t\n&;amplgt,.!?'é漢1_-\u00a0\u2028👍"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(_PUNCTUATION_ALPHABET, max_size=16), min_size=1, max_size=40))
def test_skipping_lone_spaces_rewrites_text_as_the_plain_pattern_does(texts: list[str]) -> None:
    batch = tf.constant(texts)
    plain = tf.strings.regex_replace(batch, NOT_WORDS, " ")
    skipping = tf.strings.regex_replace(batch, NOT_WORDS_BUT_A_SPACE, " ")
    assert skipping.numpy().tolist() == plain.numpy().tolist()


def test_skipping_lone_spaces_on_every_benchmark_message() -> None:
    batch = tf.constant(english_texts() + _lines(FOREIGN_FILE) + AWKWARD[:3] + AWKWARD[4:])
    plain = tf.strings.regex_replace(batch, NOT_WORDS, " ").numpy().tolist()
    assert tf.strings.regex_replace(batch, NOT_WORDS_BUT_A_SPACE, " ").numpy().tolist() == plain
    assert len(plain) > 1000
