"""A health probe for container orchestrators: ``python -m bot.ops.probe [--config PATH]``.

Fetches ``http://127.0.0.1:<[ops] port>/healthz`` and exits 0 when the bot answers 200, 1
otherwise, printing one line. It imports only the config schema and the standard library, so
a Docker ``HEALTHCHECK`` every 30 s costs milliseconds, not a TensorFlow import.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

from bot.config import ConfigError, load_settings

logger = logging.getLogger(__name__)


def probe(url: str, timeout_s: float = 3.0) -> tuple[bool, str]:
    """GET ``url`` and report whether it answered 200.

    Returns
    -------
    tuple of (bool, str)
        Healthy or not, and a one-line description (the body's failing checks on 503).
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
            return True, f"healthy ({response.status})"
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read().decode("utf-8"))
            failing = [name for name, check in body.get("checks", {}).items() if not check["ok"]]
            return False, f"unhealthy ({exc.code}): failing checks: {', '.join(failing) or '?'}"
        except (ValueError, KeyError, AttributeError, TypeError):
            return False, f"unhealthy ({exc.code})"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, f"no answer from {url}: {reason}"


def health_url(config: str | None = None, host: str = "127.0.0.1") -> str:
    """The local ``/healthz`` URL for ``[ops] port``.

    Raises
    ------
    ConfigError
        For a bad config, or when ``[ops] port`` is 0 (the server is disabled).
    """
    settings = load_settings(config)
    if settings.ops.port == 0:
        raise ConfigError("[ops] port is 0: the health server is disabled, set SENTIBOT_OPS__PORT")
    return f"http://{host}:{settings.ops.port}/healthz"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: exit 0 when healthy, 1 when not, 2 for a bad config."""
    parser = argparse.ArgumentParser(prog="python -m bot.ops.probe", description=__doc__)
    parser.add_argument("--config", default=None, help="path to config.toml")
    parser.add_argument("--url", default=None, help="probe this URL instead of [ops] port")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")
    args = parser.parse_args(argv)
    try:
        url = args.url or health_url(args.config)
    except ConfigError as exc:
        print(f"sentibot probe: {exc}", file=sys.stderr)
        return 2
    healthy, line = probe(url, args.timeout)
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
