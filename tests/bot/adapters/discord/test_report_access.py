"""Who may see a report, through discord.py's real command tree and objects (#12).

The core's own check (``bot.core.commands.registry.check``) decides; the Discord adapter asks it
before acknowledging, so a refusal or a bad period is answered privately and never follows a
public "thinking…". ``FakeInteraction`` applies Discord's rule that the first follow-up after a
defer keeps the defer's visibility.
"""

from __future__ import annotations

from types import SimpleNamespace

import discord
import pytest

from bot.adapters.discord import adapter as discord_adapter
from bot.adapters.discord.cogs import common
from bot.config import AdminsConfig, DiscordConfig, Secrets, Settings
from bot.core.access import ADMINS_ONLY, CANNOT_VIEW, OPERATORS_ONLY, OTHER_SERVER
from bot.core.commands import registry
from bot.core.messages import Command, Reply
from tests.fakes.discord import ADMIN_ID, GUILD_ID, FakeInteraction, World
from tests.fakes.handler import RecordingHandler

OTHER_GUILD = 1180000000000000900
OTHER_GUILD_CHANNEL = 1180000000000000901
HIDDEN_CHANNEL = 1180000000000000902
CONFIG_ADMIN = 1180000000000000007  # in [admins] discord, no permissions in the guild


class CoreChecks(RecordingHandler):
    """Records commands like ``RecordingHandler`` but refuses exactly as the core does."""

    def __init__(self) -> None:
        super().__init__()
        self.ctx = SimpleNamespace(settings=Settings(admins=AdminsConfig(discord=[CONFIG_ADMIN])))

    async def check_command(self, command: Command) -> Reply | None:
        return await registry.check(self.ctx, command)  # type: ignore[arg-type]


def _text_channel(state, guild: discord.Guild, channel_id: int, name: str, overwrites=()):
    channel = discord.TextChannel(
        state=state,
        guild=guild,
        data={
            "id": str(channel_id),
            "type": 0,
            "name": name,
            "position": 1,
            "permission_overwrites": list(overwrites),
            "guild_id": str(guild.id),
        },
    )
    guild._add_channel(channel)
    return channel


@pytest.fixture
async def env():
    adapter = discord_adapter.DiscordAdapter(
        DiscordConfig(guild_ids=[GUILD_ID]),
        AdminsConfig(discord=[CONFIG_ADMIN]),
        Secrets({"DISCORD_TOKEN": "test-token"}),
    )
    handler = CoreChecks()
    await adapter.install_cogs(handler)
    world = World.build(adapter.bot)
    state = adapter.bot._connection
    other = discord.Guild(
        data={"id": str(OTHER_GUILD), "name": "elsewhere", "roles": [], "owner_id": "1"},
        state=state,
    )
    foreign = _text_channel(state, other, OTHER_GUILD_CHANNEL, "secrets")
    state._add_guild(other)
    deny_everyone = {"id": str(GUILD_ID), "type": 0, "allow": "0", "deny": "1024"}
    hidden = _text_channel(state, world.guild, HIDDEN_CHANNEL, "mods", [deny_everyone])
    yield adapter, handler, world, foreign, hidden
    await adapter.bot.close()


async def _report(adapter, world, user, **options) -> FakeInteraction:
    interaction = FakeInteraction(world, user, admin_permission=True)
    cog = adapter.bot.get_cog("Commands")
    found = adapter.bot.tree.get_command("sentiment-report")
    await found.callback(cog, interaction, **options)
    return interaction


async def test_a_server_admin_cannot_read_another_servers_channel(env) -> None:
    adapter, handler, world, foreign, _ = env
    interaction = await _report(adapter, world, world.member(ADMIN_ID, "owner"), channel=foreign)
    assert [(s.how, s.content, s.private) for s in interaction.sent] == [
        ("response", OTHER_SERVER, True)
    ]
    assert handler.commands == []  # the core never built that report


async def test_across_servers_only_for_operators_and_only_explicitly(env) -> None:
    adapter, handler, world, _, _ = env
    asked = f"{OTHER_GUILD}/{OTHER_GUILD_CHANNEL}"
    owner = await _report(adapter, world, world.member(ADMIN_ID, "owner"), elsewhere=asked)
    assert [(s.content, s.private) for s in owner.sent] == [(OPERATORS_ONLY, True)]
    operator = world.member(CONFIG_ADMIN, "op")
    allowed = await _report(adapter, world, operator, elsewhere=asked)
    assert allowed.sent[0].how == "defer" and len(handler.commands) == 1
    wrong = await _report(adapter, world, operator, elsewhere=f"{GUILD_ID}/{OTHER_GUILD_CHANNEL}")
    assert [(s.content, s.private) for s in wrong.sent] == [(OTHER_SERVER, True)]


async def test_same_server_needs_admin_and_view_permission(env) -> None:
    adapter, handler, world, _, hidden = env
    member = world.member()
    interaction = FakeInteraction(world, member, admin_permission=False)
    found = adapter.bot.tree.get_command("sentiment-report")
    await found.callback(adapter.bot.get_cog("Commands"), interaction, channel=hidden)
    assert [(s.content, s.private) for s in interaction.sent] == [(ADMINS_ONLY, True)]
    blind = await _report(adapter, world, world.member(CONFIG_ADMIN, "op"), channel=hidden)
    assert [(s.content, s.private) for s in blind.sent] == [(CANNOT_VIEW, True)]
    owner = await _report(adapter, world, world.member(ADMIN_ID, "owner"), channel=hidden)
    assert owner.sent[0].how == "defer" and handler.commands[-1].options == {
        "channel": str(HIDDEN_CHANNEL)
    }


async def test_a_word_in_period_is_a_period_error_said_privately(env) -> None:
    adapter, handler, world, _, _ = env
    interaction = await _report(adapter, world, world.member(), period="fortnight")
    [sent] = interaction.sent
    assert sent.how == "response" and sent.private
    assert "unknown period 'fortnight'" in sent.content and "admin" not in sent.content
    assert handler.commands == []


async def test_a_private_answer_after_a_public_defer_stays_private(env, monkeypatch) -> None:
    adapter, handler, world, _, _ = env
    handler.replies["sentiment-report"] = Reply("No messages here yet.", ephemeral=True)
    interaction = await _report(adapter, world, world.member(ADMIN_ID, "owner"))
    assert [s.how for s in interaction.sent] == ["defer", "followup"]
    assert interaction.sent[-1].private
    assert interaction.seen_by_channel() == []  # the public "thinking…" was removed


async def test_an_unresolvable_channel_option_is_one_line_not_an_error(env, caplog) -> None:
    adapter, _, world, _, _ = env
    interaction = FakeInteraction(world, world.member())
    error = discord.app_commands.TransformerError(
        "123", discord.AppCommandOptionType.channel, discord.app_commands.Transformer()
    )
    await adapter.bot.tree.on_error(interaction, error)  # type: ignore[arg-type]
    [sent] = interaction.sent
    assert sent.private and "channel" in sent.content
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_defer_after_is_short_enough_for_discords_deadline() -> None:
    assert common.DEFER_AFTER_S < 3.0
