"""``bot.core.access``: the one rule for "may this person see this channel" (#12)."""

from __future__ import annotations

import pytest

from bot.adapters.fake import FakeDirectory
from bot.core.access import (
    ADMINS_ONLY,
    CANNOT_VIEW,
    OPERATORS_ONLY,
    OTHER_SERVER,
    Target,
    report_refusal,
)
from bot.core.messages import ChannelInfo, Command, Person
from tests.bot.conftest import Harness

CHANNELS = {
    "C1": ChannelInfo("T1", True, "general"),
    "C2": ChannelInfo("T1", True, "random"),
    "C3": ChannelInfo("T1", False, "private"),
    "X9": ChannelInfo("T2", True, "elsewhere"),
}
ADMIN = Person("UA", "ann", is_admin=True)
USER = Person("UU", "bob")
OPERATOR = Person("UO", "op", is_admin=True)


def command(author: Person, *, directory: bool = True) -> Command:
    return Command(
        "slack",
        "T1",
        "C1",
        author,
        "sentiment-report",
        directory=FakeDirectory(CHANNELS) if directory else None,
    )


@pytest.mark.parametrize(
    ("author", "target", "expected"),
    [
        (USER, Target("C1"), None),  # its own channel
        (USER, Target("C2"), ADMINS_ONLY),
        (ADMIN, Target("C2"), None),
        (ADMIN, Target("C3"), CANNOT_VIEW),
        (ADMIN, Target("X9"), OTHER_SERVER),  # another server, not asked for explicitly
        (OPERATOR, Target("X9"), OTHER_SERVER),  # operators too, unless explicit
        (ADMIN, Target("X9", "T2"), OPERATORS_ONLY),
        (OPERATOR, Target("X9", "T2"), None),
        (OPERATOR, Target("C2", "T2"), OTHER_SERVER),  # not in the server named
        (OPERATOR, Target("C1", "T2"), OTHER_SERVER),
    ],
)
async def test_the_rule(author: Person, target: Target, expected: str | None) -> None:
    assert await report_refusal(command(author), target, {"UO"}) == expected


async def test_an_unknown_channel_is_one_line_and_echoes_nothing_harmful() -> None:
    refusal = await report_refusal(command(ADMIN), Target("C\x1b[31mX\n" + "y" * 500), set())
    assert refusal is not None and "\n" not in refusal and "\x1b" not in refusal
    assert len(refusal) < 120


async def test_the_operator_at_the_terminal_sees_everything() -> None:
    cli = command(USER, directory=False)
    assert await report_refusal(cli, Target("X9", "T2"), set()) is None


class BrokenDirectory:
    async def channel(self, channel_id: str) -> ChannelInfo | None:
        raise ConnectionError("platform down")


async def test_a_failing_lookup_refuses() -> None:
    broken = Command("slack", "T1", "C1", ADMIN, "sentiment-report", directory=BrokenDirectory())
    assert await report_refusal(broken, Target("C2"), set()) is not None


async def test_a_server_admin_gets_no_text_of_another_server(harness: Harness) -> None:
    harness.bot.settings.privacy.store_text = True
    harness.adapter.channels["secret"] = ChannelInfo("another-team", True, "secret")
    await harness.adapter.say("our launch codes are terrible", channel="secret")
    await harness.settle()
    admin = Person("UA", "ann", is_admin=True)
    reply = await harness.adapter.command("sentiment-report", "#secret 7d", user=admin)
    assert reply.ephemeral and reply.text == OTHER_SERVER
    assert "launch" not in reply.text and not reply.files
