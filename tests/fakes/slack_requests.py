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


def action_body(
    action_id: str, *, user: str, response_url: str, team: str = "T1", channel: str = "C1"
) -> str:
    """A ``block_actions`` payload: ``user`` of ``team`` pressed button ``action_id``."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000100.000001", "channel_id": channel},
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": "1700000100.000001", "text": "answer"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": action_id,
                "action_ts": "1700000101.000001",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


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
