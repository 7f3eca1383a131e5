"""What the web dashboard keeps in the database: its signing secret, grants and logouts.

``DashboardStore`` is the seam (``SqlDashboardStore`` here, ``tests.fakes.dashboard_store`` in
memory). Grants record which channels a person may see, as ``bot.core.access`` decided when they
last asked for a link; revocations record sessions ended by logging out, so that neither the
session cookie nor the link that started it works again, on any instance.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from storage.tables import DashboardGrantRow, DashboardRevokedRow, DashboardSecretRow

logger = logging.getLogger(__name__)

SECRET_NAME = "link-signing"


@dataclass(frozen=True, slots=True)
class Grant:
    """One channel a person may see, with its display name (``""`` when unknown)."""

    channel: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who a dashboard session belongs to: a person of one server, or the operator."""

    platform: str
    workspace: str
    user_id: str

    @property
    def operator(self) -> bool:
        """The operator (``sentibot dashboard``'s link) sees every channel."""
        return self.platform == "*"


OPERATOR = Viewer("*", "*", "operator")


class DashboardStore(Protocol):
    """The dashboard's own state."""

    def signing_secret(self) -> bytes:
        """The shared link-signing key, generated and stored on first use."""
        ...

    def replace_grants(self, viewer: Viewer, grants: Sequence[Grant]) -> None:
        """Record exactly these channels as the ones ``viewer`` may see."""
        ...

    def grants(self, viewer: Viewer) -> list[Grant]:
        """The channels ``viewer`` may see, as last recorded."""
        ...

    def channel_names(self) -> dict[tuple[str, str], str]:
        """``(platform, channel) -> name`` from every grant (names the platforms gave)."""
        ...

    def revoke(self, session_id: str, expires_at: datetime) -> None:
        """End a session (logout) until ``expires_at``."""
        ...

    def is_revoked(self, session_id: str) -> bool:
        """Whether the session was logged out."""
        ...


class SqlDashboardStore:
    """``DashboardStore`` on the bot's database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def signing_secret(self) -> bytes:
        with Session(self.engine) as session:
            row = session.get(DashboardSecretRow, SECRET_NAME)
            if row is not None:
                return bytes.fromhex(row.value)
        value = secrets.token_hex(32)
        try:
            with Session(self.engine) as session, session.begin():
                session.add(DashboardSecretRow(name=SECRET_NAME, value=value, created_at=_now()))
            logger.info("generated the dashboard's link-signing secret")
        except IntegrityError:  # another instance made it first: use theirs
            pass
        with Session(self.engine) as session:
            stored = session.get(DashboardSecretRow, SECRET_NAME)
            assert stored is not None
            return bytes.fromhex(stored.value)

    def replace_grants(self, viewer: Viewer, grants: Sequence[Grant]) -> None:
        now = _now()
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(DashboardGrantRow).where(*_of(viewer)),
            )
            session.add_all(
                DashboardGrantRow(
                    platform=viewer.platform,
                    workspace=viewer.workspace,
                    user_id=viewer.user_id,
                    channel=grant.channel,
                    name=grant.name[:128],
                    granted_at=now,
                )
                for grant in {g.channel: g for g in grants}.values()
            )

    def grants(self, viewer: Viewer) -> list[Grant]:
        query = select(DashboardGrantRow.channel, DashboardGrantRow.name).where(*_of(viewer))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(DashboardGrantRow.channel)).all()
        return [Grant(row.channel, row.name) for row in rows]

    def channel_names(self) -> dict[tuple[str, str], str]:
        g = DashboardGrantRow
        query = select(g.platform, g.channel, func.max(g.name).label("name")).group_by(
            g.platform, g.channel
        )
        with self.engine.connect() as conn:
            return {(r.platform, r.channel): r.name for r in conn.execute(query) if r.name}

    def revoke(self, session_id: str, expires_at: datetime) -> None:
        now = _now()
        try:
            with Session(self.engine) as session, session.begin():
                old = DashboardRevokedRow.expires_at < now  # ended anyway: forget them
                session.execute(delete(DashboardRevokedRow).where(old))
                if session.get(DashboardRevokedRow, session_id) is None:
                    session.add(DashboardRevokedRow(session_id=session_id, expires_at=expires_at))
        except IntegrityError:  # logged out on another instance at the same moment
            pass
        logger.info("a dashboard session logged out")

    def is_revoked(self, session_id: str) -> bool:
        query = select(DashboardRevokedRow.session_id).where(
            DashboardRevokedRow.session_id == session_id
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None


def _of(viewer: Viewer) -> tuple[ColumnElement[bool], ...]:
    return (
        DashboardGrantRow.platform == viewer.platform,
        DashboardGrantRow.workspace == viewer.workspace,
        DashboardGrantRow.user_id == viewer.user_id,
    )


def _now() -> datetime:
    return datetime.now(UTC)
