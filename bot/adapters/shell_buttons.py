"""Buttons in the terminal: a reply's buttons are numbered and ``/press N`` presses one.

The shell also remembers its recent messages, so a "help me learn" button in a report (which
fetches the message it labels at the moment it is pressed) works locally as on a platform.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.core.messages import Button, ChatMessage

PRESS_HINT = "(/press N)"


class ShellButtons:
    """The last reply's buttons, by number, and the shell's recent messages (bounded)."""

    def __init__(self, limit: int = 10_000) -> None:
        self._buttons: list[Button] = []
        self._messages: OrderedDict[tuple[str, str], ChatMessage] = OrderedDict()
        self._limit = limit

    def show(self, buttons: list[Button]) -> str | None:
        """Number ``buttons`` (they replace the previous reply's) and return the line that
        shows them, or ``None`` when there are none."""
        if not buttons:
            return None
        self._buttons = list(buttons)
        shown = "  ".join(f"[{n}] {b.label}" for n, b in enumerate(buttons, 1))
        return f"  {shown}  {PRESS_HINT}"

    def action(self, text: str) -> str | None:
        """The action of button ``text`` (a number shown last), or ``None``."""
        word = text.strip()
        if not word.isdigit() or not 1 <= int(word) <= len(self._buttons):
            return None
        return self._buttons[int(word) - 1].action

    def remember(self, message: ChatMessage) -> None:
        """Keep ``message`` so a button can fetch it."""
        self._messages[(message.channel, message.message_id)] = message
        while len(self._messages) > self._limit:
            self._messages.popitem(last=False)

    def message(self, channel: str, message_id: str) -> ChatMessage | None:
        """A remembered message, or ``None``."""
        return self._messages.get((channel, message_id))
