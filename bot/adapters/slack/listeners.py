"""Bolt listeners for each Slack surface: channel messages, reactions and slash commands.

Every listener acknowledges first and works after: events are acknowledged by Bolt before the
listener runs (``process_before_response=False``), commands call ``ack()`` as their first line.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.adapters.slack.convert import (
    PLATFORM,
    command_from_body,
    is_from_bot,
    message_from_event,
)
from bot.core.commands.registry import COMMANDS as SPECS
from bot.core.commands.registry import admin_refusal, slash_commands
from bot.core.feedback import reaction_label
from bot.core.messages import Command, Person, Reply

if TYPE_CHECKING:
    from bot.adapters.slack.adapter import SlackAdapter

logger = logging.getLogger(__name__)

# Every registered command; the manifest declares the same (tests/bot/adapters/slack).
COMMANDS = tuple(spec.name for spec in slash_commands())
FAILURE = "Sorry, /{name} failed on our side; the error has been logged."


class SeenEvents:
    """The last ``limit`` event ids, to drop Slack's retries (``X-Slack-Retry-Num``)."""

    def __init__(self, limit: int = 5000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def first_time(self, event_id: str) -> bool:
        """Record ``event_id``; ``False`` when it was seen before."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._limit:
            self._ids.popitem(last=False)
        return True


def register_listeners(app: AsyncApp, adapter: SlackAdapter) -> None:
    """Attach sentibot's middleware and listeners to ``app``; events go to ``adapter.handler``."""
    seen = SeenEvents()

    # Bolt passes middleware arguments by name, so the continuation must be called `next`.
    async def drop_retries(body: dict, next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not seen.first_time(event_id):
            logger.debug("dropping retried Slack event %s", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    async def on_message(event: dict, body: dict, context: dict) -> None:
        team = body.get("team_id", "")
        subtype = event.get("subtype")
        try:
            if subtype == "message_deleted":
                deleted = event.get("deleted_ts") or event.get("previous_message", {}).get("ts")
                if deleted and not is_from_bot(event.get("previous_message") or {}):
                    await adapter.handler.on_delete(PLATFORM, event.get("channel", ""), deleted)
            elif subtype == "message_changed":
                new, old = event.get("message") or {}, event.get("previous_message") or {}
                if new.get("text") == old.get("text"):
                    return  # an unfurl or other metadata change, not an edit
                inner = {**new, "channel": event.get("channel"), "team": team}
                inner["channel_type"] = event.get("channel_type")
                message = message_from_event(
                    inner, team, base_url=adapter.base_url, bot_user_id=context.get("bot_user_id")
                )
                if message is not None:
                    await adapter.handler.on_edit(message)
            else:
                message = message_from_event(
                    event, team, base_url=adapter.base_url, bot_user_id=context.get("bot_user_id")
                )
                if message is not None:
                    await adapter.handler.on_message(message)
        except Exception:
            logger.exception("handling a Slack message event (subtype %s) failed", subtype)

    async def on_reaction(event: dict, body: dict, context: dict) -> None:
        item = event.get("item") or {}
        label = reaction_label(event.get("reaction", ""))
        if label is None or item.get("type") != "message":
            return
        if event.get("item_user") != context.get("bot_user_id"):
            return  # feedback counts only on the bot's own replies
        channel, ts = item.get("channel", ""), item.get("ts", "")
        scored = adapter.replies.get(channel, ts)
        if scored is None:
            logger.info("ignoring %s reaction on an unknown bot reply %s", label, ts)
            return
        user = event.get("user", "")
        command = Command(
            platform=PLATFORM,
            workspace=body.get("team_id", ""),
            channel=channel,
            author=Person(id=user),
            name="sentiment-feedback",
            text=f"{label} {scored}",
        )
        try:
            reply = await adapter.handler.on_command(command)
        except Exception:
            logger.exception("feedback from a reaction failed")
            return
        await adapter.post_ephemeral(channel, user, reply)

    async def on_command(ack: Any, body: dict, respond: Any) -> None:
        await ack()
        name = body.get("command", "").lstrip("/")
        user = body.get("user_id", "")
        is_admin = await adapter.admins.is_admin(user)
        command = command_from_body(body, is_admin=is_admin)
        refusal = admin_refusal(command)
        if refusal is not None:
            await respond(text=refusal.text, response_type="ephemeral")
            return
        try:
            reply = await adapter.handler.on_command(command)
        except Exception:
            logger.exception("command /%s failed", name)
            reply = Reply(FAILURE.format(name=name), ephemeral=True)
        spec = SPECS.get(name)
        scored = command.text if spec is not None and spec.scoring else None
        await adapter.deliver_command_reply(command, reply, respond, scored_text=scored)

    app.middleware(drop_retries)
    app.event("message")(on_message)
    app.event("reaction_added")(on_reaction)
    for name in COMMANDS:
        app.command(f"/{name}")(on_command)
