"""Adapters wired to the real core (``bot.bootstrap.build_app``) with a fake scorer and an
in-memory repository: what a platform event stores, and what a command posts back."""

from __future__ import annotations

import asyncio

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.slack.adapter import SlackAdapter
from bot.bootstrap import build_app
from bot.config import AdminsConfig, DiscordConfig, Secrets, SlackConfig, load_settings
from storage.types import MessageKey
from tests.fakes.discord import CHANNEL_ID, FakeInteraction, World
from tests.fakes.handler import wait_until
from tests.fakes.scoring import FakeScorer
from tests.fakes.slack_api import MockSlackApi
from tests.fakes.slack_requests import SECRET, event_body, free_port, request, slash_body
from tests.fakes.storage import FakeRepository


def _app(adapter, repository):
    settings = load_settings(None)
    return build_app(
        settings,
        adapter=adapter,
        scorer=FakeScorer(),
        repository=repository,
        scheduler_factory=None,
        retrainer_factory=None,
    )


async def test_slack_message_is_stored_and_slash_command_is_answered() -> None:
    mock = MockSlackApi()
    await mock.start()
    config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
    secrets = Secrets({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET})
    adapter = SlackAdapter(config, AdminsConfig(), secrets, host="127.0.0.1")
    repository = FakeRepository()
    app = _app(adapter, repository)
    await app.start()
    task = asyncio.create_task(adapter.start(app.bot))
    try:
        await wait_until(lambda: adapter.connected)
        event = {
            "type": "message",
            "channel": "C1",
            "channel_type": "channel",
            "user": "U2",
            "text": "what a great release :tada:",
            "ts": "1700000000.000100",
        }
        await adapter.app.async_dispatch(request(event_body(event, "Ev1")))
        await adapter.app.async_dispatch(request(event_body(event, "Ev1"), retry=1))
        body = slash_body(
            "/sentiment", "this is awful", user="U2", response_url=f"{mock.base}/response/1"
        )
        await adapter.app.async_dispatch(request(body))
        await wait_until(lambda: mock.named("chat.postMessage"))
    finally:
        await app.shutdown(task)
        await mock.close()
    stored = repository.messages[MessageKey("slack", "C1", "1700000000.000100")]
    assert stored.label == "positive" and stored.author_id == "U2"
    assert repository.upsert_calls >= 1 and len(repository.messages) == 1
    assert "negative" in mock.named("chat.postMessage")[0]["text"]


async def test_discord_message_is_stored_and_slash_command_is_answered() -> None:
    adapter = DiscordAdapter(DiscordConfig(), AdminsConfig(), Secrets({"DISCORD_TOKEN": "t"}))
    repository = FakeRepository()
    app = _app(adapter, repository)
    await app.start()
    await adapter.install_cogs(app.bot)
    world = World.build(adapter.bot)
    message = world.message("good morning, great work")
    await adapter.bot.get_cog("Stream").on_message(message)
    interaction = FakeInteraction(world, world.member())
    sentiment = adapter.bot.tree.get_command("sentiment")
    await sentiment.callback(adapter.bot.get_cog("Commands"), interaction, text="awful")
    await app.shutdown()
    await adapter.bot.close()
    stored = repository.messages[MessageKey("discord", str(CHANNEL_ID), str(message.id))]
    assert stored.label == "positive"
    assert "negative" in interaction.sent[0].content
