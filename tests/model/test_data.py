"""Data sources and splits: archive loading and checks, Keras decoding, validation split."""

import numpy as np
import pytest

from model.config import DataConfig
from model.data import DataError, load_reviews, make_split, subsample, train_validation_split
from model.imdb_archive import load_archive
from model.imdb_keras import INDEX_FROM, OOV, START, decode, reverse_index
from tests.model.helpers import write_archive, write_keras_imdb


def test_validation_comes_from_training_rows_stratified_and_seeded(fixture_reviews):
    train, val = train_validation_split(fixture_reviews, 0.2, seed=5)
    assert len(train) + len(val) == len(fixture_reviews)
    assert set(train.texts).isdisjoint(val.texts)
    assert val.counts() == (40, 40)
    again, _ = train_validation_split(fixture_reviews, 0.2, seed=5)
    assert again.texts == train.texts
    other, _ = train_validation_split(fixture_reviews, 0.2, seed=6)
    assert other.texts != train.texts


def test_validation_fraction_must_be_a_share(fixture_reviews):
    with pytest.raises(ValueError, match="validation fraction"):
        train_validation_split(fixture_reviews, 1.5, seed=1)


def test_subsample_is_balanced(fixture_reviews):
    assert subsample(fixture_reviews, 100, seed=1).counts() == (50, 50)
    assert subsample(fixture_reviews, None, seed=1) is fixture_reviews


def test_archive_is_unpacked_once_and_checked(tmp_path, fixture_reviews):
    archive = write_archive(tmp_path / "aclImdb_v1.tar.gz", fixture_reviews, per_split=100)
    cache = tmp_path / "cache"
    reviews = load_archive(str(archive), cache, expected=100)
    assert len(reviews.train) == len(reviews.test) == 100
    assert set(reviews.train.labels.tolist()) == {0, 1}
    assert reviews.source["source"] == "archive" and len(reviews.source["sha256"]) == 64
    assert not list(cache.glob("*/aclImdb/train/unsup"))  # unlabelled reviews are skipped
    marker = next(cache.glob("*/.complete"))
    stamp = marker.stat().st_mtime_ns
    load_archive(str(archive), cache, expected=100)
    assert marker.stat().st_mtime_ns == stamp  # not unpacked again


def test_archive_with_wrong_counts_is_rejected(tmp_path, fixture_reviews):
    archive = write_archive(tmp_path / "a.tar.gz", fixture_reviews, per_split=50)
    with pytest.raises(DataError, match="incomplete: train has 50 reviews.*expected 25000"):
        load_archive(str(archive), tmp_path / "cache")


def test_missing_archive_is_a_clear_error(tmp_path):
    config = DataConfig(archive=str(tmp_path / "missing.tar.gz"), cache_dir=tmp_path)
    with pytest.raises(DataError, match="IMDB archive not found.*SENTIBOT_DATA__ARCHIVE"):
        load_reviews(config)


@pytest.mark.parametrize("content", [b"", b"this is not gzip", b"\x1f\x8b\x08\x00garbage"])
def test_damaged_archive_is_a_clear_error(tmp_path, content):
    archive = tmp_path / "aclImdb_v1.tar.gz"
    archive.write_bytes(content)
    with pytest.raises(DataError, match="damaged"):
        load_archive(str(archive), tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*/.complete"))


def test_truncated_archive_is_a_clear_error(tmp_path, fixture_reviews):
    archive = write_archive(tmp_path / "a.tar.gz", fixture_reviews, per_split=50)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(DataError, match="damaged"):
        load_archive(str(archive), tmp_path / "cache", expected=50)


def test_keras_offsets_decode():
    words = reverse_index({"the": 1, "movie": 2, "rocks": 3})
    assert decode([START, 1 + INDEX_FROM, 2 + INDEX_FROM, OOV, 3 + INDEX_FROM, 0, 0], words) == (
        "the movie ? rocks"
    )


def test_keras_source_reads_local_npz_and_word_index(tmp_path):
    split = make_split(["a great film", "a bad film", "great fun", "bad bad plot"], [1, 0, 1, 0])
    npz, index = write_keras_imdb(tmp_path, split, n_train=2)
    config = DataConfig(source="keras", keras_npz=str(npz), keras_word_index=str(index))
    reviews = load_reviews(config)
    assert reviews.train.texts == ["a great film", "a bad film"]
    assert reviews.test.texts == ["great fun", "bad bad plot"]
    np.testing.assert_array_equal(reviews.test.labels, [1, 0])
    assert reviews.source["source"] == "keras"


def test_keras_source_missing_file(tmp_path):
    config = DataConfig(source="keras", keras_npz=str(tmp_path / "no.npz"))
    with pytest.raises(DataError, match="not found"):
        load_reviews(config)
