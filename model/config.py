"""Configuration sections owned by the model package.

The bot's composition root (``bot.config.Settings``) assembles these sections together with
the storage and bot sections; the model package itself only ever receives these objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

STANFORD_ARCHIVE_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
BUNDLED_MODEL_DIR = Path(__file__).resolve().parent / "default"

Architecture = Literal["sequential", "mlp", "cnn", "lstm", "bigram", "nblr"]


class Section(BaseModel):
    """Base for every config section: unknown keys are errors, values are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DataConfig(Section):
    """Where the Large Movie Review Dataset comes from and how it is split."""

    source: Literal["archive", "keras"] = "archive"
    archive: str = STANFORD_ARCHIVE_URL
    cache_dir: Path = Path("var/cache")
    validation_split: float = Field(0.2, gt=0.0, lt=0.5)
    seed: int = 1337
    # Also train on single sentences of each review (labelled like the review), so the model
    # learns to score chat-length text, not only 230-word reviews.
    sentence_augment: bool = True
    sentence_min_words: int = Field(3, ge=1)
    sentence_max_per_review: int = Field(8, ge=0)
    # Also train on the single words/phrases of VADER's lexicon with a clear polarity (needs the
    # ``vaderSentiment`` package, which ships ``vader_lexicon.txt``).
    lexicon_augment: bool = True
    lexicon_min_score: float = Field(1.0, gt=0.0, le=4.0)
    lexicon_repeat: int = Field(10, ge=1)  # each lexicon row is added this many times
    lexicon_negations: bool = True  # also "not <word>" with the opposite label
    # With chat rows (three classes): the lexicon's words are known not to be neutral, so they
    # train all three classes even when ``[train] polar_rows = "polarity"``.
    lexicon_not_neutral: bool = False
    # Labelled chat messages (three classes, ``model.chat``): paths of TSV files added to the
    # training rows, each row ``chat_repeat`` times (one number for every file, or one per file).
    # Never ``devchat_dev.tsv`` (for choosing).
    chat_train: list[str] = []
    chat_repeat: int | list[int] = 1
    # This share of the chat rows is held out with the validation reviews (early stopping and
    # the calibration's positive/negative rows), stratified and seeded.
    chat_validation_split: float = Field(0.1, gt=0.0, lt=0.5)
    # A three-class model's class calibration is fitted on the held-out chat rows plus this many
    # validation reviews, so it keeps the reviews right too (model/class_calibration.py).
    calibration_reviews: int = Field(0, ge=0)
    # The developer-chat choosing split: reported (benchmarks, metadata), never trained on.
    chat_dev: str = ""
    # ``source = "keras"``: local copies of ``imdb.npz`` and ``imdb_word_index.json``; empty means
    # let ``keras.datasets.imdb`` download them.
    keras_npz: str = ""
    keras_word_index: str = ""

    def chat_repeats(self) -> list[int]:
        """``chat_repeat`` for each file of ``chat_train``."""
        if isinstance(self.chat_repeat, int):
            return [self.chat_repeat] * len(self.chat_train)
        return list(self.chat_repeat)

    @model_validator(mode="after")
    def _repeats_match(self) -> DataConfig:
        repeats = [self.chat_repeat] if isinstance(self.chat_repeat, int) else self.chat_repeat
        if any(r < 1 for r in repeats):
            raise ValueError("chat_repeat must be at least 1")
        if isinstance(self.chat_repeat, list) and len(self.chat_repeat) != len(self.chat_train):
            raise ValueError("chat_repeat needs one number per chat_train file")
        return self


class Overrides(Section):
    """Per-architecture hyperparameters that replace the shared ones in ``[model]``."""

    max_tokens: int | None = Field(None, ge=100)
    sequence_length: int | None = Field(None, ge=8)
    ngrams: int | None = Field(None, ge=1, le=3)
    output_mode: Literal["multi_hot", "count", "tf_idf"] | None = None
    embedding_dim: int | None = Field(None, ge=2)
    hidden_units: int | None = Field(None, ge=0)
    dropout: float | None = Field(None, ge=0.0, lt=1.0)


# The seed lab's network, exactly: 10,000 tokens x 500, Embedding 32, two Dense(16), no dropout.
LAB_SEQUENTIAL = Overrides(
    max_tokens=10000, sequence_length=500, embedding_dim=32, hidden_units=16, dropout=0.0
)
# NBSVM-style 1-3-grams (measured: benchmarks/accuracy.py --architectures nblr).
NBLR = Overrides(max_tokens=800_000, ngrams=3, output_mode="multi_hot")


class ModelConfig(Section):
    """Which network to build and its hyperparameters.

    The shared keys apply to every architecture; a sub-table such as ``[model.lstm]`` overrides
    them for one architecture (``resolved()`` merges them).
    """

    architecture: Architecture = "bigram"
    # ``binary`` (sigmoid, neutral = band around 0.5) or ``three_class`` (softmax over
    # negative/neutral/positive; score = P(positive) + P(neutral) / 2): model/heads.py.
    head: Literal["binary", "three_class"] = "binary"
    # Directory holding ``sentiment.keras`` and ``metadata.json``; empty means the bundled model.
    path: Path | None = None
    serving_url: str = ""
    # Where the model runs in this process (no ``serving_url``): ``"numpy"`` is
    # ``model.numpy_runtime`` (no TensorFlow: quick to start, small), ``"tensorflow"`` the Keras
    # model; ``"auto"`` runs one-shot commands (``score``, ``explain``) in NumPy and ``run`` in
    # TensorFlow (faster on large batches). A model NumPy cannot compute runs in TensorFlow.
    runtime: Literal["auto", "tensorflow", "numpy"] = "auto"
    max_tokens: int = Field(50000, ge=100)
    sequence_length: int = Field(500, ge=8)
    ngrams: int = Field(2, ge=1, le=3)
    # Bag-of-n-grams features of the ``bigram`` network.
    output_mode: Literal["multi_hot", "count", "tf_idf"] = "multi_hot"
    # The ``bigram`` network also reads VADER-lexicon scores of the text (model/lexicon.py).
    lexicon_feature: bool = True
    # ``bigram`` with the lexicon: also a linear ("wide") term from the n-grams to the output.
    wide: bool = False
    # ``bigram`` with the wide term: also a linear term from character n-grams inside word
    # boundaries (model/charngrams.py): ``[low, high]`` characters, ``[]`` for none; the most
    # frequent ``char_max_tokens``, of the first ``char_max_chars`` characters (0: all), as
    # ``char_output_mode``, each row L2-normalised if ``char_normalize`` (then times
    # ``char_scale``).
    char_ngrams: list[int] = []
    char_max_tokens: int = Field(100_000, ge=100)
    char_max_chars: int = Field(0, ge=0)
    char_output_mode: Literal["multi_hot", "count", "tf_idf"] = "multi_hot"
    char_normalize: bool = False
    char_scale: float = Field(1.0, gt=0.0)
    # How the ``bigram`` network's n-gram kernels are saved: ``"int8"`` codes with a float32
    # scale per column (model/compact.py: a quarter of the bytes; float32 in memory) or
    # ``"float32"`` (plain ``Dense``).
    kernel_storage: Literal["float32", "int8"] = "float32"
    embedding_dim: int = Field(32, ge=2)
    hidden_units: int = Field(16, ge=0)
    dropout: float = Field(0.5, ge=0.0, lt=1.0)
    conv_filters: int = Field(64, ge=1)
    kernel_size: int = Field(5, ge=1)
    lstm_units: int = Field(32, ge=1)
    bidirectional: bool = True
    l2: float = Field(1e-6, ge=0.0)  # L2 penalty of the ``nblr`` linear layer
    sequential: Overrides = LAB_SEQUENTIAL
    mlp: Overrides = Overrides()
    cnn: Overrides = Overrides()
    lstm: Overrides = Overrides()
    bigram: Overrides = Overrides()
    nblr: Overrides = NBLR

    @model_validator(mode="after")
    def _char_range(self) -> ModelConfig:
        grams = self.char_ngrams
        if grams and (len(grams) != 2 or not 1 <= grams[0] <= grams[1] <= 8):
            raise ValueError("char_ngrams must be [] or [low, high] with 1 <= low <= high <= 8")
        return self

    def resolved(self, architecture: Architecture | None = None) -> ModelConfig:
        """Return a copy for ``architecture`` (default: the configured one), overrides applied."""
        name = architecture or self.architecture
        extra = getattr(self, name).model_dump(exclude_none=True)
        return self.model_copy(update={"architecture": name, **extra})

    @property
    def directory(self) -> Path:
        """The model directory to load, the bundled one unless ``path`` is set."""
        return Path(self.path) if self.path else BUNDLED_MODEL_DIR


class TrainConfig(Section):
    """The training recipe."""

    epochs: int = Field(6, ge=1)
    batch_size: int = Field(64, ge=1)
    optimizer: Literal["adam", "adamw", "rmsprop", "sgd"] = "adam"
    learning_rate: float = Field(3e-4, gt=0.0)
    lr_schedule: Literal["constant", "cosine", "exponential"] = "constant"
    patience: int = Field(2, ge=0)
    # What EarlyStopping watches: the loss on all validation rows (held-out reviews and chat),
    # or on the held-out chat rows only (``"chat"``; the reviews still calibrate the score).
    stop_on: Literal["validation", "chat"] = "validation"
    # After the main fit, fine-tune on the labelled chat rows alone for up to this many epochs
    # (early stopping as above), at ``chat_finetune_rate``: only the n-grams chat uses move.
    chat_finetune_epochs: int = Field(0, ge=0)
    chat_finetune_rate: float = Field(1e-4, gt=0.0)
    # ...with this many of the other (review, sentence, lexicon) rows mixed in, drawn at random
    # (seeded), so what the reviews taught the shared n-grams is rehearsed, not forgotten.
    chat_finetune_replay: int = Field(0, ge=0)
    # Three-class head: rows labelled only negative/positive (reviews, sentences, lexicon) train
    # ``"polarity"`` (which side, among the polar classes: model/losses.py) or ``"classes"``
    # (as if they were known not to be neutral, the recipe before issue 16's second round).
    polar_rows: Literal["polarity", "classes"] = "classes"
    output_dir: Path = Path("var/runs")
    # Admin retrain (``bot.retrain``): a new model is promoted unless a figure is worse than
    # the serving model's by more than this; this share of the feedback is held back to test.
    promote_tolerance: float = Field(0.01, ge=0.0, le=1.0)
    feedback_holdout: float = Field(0.2, ge=0.0, lt=1.0)
    # Start a retrain by itself after this many corrections since the last one (0: never).
    auto_retrain_after: int = Field(0, ge=0)


class ScoringConfig(Section):
    """How scores are served and labelled."""

    neutral_low: float = Field(0.40, ge=0.0, le=1.0)
    neutral_high: float = Field(0.60, ge=0.0, le=1.0)
    max_chars: int = Field(4000, ge=1)
    batch_size: int = Field(256, ge=1)
    max_wait_ms: float = Field(5.0, ge=0.0)
    languages: list[str] = ["en"]
    # ``model.language.LanguageFilter``: a Latin-script text is called foreign only with at
    # least this detector confidence and this many letters.
    language_min_confidence: float = Field(0.7, ge=0.0, le=1.0)
    language_min_letters: int = Field(8, ge=0)

    @model_validator(mode="after")
    def _band_is_ordered(self) -> ScoringConfig:
        if self.neutral_low > self.neutral_high:
            raise ValueError("neutral_low must not exceed neutral_high")
        return self
