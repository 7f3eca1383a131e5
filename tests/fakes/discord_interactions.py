"""Discord's rules for answering an interaction, as the loopback fake enforces them.

``InteractionRecord`` is what happened to one interaction, kept by ``tests.fakes.discord_server``
and built from the REST calls the real discord.py client made. The rules, from Discord's
documentation ("Receiving and Responding", "Interaction Response"):

- the first callback (``POST /interactions/{id}/{token}/callback``) must arrive within 3 s of the
  interaction; after that the user sees "The application did not respond" (``failed``) and a late
  callback is rejected with 404 *Unknown interaction* (code 10062);
- an interaction takes one callback: a second is rejected with 400 *Interaction has already been
  acknowledged* (code 40060);
- type 4 posts a message, type 5 a "thinking…" placeholder; flag 64 makes either ephemeral;
- follow-ups (``POST /webhooks/{app}/{token}``) need a callback first (404 *Unknown Webhook*);
  the first follow-up after a type 5 defer *edits the placeholder* and keeps its visibility
  (an ephemeral flag on it is ignored) unless ``@original`` was deleted before; later ones are
  new messages with their own flags;
- ``@original`` can be fetched, edited and deleted; once deleted it is gone (404).

``seen_by_channel`` and ``seen_by_caller_only`` say what each audience ends up seeing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

DEADLINE_S = 3.0
EPHEMERAL = 64
THINKING = "<thinking…>"  # what the channel sees of a deferral's placeholder

_ids = itertools.count(1190000000000100000)


def next_id() -> int:
    """A fresh snowflake-sized id."""
    return next(_ids)


@dataclass
class Shown:
    """A message an interaction put in the channel: for everyone, or ``ephemeral``."""

    id: int
    content: str | None
    ephemeral: bool
    files: list[str] = field(default_factory=list)
    deleted: bool = False
    thinking: bool = False  # a deferral's placeholder, not yet edited
    components: list[dict] = field(default_factory=list)  # action rows of buttons


class Rejected(Exception):
    """A REST call Discord refuses: ``status`` and its JSON error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.body = status, {"code": code, "message": message}


@dataclass
class InteractionRecord:
    """Everything that happened to one interaction, in order.

    ``calls`` lists the accepted REST calls (``"callback:4"``, ``"callback:5"``,
    ``"followup"``, ``"edit-original"``, ``"delete-original"``); ``rejected`` the refused ones
    with their status; ``acknowledged_after`` the seconds from the interaction to its callback.
    """

    id: int
    token: str
    name: str
    created: float
    deadline_s: float = DEADLINE_S
    user_id: int = 0
    channel_id: int = 0
    calls: list[str] = field(default_factory=list)
    rejected: list[tuple[str, int]] = field(default_factory=list)
    messages: list[Shown] = field(default_factory=list)
    acknowledged_after: float | None = None
    failed: bool = False
    deferred: bool = False
    followups: int = 0

    @property
    def original(self) -> Shown | None:
        return self.messages[0] if self.messages and self.acknowledged_after is not None else None

    def expire(self) -> None:
        """The deadline passed: unanswered, the interaction has failed for the user."""
        if self.acknowledged_after is None:
            self.failed = True

    def callback(self, now: float, kind: int, flags: int, content: str | None) -> Shown:
        """Apply ``POST .../callback``; raises ``Rejected`` as Discord would."""
        if self.failed or now - self.created > self.deadline_s:
            self.failed = True
            self.rejected.append((f"callback:{kind}", 404))
            raise Rejected(404, 10062, "Unknown interaction")
        if self.acknowledged_after is not None:
            self.rejected.append((f"callback:{kind}", 400))
            raise Rejected(400, 40060, "Interaction has already been acknowledged.")
        self.acknowledged_after = now - self.created
        self.calls.append(f"callback:{kind}")
        self.deferred = kind == 5
        shown = Shown(next_id(), content, bool(flags & EPHEMERAL), thinking=self.deferred)
        self.messages.append(shown)
        return shown

    def followup(self, flags: int, content: str | None, files: list[str]) -> Shown:
        """Apply ``POST /webhooks/{app}/{token}``: the first after a defer edits the placeholder."""
        if self.acknowledged_after is None:
            self.rejected.append(("followup", 404))
            raise Rejected(404, 10015, "Unknown Webhook")
        self.calls.append("followup")
        self.followups += 1
        original = self.original
        if self.deferred and self.followups == 1 and original is not None and not original.deleted:
            original.content, original.files, original.thinking = content, files, False
            return original  # keeps the defer's visibility, whatever flag was asked
        shown = Shown(next_id(), content, bool(flags & EPHEMERAL), files)
        self.messages.append(shown)
        return shown

    def find(self, message: str) -> Shown:
        """``@original`` or a follow-up's id; raises 404 when gone or unknown."""
        original = self.original
        if message == "@original":
            found = original
        else:
            found = next((m for m in self.messages if str(m.id) == message), None)
        if found is None or found.deleted:
            raise Rejected(404, 10008, "Unknown Message")
        return found

    def edit(self, message: str, content: str | None) -> Shown:
        found = self.find(message)
        self.calls.append("edit-original" if message == "@original" else "edit")
        if content is not None:
            found.content = content
        found.thinking = False
        return found

    def delete(self, message: str) -> None:
        found = self.find(message)
        self.calls.append("delete-original" if message == "@original" else "delete")
        found.deleted = True

    # -- what each audience sees ----------------------------------------------------------------

    def seen_by_channel(self) -> list[str | None]:
        """What everyone in the channel sees: public messages not deleted (a placeholder still
        thinking reads ``THINKING``)."""
        return [
            THINKING if m.thinking else m.content
            for m in self.messages
            if not m.ephemeral and not m.deleted
        ]

    def seen_by_caller_only(self) -> list[str | None]:
        """What only the person who ran the command sees."""
        return [
            THINKING if m.thinking else m.content
            for m in self.messages
            if m.ephemeral and not m.deleted
        ]

    @property
    def answered(self) -> bool:
        """It failed, or it holds an answer (a message, or a deferral resolved by a follow-up
        or an edit)."""
        if self.failed:
            return True
        if self.acknowledged_after is None:
            return False
        return not self.deferred or any(c in ("followup", "edit-original") for c in self.calls)

    def describe(self) -> dict[str, Any]:
        """A summary for assertion messages."""
        return {
            "name": self.name,
            "calls": self.calls,
            "rejected": self.rejected,
            "failed": self.failed,
            "channel": self.seen_by_channel(),
            "caller": self.seen_by_caller_only(),
        }
