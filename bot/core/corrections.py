"""Corrections in one click: the buttons under a score reply and under a report's "help me
learn", and what a press of one does.

Two kinds of button, each a ``Button`` whose ``action`` carries everything a press needs, so a
press works after a restart (no state in memory):

- ``sb:fix:<token>:<p|n>`` under the answer to ``/sentiment <text>``: right / wrong (positive /
  negative when the answer was neutral). The text is kept in the database under ``token``
  (``Repository.keep_reply_text``), never in the button.
- ``sb:learn:<channel>:<message id>:<p|n>`` under a report's least-sure messages: positive /
  negative. The press fetches the message from the platform at that moment
  (``Press.source``), so a deleted message cannot be labelled and no text is copied before
  someone labels it.

Both store a correction with ``bot.core.feedback.record_feedback``: the presser's, the author's
or the channel's opt-out refuses it; one person's correction of one thing counts once (a
second press replaces the first, ``Repository.add_feedback``); only members of the text's
server or workspace may press (``bot.core.access.label_refusal``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.core.access import label_refusal
from bot.core.auto_retrain import maybe_retrain
from bot.core.feedback import record_feedback
from bot.core.messages import Button, Press, Reply
from bot.core.privacy import storable_text
from storage.types import ReplyText

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

logger = logging.getLogger(__name__)

PREFIX = "sb:"
LABEL_OF = {"p": "positive", "n": "negative"}
CODE_OF = {label: code for code, label in LABEL_OF.items()}
MAX_ACTION = 100  # Discord's custom_id limit (Slack allows 255)
NOT_KEPT = (
    "I didn't keep that correction: you, the text's author or this channel opted out of "
    "storage (/sentiment-optin to store yours again)."
)
GONE = "I no longer have that text (it was deleted, opted out or is past retention)."
DELETED = "That message was deleted, or I can't read it any more, so it can't be labelled."
UNKNOWN = "That button isn't one I know any more."
FROM_A_BOT = "That message is from a bot; I only learn from people."


@dataclass(frozen=True, slots=True)
class Action:
    """A parsed button action: ``kind`` ``fix`` (``ref`` a reply-text token) or ``learn``
    (``ref`` a channel, ``message_id`` a message); ``label`` positive or negative."""

    kind: str
    label: str
    ref: str
    message_id: str = ""


def parse_action(action: str) -> Action | None:
    """The ``Action`` a button sent back, or ``None`` for anything not made here."""
    if not action.startswith(PREFIX) or len(action) > MAX_ACTION:
        return None
    parts = action[len(PREFIX) :].split(":")
    label = LABEL_OF.get(parts[-1]) if parts else None
    if label is None:
        return None
    if parts[0] == "fix" and len(parts) == 3 and parts[1]:
        return Action("fix", label, parts[1])
    if parts[0] == "learn" and len(parts) == 4 and parts[1] and parts[2]:
        return Action("learn", label, parts[1], parts[2])
    return None


def score_buttons(token: str, label: str) -> list[Button]:
    """Right / wrong under a score labelled ``label`` (positive / negative under a neutral
    one: a correction is one or the other)."""
    fix = f"{PREFIX}fix:{token}:"
    if label in CODE_OF:
        other = "negative" if label == "positive" else "positive"
        return [
            Button("✅ right", fix + CODE_OF[label], "primary"),
            Button(f"❌ wrong, it's {other}", fix + CODE_OF[other], "danger"),
        ]
    return [
        Button("🙂 it's positive", fix + "p", "primary"),
        Button("🙁 it's negative", fix + "n", "danger"),
    ]


def learn_buttons(channel: str, message_id: str, number: int) -> list[Button] | None:
    """Positive / negative for the ``number``-th least-sure message of a report; ``None``
    when the ids make an action too long for the platforms."""
    learn = f"{PREFIX}learn:{channel}:{message_id}:"
    if ":" in channel + message_id or len(learn) + 1 > MAX_ACTION:
        return None
    return [
        Button(f"{number}: 🙂 positive", learn + "p", "primary"),
        Button(f"{number}: 🙁 negative", learn + "n", "danger"),
    ]


async def offer_correction(
    ctx: CommandContext,
    *,
    platform: str,
    workspace: str,
    channel: str,
    author_id: str,
    text: str,
    label: str,
) -> list[Button]:
    """Keep ``text`` for a score reply's buttons and return them; ``[]`` when it may not be
    kept (the asker or the channel opted out) or the database is down (the score still goes
    out, without buttons)."""
    token = secrets.token_urlsafe(12)
    kept = ReplyText(
        token,
        platform,
        workspace,
        channel,
        author_id,
        storable_text(text, ctx.settings.scoring.max_chars),
        datetime.now(UTC),
    )
    try:
        if not await asyncio.to_thread(ctx.repository.keep_reply_text, kept):
            return []
    except Exception as exc:  # the answer matters more than its buttons
        logger.warning("score reply without buttons: %s", type(exc).__name__)
        return []
    return score_buttons(token, label)


async def on_press(ctx: CommandContext, press: Press) -> Reply:
    """Store the correction a button press gives, under the privacy rules; the private answer.

    Never raises for a press it cannot take: a stale button, a deleted message, an outsider or
    an opt-out each get one plain line.
    """
    action = parse_action(press.action)
    if action is None:
        return Reply(UNKNOWN, ephemeral=True)
    if ctx.privacy.blocked_now(press.platform, press.channel, press.user.id):
        return Reply(NOT_KEPT, ephemeral=True)
    if action.kind == "fix":
        kept = await asyncio.to_thread(ctx.repository.reply_text, action.ref)
        if kept is None or kept.platform != press.platform:
            return Reply(GONE, ephemeral=True)
        refusal = label_refusal(press.workspace, kept.workspace)
        channel, message_id = kept.channel, f"reply:{action.ref}"
        author, text = kept.author_id, kept.text
    else:
        message = None
        if press.source is not None:
            message = await press.source.fetch_message(action.ref, action.message_id)
        if message is None or not message.text.strip():
            return Reply(DELETED, ephemeral=True)
        if message.author.is_bot:
            return Reply(FROM_A_BOT, ephemeral=True)
        refusal = label_refusal(press.workspace, message.workspace)
        channel, message_id = message.channel, message.message_id
        author = message.author.id
        text = storable_text(message.text, ctx.settings.scoring.max_chars)
    if refusal is not None:
        logger.info("refused a correction by %s from another workspace", press.user.id)
        return Reply(refusal, ephemeral=True)
    stored = await record_feedback(
        ctx.repository,
        press.platform,
        channel,
        message_id,
        press.user.id,
        action.label,
        text,
        author_id=author,
    )
    if stored is None:
        return Reply(NOT_KEPT, ephemeral=True)
    await maybe_retrain(ctx, press.channel)
    return Reply(
        f"Thanks! Noted that it's {action.label}. Pressing the other button changes your "
        "correction; it counts once.",
        ephemeral=True,
    )
