"""``sentibot dashboard``: serve the web dashboard from the database alone, and print the
operator's sign-in link (``--link``: print a fresh one and exit). No model, no TensorFlow."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

from bot.config import Secrets, Settings, load_settings

if TYPE_CHECKING:
    from bot.dashboard.context import Deps

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``dashboard`` to the ``sentibot`` command line."""
    parser = subparsers.add_parser(
        "dashboard",
        help="serve the web dashboard (every channel's mood) and print the operator's link",
        description="Serve the dashboard on [dashboard] host:port (default 127.0.0.1:8765) from "
        "the database alone, and print a sign-in link for the operator (valid 15 minutes). "
        "Others get theirs with /sentiment-dashboard in chat. See docs/dashboard.md.",
    )
    parser.add_argument("--host", default=None, help="interface (default: [dashboard] host)")
    parser.add_argument("--port", type=int, default=None, help="port (default: [dashboard] port)")
    parser.add_argument("--link", action="store_true", help="print a fresh operator link and exit")
    parser.set_defaults(func=_dashboard)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(getattr(args, "config", None))
    if args.host is not None:
        settings.dashboard.host = args.host
    if args.port is not None:
        settings.dashboard.port = args.port
    return settings


def _dashboard(args: argparse.Namespace) -> int:
    from bot.dashboard.server import base_url, build_deps, operator_link
    from bot.errors import StartupError
    from bot.factories import open_storage

    settings = _settings(args)
    try:
        database = open_storage(settings)
    except StartupError as exc:
        print(f"sentibot dashboard: {exc}", file=sys.stderr)
        return 1
    try:
        deps = build_deps(settings, database.engine, Secrets().dashboard_secret)
        if args.link:
            print(operator_link(deps, base_url(settings)))
            return 0
        return asyncio.run(_serve(settings, deps))
    finally:
        database.close()


async def _serve(settings: Settings, deps: Deps) -> int:
    from bot.dashboard.server import DashboardServer, base_url, operator_link

    server = DashboardServer(deps, host=settings.dashboard.host, port=settings.dashboard.port)
    try:
        await server.start()
    except OSError as exc:
        print(f"sentibot dashboard: {exc}", file=sys.stderr)
        return 1
    base = base_url(settings, server.port)
    print(f"sentibot dashboard: serving on http://{settings.dashboard.host}:{server.port}")
    print("Operator link (sees every channel; valid 15 minutes; 'sentibot dashboard --link' "
          "prints a fresh one):")  # fmt: skip
    print(f"    {operator_link(deps, base)}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.close()
    return 0
