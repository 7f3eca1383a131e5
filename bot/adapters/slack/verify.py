"""Slack's request signature, checked before anything reads, parses or logs the body.

slack_bolt checks the signature inside the app, after it has parsed the body, and logs a
failing request whole (body, signature, timestamp) at INFO. This aiohttp middleware runs first,
on every POST to the events endpoint:

- ``X-Slack-Request-Timestamp`` must be a plain integer (else 400) within five minutes of now
  (else 401: a replayed or stale request);
- the body is read up to aiohttp's ``client_max_size`` (1 MiB; larger: 413);
- ``X-Slack-Signature`` must be the HMAC-SHA256 of ``v0:{timestamp}:{body}`` under the signing
  secret (else 401);
- a signed body must be UTF-8 that Bolt parses into an object (else 400): Bolt would raise on it
  and answer 500 with a traceback in the log (found by tests/fuzz/test_fuzz_slack.py); a signed
  payload whose fields have the wrong types (``"user": true``), on which Bolt's request building
  raises, is a 400 too, logged by exception type only.

A rejected request's content never reaches a log: rejections are counted by reason in
``rejected`` and logged at DEBUG with the reason only. Accepted requests reach bolt unchanged
(``request.read()`` caches the body, so bolt's own check, which then passes, reads the same bytes).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)

MAX_AGE_S = 300  # Slack's documented replay window

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SignedRequestsOnly:
    """The middleware (an instance is a ``web.middleware``); ``rejected`` counts by reason."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self.rejected: Counter[str] = Counter()
        self.__middleware_version__ = 1  # aiohttp's marker for new-style middlewares

    def _refuse(self, status: int, reason: str) -> web.Response:
        self.rejected[reason] += 1
        logger.debug("refused a Slack request: %s", reason)
        return web.Response(status=status, text=f"{reason}\n")

    async def __call__(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST":
            return await handler(request)
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
            return self._refuse(400, "missing or malformed timestamp")
        if abs(time.time() - int(stamp)) > MAX_AGE_S:
            return self._refuse(401, "stale timestamp")
        try:
            body = await request.read()  # capped at client_max_size, then cached for bolt
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(413, "body too large")
        signature = request.headers.get("X-Slack-Signature", "")
        if not self._verifier.is_valid(body, stamp, signature):
            return self._refuse(401, "invalid signature")
        if not _parses(body, request.headers.get("Content-Type")):
            return self._refuse(400, "malformed body")
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as exc:  # Bolt's request parsing trusts the payload's shape
            logger.warning("Slack sent a request Bolt could not read (%s)", type(exc).__name__)
            return self._refuse(400, "unreadable request")


def _parses(body: bytes, content_type: str | None) -> bool:
    """Whether Bolt can read ``body``: UTF-8 that its own parser turns into an object."""
    try:
        parsed = parse_body(body.decode("utf-8"), content_type)
    except ValueError:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        return False
    return isinstance(parsed, dict)


def signed_requests_only(signing_secret: str) -> SignedRequestsOnly:
    """The middleware for an app serving Slack's HTTP events (see the module docstring)."""
    return SignedRequestsOnly(signing_secret)
