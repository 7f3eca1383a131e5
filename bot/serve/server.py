"""The model server's HTTP side: TF Serving's REST routes, ``/healthz``, batching, limits.

- ``GET /v1/models/{name}``: the version status TF Serving reports (``AVAILABLE``).
- ``GET /v1/models/{name}/metadata``: the signature (input ``text``, the outputs of
  ``bot.serve.rows``).
- ``POST /v1/models/{name}:predict``: ``bot.serve.predict`` requests; texts of concurrent
  requests are scored together (``model.batcher.MicroBatcher``, off the event loop).
- ``GET /healthz``: 200 with the model version while it serves.

The socket is a ``bot.ops.guard.GuardedTCPSite`` (header and request deadlines, a connection
cap) and bodies over ``max_body`` bytes are refused (413) before they are read whole. Bad
requests get a 400 whose message names the problem; nothing a client sends is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from bot.ops.guard import listen, prepare_app
from bot.serve.predict import INPUT_NAME, SIGNATURE, BadRequest, parse_predict
from bot.serve.rows import OUTPUTS, Row
from model.batcher import MicroBatcher, ScoringError

logger = logging.getLogger(__name__)

MODEL_NAME = "sentiment"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501  # TF Serving's REST port
MAX_BODY = 8 * 1024 * 1024
_DTYPES = {"probability": "DT_FLOAT", "classes": "DT_INT64", "words": "DT_STRING",
           "known": "DT_INT32", "model_version": "DT_STRING"}  # fmt: skip


class RowSource(Protocol):
    """``bot.serve.rows.PredictionRows``: signature rows of a batch, and the model version."""

    @property
    def version(self) -> str: ...

    def score_many(self, texts: Sequence[str]) -> list[Row]: ...


class ModelServer:
    """Serve ``rows`` over TF Serving's REST API.

    Parameters
    ----------
    rows
        Computes the signature's outputs (thread-safe; called in worker threads).
    host, port
        Where to listen; port 0 picks a free one (read ``port`` after ``start``).
    model_name
        The name in the URLs (TF Serving's ``--model_name``).
    max_batch, max_wait_ms
        Micro-batching of concurrent requests (``[scoring] batch_size`` / ``max_wait_ms``).
    max_body
        Largest request body accepted, in bytes.
    """

    def __init__(
        self,
        rows: RowSource,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        model_name: str = MODEL_NAME,
        max_batch: int = 256,
        max_wait_ms: float = 5.0,
        max_body: int = MAX_BODY,
    ) -> None:
        self.rows = rows
        self.host = host
        self.model_name = model_name
        self.max_body = max_body
        self.batcher: MicroBatcher[Row] = MicroBatcher(rows, max_batch, max_wait_ms)
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        """The aiohttp application (every response closes its connection: ``prepare_app``)."""
        app = prepare_app(web.Application(client_max_size=self.max_body))
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get(f"/v1/models/{self.model_name}", self._status)
        app.router.add_get(f"/v1/models/{self.model_name}/metadata", self._metadata)
        app.router.add_post(f"/v1/models/{self.model_name}:predict", self._predict)
        app.router.add_route("*", "/v1/models/{tail:.*}", self._not_found)
        return app

    async def _not_found(self, request: web.Request) -> web.Response:
        error = f"Servable not found: this server serves {self.model_name!r} only"
        return web.json_response({"error": error}, status=404)

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "model": self.rows.version})

    async def _status(self, request: web.Request) -> web.Response:
        status = {"version": self.rows.version, "state": "AVAILABLE",
                  "status": {"error_code": "OK", "error_message": ""}}  # fmt: skip
        return web.json_response({"model_version_status": [status]})

    async def _metadata(self, request: web.Request) -> web.Response:
        outputs = {name: {"dtype": _DTYPES[name], "name": name} for name in OUTPUTS}
        signature = {
            "inputs": {INPUT_NAME: {"dtype": "DT_STRING", "name": INPUT_NAME}},
            "outputs": outputs,
            "method_name": "tensorflow/serving/predict",
        }
        spec = {"name": self.model_name, "version": self.rows.version}
        return web.json_response(
            {"model_spec": spec, "metadata": {"signature_def": {SIGNATURE: signature}}}
        )

    async def _predict(self, request: web.Request) -> web.Response:
        try:
            parsed = parse_predict(await request.read())
        except web.HTTPRequestEntityTooLarge:
            error = f"the body is over {self.max_body:,} bytes; send fewer texts per request"
            return web.json_response({"error": error}, status=413)
        except BadRequest as exc:
            return web.json_response({"error": str(exc)}, status=400)
        try:
            rows = await self.batcher.score_many(parsed.texts)
        except ScoringError as exc:
            logger.error("a predict request of %d texts failed: %s", len(parsed.texts), exc)
            return web.json_response({"error": "the model could not score this batch"}, status=500)
        if parsed.columnar:
            columns = {name: [row[name] for row in rows] for name in OUTPUTS}  # type: ignore[literal-required]
            return web.json_response({"outputs": columns})
        return web.json_response({"predictions": rows})

    async def start(self) -> None:
        """Listen and start the batcher.

        Raises
        ------
        OSError
            When the address is taken, naming it.
        """
        runner, _, port = await listen(self.app(), self.host, self._requested_port, "model server")
        await self.batcher.start()
        self._runner = runner
        self.port = port
        logger.info("model server on http://%s:%d/v1/models/%s", self.host, self.port,
                    self.model_name)  # fmt: skip

    async def stop(self) -> None:
        """Stop listening, then finish the texts already accepted (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.batcher.close()
        logger.info("model server stopped")
