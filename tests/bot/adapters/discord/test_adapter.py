"""The Discord adapter offline: real CommandTree payload; cogs called with discord.py objects."""

from __future__ import annotations

import asyncio
import json
import re

import discord
import pytest
from discord.ext import commands

from bot.adapters.discord import adapter as discord_adapter
from bot.adapters.discord.cogs import common
from bot.adapters.discord.cogs.common import chunks
from bot.config import AdminsConfig, ConfigError, DiscordConfig, Secrets
from bot.core.commands.registry import slash_commands
from bot.core.feedback import reaction_label as feedback_label
from bot.core.messages import Reply
from tests import REPO
from tests.fakes.discord import (
    ADMIN_ID,
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    FakeInteraction,
    World,
)
from tests.fakes.handler import RecordingHandler

SECRETS = Secrets({"DISCORD_TOKEN": "test-token"})
COMMAND_NAMES = {
    "sentiment",
    "sentiment-explain",
    "sentiment-dashboard",
    "sentiment-report",
    "sentiment-schedule",
    "sentiment-optout",
    "sentiment-optin",
    "sentiment-feedback",
    "sentiment-retrain",
}


@pytest.fixture
async def env():
    adapter = discord_adapter.DiscordAdapter(
        DiscordConfig(guild_ids=[GUILD_ID]), AdminsConfig(discord=[ADMIN_ID]), SECRETS
    )
    handler = RecordingHandler()
    await adapter.install_cogs(handler)
    yield adapter, handler, World.build(adapter.bot)
    await adapter.bot.close()


def command(adapter, name: str):
    found = adapter.bot.tree.get_command(name)
    assert found is not None, name
    return found


async def test_command_tree_payload_names_options_and_permissions(env) -> None:
    adapter, _, _ = env
    tree = adapter.bot.tree
    payload = {
        c.name: c.to_dict(tree) for c in tree.get_commands(type=discord.AppCommandType.chat_input)
    }
    assert set(payload) == COMMAND_NAMES
    assert payload["sentiment"]["options"][0] | {"description": ""} == {
        "type": 3,
        "name": "text",
        "description": "",
        "required": True,
    }
    report = {o["name"]: o for o in payload["sentiment-report"]["options"]}
    assert report["channel"]["type"] == 7 and not report["channel"]["required"]
    assert report["period"]["type"] == 3 and not report["period"]["required"]
    labels = payload["sentiment-feedback"]["options"][0]["choices"]
    assert [c["value"] for c in labels] == ["positive", "negative"]
    retrain = payload["sentiment-retrain"]
    assert retrain["default_member_permissions"] == discord.Permissions(administrator=True).value
    assert retrain["dm_permission"] is False
    assert all(
        payload[n]["default_member_permissions"] is None
        for n in COMMAND_NAMES - {"sentiment-retrain"}
    )
    [menu] = tree.get_commands(type=discord.AppCommandType.message)
    assert menu.to_dict(tree)["name"] == "Score this message"


async def test_commands_sync_to_configured_guilds_or_globally(env, monkeypatch) -> None:
    adapter, _, _ = env
    synced: list[int | None] = []

    async def fake_sync(*, guild=None):
        synced.append(guild.id if guild else None)
        return adapter.bot.tree.get_commands(guild=guild)

    monkeypatch.setattr(adapter.bot.tree, "sync", fake_sync)
    await adapter.sync_commands()
    assert synced == [GUILD_ID]
    in_guild = {c.name for c in adapter.bot.tree.get_commands(guild=discord.Object(GUILD_ID))}
    assert in_guild >= COMMAND_NAMES
    adapter.config = DiscordConfig()
    await adapter.sync_commands()
    assert synced == [GUILD_ID, None]


def test_intents_sharding_and_token_checks() -> None:
    plain = discord_adapter.DiscordAdapter(DiscordConfig(), AdminsConfig(), SECRETS)
    assert plain.bot.intents.message_content and plain.bot.intents.guild_messages
    wanted = discord.Intents(
        guilds=True, guild_messages=True, guild_reactions=True, message_content=True
    )
    assert plain.bot.intents == wanted  # no typing, voice, DM or poll events
    assert not isinstance(plain.bot, commands.AutoShardedBot)
    sharded = discord_adapter.build_bot(DiscordConfig(shard_count=4, shard_ids=[0, 2]))
    assert isinstance(sharded, commands.AutoShardedBot)
    assert (sharded.shard_count, sharded.shard_ids) == (4, [0, 2])
    with pytest.raises(ConfigError, match="shard_ids"):
        discord_adapter.build_bot(DiscordConfig(shard_count=2, shard_ids=[2]))
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        discord_adapter.DiscordAdapter(DiscordConfig(), AdminsConfig(), Secrets({}))


async def test_guild_messages_stream_and_bots_dms_system_are_ignored(env) -> None:
    adapter, handler, world = env
    stream = adapter.bot.get_cog("Stream")
    person = world.message("what a lovely day 🎉")
    await stream.on_message(person)
    await stream.on_message(world.message("beep", bot=True, author_id=BOT_ID))
    await stream.on_message(world.message("pinned a message", kind=6))
    dm = discord.Message(
        state=adapter.bot._connection,
        channel=discord.Object(5),  # type: ignore[arg-type]
        data={**world.message_payload("secret"), "guild_id": None},
    )
    await stream.on_message(dm)
    [msg] = handler.messages
    assert (msg.platform, msg.workspace, msg.channel, msg.message_id) == (
        "discord",
        str(GUILD_ID),
        str(CHANNEL_ID),
        str(person.id),
    )
    assert msg.text == "what a lovely day 🎉" and msg.author.id == str(USER_ID)
    assert msg.created_at == person.created_at and msg.link == person.jump_url


async def test_edits_and_deletes_are_followed(env) -> None:
    adapter, handler, world = env
    stream = adapter.bot.get_cog("Stream")
    before = world.message("this is bad")
    after_data = world.message_payload("this is fine", message_id=before.id)
    edited = discord.RawMessageUpdateEvent(after_data, world.message("x", message_id=before.id))
    edited.message = discord.Message(
        state=adapter.bot._connection, channel=world.channel, data=after_data
    )
    edited.cached_message = before
    await stream.on_raw_message_edit(edited)
    unchanged = discord.RawMessageUpdateEvent(after_data, edited.message)
    unchanged.cached_message = edited.message
    await stream.on_raw_message_edit(unchanged)
    [edit] = handler.edits
    assert (edit.message_id, edit.text) == (str(before.id), "this is fine")

    ids = {"channel_id": str(CHANNEL_ID), "guild_id": str(GUILD_ID)}
    await stream.on_raw_message_delete(discord.RawMessageDeleteEvent({"id": "7", **ids}))
    await stream.on_raw_bulk_message_delete(
        discord.RawBulkMessageDeleteEvent({"ids": ["9", "8"], **ids})
    )
    assert handler.deletes == [("discord", str(CHANNEL_ID), i) for i in ("7", "8", "9")]


async def test_sentiment_command_answers_and_remembers_the_reply(env) -> None:
    adapter, handler, world = env
    interaction = FakeInteraction(world, world.member())
    await command(adapter, "sentiment").callback(
        adapter.bot.get_cog("Commands"), interaction, text="great day"
    )
    [cmd] = handler.commands
    assert (cmd.platform, cmd.workspace, cmd.channel, cmd.name, cmd.text) == (
        "discord",
        str(GUILD_ID),
        str(CHANNEL_ID),
        "sentiment",
        "great day",
    )
    assert cmd.author.id == str(USER_ID) and not cmd.author.is_admin
    [sent] = interaction.sent
    assert (sent.how, sent.content, sent.ephemeral) == ("response", "sentiment: great day", False)
    assert adapter.replies.get(str(CHANNEL_ID), str(sent.id)) == "great day"


async def test_report_defers_and_follows_up_with_the_chart(env, tmp_path) -> None:
    adapter, handler, world = env
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n")
    handler.replies["sentiment-report"] = Reply("Report for #general", files=[chart])
    interaction = FakeInteraction(world, world.member())
    cog = adapter.bot.get_cog("Commands")
    await command(adapter, "sentiment-report").callback(
        cog, interaction, channel=world.channel, period="7d"
    )
    assert handler.commands[0].text == f"{CHANNEL_ID} 7d"
    assert [s.how for s in interaction.sent] == ["defer", "followup"]
    [file] = interaction.sent[1].files
    assert file.filename == "chart.png"


async def test_slow_commands_are_deferred_privately_when_private(env, monkeypatch) -> None:
    adapter, handler, world = env
    monkeypatch.setattr(common, "DEFER_AFTER_S", 0.05)
    original = handler.on_command

    async def slow(cmd):
        await asyncio.sleep(0.2)
        return await original(cmd)

    handler.on_command = slow
    interaction = FakeInteraction(world, world.member())
    await command(adapter, "sentiment-optout").callback(
        adapter.bot.get_cog("Commands"), interaction
    )
    assert [(s.how, s.ephemeral) for s in interaction.sent][0] == ("defer", True)
    assert interaction.sent[1].how == "followup"


async def test_non_admin_retrain_is_refused_and_nothing_starts(env) -> None:
    adapter, handler, world = env
    interaction = FakeInteraction(world, world.member())
    await command(adapter, "sentiment-retrain").callback(adapter.bot.get_cog("Admin"), interaction)
    assert handler.commands == []
    [sent] = interaction.sent
    assert sent.ephemeral and "only this server's admins" in sent.content


@pytest.mark.parametrize("user_id,permission", [(ADMIN_ID, False), (USER_ID, True)])
async def test_listed_admins_and_administrators_may_retrain(env, user_id, permission) -> None:
    adapter, handler, world = env
    interaction = FakeInteraction(world, world.member(user_id), admin_permission=permission)
    await command(adapter, "sentiment-retrain").callback(adapter.bot.get_cog("Admin"), interaction)
    [cmd] = handler.commands
    assert cmd.name == "sentiment-retrain" and cmd.author.is_admin
    assert (interaction.sent[0].how, interaction.sent[0].ephemeral) == ("defer", True)


async def test_context_menu_scores_the_message(env) -> None:
    adapter, handler, world = env
    cog = adapter.bot.get_cog("Commands")
    interaction = FakeInteraction(world, world.member())
    await cog.score_menu.callback(interaction, world.message("not great, not terrible"))
    assert (handler.commands[0].name, handler.commands[0].text) == (
        "sentiment",
        "not great, not terrible",
    )


async def test_thumbs_reaction_on_a_score_reply_is_feedback(env) -> None:
    adapter, handler, world = env
    adapter.replies.remember(str(CHANNEL_ID), "555", "great day")
    handler.replies["sentiment-feedback"] = Reply("Thanks!", ephemeral=True)
    dms: list[str] = []

    class Reactor:  # payload.member stand-in: a real Member can't DM offline
        async def send(self, text: str) -> None:
            dms.append(text)

    def reaction(emoji: str, message_id: str, author: int) -> discord.RawReactionActionEvent:
        data = {
            "message_id": message_id,
            "channel_id": str(CHANNEL_ID),
            "guild_id": str(GUILD_ID),
            "user_id": str(USER_ID),
            "message_author_id": str(author),
            "burst": False,
            "type": 0,
        }
        event = discord.RawReactionActionEvent(
            data, discord.PartialEmoji(name=emoji), "REACTION_ADD"
        )
        event.member = Reactor()  # type: ignore[assignment]
        return event

    cog = adapter.bot.get_cog("Feedback")
    await cog.on_raw_reaction_add(reaction("👎🏽", "555", BOT_ID))
    await cog.on_raw_reaction_add(reaction("🎉", "555", BOT_ID))
    await cog.on_raw_reaction_add(reaction("👍", "556", BOT_ID))  # not a remembered reply
    await cog.on_raw_reaction_add(reaction("👍", "555", USER_ID))  # not the bot's message
    assert [(c.name, c.text) for c in handler.commands] == [
        ("sentiment-feedback", "negative great day")
    ]
    assert dms == ["Thanks!"]
    assert (feedback_label("👍\ufe0f"), feedback_label("👎"), feedback_label("👌")) == (
        "positive",
        "negative",
        None,
    )


async def test_errors_go_back_as_ephemeral_messages(env) -> None:
    adapter, _, world = env
    interaction = FakeInteraction(world, world.member())
    error = discord.app_commands.CommandInvokeError(command(adapter, "sentiment"), RuntimeError())
    await adapter.bot.tree.on_error(interaction, error)  # type: ignore[arg-type]
    [sent] = interaction.sent
    assert sent.ephemeral and "failed" in sent.content


async def test_post_sends_text_in_parts_through_discord_py(env, monkeypatch, tmp_path) -> None:
    adapter, _, world = env
    calls: list[dict] = []

    async def send_message(channel_id, *, params):
        payload = json.loads(params.multipart[0]["value"]) if params.multipart else params.payload
        files = [f.filename for f in params.files or []]
        calls.append({"channel": channel_id, "content": payload.get("content"), "files": files})
        return world.message_payload(payload.get("content") or "", author_id=BOT_ID)

    monkeypatch.setattr(adapter.bot.http, "send_message", send_message)
    chart = tmp_path / "c.png"
    chart.write_bytes(b"png")
    await adapter.post(str(CHANNEL_ID), Reply("line\n" * 500, files=[chart]))
    assert [len(c["content"]) <= 2000 for c in calls] == [True, True]
    assert calls[-1]["files"] == ["c.png"] and calls[0]["files"] == []
    with pytest.raises(ValueError, match="channel id"):
        await adapter.post("#general", Reply("x"))


def test_chunks_respect_the_limit_and_keep_everything() -> None:
    text = "\n".join(f"line {i}" for i in range(1000))
    parts = chunks(text)
    assert all(len(p) <= 2000 for p in parts) and "\n".join(parts) == text
    assert chunks("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]
    assert chunks("short") == ["short"]


def test_invite_url_in_the_docs_asks_for_exactly_the_needed_permissions() -> None:
    docs = (REPO / "docs" / "discord.md").read_text(encoding="utf-8")
    [documented] = set(re.findall(r"permissions=(\d+)", docs))
    assert int(documented) == discord_adapter.INVITE_PERMISSIONS.value
    url = discord_adapter.invite_url(42)
    assert "client_id=42" in url and "scope=bot+applications.commands" in url
    assert f"permissions={documented}" in url
    assert not discord_adapter.INVITE_PERMISSIONS.administrator


async def test_command_tree_is_the_core_registry(env) -> None:
    adapter, _, _ = env
    tree = adapter.bot.tree
    payload = {
        c.name: c.to_dict(tree) for c in tree.get_commands(type=discord.AppCommandType.chat_input)
    }
    specs = {spec.name: spec for spec in slash_commands()}
    assert set(payload) == set(specs)
    for name, spec in specs.items():
        declared = payload[name]
        assert declared["description"] == spec.description
        options = [(o["name"], o["description"]) for o in declared.get("options", [])]
        assert options == [(o.name, o.description) for o in spec.options]
        assert declared["dm_permission"] is not spec.guild_only
        admin = discord.Permissions(administrator=True).value if spec.admin else None
        assert declared["default_member_permissions"] == admin
