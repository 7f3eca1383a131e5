"""Block Kit for replies with buttons, and button presses (``block_actions``) as ``Press``.

Pure translations, like ``bot.adapters.slack.convert``: a reply with buttons becomes section
blocks holding its text (3,000 characters each, Slack's limit) and one actions block; the
``block_actions`` payload of a press becomes a ``Press`` for the core.
"""

from __future__ import annotations

from bot.adapters.slack.convert import PLATFORM
from bot.core.messages import MessageSource, Person, Press, Reply

SECTION_CHARS = 3000  # a section block's text limit
BUTTON_CHARS = 75  # a button's text limit
MAX_BUTTONS = 25  # an actions block's element limit
MAX_SECTIONS = 45  # blocks in a message: 50 at most, one is the actions block


def reply_blocks(reply: Reply) -> list[dict] | None:
    """The blocks of a reply with buttons (``None`` without: plain ``text`` is enough)."""
    if not reply.buttons:
        return None
    text = reply.text or " "
    sections = [text[i : i + SECTION_CHARS] for i in range(0, len(text), SECTION_CHARS)]
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in sections[:MAX_SECTIONS]
    ]
    elements = []
    for button in reply.buttons[:MAX_BUTTONS]:
        element = {
            "type": "button",
            "text": {"type": "plain_text", "text": button.label[:BUTTON_CHARS], "emoji": True},
            "action_id": button.action,
            "value": button.action,
        }
        if button.style in ("primary", "danger"):
            element["style"] = button.style
        elements.append(element)
    blocks.append({"type": "actions", "elements": elements})
    return blocks


def press_from_body(body: dict, source: MessageSource | None) -> Press | None:
    """The ``Press`` of a ``block_actions`` payload, or ``None`` without an action.

    The presser's workspace is their own team (``user.team_id``), which in a channel shared
    with another workspace is not the channel's.
    """
    actions = body.get("actions") or []
    if not actions or not isinstance(actions[0], dict):
        return None
    user = body.get("user") or {}
    team = user.get("team_id") or (body.get("team") or {}).get("id") or ""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id", ""
    )
    return Press(
        platform=PLATFORM,
        workspace=team,
        channel=channel,
        user=Person(id=user.get("id", ""), name=user.get("username") or user.get("name", "")),
        action=str(actions[0].get("action_id", "")),
        source=source,
    )
