"""``sentibot db upgrade`` and ``sentibot db current``: the database schema from the shell."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import load_settings

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``db`` command and its sub-commands."""
    db = subparsers.add_parser("db", help="database schema: upgrade, current")
    sub = db.add_subparsers(dest="db_command", required=True)
    up = sub.add_parser("upgrade", help="migrate the database to the newest schema")
    up.set_defaults(func=_upgrade)
    current = sub.add_parser(
        "current", help="show the schema revision (exit 1 when an upgrade is needed)"
    )
    current.set_defaults(func=_current)
    for parser in (up, current):
        parser.add_argument("--url", help="database URL (default: [storage] url from the config)")
        parser.add_argument("--config", default=argparse.SUPPRESS, help="path to config.toml")


def _url(args: argparse.Namespace) -> str:
    return args.url or load_settings(getattr(args, "config", None)).storage.url


def _upgrade(args: argparse.Namespace) -> int:
    from storage.engine import safe_url  # SQLAlchemy and Alembic only when the command runs
    from storage.errors import StorageError
    from storage.migrate import upgrade

    url = _url(args)
    try:
        reached = upgrade(url)
    except StorageError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return 1
    print(f"{safe_url(url)}: schema at revision {reached} (newest)")
    return 0


def _current(args: argparse.Namespace) -> int:
    from storage.engine import safe_url
    from storage.errors import StorageError
    from storage.migrate import UPGRADE_HINT, current_revision, head_revision

    url = _url(args)
    try:
        current = current_revision(url)
    except StorageError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return 1
    head = head_revision()
    if current == head:
        print(f"{safe_url(url)}: schema at revision {current} (newest)")
        return 0
    shown = current or "none (empty database)"
    print(f"{safe_url(url)}: schema at revision {shown}, newest is {head}: {UPGRADE_HINT}")
    return 1
