"""The Slack app manifest asks for exactly the commands, events and scopes the adapter uses."""

from __future__ import annotations

import re
from pathlib import Path

import bot
from bot.adapters.slack.listeners import COMMANDS

MANIFEST = Path(bot.__file__).parent / "slack_manifest.yml"


def _list_after(text: str, key: str) -> list[str]:
    """The ``- item`` lines of a YAML block list (comments stripped)."""
    block = text.split(f"{key}:", 1)[1]
    items = []
    for line in block.splitlines()[1:]:
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        match = re.match(r"\s+- (\S+)$", line)
        if not match:
            break
        items.append(match.group(1))
    return items


def test_manifest_commands_match_the_registered_listeners() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    declared = re.findall(r"- command: /(\S+)", text)
    assert sorted(declared) == sorted(COMMANDS)
    assert text.count("should_escape: true") == len(COMMANDS)


def test_manifest_events_and_scopes_are_the_minimum_needed() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert _list_after(text, "bot_events") == [
        "message.channels",
        "message.groups",
        "reaction_added",
    ]
    assert sorted(_list_after(text, "bot")) == sorted(
        [
            "channels:history",
            "groups:history",
            "chat:write",
            "commands",
            "files:write",
            "reactions:read",
            "users:read",
        ]
    )
    assert "socket_mode_enabled: true" in text
