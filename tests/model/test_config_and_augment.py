"""Model config validation and overrides; training-row augmentation; the short-text sets."""

import pytest

from bot.config import ConfigError, load_settings
from model.augment import augment, lexicon_rows, sentence_rows, split_sentences
from model.config import DataConfig, ModelConfig
from model.data import make_split
from model.shorttext import DATA_DIR, SETS, plain_polarity, read_tsv, short_text_sets


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[model]\narchitecture = "transformer"\n', "'model.architecture'"),
        ("[model]\ndropout = 1.5\n", "'model.dropout'"),
        ("[model.lstm]\nunits = 3\n", "unknown key 'model.lstm.units'"),
        ("[train]\nepochs = 0\n", "'train.epochs'"),
        ('[train]\nlr_schedule = "warp"\n', "'train.lr_schedule'"),
        ('[data]\nsource = "ftp"\n', "'data.source'"),
        ("[data]\nvalidation_split = 0.9\n", "'data.validation_split'"),
    ],
)
def test_bad_model_settings_name_the_key(tmp_path, toml, message):
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_environment_overrides_architecture(monkeypatch):
    monkeypatch.setenv("SENTIBOT_MODEL__ARCHITECTURE", "cnn")
    monkeypatch.setenv("SENTIBOT_DATA__ARCHIVE", "/data/aclImdb_v1.tar.gz")
    settings = load_settings()
    assert settings.model.architecture == "cnn"
    assert settings.data.archive == "/data/aclImdb_v1.tar.gz"


def test_per_architecture_overrides():
    config = ModelConfig.model_validate({"lstm": {"sequence_length": 200}, "max_tokens": 30000})
    assert config.resolved("lstm").sequence_length == 200
    assert config.resolved("cnn").sequence_length == config.sequence_length
    lab = config.resolved("sequential")
    assert (lab.max_tokens, lab.sequence_length, lab.embedding_dim, lab.hidden_units) == (
        10000, 500, 32, 16,
    )  # fmt: skip
    assert config.resolved("bigram").max_tokens == 30000


def test_split_sentences():
    text = "Loved it. Great cast!<br /><br />But the end... was weak? Yes\x85ok"
    assert split_sentences(text) == ["Loved it.", "Great cast!", "But the end...", "was weak?",
                                     "Yes", "ok"]  # fmt: skip


def test_sentence_rows_keep_labels_and_limits():
    split = make_split(["One two three. Four five six. Seven eight nine.", "Bad bad bad."], [1, 0])
    rows = sentence_rows(split, min_words=3, max_per_review=2, seed=1)
    assert len(rows) == 3
    assert rows.labels.tolist() == [1, 1, 0]


def test_lexicon_rows(tmp_path):
    lexicon = tmp_path / "lexicon.txt"
    lexicon.write_text(
        "good\t1.9\t0.9\t[]\nawful\t-2.0\t0.5\t[]\nmeh\t-0.3\t0.5\t[]\n:)\t2.0\t1\t[]\n"
    )
    rows = lexicon_rows(1.5, lexicon)
    assert rows.texts == ["good", "awful"]
    assert rows.labels.tolist() == [1, 0]


def test_augment_adds_rows_only_when_enabled(fixture_reviews):
    off = DataConfig(sentence_augment=False, lexicon_augment=False)
    assert augment(fixture_reviews, off) is not None
    assert len(augment(fixture_reviews, off)) == len(fixture_reviews)
    on = DataConfig(sentence_augment=True, sentence_max_per_review=2, lexicon_augment=False)
    assert len(fixture_reviews) < len(augment(fixture_reviews, on)) <= 3 * len(fixture_reviews)
    for negations in (False, True):
        lexicon = DataConfig(
            sentence_augment=False,
            lexicon_augment=True,
            lexicon_repeat=2,
            lexicon_negations=negations,
        )
        expected = len(fixture_reviews) + 2 * len(lexicon_rows(1.0, negations=negations))
        assert len(augment(fixture_reviews, lexicon)) == expected
    negated = lexicon_rows(1.0, negations=True)
    labels = dict(zip(negated.texts, negated.labels.tolist(), strict=True))
    assert (labels["good"], labels["not good"], labels["awful"], labels["not awful"]) == (
        1,
        0,
        0,
        1,
    )


def test_plain_polarity():
    assert plain_polarity("A truly great film.", positive=True)
    assert not plain_polarity("Not a great film.", positive=True)
    assert not plain_polarity("Great cast but awful script.", positive=True)


def test_short_text_sets_are_present_and_balanced():
    sets = short_text_sets()
    assert set(sets) == set(SETS)
    chat = sets["chat"]
    assert len(chat) >= 150
    negatives, positives = chat.counts()
    assert abs(negatives - positives) <= 10
    assert len(sets["review_sentences"]) == 1000


def test_read_tsv_rejects_bad_labels(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("fine\tpositive\nhmm\tmaybe\n")
    with pytest.raises(ValueError, match="bad.tsv:2"):
        read_tsv(path)
    assert (DATA_DIR / SETS["chat"]).is_file()
