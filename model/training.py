"""Fitting a network: cached vector datasets, Keras callbacks and the history plot."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from model import heads, naive_bayes
from model.architectures import Network, build_network, compile_model, metrics
from model.config import ModelConfig, TrainConfig
from model.data import Split
from model.losses import class_codes
from model.text import ChatNormalize

logger = logging.getLogger(__name__)

NORMALIZE_CHUNK = 4096


@dataclass
class Fitted:
    """A trained network and how the training went."""

    network: Network
    history: dict[str, list[float]]
    seconds: float
    run_dir: Path | None
    plot: Path | None = None
    epochs_run: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def model(self) -> keras.Model:
        """The end-to-end model (raw strings in)."""
        return self.network.end_to_end


def normalize_texts(texts: list[str]) -> tf.Tensor:
    """Run ``ChatNormalize`` over many texts in chunks; returns a 1-D string tensor."""
    layer = ChatNormalize()
    parts = [
        layer(tf.constant(texts[start : start + NORMALIZE_CHUNK], dtype=tf.string))
        for start in range(0, len(texts), NORMALIZE_CHUNK)
    ]
    return tf.concat(parts, axis=0) if parts else tf.constant([], dtype=tf.string)


def vector_dataset(
    network: Network,
    normalized: tf.Tensor,
    labels: np.ndarray,
    batch_size: int,
    *,
    shuffle_seed: int | None = None,
) -> tf.data.Dataset:
    """Vectorise normalised texts once (cached) and batch them for ``network.core``."""
    data = tf.data.Dataset.from_tensor_slices((normalized, labels.astype("float32")))
    data = data.batch(batch_size).map(
        lambda text, label: (network.features(text), label),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    data = data.cache()
    if shuffle_seed is not None:  # shuffle whole batches each epoch (rows were shuffled once)
        data = data.shuffle(4096, seed=shuffle_seed, reshuffle_each_iteration=True)
    return data.prefetch(tf.data.AUTOTUNE)


def text_dataset(split: Split, batch_size: int) -> tf.data.Dataset:
    """Raw strings and labels, batched, for the end-to-end model."""
    data = tf.data.Dataset.from_tensor_slices(
        (tf.constant(split.texts, dtype=tf.string), split.labels.astype("float32"))
    )
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def make_callbacks(train: TrainConfig, run_dir: Path | None) -> list[keras.callbacks.Callback]:
    """EarlyStopping (best weights restored), plus TensorBoard and CSV logs under ``run_dir``."""
    callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=train.patience, restore_best_weights=True, verbose=1
        )
    ]
    if run_dir is not None:
        run_dir.mkdir(parents=True, exist_ok=True)
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(run_dir / "tensorboard")))
        callbacks.append(keras.callbacks.CSVLogger(str(run_dir / "history.csv")))
    return callbacks


def plot_history(history: dict[str, list[float]], path: Path) -> Path:
    """Write a PNG of training and validation accuracy and loss per epoch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history.get("loss", [])) + 1)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    for axis, metric in zip(axes, ("accuracy", "loss"), strict=True):
        axis.plot(epochs, history.get(metric, []), "o-", label=f"training {metric}")
        if f"val_{metric}" in history:
            axis.plot(epochs, history[f"val_{metric}"], "s--", label=f"validation {metric}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.set_title(f"Training and validation {metric}")
        axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def fit(
    train: Split,
    validation: Split,
    model_config: ModelConfig,
    train_config: TrainConfig,
    *,
    run_dir: Path | None = None,
    seed: int = 1337,
    verbose: int | str = "auto",
) -> Fitted:
    """Build the configured network, adapt it on ``train`` and fit it.

    Parameters
    ----------
    train, validation
        Training rows and held-out validation rows (both from the IMDB training split).
    model_config, train_config
        Architecture, hyperparameters and the training recipe.
    run_dir
        Folder for the TensorBoard logs, ``history.csv`` and ``history.png``; ``None`` for none.
    seed
        Seeds Keras (weights and shuffling), so a configuration trains reproducibly.
    verbose
        Keras ``fit`` verbosity (``"auto"`` shows the progress bar on a terminal).
    """
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    order = np.random.default_rng(seed).permutation(len(train))
    train = train.take(order)
    normalized = normalize_texts(train.texts)
    steps = -(-len(train) // train_config.batch_size)
    network = build_network(model_config, normalized, train_config, steps)
    batches = vector_dataset(
        network, normalized, network.labels(train), train_config.batch_size, shuffle_seed=seed
    )
    top = 2.0 if network.head == "three_class" else 1.0
    sides = batches.map(lambda x, y: (x, class_codes(y))) if network.polarity_rows else batches
    naive_bayes.prime(network.core, sides, top)  # nblr: feature weights from the training rows
    held_out = vector_dataset(
        network,
        normalize_texts(validation.texts),
        network.labels(validation),
        train_config.batch_size,
    )
    result = network.core.fit(
        batches,
        validation_data=held_out,
        epochs=train_config.epochs,
        callbacks=make_callbacks(train_config, run_dir),
        shuffle=False,  # the cached dataset shuffles its batches itself
        verbose=verbose,
    )
    history = {key: [float(v) for v in values] for key, values in result.history.items()}
    if train_config.chat_finetune_epochs:
        tuned = fine_tune_on_chat(network, train, normalized, held_out, train_config, run_dir)
        for key, values in tuned.items():
            history.setdefault(key, []).extend(values)
    seconds = time.perf_counter() - started
    plot = plot_history(history, run_dir / "history.png") if run_dir is not None else None
    logger.info("trained %s in %.1f s", network.architecture, seconds)
    return Fitted(network, history, seconds, run_dir, plot, len(history.get("loss", [])))


def fine_tune_on_chat(
    network: Network,
    train: Split,
    normalized: tf.Tensor,
    held_out: tf.data.Dataset,
    train_config: TrainConfig,
    run_dir: Path | None = None,
) -> dict[str, list[float]]:
    """Fit ``network.core`` again on the labelled chat rows of ``train`` alone.

    The rows that are not ``polar_only`` (``model.splits``) are the chat rows, plus
    ``chat_finetune_replay`` of the others drawn at random. A fresh
    optimizer at ``chat_finetune_rate`` runs up to ``chat_finetune_epochs`` epochs with the
    same early stopping on ``held_out``; n-grams no chat row has get no gradient, so what the
    reviews alone taught stays. Returns the history of this stage (empty without chat rows).
    """
    rows = np.flatnonzero(~train.polar_mask()) if train.classes == 3 else np.zeros(0, int)
    if not len(rows) or train.polar_only is None:
        return {}
    others = np.flatnonzero(train.polar_mask())
    replay = min(train_config.chat_finetune_replay, len(others))
    if replay:
        rng = np.random.default_rng(7)
        rows = rng.permutation(np.concatenate([rows, rng.choice(others, replay, replace=False)]))
    labels = network.labels(train)[rows]
    batches = vector_dataset(
        network, tf.gather(normalized, rows), labels, train_config.batch_size, shuffle_seed=7
    )
    optimizer = keras.optimizers.get(
        {"class_name": train_config.optimizer,
         "config": {"learning_rate": train_config.chat_finetune_rate}}
    )  # fmt: skip
    compile_model(network.core, optimizer, network.head, network.polarity_rows)
    result = network.core.fit(
        batches,
        validation_data=held_out,
        epochs=train_config.chat_finetune_epochs,
        callbacks=make_callbacks(train_config, None),
        shuffle=False,
        verbose=2,
    )
    logger.info("fine-tuned on %d chat rows", len(rows))
    return {f"chat_{k}": [float(v) for v in vals] for k, vals in result.history.items()}


def predict_outputs(model: keras.Model, texts: list[str], batch_size: int = 512) -> np.ndarray:
    """Raw outputs of the end-to-end ``model``: shape ``(n, 1)`` or ``(n, 3)`` (see heads)."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    outputs = [
        np.asarray(model(tf.constant(texts[start : start + batch_size], dtype=tf.string)))
        for start in range(0, len(texts), batch_size)
    ]
    return np.concatenate(outputs)


def predict_probabilities(
    model: keras.Model, texts: list[str], batch_size: int = 512
) -> np.ndarray:
    """Scores on 0..1 of the end-to-end ``model`` for raw texts, shape ``(n,)``.

    ``P(positive)`` for a binary head, ``P(positive) + P(neutral) / 2`` for three classes.
    """
    return heads.scores(predict_outputs(model, texts, batch_size))


def evaluate(model: keras.Model, split: Split, batch_size: int = 512) -> dict[str, float]:
    """Loss, accuracy, precision, recall and AUC of the end-to-end model on a binary ``split``.

    Computed on the score (see ``predict_probabilities``) against labels 0/1, so a binary and a
    three-class model are compared on the same footing; the loss is binary cross-entropy.
    """
    probs = predict_probabilities(model, split.texts, batch_size)
    labels = split.labels.astype("float32")
    p = np.clip(probs.astype(np.float64), 1e-7, 1 - 1e-7)
    loss = float(-np.mean(labels * np.log(p) + (1 - labels) * np.log1p(-p)))
    values = {"loss": loss}
    for metric in metrics():
        metric.update_state(labels, probs)
        values[metric.name] = float(metric.result())
    return values
