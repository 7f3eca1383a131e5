"""The Slack app manifest asks for exactly the commands, events and scopes the adapter uses.

Its slash commands must be the core registry's, with the same descriptions and usage hints:
edit ``bot.core.commands`` and the manifest together.
"""

from __future__ import annotations

import re
from pathlib import Path

import bot
from bot.adapters.slack.listeners import COMMANDS
from bot.core.commands.registry import slash_commands

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


def _manifest_commands(text: str) -> dict[str, dict[str, str]]:
    """``/name`` -> its other keys, from the manifest's ``slash_commands`` list."""
    block = text.split("slash_commands:", 1)[1].split("\noauth_config:", 1)[0]
    commands: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in block.splitlines():
        match = re.match(r"\s+(- )?(\w+): (.*)$", line.split(" #", 1)[0])
        if not match or line.lstrip().startswith("#"):
            continue
        if match.group(1):
            current = {}
        key, value = match.group(2), match.group(3).strip()
        current[key] = value[1:-1] if value.startswith('"') else value
        if key == "command":
            commands[value.lstrip("/")] = current
    return commands


def test_manifest_slash_commands_are_the_registry() -> None:
    declared = _manifest_commands(MANIFEST.read_text(encoding="utf-8"))
    expected = {
        spec.name: {
            "command": f"/{spec.name}",
            "description": spec.description,
            **({"usage_hint": spec.usage_hint} if spec.usage_hint else {}),
            "should_escape": "true",
        }
        for spec in slash_commands()
    }
    assert declared == expected, "bot/slack_manifest.yml drifted from bot.core.commands"


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
