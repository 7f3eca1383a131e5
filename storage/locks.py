"""PostgreSQL transaction-level advisory locks that keep deletes and opt-outs winning.

Content writes (``upsert_messages``) take the schema's write lock *shared*: many instances
write at once. A delete, an opt-out, a channel opt-out or a retention purge takes it
*exclusive*: it waits for the writes in flight to commit, and writes that start later wait for
it and then see its tombstone or opt-out (under READ COMMITTED each statement reads what was
committed when it started, so the lock is taken in a statement of its own, before the write).
Without it a delete could miss a row another instance has inserted but not yet committed, and
that row would outlive its delete. The lock is keyed by the current schema and released at
commit or rollback. SQLite has one writer at a time and needs none of this.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

_KEY = "hashtext('sentibot.writes'), hashtext(current_schema())"
SHARED = text(f"SELECT pg_advisory_xact_lock_shared({_KEY})")
EXCLUSIVE = text(f"SELECT pg_advisory_xact_lock({_KEY})")


def lock_writes(executor: Connection | Session, *, exclusive: bool) -> None:
    """Take the write lock for the caller's transaction (PostgreSQL only; a no-op on SQLite).

    Parameters
    ----------
    executor
        An open connection or session inside its transaction.
    exclusive
        ``True`` for deletes and opt-outs, ``False`` for content writes.
    """
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    if bind.dialect.name == "postgresql":
        executor.execute(EXCLUSIVE if exclusive else SHARED)
