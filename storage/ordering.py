"""The order rules of message writes, in plain Python: which write wins over what is stored.

The SQL of ``storage.upserts`` applies them in the database, inside the write statement; the
in-memory fake repository applies them with these functions, so both follow one definition:

- a delete leaves a tombstone: no later write of that message does anything;
- an original (``edited`` false) is inserted, or replaces a stored original (a retry, or a
  rescore by a newer model), never a stored edit;
- an edit applies only over a stored message, and only if its ``edited_at`` is later than the
  stored edit's (an edit without ``edited_at`` counts as made at ``created_at``).

Writes of one message within one batch keep their order: ``rounds`` splits a batch into
statements in which each message appears once, collapsing what can be collapsed exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.types import MessageKey, ScoredMessage


def is_edit(msg: ScoredMessage) -> bool:
    """Whether ``msg`` is an edit (rather than the original message or its retry)."""
    return msg.edited or msg.edited_at is not None


def edit_time(msg: ScoredMessage) -> datetime | None:
    """The edit time stored for ``msg``: ``None`` for an original."""
    if not is_edit(msg):
        return None
    return msg.edited_at or msg.created_at


def wins(stored_edit: datetime | None, msg: ScoredMessage) -> bool:
    """Whether ``msg`` replaces a stored row whose edit time is ``stored_edit``."""
    new = edit_time(msg)
    if new is None:
        return stored_edit is None
    return stored_edit is None or stored_edit < new


def rounds(messages: Sequence[ScoredMessage]) -> list[list[ScoredMessage]]:
    """Split a batch into rounds, applied in order, each holding a message at most once.

    Consecutive originals of a message collapse to the last one, consecutive edits to the latest
    (the earliest of equal times): applying the collapsed write has the same effect whatever is
    stored. An edit then an original (or the reverse) stays two writes, in two rounds.
    """
    if not any(m.edited or m.edited_at is not None for m in messages):
        return [list({m.key: m for m in messages}.values())] if messages else []
    ops: dict[MessageKey, list[ScoredMessage]] = {}
    for msg in messages:
        seq = ops.setdefault(msg.key, [])
        if seq and is_edit(seq[-1]) == is_edit(msg):
            if not is_edit(msg) or edit_time(msg) > edit_time(seq[-1]):  # type: ignore[operator]
                seq[-1] = msg
        else:
            seq.append(msg)
    depth = max(len(seq) for seq in ops.values())
    return [[seq[i] for seq in ops.values() if len(seq) > i] for i in range(depth)]
