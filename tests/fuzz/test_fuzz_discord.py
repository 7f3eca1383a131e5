"""Fuzz: Discord gateway payloads with random fields, built into real discord.py objects and
handed to the adapter's stream cog, never crash it and only people's guild messages get through.
"""

from __future__ import annotations

from collections.abc import Iterator

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.discord import adapter as discord_adapter
from bot.config import AdminsConfig, DiscordConfig, Secrets
from tests.fakes.discord import CHANNEL_ID, GUILD_ID, World
from tests.fakes.handler import RecordingHandler
from tests.fuzz.loop import LoopThread

EXAMPLES = 300
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SNOWFLAKES = st.integers(min_value=0, max_value=2**64 - 1)
KINDS = st.one_of(st.sampled_from([0, 6, 7, 8, 19, 20, 46]), st.integers(0, 255))


@pytest.fixture(scope="module")
def stream() -> Iterator[tuple[LoopThread, World, object, RecordingHandler]]:
    loop = LoopThread()
    adapter = discord_adapter.DiscordAdapter(
        DiscordConfig(guild_ids=[GUILD_ID]),
        AdminsConfig(),
        Secrets({"DISCORD_TOKEN": "test-token"}),
    )
    handler = RecordingHandler()
    loop.run(adapter.install_cogs(handler))
    world = World.build(adapter.bot)
    yield loop, world, adapter.bot.get_cog("Stream"), handler
    loop.run(adapter.bot.close())
    loop.close()


@FUZZ
@given(
    content=st.text(st.characters(exclude_categories=()), max_size=200),
    kind=KINDS,
    bot=st.booleans(),
    message_id=SNOWFLAKES,
    author_id=SNOWFLAKES,
    webhook=st.booleans(),
    edit=st.booleans(),
    delete_ids=st.lists(SNOWFLAKES, max_size=4),
)
def test_random_message_payloads_never_crash_the_stream(
    stream,
    content: str,
    kind: int,
    bot: bool,
    message_id: int,
    author_id: int,
    webhook: bool,
    edit: bool,
    delete_ids: list[int],
) -> None:
    loop, world, cog, handler = stream
    before = len(handler.messages)
    data = world.message_payload(
        content, author_id=author_id, bot=bot, kind=kind, message_id=message_id or 1
    )
    if webhook:
        data["webhook_id"] = str(author_id)
    message = discord.Message(state=world.client._connection, channel=world.channel, data=data)

    async def deliver() -> None:
        await cog.on_message(message)
        if edit:
            event = discord.RawMessageUpdateEvent(data, message)
            await cog.on_raw_message_edit(event)
        ids = {"channel_id": str(CHANNEL_ID), "guild_id": str(GUILD_ID)}
        await cog.on_raw_bulk_message_delete(
            discord.RawBulkMessageDeleteEvent({"ids": [str(i) for i in delete_ids], **ids})
        )

    loop.run(deliver())
    person = not bot and not webhook and kind in (0, 19)
    assert len(handler.messages) == before + (1 if person else 0)
    if person:
        got = handler.messages[-1]
        assert (got.text, got.message_id) == (content, str(message_id or 1))
