"""The character n-gram wide term of the bigram network (model/charngrams.py)."""

import numpy as np
import pytest
import tensorflow as tf
from pydantic import ValidationError

from model.charngrams import CharNgramSplit, RowL2Normalize
from model.config import ModelConfig
from model.data import concat, train_validation_split
from model.serving_graph import vocabulary
from model.training import fit, predict_outputs
from tests.model.helpers import quick_train, small_model
from tests.model.test_chat_and_heads import CHAT, chat_split


def grams(texts: list[str], low: int, high: int) -> list[list[str]]:
    out = CharNgramSplit(low, high)(tf.constant(texts)).to_list()
    return [[g.decode("utf-8") for g in row] for row in out]


def test_split_is_char_wb_inside_padded_words():
    assert grams(["ok go", "", "a"], 2, 3) == [
        [" o", "ok", "k ", " ok", "ok ", " g", "go", "o ", " go", "go "],
        [],
        [" a", "a ", " a "],
    ]
    (longest,) = grams(["über"], 5, 5)
    assert longest == [" über", "über "]  # characters, not bytes
    assert not any(" " in g.strip() for g in grams(["the build is broken"], 2, 5)[0])
    first = CharNgramSplit(3, 3, max_chars=4)(tf.constant(["über alles"])).to_list()[0]
    assert [g.decode("utf-8") for g in first] == [" üb", "übe", "ber", "er "]


def test_split_rejects_a_bad_range():
    with pytest.raises(ValueError, match="low <= high"):
        CharNgramSplit(4, 2)
    with pytest.raises(ValidationError, match="char_ngrams"):
        ModelConfig(char_ngrams=[2, 3, 4])


def test_row_l2_normalize_sparse_and_dense():
    sparse = tf.SparseTensor([[0, 0], [0, 2], [2, 1]], [3.0, 4.0, 2.0], [3, 4])
    out = tf.sparse.to_dense(RowL2Normalize()(sparse)).numpy()
    assert np.allclose(out, [[0.6, 0, 0.8, 0], [0, 0, 0, 0], [0, 1, 0, 0]])
    dense = RowL2Normalize(scale=2.0)(tf.constant([[3.0, 4.0], [0.0, 0.0]])).numpy()
    assert np.allclose(dense, [[1.2, 1.6], [0, 0]])
    assert RowL2Normalize.from_config(RowL2Normalize(scale=3.0).get_config()).scale == 3.0


@pytest.mark.parametrize(("mode", "normalise"), [("multi_hot", True), ("tf_idf", False)])
def test_char_term_trains_saves_and_loads(mode, normalise, fixture_reviews, tmp_path):
    from model.artifact import load_artifact
    from model.pipeline import finish

    train, validation = train_validation_split(fixture_reviews, 0.25, seed=3)
    rows = concat(train, chat_split(20))
    config = small_model("bigram").model_copy(
        update={"head": "three_class", "wide": True, "char_ngrams": [2, 4],
                "char_max_tokens": 3000, "char_output_mode": mode, "char_normalize": normalise,
                "char_scale": 2.0}
    )  # fmt: skip
    recipe = quick_train(epochs=3, learning_rate=1e-2)
    fitted = fit(rows, validation, config, recipe, verbose=0)
    network = fitted.network
    assert network.chars is not None and 100 < network.chars.vocabulary_size() <= 3000
    char_logits = network.core.get_layer("char_logits")
    assert char_logits.kernel.shape == (network.chars.vocabulary_size(), 3)
    assert float(np.abs(char_logits.kernel.numpy()).sum()) > 0.0
    directory = finish(fitted, validation, config, recipe, tmp_path / "m",
                       chat_validation=chat_split(2))  # fmt: skip
    loaded = load_artifact(directory).model
    texts = [t for t, _ in CHAT] + ["", "segfaultz everywhere"]
    assert np.allclose(predict_outputs(loaded, texts), predict_outputs(fitted.model, texts),
                       atol=1e-5)  # fmt: skip
    known = vocabulary(loaded)  # the English check's words: no character n-grams
    assert "broken" in known and not any(w.startswith(" ") or w.endswith(" ") for w in known)


def test_char_term_is_off_by_default_and_needs_the_wide_term(fixture_reviews):
    from model.architectures import build_network
    from model.training import normalize_texts

    texts = normalize_texts(["good film", "bad film"])
    assert build_network(ModelConfig(wide=True), texts).chars is None
    narrow = ModelConfig(wide=False, char_ngrams=[2, 3])
    assert build_network(narrow, texts).chars is None
