"""The ``[train]`` retrain keys and the ``[scoring]`` language keys: defaults, config.toml,
and one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from model.config import ScoringConfig
from model.language import LanguageFilter
from tests import REPO

REPO_CONFIG = REPO / "config.toml"


def test_defaults_and_the_shipped_config_agree(tmp_path: Path) -> None:
    empty = tmp_path / "config.toml"
    empty.write_text("")
    for settings in (load_settings(empty), load_settings(REPO_CONFIG)):
        assert settings.train.promote_tolerance == 0.01
        assert settings.train.feedback_holdout == 0.2
        assert settings.scoring.language_min_confidence == 0.7
        assert settings.scoring.language_min_letters == 8


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[train]\npromote_tolerance = 2\n", "train.promote_tolerance"),
        ("[train]\npromote_tolerance = -0.1\n", "train.promote_tolerance"),
        ("[train]\nfeedback_holdout = 1.0\n", "train.feedback_holdout"),
        ("[scoring]\nlanguage_min_confidence = 1.5\n", "scoring.language_min_confidence"),
        ("[scoring]\nlanguage_min_letters = -1\n", "scoring.language_min_letters"),
        ('[scoring]\nlanguage_min_letters = "many"\n', "scoring.language_min_letters"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert f"'{key}'" in message and "\n" not in message


def test_environment_overrides_the_retrain_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[train]\npromote_tolerance = 0.05\n")
    monkeypatch.setenv("SENTIBOT_TRAIN__PROMOTE_TOLERANCE", "0.02")
    assert load_settings(path).train.promote_tolerance == 0.02


def test_language_filter_follows_the_scoring_keys() -> None:
    gate = LanguageFilter.from_config(
        ScoringConfig(languages=["EN"], language_min_confidence=0.9, language_min_letters=30)
    )
    assert (gate.languages, gate.min_confidence, gate.min_letters) == (frozenset({"en"}), 0.9, 30)
    french = "je ne comprends pas pourquoi ça ne marche pas"  # 38 letters
    assert LanguageFilter.from_config(ScoringConfig()).foreign_language(french) == "fr"
    strict = ScoringConfig(language_min_letters=100)
    assert LanguageFilter.from_config(strict).foreign_language(french) is None
