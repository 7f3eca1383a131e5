"""The text behind the bot's recent replies, so a 👍/👎 reaction on one becomes feedback.

Shared by the Slack and Discord adapters.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

logger = logging.getLogger(__name__)


class RecentReplies:
    """Which text each of the bot's recent replies scored, so a 👍/👎 on it can be traced back.

    A bounded mapping (oldest forgotten first); it lives in memory only, so reactions on
    replies sent before a restart are ignored.

    Parameters
    ----------
    limit
        Replies remembered at most.
    """

    def __init__(self, limit: int = 2000) -> None:
        self._items: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
        self._limit = limit

    def remember(self, channel: str, message_id: str, scored_text: str, author: str = "") -> None:
        """Record that reply ``message_id`` in ``channel`` scored ``scored_text``, written by
        ``author`` (who ran the command: feedback on the text is about their words)."""
        self._items[(channel, message_id)] = (scored_text, author)
        self._items.move_to_end((channel, message_id))
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def get(self, channel: str, message_id: str) -> str | None:
        """The text reply ``message_id`` scored, or ``None`` when it is not remembered."""
        found = self._items.get((channel, message_id))
        return None if found is None else found[0]

    def author(self, channel: str, message_id: str) -> str:
        """Who wrote the text reply ``message_id`` scored (``""`` when unknown)."""
        found = self._items.get((channel, message_id))
        return "" if found is None else found[1]
