"""Commands about a user's own data: ``sentiment-optout``, ``sentiment-optin`` and
``sentiment-feedback``.

Feedback is read and stored by ``bot.core.feedback`` (``parse_feedback``, ``record_feedback``), the
one code path for the command and for the 👍/👎 reactions adapters turn into it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.core.auto_retrain import maybe_retrain
from bot.core.commands.spec import CommandSpec, Option
from bot.core.feedback import parse_feedback, record_feedback
from bot.core.messages import Command, Reply
from bot.core.privacy import storable_text

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

FEEDBACK_USAGE = "sentiment-feedback <positive|negative> [text]"
NOT_KEPT = (
    "I didn't keep that correction: you, the text's author or this channel opted out of "
    "storage (/sentiment-optin to store yours again)."
)


async def cmd_optout(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-optout``: delete the caller's stored data and stop storing new messages."""
    platform, user = command.platform, command.author.id
    ctx.privacy.set_user(platform, user, True)  # applies at once to messages being scored
    ctx.recent.forget_user(platform, user)
    await ctx.flush_writes()  # rows already handed to the writer must be there to be purged
    purged = await asyncio.to_thread(ctx.repository.purge_user, platform, user)
    await asyncio.to_thread(ctx.repository.set_user_opt_out, platform, user, True)
    return Reply(
        f"You're opted out: I deleted {purged} stored message score(s) of yours, and the "
        "corrections you gave or that quote your words, and won't store new ones. "
        "/sentiment-optin stores your new messages again; what was deleted stays deleted.",
        ephemeral=True,
    )


async def cmd_optin(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-optin``: store the caller's message scores again."""
    await asyncio.to_thread(
        ctx.repository.set_user_opt_out, command.platform, command.author.id, False
    )
    ctx.privacy.set_user(command.platform, command.author.id, False)
    return Reply(
        "You're opted in again: your new messages will be scored and stored.", ephemeral=True
    )


async def cmd_feedback(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-feedback <positive|negative> [text]``: correct a score.

    Without text it applies to the caller's last scored message in this channel; with text (as
    adapters send for a 👍/👎 on the bot's reply to ``/sentiment <text>``) to that text.
    """
    try:
        label, text = parse_feedback(command.text)
    except ValueError:
        return Reply(f"Usage: /{FEEDBACK_USAGE}", ephemeral=True)
    last = None
    if ctx.privacy.blocked_now(command.platform, command.channel, command.author.id):
        return Reply(NOT_KEPT, ephemeral=True)
    author = command.options.get("author") or command.author.id
    if text is not None:
        message_id, about = "", storable_text(text, ctx.settings.scoring.max_chars)
    else:
        last = ctx.recent.last(command.platform, command.channel, command.author.id)
        if last is None or last.text is None:
            return Reply(
                "I have no recent scored message of yours in this channel to attach feedback "
                f"to. Say something first, or add the text: /{FEEDBACK_USAGE}",
                ephemeral=True,
            )
        message_id, about, author = last.message_id, last.text, last.author_id
    try:
        kept = await record_feedback(
            ctx.repository,
            command.platform,
            command.channel,
            message_id,
            command.author.id,
            label,
            about,
            author_id=author,
        )
    except ValueError as exc:  # e.g. text that is empty once made storable
        return Reply(f"{exc}. Usage: /{FEEDBACK_USAGE}", ephemeral=True)
    if kept is None:
        return Reply(NOT_KEPT, ephemeral=True)
    await maybe_retrain(ctx, command.channel)
    if last is None:
        return Reply(f"Thanks! Noted that this text is {label}.", ephemeral=True)
    was = f"{last.label} {last.score:.2f}" if last.score is not None else last.label
    return Reply(f"Thanks! Noted that your last message (scored {was}) is {label}.", ephemeral=True)


OPTOUT = CommandSpec(
    name="sentiment-optout",
    description="Delete your data and stop storing it",
    usage="sentiment-optout",
    summary="delete your data, stop storing it",
    handler=cmd_optout,
    private=True,
)
OPTIN = CommandSpec(
    name="sentiment-optin",
    description="Store your scores again",
    usage="sentiment-optin",
    summary="store your scores again",
    handler=cmd_optin,
    private=True,
)
FEEDBACK = CommandSpec(
    name="sentiment-feedback",
    description="Correct a score",
    usage=FEEDBACK_USAGE,
    summary="correct a score: of the text given, else of your last message here",
    handler=cmd_feedback,
    options=(
        Option("label", "What the sentiment really is"),
        Option("text", "The text you mean (default: your last message in this channel)"),
    ),
    usage_hint="<positive|negative> [text]",
    private=True,
    guild_only=True,
)
