"""Every bad value is caught at load, for every command, as one line naming the key (#12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.reports.format import parse_period


@pytest.mark.parametrize(
    ("text", "key"),
    [
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
