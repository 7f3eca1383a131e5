"""Who may see which channel: the one rule every platform's report uses.

``report_refusal`` decides whether the person running a command may read another channel's
report. The rules, in order:

1. The local shell and the CLI are the operator's: they see everything (their commands carry no
   ``directory``).
2. The channel the command was run in: yes.
3. A channel in another server or workspace: **no, for everybody** (server admins included),
   unless the caller is one of the bot's operators (``[admins]`` ids) *and* asked for that
   server explicitly (``SERVER/CHANNEL``); then the channel must belong to that server.
4. Another channel of the same server: the caller must be an admin here *and* able to view the
   channel on the platform (Discord: ``permissions_for(member).view_channel``; Slack: the
   channel is the caller's team's, and a private one has them as a member).
5. A channel the platform does not know (or the bot cannot see): a one-line answer.

Refusals say what the caller can do, never what is in the channel.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from bot.core.messages import ChannelInfo, Command

logger = logging.getLogger(__name__)

NOT_FOUND = "I can't find channel {channel}, or I'm not in it."
OTHER_SERVER = "That channel is in another server; reports stay within the server they're about."
OPERATORS_ONLY = "Only the bot's operators can read reports across servers."
ADMINS_ONLY = (
    "Only admins can ask for another channel's report; run /sentiment-report in that channel."
)
CANNOT_VIEW = "You can't view that channel, so you can't see its report."
NOT_A_MEMBER = "Only members of the server or workspace a message is from can label it."


@dataclass(frozen=True, slots=True)
class Target:
    """The channel a command asks about; ``workspace`` only when named explicitly."""

    channel: str
    workspace: str | None = None


async def report_refusal(
    command: Command, target: Target, operators: Collection[str]
) -> str | None:
    """Why ``command``'s author may not read ``target``'s report, or ``None`` when they may.

    Parameters
    ----------
    command
        The command, with the platform's ``directory`` for lookups (``None``: the operator).
    target
        The channel asked for, and the server when the caller named one.
    operators
        The ``[admins]`` ids of this platform, as strings.
    """
    if command.directory is None:
        return None
    explicit = target.workspace is not None and target.workspace != command.workspace
    if target.channel == command.channel and not explicit:
        return None
    if explicit and command.author.id not in operators:
        return OPERATORS_ONLY
    info = await _lookup(command, target.channel)
    if info is None:
        return NOT_FOUND.format(channel=_shown(target.channel))
    expected = target.workspace if explicit else command.workspace
    if info.workspace != expected:
        logger.info("refused a report across servers for %s", command.author.id)
        return OTHER_SERVER
    if explicit:
        return None
    if not command.author.is_admin:
        return ADMINS_ONLY
    if not info.viewable:
        return CANNOT_VIEW
    return None


def label_refusal(presser_workspace: str, workspace: str) -> str | None:
    """Why someone may not correct a text or label a message of ``workspace``, or ``None``.

    Only members of the server or workspace the text is from may: the button's press names the
    presser's own (Discord: the guild of the interaction; Slack: the presser's team), which must
    be the message's (a channel shared with another workspace shows the buttons to outsiders).
    An unknown workspace on either side is refused.
    """
    if not presser_workspace or not workspace or presser_workspace != workspace:
        return NOT_A_MEMBER
    return None


async def _lookup(command: Command, channel: str) -> ChannelInfo | None:
    assert command.directory is not None
    try:
        return await command.directory.channel(channel)
    except Exception as exc:  # the platform is down or said no: treat as unknown
        logger.warning("channel lookup failed (%s)", type(exc).__name__)
        return None


def _shown(channel: str) -> str:
    """A channel word safe to echo: short, printable."""
    cleaned = "".join(ch for ch in channel if ch.isprintable())[:40]
    return f"'{cleaned}'"
