"""Rows that only know their side train polarity, not "not neutral"; chat fine-tuning (issue 16)."""

import numpy as np
import pytest
import tensorflow as tf

from model.architectures import ARCHITECTURES
from model.data import concat, make_split, train_validation_split
from model.losses import (
    POLAR_OFFSET,
    class_codes,
    polar_targets,
    polarity_aware_accuracy,
    polarity_aware_crossentropy,
)
from model.training import fit, predict_outputs
from tests.model.helpers import quick_train, small_model
from tests.model.test_chat_and_heads import chat_split


def test_rows_from_a_binary_split_are_polar_only_through_concat_and_take():
    reviews = make_split(["good", "bad"], [1, 0])
    assert reviews.polar_only is None and not reviews.polar_mask().any()
    both = concat(reviews, chat_split())
    assert both.polar_mask().tolist() == [True, True] + [False] * 12
    assert both.take([3, 0]).polar_mask().tolist() == [False, True]
    assert concat(chat_split(), chat_split()).polar_only is None
    targets = polar_targets(both)
    assert targets[:2].tolist() == [POLAR_OFFSET + 2, POLAR_OFFSET + 0]
    assert targets[2:].tolist() == both.labels[2:].tolist()
    assert class_codes(tf.constant(targets)).numpy().tolist() == both.labels.tolist()
    with pytest.raises(ValueError, match="one flag per row"):
        type(both)(both.texts, both.labels, 3, np.zeros(1, dtype=bool))


def test_a_polar_only_row_is_scored_on_its_side_alone():
    probs = tf.constant([[0.2, 0.6, 0.2], [0.1, 0.8, 0.1], [0.2, 0.6, 0.2]], tf.float32)
    targets = tf.constant([POLAR_OFFSET + 0, POLAR_OFFSET + 0, 1], tf.float32)
    loss = polarity_aware_crossentropy(targets, probs).numpy()
    # P(negative) / (P(negative) + P(positive)) = 0.5 in both polar rows, whatever P(neutral)
    assert loss[:2] == pytest.approx([np.log(2.0)] * 2, abs=1e-5)
    assert loss[2] == pytest.approx(-np.log(0.6), abs=1e-5)  # a chat row: all three classes
    right = polarity_aware_accuracy(tf.constant([POLAR_OFFSET + 2, 1]), probs[:2] + [0, 0, 0.05])
    assert right.numpy().tolist() == [1.0, 1.0]  # side of a polar row; argmax of a chat row


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_every_architecture_trains_with_polarity_rows_and_chat_fine_tuning(
    architecture, fixture_reviews
):
    train, validation = train_validation_split(fixture_reviews, 0.25, seed=3)
    rows = concat(train, chat_split(20))
    config = small_model(architecture, head="three_class")
    recipe = quick_train(
        epochs=1, learning_rate=3e-3, polar_rows="polarity",
        chat_finetune_epochs=1, chat_finetune_replay=50,
    )  # fmt: skip
    fitted = fit(rows, concat(validation, chat_split(2)), config, recipe, verbose=0)
    assert len(fitted.history["chat_loss"]) == 1 and np.isfinite(fitted.history["chat_loss"][0])
    outputs = predict_outputs(fitted.model, ["great film", "deploying v2 now"])
    assert outputs.shape == (2, 3) and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-5)


class _Stop(Exception):
    pass


@pytest.mark.parametrize("stop_on", ["validation", "chat"])
def test_early_stopping_watches_the_chosen_rows(stop_on, fixture_reviews, tmp_path, monkeypatch):
    from model import pipeline
    from model.config import DataConfig, ModelConfig, TrainConfig
    from model.splits import Reviews

    chat = tmp_path / "chat.tsv"
    chat.write_text("".join(f"{t}\t{['negative', 'neutral', 'positive'][y]}\n"
                            for t, y in zip(chat_split(5).texts, chat_split(5).labels,
                                            strict=True)), encoding="utf-8")  # fmt: skip
    watched = []

    def fake_fit(rows, validation, *args, **kwargs):
        watched.append(validation)
        raise _Stop

    monkeypatch.setattr(pipeline, "fit", fake_fit)
    data = DataConfig(chat_train=[str(chat)], lexicon_augment=False, sentence_augment=False)
    train = TrainConfig(stop_on=stop_on, output_dir=tmp_path / "runs")
    reviews = Reviews(fixture_reviews, fixture_reviews)
    with pytest.raises(_Stop):
        pipeline.run_training(data, ModelConfig(), train, tmp_path / "m", reviews=reviews)
    held_out_chat = 6  # 10% of each class of the 60 chat rows: 2 x 3
    expected = held_out_chat if stop_on == "chat" else held_out_chat + len(fixture_reviews) // 5
    assert len(watched[0]) == expected


def test_lexicon_words_can_train_as_not_neutral():
    from model.augment import augment
    from model.config import DataConfig

    reviews = make_split(["a good film", "a bad film"], [1, 0])
    config = DataConfig(sentence_augment=False, lexicon_repeat=1)
    plain = augment(reviews, config, chat_split())
    marked = augment(reviews, config.model_copy(update={"lexicon_not_neutral": True}), chat_split())
    assert plain.texts == marked.texts and len(plain) > 100
    lexicon = slice(2, len(plain) - len(chat_split()))
    assert plain.polar_mask()[lexicon].all() and not marked.polar_mask()[lexicon].any()
    assert marked.polar_mask()[:2].all()  # the reviews still know only their side
