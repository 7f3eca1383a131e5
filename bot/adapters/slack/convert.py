"""Pure translations between Slack payloads and sentibot's platform-neutral types.

Nothing here talks to Slack: these functions take the dicts Bolt hands to listeners and return
``ChatMessage`` / ``Command`` values (or ``None`` for events the bot ignores).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import emoji

from bot.core.messages import ChatMessage, Command, Person

PLATFORM = "slack"

# Slack writes skin tones as a second shortcode (":+1::skin-tone-3:").
_SKIN_TONES = {"2": "\U0001f3fb", "3": "\U0001f3fc", "4": "\U0001f3fd", "5": "\U0001f3fe"}
_SKIN_TONES["6"] = "\U0001f3ff"
_SKIN_TONE_RE = re.compile(r":skin-tone-([2-6]):")
# Escaped channel and user references in slash-command text: <#C123|general>, <@U123|ann>.
_REFERENCE_RE = re.compile(r"<([#@])([A-Z0-9]+)(?:\|[^>]*)?>")
# Subtypes that are ordinary messages written by people.
_PLAIN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}


def slack_text(text: str) -> str:
    """Turn Slack's wire text into plain text for scoring.

    Parameters
    ----------
    text
        Message text as Slack sends it: ``&lt;``/``&gt;``/``&amp;`` escaped, emoji as
        shortcodes (``:+1:``, ``:tada:``, ``:wave::skin-tone-3:``).

    Returns
    -------
    str
        The text with entities unescaped and shortcodes replaced by Unicode emoji; unknown
        shortcodes (custom workspace emoji) are left as they are.
    """
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = _SKIN_TONE_RE.sub(lambda m: _SKIN_TONES[m.group(1)], text)
    return emoji.emojize(text, language="alias")


def command_text(text: str) -> str:
    """Plain slash-command argument text: ``<#C1|general> 7d`` becomes ``C1 7d``."""
    return slack_text(_REFERENCE_RE.sub(lambda m: m.group(2), text or "")).strip()


def ts_to_datetime(ts: str) -> datetime:
    """A Slack ``ts`` (``"1700000000.000100"``) as an aware UTC datetime.

    Raises
    ------
    ValueError
        For anything that is not a timestamp Slack could send.
    """
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ValueError(f"not a Slack timestamp: {str(ts)[:40]!r}") from None


def edit_time(message: dict) -> datetime | None:
    """The platform's time of a message's latest edit (``edited.ts``), if it has one."""
    edited = message.get("edited")
    if not isinstance(edited, dict) or not edited.get("ts"):
        return None
    try:
        return ts_to_datetime(edited["ts"])
    except ValueError:
        return None


def permalink(base_url: str | None, channel: str, ts: str) -> str | None:
    """The message's web link, given the workspace URL from ``auth.test``."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


def is_from_bot(message: dict, bot_user_id: str | None = None) -> bool:
    """Whether a message payload was written by a bot (any bot, or this one)."""
    return bool(
        message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or (bot_user_id is not None and message.get("user") == bot_user_id)
    )


def message_from_event(
    event: dict, team_id: str, *, base_url: str | None = None, bot_user_id: str | None = None
) -> ChatMessage | None:
    """A ``ChatMessage`` for a person's channel message, ``None`` for anything else.

    ``event`` is either a ``message`` event or the inner ``message`` of a ``message_changed``
    event (pass the outer event's ``channel`` in it). Bot messages, direct messages, channel
    joins and other system subtypes give ``None``.
    """
    if event.get("subtype") not in _PLAIN_SUBTYPES or is_from_bot(event, bot_user_id):
        return None
    if event.get("channel_type") in ("im", "mpim") or not event.get("user"):
        return None
    channel, ts = event.get("channel", ""), event.get("ts", "")
    if not channel or not ts:
        return None
    try:
        created_at = ts_to_datetime(ts)
    except ValueError:
        return None
    return ChatMessage(
        platform=PLATFORM,
        workspace=event.get("team") or team_id,
        channel=channel,
        message_id=ts,
        author=Person(id=event["user"]),
        text=slack_text(event.get("text") or ""),
        created_at=created_at,
        link=permalink(base_url, channel, ts),
        edited_at=edit_time(event),
    )


def command_from_body(body: dict, *, is_admin: bool) -> Command:
    """A ``Command`` from a slash-command payload (``/sentiment-x`` becomes ``sentiment-x``)."""
    author = Person(id=body.get("user_id", ""), name=body.get("user_name", ""), is_admin=is_admin)
    return Command(
        platform=PLATFORM,
        workspace=body.get("team_id", ""),
        channel=body.get("channel_id", ""),
        author=author,
        name=body.get("command", "").lstrip("/"),
        text=command_text(body.get("text", "")),
    )
