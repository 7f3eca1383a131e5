"""Running the dashboard: its collaborators from the settings and the database, and the server.

``sentibot dashboard`` runs it alone (from the database only: no model, no TensorFlow, no chat
connection); ``sentibot run`` runs it beside the bot when ``[dashboard] enabled``. Either way it
listens on ``[dashboard] host:port`` behind the same connection guards as the ops server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import Engine

from bot.config import Settings
from bot.dashboard.context import Deps, Options
from bot.dashboard.linkmaker import LinkMaker
from bot.dashboard.links import new_link, signer_for
from bot.dashboard.web import build_app
from bot.ops.guard import listen, prepare_app
from storage.dashboard_queries import SqlDashboardReader
from storage.dashboard_store import OPERATOR, SqlDashboardStore

logger = logging.getLogger(__name__)


def build_deps(settings: Settings, engine: Engine, secret: SecretStr | None) -> Deps:
    """The dashboard's reader, store, signer and page options for ``settings``."""
    store = SqlDashboardStore(engine)
    options = Options(
        store_text=settings.privacy.store_text,
        neutral=(settings.scoring.neutral_low, settings.scoring.neutral_high),
        min_messages=settings.reports.min_messages,
        default_cron=settings.reports.cron,
        timezone=settings.reports.timezone,
        alert_window=timedelta(hours=settings.alerts.window_hours),
        poll_seconds=settings.dashboard.poll_seconds,
    )
    return Deps(SqlDashboardReader(engine), store, signer_for(store, secret), options)


def base_url(settings: Settings, port: int | None = None) -> str:
    """Where people open the dashboard: ``[dashboard] public_url``, else ``http://host:port``."""
    config = settings.dashboard
    if config.public_url.strip():
        return config.public_url.strip().rstrip("/")
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    return f"http://{host}:{port or config.port}"


def operator_link(deps: Deps, base: str) -> str:
    """A fresh link that signs in as the operator (sees every channel), valid 15 minutes."""
    return new_link(deps.signer, OPERATOR, base)[0]


class DashboardServer:
    """Serve the dashboard on ``host:port`` (port 0 picks a free one; see ``port``)."""

    def __init__(self, deps: Deps, *, host: str, port: int) -> None:
        self.deps = deps
        self.host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> None:
        """Bind and serve; ``OSError`` naming the address when the port is taken."""
        runner, _, port = await listen(
            prepare_app(build_app(self.deps)), self.host, self._requested_port, "dashboard"
        )
        self._runner = runner
        self.port = port
        logger.info("dashboard on http://%s:%d", self.host, self.port)

    async def close(self) -> None:
        """Stop serving (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            logger.info("dashboard stopped")


def wire(
    settings: Settings,
    engine: Engine,
    secret: SecretStr | None,
    on_start: list[Callable[[], Any]],
    on_close: list[Callable[[], Any]],
) -> LinkMaker:
    """For ``sentibot run``: serve the dashboard when ``[dashboard] enabled`` (started and
    closed with the bot) and return what ``/sentiment-dashboard`` makes its links with."""
    if settings.dashboard.enabled:
        server = DashboardServer(
            build_deps(settings, engine, secret),
            host=settings.dashboard.host,
            port=settings.dashboard.port,
        )
        on_start.append(server.start)
        on_close.append(server.close)
    return LinkMaker(
        SqlDashboardStore(engine),
        SqlDashboardReader(engine),
        secret,
        base_url(settings),
        reachable=bool(settings.dashboard.public_url.strip()),
    )
