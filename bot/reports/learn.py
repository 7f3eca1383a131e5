"""A scheduled report's "help me learn": the messages of the period the model was least sure
of, as links to the originals, each with positive / negative buttons (``bot.core.corrections``).

Least sure is the stored score nearest 0.5 among messages labelled negative or positive, the
boundary a correction (positive or negative) moves (``Repository.least_sure``). Neutral-labelled
messages are left out: the buttons cannot label them, and ``benchmarks/active_learning.py``
found 77% of the messages nearest 0.5 to be neutral. Messages someone already corrected are not
asked about again. No text is copied into the report unless ``[privacy]
store_text`` keeps it anyway: a press fetches the message from the platform when it happens.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.core.corrections import learn_buttons
from bot.core.messages import Button
from bot.reports.format import EXAMPLE_CHARS, defuse_mentions, message_link
from storage.repository import Repository

LEARN = 3  # messages a scheduled report asks about
TITLE = (
    "Help me learn: I was least sure about these messages. Positive or negative? "
    "Your answer trains the next model."
)


async def help_me_learn(
    repository: Repository,
    platform: str,
    channel: str,
    start: datetime,
    end: datetime,
    *,
    workspace: str = "",
    store_text: bool = False,
    limit: int = LEARN,
) -> tuple[list[str], list[Button]]:
    """The lines and buttons of a report's "help me learn" (``([], [])`` when nothing to ask).

    Parameters
    ----------
    repository
        Called through ``asyncio.to_thread``.
    platform, channel, start, end
        The report's channel and period.
    workspace
        The channel's server or workspace, for links where a message does not name it.
    store_text
        Quote each message's stored text (only then is any text kept).
    limit
        At most this many messages.
    """
    examples = await asyncio.to_thread(
        repository.least_sure, platform, channel, start, end, limit=limit
    )
    lines, buttons = [TITLE], []
    for number, example in enumerate(examples, 1):
        pair = learn_buttons(channel, example.message_id, number)
        if pair is None:
            continue
        link = message_link(platform, example.workspace or workspace, channel, example.message_id)
        where = f"<{link}>" if link else f"message {example.message_id}"
        line = f"  {number}. {where} (scored {example.score:.2f})"
        text = " ".join(example.text.split())
        if store_text and text:
            cut = text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"
            line += f" “{defuse_mentions(cut)}”"
        lines.append(line)
        buttons += pair
    return (lines, buttons) if buttons else ([], [])
