"""A bad platform token is told at once, in plain words, before the model loads (#15)."""

from __future__ import annotations

import logging

import pytest

from bot.config import Secrets, Settings, SlackConfig
from bot.errors import StartupError
from bot.factories import check_credentials
from tests.fakes.slack_api import MockSlackApi


@pytest.fixture
async def mock() -> MockSlackApi:
    api = MockSlackApi()
    await api.start()
    yield api
    await api.close()


def settings_for(api: MockSlackApi) -> Settings:
    return Settings(slack=SlackConfig(api_base_url=api.base + "/api/"))


async def test_a_revoked_slack_token_is_one_plain_line(mock: MockSlackApi) -> None:
    import asyncio

    secrets = Secrets({"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_APP_TOKEN": "xapp-1"})
    with pytest.raises(StartupError) as info:
        await asyncio.to_thread(check_credentials, settings_for(mock), secrets, "slack")
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in str(info.value)
    assert "xoxb-revoked" not in str(info.value) and "\n" not in str(info.value)


async def test_a_good_slack_token_passes(mock: MockSlackApi) -> None:
    import asyncio

    secrets = Secrets({"SLACK_BOT_TOKEN": "xoxb-good", "SLACK_APP_TOKEN": "xapp-1"})
    await asyncio.to_thread(check_credentials, settings_for(mock), secrets, "slack")
    assert mock.named("auth.test")


def test_an_unreachable_platform_does_not_stop_the_start(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(slack=SlackConfig(api_base_url="http://127.0.0.1:9/api/"))
    with caplog.at_level(logging.WARNING):
        check_credentials(settings, Secrets({"SLACK_BOT_TOKEN": "xoxb-x"}), "slack")
    assert "could not check the slack token now" in caplog.text


def test_the_shell_needs_no_check() -> None:
    check_credentials(Settings(), Secrets({}), "shell")  # no token, no network, no error


def test_discord_voice_warnings_are_not_shown(caplog: pytest.LogCaptureFixture) -> None:
    from bot.adapters.discord.adapter import DiscordAdapter
    from bot.config import AdminsConfig, DiscordConfig

    with caplog.at_level(logging.WARNING):
        DiscordAdapter(DiscordConfig(), AdminsConfig(), Secrets({"DISCORD_TOKEN": "t"}))
        logging.getLogger("discord.client").warning(
            "PyNaCl is not installed, voice will NOT be supported"
        )
    assert "voice" not in caplog.text
