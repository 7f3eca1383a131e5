"""Print the ``podman run`` / ``docker run`` arguments of one docker-compose.yml service, one per
line, so scripts/image-test.sh runs the compose services by hand where there is no compose tool:
``-e NAME=VALUE`` for its environment (anchors merged, ``${X:-default}`` expanded from this
process's environment), ``-v`` for its volumes (named volumes prefixed with ``--prefix``,
``./path`` made absolute), ``-i`` for ``stdin_open``, then ``--`` and its command, if any.

Usage: ``python3 scripts/compose_args.py SERVICE [--prefix P] [--set NAME=VALUE ...]``
(``--set`` replaces or adds an environment variable). Needs PyYAML.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def expand(value: str, environ: dict[str, str]) -> str:
    """Expand compose's ``${X}`` and ``${X:-default}`` (an empty ``X`` takes the default)."""
    return VARIABLE.sub(lambda m: environ.get(m.group(1)) or (m.group(2) or ""), value)


def run_arguments(
    service: dict[str, Any], environ: dict[str, str], prefix: str, overrides: dict[str, str]
) -> list[str]:
    """The ``run`` arguments for one compose service (see the module docstring)."""
    arguments: list[str] = []
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    values = {name: expand(str(value), environ) for name, value in environment.items()}
    values.update(overrides)
    arguments += [f"-e{name}={value}" for name, value in values.items()]
    for volume in service.get("volumes") or []:
        source, _, target = str(volume).partition(":")
        if source.startswith((".", "/")):
            source = str((ROOT / source).resolve())
        else:
            source = f"{prefix}{source}"
        arguments.append(f"-v{source}:{target}")
    if service.get("stdin_open"):
        arguments.append("-i")
    command = service.get("command")
    if command:
        arguments.append("--")
        arguments += [str(part) for part in command] if isinstance(command, list) else [command]
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Print the arguments of the named service; exit status 2 for an unknown service."""
    import yaml

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service")
    parser.add_argument("--file", type=Path, default=ROOT / "docker-compose.yml")
    parser.add_argument("--prefix", default="")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    services = yaml.safe_load(args.file.read_text(encoding="utf-8"))["services"]
    if args.service not in services:
        print(f"no service {args.service!r} in {args.file}", file=sys.stderr)
        return 2
    overrides = dict(item.split("=", 1) for item in args.set)
    for line in run_arguments(services[args.service], dict(os.environ), args.prefix, overrides):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
