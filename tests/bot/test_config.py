"""``bot.config``: defaults, config.toml, the environment, and one-line errors naming the key
(or the environment variable) for every bad value, caught at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.reports.format import parse_period
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
        # every value a command could trip on later is caught at load (#12)
        ('[ops]\nlog_level = "LOUD"\n', "ops.log_level"),
        ('[reports]\ntimezone = "Mars/Olympus"\n', "reports.timezone"),
        ('[reports]\ntimezone = "../../etc/passwd"\n', "reports.timezone"),
        ('[reports]\ncron = "every day"\n', "reports.cron"),
        ('[reports]\ncron = "0 25 * * *"\n', "reports.cron"),
        ("[storage]\nflush_interval_ms = inf\n", "storage.flush_interval_ms"),
        ("[storage]\nflush_interval_ms = nan\n", "storage.flush_interval_ms"),
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


def test_a_bad_value_from_the_environment_is_caught_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENTIBOT_OPS__LOG_LEVEL", "chatty")
    with pytest.raises(ConfigError, match="ops.log_level"):
        load_settings()


def test_good_values_load_normalised(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[ops]\nlog_level = "debug"\nhost = "127.0.0.1"\n'
        '[slack]\nhost = "127.0.0.1"\n'
        '[reports]\ntimezone = "Europe/Paris"\ncron = "0  9 * * 1-5"\n'
    )
    settings = load_settings(path)
    assert settings.ops.log_level == "DEBUG"
    assert (settings.ops.host, settings.slack.host) == ("127.0.0.1", "127.0.0.1")
    assert settings.reports.cron == "0 9 * * 1-5"


def test_hosts_default_to_all_interfaces_for_containers(tmp_path: Path) -> None:
    empty = tmp_path / "config.toml"
    empty.write_text("")
    settings = load_settings(empty)
    assert (settings.ops.host, settings.slack.host) == ("0.0.0.0", "0.0.0.0")


@pytest.mark.parametrize("text", ["9999999999d", "99999999999999999999w", "1e400h", "400d"])
def test_a_huge_period_is_a_one_line_error_not_an_overflow(text: str) -> None:
    with pytest.raises(ValueError, match="out of range|unknown period") as info:
        parse_period(text)
    assert "\n" not in str(info.value)


def test_an_environment_mistake_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[train]\nepochs = 3\n")
    monkeypatch.setenv("SENTIBOT_TRAIN__EPOCHS", "abc")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "environment variable SENTIBOT_TRAIN__EPOCHS" in str(info.value)
    assert str(path) not in str(info.value)  # the file is not blamed


@pytest.mark.parametrize("value", ["en,fr", " en , fr ", '["en", "fr"]'])
def test_list_values_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SENTIBOT_SCORING__LANGUAGES", value)
    path = tmp_path / "config.toml"
    path.write_text("")
    assert load_settings(path).scoring.languages == ["en", "fr"]
