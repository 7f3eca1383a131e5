"""The TensorFlow-free runtime scores exactly what the TensorFlow model scores.

The shipped model scores the chat and sentence sets (benchmarks/data/*.tsv), the devchat
development set, foreign chat and awkward input (empty, 1 MB, control characters, emoji,
markup, U+0085, mentions, URLs, code blocks) in process with TensorFlow
(``model.service.Scorer``) and with ``model.numpy_runtime.NumpyScorer``: scores agree within
1e-4, labels and reasons are identical. The chat normalisation agrees on every Unicode code
point, and a model of the default architecture with a binary head (trained here) agrees too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from model.config import BUNDLED_MODEL_DIR, ScoringConfig
from model.explain import explain_many
from model.numpy_runtime import NumpyScorer, UnsupportedModel
from model.textprep import prepare
from model.types import Score
from tests.postgres import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
DEVCHAT = ROOT.parent / "shared" / "data" / "chat" / "devchat_dev.tsv"
BATCH = 256
AWKWARD = [
    "", "   ", "\n\t", "<@U123> https://example.com", "great " * 900, "x" * 1_000_000,
    ("good movie " * 100_000)[:1_000_000], "I love it 😍 :) 👍🏽 ❤️ :-(", "😡😡😡",
    "\x00\x07 control \u2028 chars and great fun \x1b[31m", "bad \ud800 surrogate",
    "ＡＢＣ full width", "Ça ne marche pas, c'est nul", "`code only`", "&lt;3 &amp; thanks",
    "line\u0085next line great", "great\u0085", "<b>bold</b> <br/> terrible<br>awful",
    "```\ncode block\nwith lines```  nice", "see <#C123|general> and <!here> ok",
    "<https://x.io|link> www.example.com/bad?q=1 HTTP://LOUD.COM fine",
    "Das ist wirklich schlecht und langweilig", "これはひどい", "Это просто ужасно",
    "ΣΟΦΟΣ ΆΝΘΡΩΠΟΣ", "İstanbul DİYARBAKIR", "naïve café résumé", "don't won’t 80's",
    "<:party:12345> <a:dance:999> yay", "@everyone great release!!!", "1234 5678", "👍",
    ":( :( :(", "meh...", "NOT GOOD AT ALL", "never not bad", "\ufeffBOM great",
]  # fmt: skip


def _tsv(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line and not line.startswith("#")]


def _texts() -> list[str]:
    texts = [t for path in sorted((ROOT / "benchmarks" / "data").glob("*.tsv")) for t in _tsv(path)]
    foreign = (ROOT / "tests" / "model" / "foreign_messages.txt").read_text(encoding="utf-8")
    texts += [line for line in foreign.splitlines() if line and not line.startswith("#")]
    return texts + AWKWARD


@pytest.fixture(scope="module")
def shipped():  # noqa: ANN201 - a model.service.Scorer
    from model.service import Scorer

    return Scorer.from_directory(BUNDLED_MODEL_DIR, ScoringConfig())


@pytest.fixture(scope="module")
def light() -> NumpyScorer:
    return NumpyScorer.from_directory(BUNDLED_MODEL_DIR, ScoringConfig())


def _in_batches(score_many, texts: Sequence[str]) -> list[Score]:  # noqa: ANN001
    return [s for i in range(0, len(texts), BATCH) for s in score_many(texts[i : i + BATCH])]


def _assert_same(texts: list[str], got: list[Score], want: list[Score]) -> None:
    assert len(got) == len(want) == len(texts)
    for text, g, w in zip(texts, got, want, strict=True):
        assert (g.label, g.reason, g.model_version) == (w.label, w.reason, w.model_version), text
        if w.score is None:
            assert g.score is None, text[:100]
        else:
            assert g.score == pytest.approx(w.score, abs=1e-4), text[:100]


def test_shipped_model_on_every_set(shipped, light: NumpyScorer) -> None:  # noqa: ANN001
    texts = _texts()
    got = _in_batches(light.score_many, texts)
    _assert_same(texts, got, _in_batches(shipped.score_many, texts))
    reasons = {s.reason for s in got}
    assert {"empty", "no words", "truncated"} <= reasons  # the sets reach every rule
    assert any(r and r.startswith("language:") for r in reasons)
    assert {s.label.value for s in got} >= {"negative", "neutral", "positive"}


def test_shipped_model_on_devchat(shipped, light: NumpyScorer) -> None:  # noqa: ANN001
    if not DEVCHAT.is_file():
        skip_or_fail(f"the devchat development set is not at {DEVCHAT}")
    texts = _tsv(DEVCHAT)
    _assert_same(
        texts, _in_batches(light.score_many, texts), _in_batches(shipped.score_many, texts)
    )


def test_normalisation_on_every_code_point(shipped, light: NumpyScorer) -> None:  # noqa: ANN001
    import tensorflow as tf

    from model.numpy_runtime.chat import ChatNormalizer
    from model.text import ChatNormalize

    layer = next(lay for lay in shipped.artifact.model.layers if isinstance(lay, ChatNormalize))
    python = ChatNormalizer(layer.emoji_words, layer.emoticon_words)
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    texts = [
        prepare(" ".join(f"a{c}b {c}{c.upper()}" for c in points[i : i + 64]), 10**6)[0]
        for i in range(0, len(points), 64)
    ]
    want = [v.decode("utf-8") for v in layer(tf.constant(texts)).numpy().tolist()]
    got = python(texts)
    wrong = [(hex(ord(t[1])), g, w) for t, g, w in zip(texts, got, want, strict=True) if g != w]
    assert not wrong, wrong[:3]


def test_default_architecture_with_a_binary_head(tiny_model_dir: Path) -> None:
    from model.service import Scorer

    texts = _texts()[:3000]
    light = NumpyScorer.from_directory(tiny_model_dir)
    tf_scorer = Scorer.from_directory(tiny_model_dir)
    _assert_same(
        texts, _in_batches(light.score_many, texts), _in_batches(tf_scorer.score_many, texts)
    )


def test_explanations_match(shipped, light: NumpyScorer) -> None:  # noqa: ANN001
    texts = ["the build is broken again", "thanks, that fixed it!", "meeting at 3", "je suis là"]
    got, want = explain_many(light, texts), explain_many(shipped, texts)
    for g, w in zip(got, want, strict=True):
        assert [x.word for x in g.words] == [x.word for x in w.words]
        for a, b in zip(g.words, w.words, strict=True):
            assert a.contribution == pytest.approx(b.contribution, abs=1e-4)
    assert got[0].words and got[0].words[0].word == "broken"


def test_an_unsupported_layer_is_refused(tiny_dir: Path) -> None:
    with pytest.raises(UnsupportedModel, match="tf_idf"):
        NumpyScorer.from_directory(tiny_dir)  # TF-IDF weights: not computed here


def test_lexicon_constants_agree() -> None:
    from model import lexicon
    from model.numpy_runtime import text_layers

    for name in ("NEGATION_SCALAR", "NEGATION_WINDOW", "NORMALIZATION_ALPHA"):
        assert getattr(text_layers, name) == getattr(lexicon, name)


def test_swap_serves_the_new_directory(light: NumpyScorer, tiny_model_dir: Path) -> None:
    scorer = NumpyScorer.from_directory(BUNDLED_MODEL_DIR)
    before = scorer.version

    class Files:
        directory = tiny_model_dir

    scorer.swap(Files())
    assert (
        scorer.version != before and scorer.score_many(["great"])[0].model_version == scorer.version
    )


def _char_ngram_model(directory: Path) -> Path:
    """A three-class model with every layer of the character n-gram wide term (trained a bit)."""
    keras = pytest.importorskip("keras")
    charngrams = pytest.importorskip(
        "model.charngrams", reason="the character n-gram layers come with issue 16's chat model"
    )
    import tensorflow as tf

    from model.artifact import save_artifact
    from model.class_calibration import ClassCalibration
    from model.compact import CompactDense
    from model.lexicon import LexiconFeatures
    from model.text import ChatNormalize
    from tests.model.tiny import NEGATIVE, POSITIVE

    keras.utils.set_random_seed(3)
    texts = POSITIVE + NEGATIVE + ["meeting at 3", "see you", "ok", "the report is attached"]
    labels = [2] * len(POSITIVE) + [0] * len(NEGATIVE) + [1] * 4
    normalize = ChatNormalize(name="chat_normalize")
    words_tv = keras.layers.TextVectorization(
        max_tokens=300, standardize=None, ngrams=2, output_mode="count", sparse=True
    )
    chars_tv = keras.layers.TextVectorization(
        max_tokens=400, standardize=None, split=charngrams.CharNgramSplit(2, 4),
        output_mode="multi_hot", sparse=True,
    )  # fmt: skip
    for layer in (words_tv, chars_tv):
        layer.adapt(normalize(tf.constant(texts)))
    # As model.cores builds it: a functional core on sparse inputs, inside the end-to-end model.
    inputs = [
        keras.Input(shape=(words_tv.vocabulary_size(),), sparse=True),
        keras.Input(shape=(3,)),
        keras.Input(shape=(chars_tv.vocabulary_size(),), sparse=True),
    ]
    # The n-gram terms as an int8-stored core saves them (model/compact.py), the lexicon's plain.
    terms = [
        CompactDense(3)(inputs[0]),
        keras.layers.Dense(3)(inputs[1]),
        CompactDense(3, use_bias=False)(charngrams.RowL2Normalize()(inputs[2])),
    ]
    core = keras.Model(inputs, keras.layers.Activation("softmax")(keras.layers.Add()(terms)))
    text = keras.Input(shape=(), dtype="string")
    words = normalize(text)
    probs = core([words_tv(words), LexiconFeatures()(words), chars_tv(words)])
    network = keras.Model(text, ClassCalibration()(probs))
    network.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    network.fit(tf.constant(texts), tf.constant(labels), epochs=15, verbose=0)
    return save_artifact(network, directory, {"architecture": "bigram", "version": "chars"})


def test_character_ngram_wide_term(tmp_path: Path) -> None:
    from model.service import Scorer

    directory = _char_ngram_model(tmp_path / "chars")
    texts = _texts()[:2000] + ["segfaults everywhere", "lgtm!!", "flaky tests again"]
    light = NumpyScorer.from_directory(directory)
    want = _in_batches(Scorer.from_directory(directory).score_many, texts)
    _assert_same(texts, _in_batches(light.score_many, texts), want)
    assert len({s.label for s in want}) >= 3  # the comparison sees every class


def _functional(*layers: dict) -> dict:
    """A functional model's config: an input ``text`` and ``layers`` called in a chain."""
    entries, previous = [{"class_name": "InputLayer", "config": {"name": "text"}}], "text"
    for layer in layers:
        tensor = {"class_name": "__keras_tensor__", "config": {"keras_history": [previous, 0, 0]}}
        entries.append({**layer, "inbound_nodes": [{"args": [tensor], "kwargs": {}}]})
        previous = layer["config"]["name"]
    body = {"layers": entries, "input_layers": ["text", 0, 0], "output_layers": [previous, 0, 0]}
    return {"class_name": "Functional", "config": body}


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ({"class_name": "Sequential", "config": {}}, "Sequential"),
        (_functional({"class_name": "LSTM", "config": {"name": "lstm"}}), "class LSTM"),
        (
            _functional(
                {
                    "class_name": "Activation",
                    "config": {"name": "act", "activation": "softmax", "dtype": "mixed_float16"},
                }
            ),  # fmt: skip
            "mixed_float16",
        ),
        (
            _functional(
                {"class_name": "Activation", "config": {"name": "a", "activation": "gelu"}}
            ),
            "gelu",
        ),  # fmt: skip
    ],
)
def test_what_the_runtime_refuses(config: dict, reason: str) -> None:
    from model.numpy_runtime.graph import Graph

    with pytest.raises(UnsupportedModel, match=reason):
        Graph(config, archive=None)  # type: ignore[arg-type]  (nothing is read)
