"""The ops HTTP server: ``GET /healthz`` (JSON, 200 or 503) and ``GET /metrics`` (Prometheus).

It runs on the bot's event loop (aiohttp); checks that block (a database ping) are moved to a
worker thread by the checks themselves. ``[ops] port = 0`` disables it:
``start_ops_server`` then returns ``None``.
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from bot.ops.guard import GuardedTCPSite, listen, prepare_app
from bot.ops.health import Health
from bot.ops.metrics import Metrics

logger = logging.getLogger(__name__)

DEFAULT_HOST = "0.0.0.0"  # inside a container the probe and Prometheus come from outside


class OpsServer:
    """Serve health and metrics over HTTP.

    Parameters
    ----------
    health
        The checks behind ``/healthz``.
    metrics
        The registry behind ``/metrics``.
    port
        TCP port; 0 picks a free one (tests), read it back from ``port`` after ``start``.
    host
        Interface to bind (``[ops] host``).

    The listening socket is a ``GuardedTCPSite``: slow or idle clients are closed after a header
    timeout and connections are capped, so strangers cannot starve the health checks.
    """

    def __init__(
        self, health: Health, metrics: Metrics, *, port: int, host: str = DEFAULT_HOST
    ) -> None:
        self.health = health
        self.metrics = metrics
        self.host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self.site: GuardedTCPSite | None = None
        self.port: int | None = None
        self._was_healthy: bool | None = None

    def _app(self) -> web.Application:
        app = prepare_app(web.Application())
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        return app

    async def _healthz(self, request: web.Request) -> web.Response:
        healthy, body = await self.health.run()
        if healthy != self._was_healthy:  # a line when the state changes, not one per probe
            failed = [name for name, check in body["checks"].items() if not check["ok"]]
            if healthy:
                logger.info("healthy again" if self._was_healthy is False else "healthy")
            else:
                logger.warning("unhealthy: %s", ", ".join(failed))
            self._was_healthy = healthy
        return web.json_response(body, status=200 if healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(
            body=encoder(self.metrics.registry), headers={"Content-Type": content_type}
        )

    async def start(self) -> None:
        """Bind and start serving.

        Raises
        ------
        OSError
            When the port is taken, with the address in the message.
        """
        runner, site, port = await listen(
            self._app(), self.host, self._requested_port, "ops server"
        )
        self._runner = runner
        self.site = site
        self.port = port
        logger.info("ops server on http://%s:%d (/healthz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            logger.info("ops server stopped")


async def start_ops_server(
    port: int, health: Health, metrics: Metrics, *, host: str = DEFAULT_HOST
) -> OpsServer | None:
    """Start the server for ``[ops] port``, or return ``None`` when it is 0 (disabled)."""
    if port == 0:
        logger.info("ops server disabled ([ops] port = 0)")
        return None
    server = OpsServer(health, metrics, port=port, host=host)
    await server.start()
    return server
