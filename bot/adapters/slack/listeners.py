"""Bolt listeners for each Slack surface: channel messages, reactions and slash commands.

The app runs with ``process_before_response=True``, so Slack's acknowledgement goes out when a
listener returns:

- A message, edit or delete event is acknowledged after the core has its outcome durably in
  the database (``durable=True``: the row, the newer edit or the tombstone is committed). If
  it is not stored (buffer full, shutting down) the listener raises, the event stays
  unacknowledged and Slack delivers it again, perhaps to another instance; a SIGKILL at any
  moment loses no acknowledged event. Group commits keep this well inside Slack's 3 s.
- A slash command is acknowledged at once by its ``ack`` function; the work runs after in a
  Bolt lazy listener, which answers through ``respond``.
- A press of one of the bot's buttons (``block_actions``, action ids ``sb:...``) likewise:
  acknowledged first, then handed to the core (``Handler.on_press``), whose private answer
  goes back through ``respond``.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.adapters.slack.blocks import press_from_body
from bot.adapters.slack.convert import (
    PLATFORM,
    command_from_body,
    is_from_bot,
    message_from_event,
    ts_to_datetime,
)
from bot.adapters.slack.directory import SlackDirectory
from bot.core.commands.registry import COMMANDS as SPECS
from bot.core.commands.registry import admin_refusal, slash_commands
from bot.core.feedback import reaction_label
from bot.core.messages import Command, Person, Reply
from bot.errors import NotStored

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

    def done(self, event_id: str) -> bool:
        """Whether ``event_id`` was handled before (without recording it)."""
        return event_id in self._ids

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
        if not isinstance(event_id, str) or not event_id:
            return await next()
        if seen.done(event_id):
            logger.debug("dropping a retry of an event already handled")
            return BoltResponse(status=200, body="")
        return await next()

    def handled(body: dict) -> None:
        """Remember an event once its listener is done: a failed one may come again."""
        event_id = body.get("event_id")
        if isinstance(event_id, str) and event_id:
            seen.first_time(event_id)

    async def on_message(event: dict, body: dict, context: dict) -> None:
        team = body.get("team_id", "")
        subtype = event.get("subtype")
        try:
            if subtype == "message_deleted":
                previous = event.get("previous_message") or {}
                deleted = event.get("deleted_ts") or previous.get("ts")
                if deleted and not is_from_bot(previous):
                    try:
                        when = ts_to_datetime(event.get("event_ts") or "")
                    except ValueError:
                        when = None
                    await adapter.handler.on_delete(
                        PLATFORM, event.get("channel", ""), deleted, deleted_at=when, durable=True
                    )
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
                    await adapter.handler.on_edit(message, durable=True)
            else:
                message = message_from_event(
                    event, team, base_url=adapter.base_url, bot_user_id=context.get("bot_user_id")
                )
                if message is not None:
                    await adapter.handler.on_message(message, durable=True)
        except NotStored:
            raise  # unacknowledged: Slack delivers it again
        except Exception:
            logger.exception("handling a Slack message event (subtype %s) failed", subtype)
        handled(body)

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
            options={"author": adapter.replies.author(channel, ts)},
        )
        try:
            reply = await adapter.handler.on_command(command)
        except Exception:
            logger.exception("feedback from a reaction failed")
            return
        handled(body)
        await adapter.post_ephemeral(channel, user, reply)

    async def ack_command(ack: Any) -> None:
        await ack()

    async def on_command(body: dict, respond: Any) -> None:
        name = body.get("command", "").lstrip("/")
        user = body.get("user_id", "")
        is_admin = await adapter.admins.is_admin(user)
        command = replace(
            command_from_body(body, is_admin=is_admin),
            directory=SlackDirectory(adapter.client, adapter.team_id, user),
        )
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

    async def ack_press(ack: Any) -> None:
        await ack()

    async def on_press(body: dict, respond: Any) -> None:
        press = press_from_body(body, adapter)
        if press is None:
            return
        try:
            reply = await adapter.handler.on_press(press)
        except Exception:
            logger.exception("a button press failed")
            reply = Reply("Sorry, that failed on our side; the error has been logged.")
        await respond(text=reply.text, response_type="ephemeral", replace_original=False)

    app.middleware(drop_retries)
    app.action(re.compile(r"^sb:"))(ack=ack_press, lazy=[on_press])
    app.event("message")(on_message)
    app.event("reaction_added")(on_reaction)
    for name in COMMANDS:
        app.command(f"/{name}")(ack=ack_command, lazy=[on_command])
