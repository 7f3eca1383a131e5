"""``sentibot report`` and ``sentibot models``: reports and model versions from the shell.

- ``sentibot report --channel ID [--platform P] [--since 24h] [--chart FILE]`` prints the same
  report a channel gets in chat, and saves its chart when asked.
- ``sentibot models`` lists the recorded model versions (the active one starred).
- ``sentibot models activate VERSION`` makes a recorded version the active one (rollback);
  running bots switch to it within a minute (their scheduler's model sync).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import load_settings

if TYPE_CHECKING:
    from storage.repository import Repository

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report`` and ``models`` to the ``sentibot`` command line."""
    report = subparsers.add_parser(
        "report",
        help="print a channel's sentiment report",
        description="Print the report a channel gets in chat, from the configured database.",
    )
    report.add_argument("--channel", required=True, help="channel id (as stored)")
    report.add_argument(
        "--platform", default=None, help="slack, discord, shell... (default: the only match)"
    )
    report.add_argument("--since", default="24h", help="period, e.g. 90m, 24h, 7d (default 24h)")
    report.add_argument("--chart", default=None, help="save the chart PNG to this file")
    report.set_defaults(func=_report)

    models = subparsers.add_parser("models", help="list model versions; activate one (rollback)")
    models.set_defaults(func=_list_models)
    sub = models.add_subparsers(dest="models_command")
    activate = sub.add_parser("activate", help="make a recorded model version the active one")
    activate.add_argument("version", help="a version listed by `sentibot models`")
    activate.add_argument("--config", default=argparse.SUPPRESS, help="path to config.toml")
    activate.set_defaults(func=_activate)


def _open(args: argparse.Namespace):  # noqa: ANN202 - returns (settings, database) or None
    """The settings and the open database; ``None`` (the reason printed) when it cannot open."""
    from bot.errors import StartupError
    from bot.factories import open_storage

    settings = load_settings(getattr(args, "config", None))
    try:
        return settings, open_storage(settings)
    except StartupError as exc:
        _fail(str(exc))
        return None


def _fail(message: str) -> int:
    print(f"sentibot: {message}", file=sys.stderr)
    return 1


def _known(repository: Repository) -> set[tuple[str, str]]:
    pairs = set(repository.monitored_channels())
    return pairs | {(s.platform, s.channel) for s in repository.channels()}


def _unknown(channel: str, known: set[tuple[str, str]], platform: str | None) -> str:
    """One line for a channel the database does not know, with the closest ones it does."""
    names = sorted({c for p, c in known if platform is None or p == platform})
    close = difflib.get_close_matches(channel, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    listed = f" (known: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''})"
    return f"no channel {channel!r} in the database{hint}{listed if names else ''}"


def _report(args: argparse.Namespace) -> int:
    from bot.reports.build import build_report, report_settings
    from bot.reports.format import parse_period

    try:
        period = parse_period(args.since)
    except ValueError as exc:
        return _fail(str(exc))
    if (opened := _open(args)) is None:
        return 1
    settings, database = opened
    with database:
        repository = database.repository
        platform = args.platform
        channel = args.channel.lstrip("#")
        known = _known(repository)
        found = sorted(p for p, c in known if c == channel and platform in (None, p))
        if not found:
            return _fail(_unknown(channel, known, platform))
        if platform is None:
            if len(found) != 1:
                return _fail(
                    f"channel {channel} is on {', '.join(found)}; name one with --platform"
                )
            platform = found[0]
        with tempfile.TemporaryDirectory() as scratch:
            reply = asyncio.run(
                build_report(
                    repository,
                    platform,
                    channel,
                    period,
                    **report_settings(
                        settings, chart_dir=Path(scratch) if args.chart else None, plain=True
                    ),
                )
            )
            print(reply.text)
            if args.chart:
                if not reply.files:
                    print("(no chart: nothing to draw for this period)", file=sys.stderr)
                else:
                    target = Path(args.chart)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(reply.files[0], target)
                    print(f"chart saved to {target}")
    return 0


def _list_models(args: argparse.Namespace) -> int:
    if (opened := _open(args)) is None:
        return 1
    with opened[1] as database:
        versions = database.repository.list_model_versions()
    if not versions:
        print("no model versions recorded yet (the configured model serves; retrain to add one)")
        return 0
    for mv in versions:
        mark = "*" if mv.active else " "
        figures = _figures(mv.metrics)
        who = f" by {mv.created_by}" if mv.created_by else ""
        print(f"{mark} {mv.version}  {mv.created_at:%Y-%m-%d %H:%M}{who}  {figures}")
        print(f"    {mv.path}")
    return 0


def _figures(metrics: dict[str, float]) -> str:
    """A version's figures: IMDB accuracy beside held-back corrections, and the corrections
    it trained on (``bot.retrain.promotion.format_figures``); a version recorded before the
    split was kept says how many corrections existed when it trained."""
    from bot.retrain.promotion import TRAINED, format_figures

    shown = format_figures(metrics)
    if "corrections" in metrics and TRAINED not in metrics:
        shown += f", learnt from {int(metrics['corrections'])} correction(s)"
    if "feedback_accuracy" not in metrics:
        shown += " (no held-back corrections measured)"
    return shown


def _activate(args: argparse.Namespace) -> int:
    from storage.errors import UnknownModelVersion

    if (opened := _open(args)) is None:
        return 1
    with opened[1] as database:
        repository = database.repository
        known = {mv.version: mv for mv in repository.list_model_versions()}
        mv = known.get(args.version)
        if mv is None:
            listed = ", ".join(known) or "none recorded"
            return _fail(f"unknown model version {args.version!r} (known: {listed})")
        problem = _check_model_dir(Path(mv.path), mv.version)
        if problem:
            return _fail(f"not activated: {problem}")
        try:
            repository.activate_model_version(args.version)
        except UnknownModelVersion as exc:
            return _fail(str(exc))
    print(f"{args.version} is now the active model; running bots switch to it within a minute.")
    return 0


def _check_model_dir(directory: Path, version: str) -> str | None:
    """A cheap check (no TensorFlow) that ``directory`` still holds ``version``."""
    meta = directory / "metadata.json"
    try:
        found = json.loads(meta.read_text("utf-8")).get("version")
    except (OSError, ValueError) as exc:
        return f"cannot read {meta}: {exc}"
    if found != version:
        return f"{directory} holds model {found!r}, not {version!r}"
    return None
