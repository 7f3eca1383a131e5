"""Builders for signed Slack requests (v0 signatures with a test secret)."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_headers(body: str, *, secret: str = SECRET, retry: int | None = None) -> dict:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    content_type = (
        "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    )
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
    }
    if retry is not None:
        headers["x-slack-retry-num"] = str(retry)
        headers["x-slack-retry-reason"] = "http_timeout"
    return headers


def slash_body(
    command: str, text: str, *, user: str, response_url: str, channel: str = "C1"
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": channel,
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def event_body(event: dict, event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
        }
    )


def request(body: str, **kwargs: object) -> AsyncBoltRequest:
    return AsyncBoltRequest(body=body, headers=signed_headers(body, **kwargs))  # type: ignore[arg-type]
