"""The Dockerfile and docker-compose.yml cannot be built here (no Docker engine), so check that
everything they name exists and that everything they run works outside Docker."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.cli.main import build_parser
from bot.config import load_settings
from tests import REPO

ROOT = REPO
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = (ROOT / "docker-compose.yml").read_text()


def _instruction(name: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def test_base_image_is_pinned_and_stages_are_used() -> None:
    (arg,) = [a for a in _instruction("ARG") if a.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", arg)
    assert _instruction("FROM") == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE} AS runtime"]
    assert "--from=builder /opt/venv /opt/venv" in _instruction("COPY")


def test_runs_as_non_root() -> None:
    (user,) = _instruction("USER")
    assert not user.startswith(("root", "0"))


def test_copied_sources_exist() -> None:
    for copy in _instruction("COPY"):
        if copy.startswith("--from"):
            continue
        *sources, _ = copy.split()
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_entrypoint_and_commands_exist_outside_docker() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert json.loads(_instruction("ENTRYPOINT")[0]) == ["sentibot"]
    assert scripts["sentibot"] == "bot.cli:main"
    parser = build_parser()
    parser.parse_args(json.loads(_instruction("CMD")[0]))  # ["run"]
    parser.parse_args(["db", "upgrade"])  # the compose migrate service
    healthcheck = _instruction("HEALTHCHECK")[0]
    assert '"python", "-m", "bot.ops.probe"' in healthcheck
    import bot.ops.probe

    assert callable(bot.ops.probe.main)


def test_dockerignore_keeps_what_the_image_needs() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    needed = {"bot", "model", "storage", "config.toml", "pyproject.toml", "README.md"}
    assert not ignored & needed
    assert {".venv", ".git", "var"} <= ignored


def _compose_environment() -> dict[str, str]:
    """``SENTIBOT_*`` values of bot-2 (anchor merged), with ``${X:-default}`` expanded."""
    env: dict[str, str] = {}
    for match in re.finditer(r"^\s+(SENTIBOT_\w+): (.*)$", COMPOSE, re.MULTILINE):
        value = re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", match.group(2).strip()).strip('"')
        env[match.group(1)] = value
    return env


def test_compose_settings_are_valid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _compose_environment()
    assert env["SENTIBOT_STORAGE__URL"].startswith("postgresql+psycopg://sentibot:sentibot@")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(ROOT / "config.toml")
    assert settings.ops.port == 8080
    assert settings.ops.log_format == "json"
    assert settings.discord.shard_count == 2 and settings.discord.shard_ids in ([0], [1])
    assert settings.model.serving_url == "http://model-server:8501"  # thin bots
    assert settings.ops.shutdown_timeout_s < 30  # inside stop_grace_period
    assert "stop_grace_period: 30s" in COMPOSE


def _script(name: str) -> ModuleType:
    """Load ``scripts/NAME.py`` (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_image_installs_exact_pins_of_every_dependency() -> None:
    run = " ".join(_instruction("RUN"))
    assert "pip install -c constraints.txt -r /tmp/requirements.txt" in run
    assert "--no-build-isolation" in run  # the pinned setuptools builds the project
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", line
            pins[canonicalize_name(requirement.name)] = Version(specifier.version)
    wanted = _script("image_requirements").image_requirements(ROOT / "pyproject.toml")
    assert "tensorflow-cpu>=2.21" in wanted and not any(w.startswith("tensorflow>") for w in wanted)
    for line in [*wanted, "pip", "setuptools>=77", "wheel"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"constraints.txt does not pin {name}: run `make constraints`"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} vs {line}"


def test_image_test_is_a_make_target_outside_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "\nimage-test:" in makefile and "\tscripts/image-test.sh" in makefile
    assert "\tscripts/lock-image-deps.sh" in makefile
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "image" not in test_recipe
    for name in ("image-test.sh", "lock-image-deps.sh", "standin-base.sh"):
        assert os.access(ROOT / "scripts" / name, os.X_OK), f"scripts/{name} is not executable"


def test_compose_services_become_run_arguments() -> None:
    compose_args = _script("compose_args")
    service = {
        "environment": {
            "SENTIBOT_STORAGE__URL": "postgresql+psycopg://sentibot:${PW:-sentibot}@postgres/x",
            "SENTIBOT_OPS__PORT": "8080",
            "SLACK_BOT_TOKEN": "${SLACK_BOT_TOKEN:-}",
        },
        "volumes": ["./config.toml:/app/config.toml:ro", "models:/app/var/models"],
        "stdin_open": True,
        "command": ["db", "upgrade"],
    }
    arguments = compose_args.run_arguments(
        service, {"PW": "secret"}, "it-", {"SENTIBOT_OPS__PORT": "9001"}
    )
    assert arguments == [
        "-eSENTIBOT_STORAGE__URL=postgresql+psycopg://sentibot:secret@postgres/x",
        "-eSENTIBOT_OPS__PORT=9001",
        "-eSLACK_BOT_TOKEN=",
        f"-v{ROOT / 'config.toml'}:/app/config.toml:ro",
        "-vit-models:/app/var/models",
        "-i",
        "--",
        "db",
        "upgrade",
    ]


def test_compose_runs_one_model_server_for_thin_bots() -> None:
    server = COMPOSE.split("\n  model-server:", 1)[1].split("\n\n", 1)[0]
    command = json.loads(re.search(r"command: (\[.*\])", server).group(1))
    args = build_parser().parse_args(command)
    assert args.command == "serve" and (args.host, args.port) == ("0.0.0.0", 8501)
    assert "- models:/app/var/models" in server  # follows what the bots retrain
    probe = json.loads(re.search(r"test: (\[.*\])", server).group(1))
    assert probe == ["CMD", "python", "-m", "bot.ops.probe", "--url",
                     "http://127.0.0.1:8501/healthz"]  # fmt: skip
    bots = COMPOSE.split("\nx-bot:", 1)[1].split("\nservices:", 1)[0]
    assert "model-server:\n      condition: service_healthy" in bots
    assert "tf-serving:" in COMPOSE and 'profiles: ["serving"]' in COMPOSE  # still documented
