"""Logging: text and JSON lines; tokens and message text never reach the output."""

from __future__ import annotations

import io
import json
import logging
import warnings
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging, loggable_text, redact

SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP = "xapp-1-A0123456789-1234567890123-abcdef0123456789"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"  # no token shape: only the env value gives it away
DISCORD = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"


@pytest.fixture
def stream(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Configure logging into a buffer with every token variable set; restore afterwards."""
    for name, value in (
        ("SLACK_BOT_TOKEN", SLACK_BOT),
        ("SLACK_APP_TOKEN", SLACK_APP),
        ("SLACK_SIGNING_SECRET", SIGNING),
        ("DISCORD_TOKEN", DISCORD),
    ):
        monkeypatch.setenv(name, value)
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.captureWarnings(False)


def _leaks(output: str) -> list[str]:
    return [t for t in (SLACK_BOT, SLACK_APP, SIGNING, DISCORD, "hunter2") if t in output]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_tokens_never_appear(stream: io.StringIO, fmt: str) -> None:
    configure_logging("DEBUG", fmt, stream=stream)
    log = logging.getLogger("slack_bolt.App")  # a library logger, propagating to root
    log.info("connecting with %s and %s", SLACK_BOT, SLACK_APP)
    log.warning("signature check with %s failed", SIGNING)
    logging.getLogger("discord.client").debug(f"login token={DISCORD}")
    log.info("database at postgresql+psycopg://bot:hunter2@db:5432/sentibot")
    log.info("request", extra={"headers": f"Authorization: Bearer {SLACK_BOT}"})
    try:
        raise RuntimeError(f"auth failed for {DISCORD}")
    except RuntimeError:
        log.exception("adapter crashed")
    output = stream.getvalue()
    assert _leaks(output) == []
    assert output.count(REDACTED) >= (7 if fmt == "json" else 6)  # extra fields: JSON only
    assert "postgresql+psycopg://[REDACTED]@db:5432" in output
    assert "RuntimeError: auth failed for [REDACTED]" in output


def test_token_shapes_are_redacted_without_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    line = redact(f"a {SLACK_BOT} b {SLACK_APP} c {DISCORD} d xoxp-1111-2222-3333-abcdefabcdef")
    assert line == f"a {REDACTED} b {REDACTED} c {REDACTED} d {REDACTED}"
    assert (
        redact("ordinary words, version 1.2.3 and a.b.c")
        == "ordinary words, version 1.2.3 and a.b.c"
    )


def test_json_lines(stream: io.StringIO) -> None:
    configure_logging("INFO", "json", stream=stream)
    log = logging.getLogger("sentibot.test")
    log.debug("not shown at INFO")
    log.info("scored %d messages", 3, extra={"channel": "C1", "count": 3})
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("old option", UserWarning, stacklevel=1)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    entry = json.loads(lines[0])
    assert entry["level"] == "INFO" and entry["logger"] == "sentibot.test"
    assert entry["message"] == "scored 3 messages"
    assert entry["channel"] == "C1" and entry["count"] == 3
    assert entry["time"].endswith("+00:00")
    assert json.loads(lines[1])["logger"] == "py.warnings"


def test_text_lines_and_reconfiguring(stream: io.StringIO) -> None:
    configure_logging("WARNING", "text", stream=io.StringIO())
    configure_logging("info", "text", stream=stream)  # replaces the first handler
    logging.getLogger("sentibot.test").info("hello %s", "there")
    (line,) = stream.getvalue().splitlines()
    assert line.endswith("INFO    sentibot.test: hello there")
    assert sum(h.get_name() == "sentibot" for h in logging.getLogger().handlers) == 1


def test_bad_arguments(stream: io.StringIO) -> None:
    with pytest.raises(ValueError, match="log format"):
        configure_logging("INFO", "xml", stream=stream)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="log level"):
        configure_logging("LOUD", "text", stream=stream)


def test_message_text_stays_out_unless_stored(stream: io.StringIO) -> None:
    configure_logging("INFO", "text", stream=stream)
    secret_text = "my salary is 123k and I hate my boss"
    text = loggable_text(secret_text, store_text=False)
    logging.getLogger("bot.core.bot").info("message %s", text)
    assert secret_text not in stream.getvalue()
    assert f"<{len(secret_text)} chars>" in stream.getvalue()
    assert loggable_text(secret_text, store_text=True) == repr(secret_text)
    assert loggable_text("x" * 100 + "\nforged line", store_text=True, limit=10) == repr(
        "x" * 10 + "..."
    )
    assert "\n" not in loggable_text("a\nb", store_text=True)
