"""The sentiment networks, each split into a text front end and a numeric core.

Every architecture is trained the way the Keras guide recommends: text is normalised and
vectorised once, outside the gradient loop (``Network.vectorize`` inside ``tf.data``), and the
numeric ``core`` is fitted on the cached vectors. The model that is evaluated, saved and served
is the end-to-end one, raw strings in, probability out::

    string -> ChatNormalize -> TextVectorization -> core -> P(positive)  (binary head)
                                                         -> P(neg, neu, pos)  (three_class)

The cores are in ``model.cores``: ``sequential`` is the seed lab's network with the
Sequential API; the others use the functional API (``keras.Input`` / ``keras.Model``).
``nblr`` is NBSVM's naive-Bayes-weighted n-gram model with a logistic loss
(``model.naive_bayes``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from model.charngrams import build_char_vectorizer
from model.class_calibration import ClassCalibration
from model.config import Architecture, ModelConfig, TrainConfig
from model.cores import CORES
from model.heads import Head
from model.lexicon import LexiconFeatures
from model.losses import polar_targets, polarity_aware_accuracy, polarity_aware_crossentropy
from model.splits import Split
from model.text import ChatNormalize

logger = logging.getLogger(__name__)

ARCHITECTURES: tuple[Architecture, ...] = ("sequential", "mlp", "cnn", "lstm", "bigram", "nblr")


@dataclass
class Network:
    """The parts of one network.

    Attributes
    ----------
    normalize, vectorize
        The text front end (``vectorize`` is adapted on normalised training text).
    core
        The numeric model trained on vectors.
    end_to_end
        ``normalize -> vectorize -> core`` sharing the same layers and weights.
    """

    architecture: Architecture
    normalize: ChatNormalize
    vectorize: keras.layers.TextVectorization
    core: keras.Model
    end_to_end: keras.Model
    lexicon: LexiconFeatures | None = None
    head: Head = "binary"
    polarity_rows: bool = False  # polar-only rows train only their side (model/losses.py)
    chars: keras.layers.TextVectorization | None = None  # character n-grams (bigram + wide)

    def labels(self, split: Split) -> np.ndarray:
        """Training labels of ``split`` for this head: classes 0/1/2, or targets 0/0.5/1.

        With ``polarity_rows``, a three-class head's polar-only rows get ``polar_targets``.
        """
        if self.head == "three_class":
            if self.polarity_rows:
                return polar_targets(split)
            return split.three_class().labels.astype("float32")
        return split.targets()

    def features(self, normalized: tf.Tensor) -> tf.Tensor | tuple[tf.Tensor, ...]:
        """The core's inputs for normalised text: n-gram vectors, plus lexicon scores and
        character n-grams if used."""
        vectors = self.vectorize(normalized)
        if self.lexicon is None:
            return vectors
        if self.chars is None:
            return vectors, self.lexicon(normalized)
        return vectors, self.lexicon(normalized), self.chars(normalized)


def build_vectorizer(config: ModelConfig) -> keras.layers.TextVectorization:
    """Return the (unadapted) ``TextVectorization`` layer of ``config.architecture``."""
    if config.architecture in ("bigram", "nblr"):
        return keras.layers.TextVectorization(
            max_tokens=config.max_tokens,
            standardize=None,
            ngrams=config.ngrams,
            output_mode=config.output_mode,
            sparse=config.output_mode != "tf_idf",  # sparse tf_idf is broken in Keras 3.15
            name="vectorize",
        )
    return keras.layers.TextVectorization(
        max_tokens=config.max_tokens,
        standardize=None,
        output_mode="int",
        output_sequence_length=config.sequence_length,
        name="vectorize",
    )


def _optimizer(train: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    rate: float | keras.optimizers.schedules.LearningRateSchedule = train.learning_rate
    total = max(1, steps_per_epoch * train.epochs)
    if train.lr_schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(train.learning_rate, decay_steps=total)
    elif train.lr_schedule == "exponential":
        rate = keras.optimizers.schedules.ExponentialDecay(
            train.learning_rate, decay_steps=max(1, steps_per_epoch), decay_rate=0.5
        )
    classes = {
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "rmsprop": keras.optimizers.RMSprop,
        "sgd": keras.optimizers.SGD,
    }
    return classes[train.optimizer](learning_rate=rate)


def metrics(head: Head = "binary", polarity_rows: bool = False) -> list[keras.metrics.Metric]:
    """The compile metrics: accuracy, precision, recall and AUC (accuracy only for 3 classes)."""
    if head == "three_class" and polarity_rows:
        return [keras.metrics.MeanMetricWrapper(polarity_aware_accuracy, name="accuracy")]
    if head == "three_class":
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    return [
        keras.metrics.BinaryAccuracy(name="accuracy"),
        keras.metrics.Precision(name="precision"),
        keras.metrics.Recall(name="recall"),
        keras.metrics.AUC(name="auc"),
    ]


def compile_model(
    model: keras.Model,
    optimizer: keras.optimizers.Optimizer | str,
    head: Head = "binary",
    polarity_rows: bool = False,
) -> None:
    """Compile with the head's cross-entropy and the project's metrics.

    ``binary``: binary cross-entropy on targets 0 / 0.5 (neutral) / 1; ``three_class``: sparse
    categorical cross-entropy on labels 0 / 1 / 2, or with ``polarity_rows`` the
    polarity-aware cross-entropy of ``model.losses`` on ``polar_targets``.
    """
    loss: object = "binary_crossentropy"
    if head == "three_class":
        loss = polarity_aware_crossentropy if polarity_rows else "sparse_categorical_crossentropy"
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics(head, polarity_rows))


def build_network(
    config: ModelConfig,
    normalized_train_texts: tf.Tensor,
    train: TrainConfig | None = None,
    steps_per_epoch: int = 1,
) -> Network:
    """Build, adapt and compile the network named by ``config.architecture``.

    Parameters
    ----------
    config
        Model settings; per-architecture overrides are applied here.
    normalized_train_texts
        Training texts already passed through ``ChatNormalize`` (the vocabulary comes from them).
    train
        The training recipe (optimizer, learning rate and schedule); defaults if ``None``.
    steps_per_epoch
        Batches per epoch, for the learning-rate schedule.
    """
    config = config.resolved()
    train = train or TrainConfig()
    normalize = ChatNormalize(name="chat_normalize")
    vectorize = build_vectorizer(config)
    vectorize.adapt(normalized_train_texts)
    vocab = vectorize.vocabulary_size()
    lexicon, chars = None, None
    if config.architecture == "bigram" and config.lexicon_feature:
        lexicon = LexiconFeatures(name="lexicon_features")
        chars = build_char_vectorizer(config) if config.wide else None
    if chars is not None:
        chars.adapt(normalized_train_texts)
        core = CORES[config.architecture](config, vocab, chars.vocabulary_size())
    else:
        core = CORES[config.architecture](config, vocab)
    polarity_rows = config.head == "three_class" and train.polar_rows == "polarity"
    compile_model(core, _optimizer(train, steps_per_epoch), config.head, polarity_rows)
    # A three-class model ends in its class calibration (identity until fitted on chat).
    last = [ClassCalibration(name="class_calibration")] if config.head == "three_class" else []
    if config.architecture == "sequential":
        end_to_end: keras.Model = keras.Sequential(
            [keras.Input(shape=(), dtype="string"), normalize, vectorize, *core.layers, *last],
            name="sentiment_sequential",
        )
    else:
        text = keras.Input(shape=(), dtype="string", name="text")
        normalized = normalize(text)
        vectors = vectorize(normalized)
        inputs = vectors if lexicon is None else (vectors, lexicon(normalized))
        if chars is not None:
            inputs = (*inputs, chars(normalized))
        output = core(inputs)
        for layer in last:
            output = layer(output)
        end_to_end = keras.Model(text, output, name=f"sentiment_{config.architecture}")
    compile_model(end_to_end, "adam", config.head)
    logger.info(
        "built %s: vocabulary %d, %d parameters",
        config.architecture,
        vocab,
        end_to_end.count_params(),
    )
    return Network(
        config.architecture, normalize, vectorize, core, end_to_end, lexicon, config.head,
        polarity_rows, chars,
    )  # fmt: skip
