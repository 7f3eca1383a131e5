"""``/sentiment-dashboard``: a private link showing exactly what the access rule allows."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from aiohttp.test_utils import TestClient

from bot.adapters.fake import FakeDirectory
from bot.core.commands.dashboard import DASHBOARD, NOT_SET_UP, cmd_dashboard
from bot.core.commands.registry import COMMANDS, slash_commands
from bot.core.messages import ChannelInfo, Command, Person
from bot.dashboard.context import Deps
from bot.dashboard.linkmaker import LinkMaker
from bot.dashboard.web import COOKIE
from storage.dashboard_store import Viewer
from tests.bot.dashboard.conftest import KEY

CHANNELS = {
    "C1": ChannelInfo("T1", True, "general"),
    "C2": ChannelInfo("T1", False, "private"),  # the caller cannot view it
    "C3": ChannelInfo("T2", True, "elsewhere"),  # another workspace
}
ADMIN = Person("UA", "ann", is_admin=True)
USER = Person("UU", "bob")


def context(deps: Deps, *, reachable: bool = True) -> SimpleNamespace:
    from pydantic import SecretStr

    links = LinkMaker(deps.store, deps.reader, SecretStr(KEY.decode()), "https://mood.example.org",
                      reachable=reachable)  # fmt: skip
    return SimpleNamespace(dashboard=links, settings=SimpleNamespace(admins=SimpleNamespace(
        slack=["UO"])))  # fmt: skip


def command(author: Person, channel: str = "C1", *, directory: bool = True) -> Command:
    return Command("slack", "T1", channel, author, "sentiment-dashboard",
                   directory=FakeDirectory(CHANNELS) if directory else None)  # fmt: skip


def test_it_is_declared_once_private_and_registered() -> None:
    assert COMMANDS["sentiment-dashboard"] is DASHBOARD and DASHBOARD in slash_commands()
    assert DASHBOARD.private and DASHBOARD.guild_only and not DASHBOARD.admin


@pytest.mark.parametrize(
    ("author", "expected"),
    [(USER, ["C1"]), (ADMIN, ["C1"])],  # C2: cannot view it; C3: another workspace
)
async def test_the_link_grants_what_the_rule_allows(deps: Deps, author: Person,
                                                    expected: list[str]) -> None:  # fmt: skip
    reply = await cmd_dashboard(context(deps), command(author))
    assert reply.ephemeral and "https://mood.example.org/login?t=" in reply.text
    granted = deps.store.grants(Viewer("slack", "T1", author.id))
    assert [g.channel for g in granted] == expected and granted[0].name == "general"


async def test_an_admin_gets_every_channel_they_can_view(deps: Deps) -> None:
    viewable = dict(CHANNELS, C2=ChannelInfo("T1", True, "random"))
    cmd = Command("slack", "T1", "C1", ADMIN, "sentiment-dashboard",
                  directory=FakeDirectory(viewable))  # fmt: skip
    await cmd_dashboard(context(deps), cmd)
    assert [g.channel for g in deps.store.grants(Viewer("slack", "T1", "UA"))] == ["C1", "C2"]


async def test_without_a_public_url_it_says_so(deps: Deps) -> None:
    reply = await cmd_dashboard(context(deps, reachable=False), command(USER))
    assert reply.text == NOT_SET_UP and reply.ephemeral


async def test_the_shell_gets_the_operators_link(deps: Deps) -> None:
    reply = await cmd_dashboard(context(deps), command(USER, directory=False))
    assert "operator" in reply.text and "/login?t=" in reply.text


async def test_the_link_signs_in_to_exactly_those_channels(client: TestClient, deps: Deps) -> None:
    reply = await cmd_dashboard(context(deps), command(USER))
    url = urlparse(reply.text.rsplit(" ", 1)[-1])
    answer = await client.get(f"{url.path}?{url.query}", allow_redirects=False)
    assert answer.status == 303 and COOKIE in answer.headers["Set-Cookie"]
    body = await (await client.get("/api/channels")).json()
    assert [c["channel_id"] for c in body["channels"]] == ["C1"]
