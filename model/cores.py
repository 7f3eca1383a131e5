"""The numeric cores of the sentiment networks: vectors in, ``P(positive)`` (or 3 classes) out.

``model.architectures.build_network`` puts ``ChatNormalize`` and a ``TextVectorization`` in
front of one of these. ``sequential`` is the seed lab's network with the Sequential API; the
others use the functional API (``keras.Input`` / ``keras.Model``).
"""

from __future__ import annotations

from collections.abc import Callable

import keras

from model.charngrams import RowL2Normalize
from model.compact import CompactDense
from model.config import ModelConfig
from model.heads import units
from model.naive_bayes import NaiveBayesScale


def _sequential_core(config: ModelConfig, vocab: int) -> keras.Sequential:
    return keras.Sequential(
        [
            keras.Input(shape=(config.sequence_length,), dtype="int64"),
            keras.layers.Embedding(vocab, config.embedding_dim),
            keras.layers.Flatten(),
            keras.layers.Dense(config.hidden_units, activation="relu"),
            *([keras.layers.Dropout(config.dropout)] if config.dropout else []),
            keras.layers.Dense(config.hidden_units, activation="relu"),
            output_layer(config),
        ],
        name="sequential_core",
    )


def output_layer(config: ModelConfig, **kwargs: object) -> keras.layers.Dense:
    """The last layer: one sigmoid unit (``binary``) or a softmax over three classes."""
    if config.head == "three_class":
        return keras.layers.Dense(units("three_class"), activation="softmax", **kwargs)
    return keras.layers.Dense(1, activation="sigmoid", **kwargs)


def _head(x: keras.KerasTensor, config: ModelConfig) -> keras.KerasTensor:
    if config.hidden_units:
        x = keras.layers.Dense(config.hidden_units, activation="relu")(x)
        x = keras.layers.Dropout(config.dropout)(x)
    return output_layer(config)(x)


def _embedded(config: ModelConfig, vocab: int, mask: bool = False):
    inputs = keras.Input(shape=(config.sequence_length,), dtype="int64", name="tokens")
    x = keras.layers.Embedding(vocab, config.embedding_dim, mask_zero=mask)(inputs)
    return inputs, x


def _mlp_core(config: ModelConfig, vocab: int) -> keras.Model:
    inputs, x = _embedded(config, vocab)
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dropout(config.dropout)(x)
    return keras.Model(inputs, _head(x, config), name="mlp_core")


def _cnn_core(config: ModelConfig, vocab: int) -> keras.Model:
    inputs, x = _embedded(config, vocab)
    x = keras.layers.Dropout(config.dropout)(x)
    x = keras.layers.Conv1D(config.conv_filters, config.kernel_size, activation="relu")(x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    return keras.Model(inputs, _head(x, config), name="cnn_core")


def _lstm_core(config: ModelConfig, vocab: int) -> keras.Model:
    inputs, x = _embedded(config, vocab, mask=True)
    recurrent = keras.layers.LSTM(config.lstm_units)
    x = keras.layers.Bidirectional(recurrent)(x) if config.bidirectional else recurrent(x)
    x = keras.layers.Dropout(config.dropout)(x)
    return keras.Model(inputs, _head(x, config), name="lstm_core")


def _bigram_core(config: ModelConfig, vocab: int, char_vocab: int = 0) -> keras.Model:
    # The layers reading n-grams hold most of the weights: saved as 8-bit codes if configured.
    ngram_dense = CompactDense if config.kernel_storage == "int8" else keras.layers.Dense
    sparse = config.output_mode != "tf_idf"
    ngrams = keras.Input(shape=(vocab,), sparse=sparse, name="ngrams")
    x = ngrams if sparse else keras.layers.Dropout(config.dropout)(ngrams)
    if not config.lexicon_feature:
        return keras.Model(ngrams, _head(x, config), name="bigram_core")
    # The lexicon scores join after the hidden layer, so the output weighs them directly.
    lexicon = keras.Input(shape=(3,), name="lexicon")
    if config.hidden_units:
        x = ngram_dense(config.hidden_units, activation="relu")(x)
        x = keras.layers.Dropout(config.dropout)(x)
    x = keras.layers.Concatenate()([x, lexicon])
    if not config.wide:
        return keras.Model([ngrams, lexicon], output_layer(config)(x), name="bigram_lexicon_core")
    # Wide and deep: a linear term straight from the n-grams joins the logits, so a word or pair
    # that is plain evidence for a class (chat: "lgtm", "segfaults") need not squeeze through
    # the hidden layer.
    n = units(config.head)
    deep = keras.layers.Dense(n, name="deep_logits")(x)
    wide = ngram_dense(n, use_bias=False, name="wide_logits")(ngrams)
    inputs, terms = [ngrams, lexicon], [deep, wide]
    if char_vocab:  # character n-grams (model/charngrams.py): a second linear term
        chars = keras.Input(shape=(char_vocab,), sparse=config.char_output_mode != "tf_idf",
                            name="char_ngrams")  # fmt: skip
        x = chars
        if config.char_normalize:
            x = RowL2Normalize(config.char_scale, name="char_l2")(chars)
        inputs.append(chars)
        terms.append(ngram_dense(n, use_bias=False, name="char_logits")(x))
    logits = keras.layers.Add()(terms)
    activation = "softmax" if config.head == "three_class" else "sigmoid"
    output = keras.layers.Activation(activation, name="probabilities")(logits)
    return keras.Model(inputs, output, name="bigram_wide_core")


def _nblr_core(config: ModelConfig, vocab: int) -> keras.Model:
    sparse = config.output_mode != "tf_idf"
    ngrams = keras.Input(shape=(vocab,), sparse=sparse, name="ngrams")
    x = NaiveBayesScale(vocab, name="naive_bayes")(ngrams)  # set by naive_bayes.prime
    regularizer = keras.regularizers.L2(config.l2) if config.l2 else None
    output = output_layer(config, kernel_regularizer=regularizer)(x)
    return keras.Model(ngrams, output, name="nblr_core")


CORES: dict[str, Callable[..., keras.Model]] = {
    "sequential": _sequential_core,
    "mlp": _mlp_core,
    "cnn": _cnn_core,
    "lstm": _lstm_core,
    "bigram": _bigram_core,
    "nblr": _nblr_core,
}
