"""Startup checks and the heavy parts built from ``Settings``: adapter, scorer, database.

Each failure becomes a ``StartupError`` with one line saying why and what to do. Heavy imports
(TensorFlow, SQLAlchemy, platform SDKs) happen inside the functions.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Secrets, Settings
from bot.core.ports import Adapter
from bot.errors import StartupError, first_line

if TYPE_CHECKING:
    from model.batcher import BatchScorer as Scorer
    from model.numpy_runtime import NumpyScorer
    from model.remote import RemoteScorer
    from model.service import Scorer as TensorFlowScorer
    from storage.database import Database
    from storage.repository import Repository

logger = logging.getLogger(__name__)

ONE_SHOT = ("score", "explain")  # the commands ``[model] runtime = "auto"`` runs in NumPy


def choose_adapter(settings: Settings, secrets: Secrets, *, explain: bool = True) -> str:
    """The adapter to run: ``[bot] adapter``, with ``auto`` picking by the tokens present and
    saying (``explain``) why a platform whose token is set was skipped."""
    name, notes = _pick_adapter(settings, secrets)
    for level, note in notes if explain else ():
        logger.log(level, "auto: %s", note)
    return name


def _pick_adapter(settings: Settings, secrets: Secrets) -> tuple[str, list[tuple[int, str]]]:
    """The adapter and, for ``auto``, the lines that explain the choice."""
    if settings.bot.adapter != "auto":
        return settings.bot.adapter, []
    if secrets.slack_bot_token is not None:
        if secrets.discord_token is None:
            return "slack", []
        return "slack", [
            (
                logging.WARNING,
                "SLACK_BOT_TOKEN and DISCORD_TOKEN are both set; running Slack, DISCORD_TOKEN "
                "ignored (run a second instance with --adapter discord)",
            )
        ]
    notes = []
    if secrets.slack_app_token is not None or secrets.slack_signing_secret is not None:
        notes.append(
            (logging.WARNING, "a Slack token is set but SLACK_BOT_TOKEN is not: Slack skipped")
        )
    if secrets.discord_token is not None:
        return "discord", notes
    return "shell", [*notes, (logging.INFO, "no platform token set: the shell in this terminal")]


def build_adapter(settings: Settings, secrets: Secrets) -> Adapter:
    """Build the configured chat adapter; a missing token is a ``StartupError``."""
    name = choose_adapter(settings, secrets)
    if name == "shell":
        from bot.adapters.shell import ShellAdapter

        return ShellAdapter(channel=settings.bot.shell_channel)
    if name == "discord" and secrets.discord_token is None:
        raise StartupError("the discord adapter needs DISCORD_TOKEN in the environment")
    if name == "slack" and secrets.slack_bot_token is None:
        raise StartupError("the slack adapter needs SLACK_BOT_TOKEN in the environment")
    try:
        if name == "slack":
            from bot.adapters.slack.adapter import SlackAdapter

            return SlackAdapter(settings.slack, settings.admins, secrets)
        from bot.adapters.discord.adapter import DiscordAdapter

        return DiscordAdapter(settings.discord, settings.admins, secrets)
    except ConfigError as exc:
        raise StartupError(str(exc)) from None


def load_scorer(settings: Settings, repository: Repository | None = None) -> Scorer:
    """Load the model to serve.

    With ``[model] serving_url`` set, scores come from a model server (``sentibot serve`` or TF
    Serving, through ``model.remote``; no TensorFlow here): the endpoint must answer one
    prediction now (``RemoteScorer.connect``), else the bot does not start. Otherwise the
    database's active model version (given a ``repository``) is served when its directory
    loads; else the configured model (``[model] path``, or the bundled one), with a log line.
    """
    if settings.model.serving_url:
        return connect_remote(settings)
    return load_local_scorer(settings, repository)


def uses_numpy(settings: Settings, command: str) -> bool:
    """Whether ``command`` runs the model with ``model.numpy_runtime`` (``[model] runtime``).

    ``"numpy"``: always; ``"tensorflow"``: never; ``"auto"``: for the one-shot commands
    (``score``, ``explain``: start-up is their cost), not for ``run`` (TensorFlow scores large
    batches faster: ``benchmarks/scoring.py``).
    """
    runtime = settings.model.runtime
    return runtime == "numpy" or (runtime == "auto" and command in ONE_SHOT)


def load_numpy_scorer(settings: Settings, directory: Path) -> NumpyScorer | None:
    """The model in ``directory`` run by ``model.numpy_runtime``, or ``None`` (one log line)
    when it holds a layer or setting that runtime does not compute: TensorFlow runs it then."""
    from model.numpy_runtime import NumpyScorer, UnsupportedModel

    try:
        scorer = NumpyScorer.from_directory(directory, settings.scoring)
    except UnsupportedModel as exc:
        level = logging.WARNING if settings.model.runtime == "numpy" else logging.INFO
        logger.log(level, "the model in %s runs in TensorFlow: %s", directory, exc)
        return None
    logger.info("model %s runs in NumPy (no TensorFlow)", scorer.version)
    return scorer


def model_loader(
    settings: Settings, command: str = "run"
) -> Callable[[Path], NumpyScorer | TensorFlowScorer]:
    """Loads a model directory as a scorer in this process: with ``model.numpy_runtime`` when
    ``uses_numpy`` and the model allows, else with TensorFlow (imported only then)."""

    def load(directory: Path) -> NumpyScorer | TensorFlowScorer:
        if uses_numpy(settings, command):
            light = load_numpy_scorer(settings, Path(directory))
            if light is not None:
                return light
        from bot.tfimport import import_tensorflow

        import_tensorflow()  # its native start-up lines go to the log file, not the terminal
        from model.service import Scorer

        return Scorer.from_directory(directory, settings.scoring)

    return load


def load_local_scorer(
    settings: Settings, repository: Repository | None = None, *, command: str = "run"
) -> NumpyScorer | TensorFlowScorer:
    """The model in this process (``model_loader``): the database's active version when its
    directory loads (given a ``repository``), else the configured model (``load_scorer``).

    Raises
    ------
    StartupError
        When the configured model is missing or broken.
    """
    from bot.retrain.versions import active_scorer

    load = model_loader(settings, command)
    directory = settings.model.directory
    if repository is not None:
        active = active_scorer(repository, load, fallback=f"the configured model in {directory}")
        if active is not None:
            return active
    try:
        return load(directory)
    except Exception as exc:  # anything while loading is a missing or broken model directory
        artifact = sys.modules.get("model.artifact")
        if artifact is not None and isinstance(exc, artifact.ModelLoadError):
            raise StartupError(str(exc)) from None
        raise StartupError(f"cannot load the model in {directory}: {first_line(exc)}") from None


def connect_remote(settings: Settings) -> RemoteScorer:
    """A ``model.remote.RemoteScorer`` for ``[model] serving_url`` that has answered once.

    Raises
    ------
    StartupError
        When the endpoint is unreachable or answers with an error (one line, naming the URL).
    """
    from model.remote import RemoteScorer, RemoteScoringError

    scorer = RemoteScorer(settings.model.serving_url, settings.scoring)
    try:
        scorer.connect()
    except RemoteScoringError as exc:
        scorer.close()
        raise StartupError(
            f"{first_line(exc)} (check [model] serving_url and that TF Serving is running)"
        ) from None
    return scorer


def open_storage(settings: Settings) -> Database:
    """Open (and on SQLite, create and migrate) the database; check it answers."""
    from storage.database import open_database
    from storage.engine import safe_url
    from storage.errors import SchemaOutOfDate

    try:
        where = safe_url(settings.storage.url)
    except Exception:
        raise StartupError(
            f"[storage] url is not a database URL: {settings.storage.url!r}"
        ) from None
    try:
        database = open_database(settings.storage)
    except SchemaOutOfDate as exc:
        raise StartupError(str(exc)) from None
    except Exception as exc:
        raise StartupError(f"database {where} is unreachable: {first_line(exc)}") from None
    try:
        database.repository.ping()
    except Exception as exc:
        database.close()
        raise StartupError(f"database {where} is unreachable: {first_line(exc)}") from None
    return database


def check_credentials(settings: Settings, secrets: Secrets, name: str) -> None:
    """Ask the platform whether its token is good, before the model is loaded (seconds).

    Slack: ``auth.test``; Discord: the login call (``GET /users/@me``). A rejected token is a
    ``StartupError`` in plain words; a platform that cannot be reached is logged and left to the
    adapter, which retries, so a network blip at start does not stop the bot.

    ``name`` is the adapter that will run (``choose_adapter``).

    Raises
    ------
    StartupError
        When the platform rejects the token.
    """
    try:
        if name == "slack" and secrets.slack_bot_token is not None:
            _check_slack(settings, secrets.slack_bot_token.get_secret_value())
        elif name == "discord" and secrets.discord_token is not None:
            asyncio.run(_check_discord(secrets.discord_token.get_secret_value()))
    except StartupError:
        raise
    except Exception as exc:  # unreachable, timed out: the adapter tries again
        logger.warning("could not check the %s token now (%s)", name, type(exc).__name__)


def _check_slack(settings: Settings, token: str) -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    try:
        WebClient(token=token, base_url=settings.slack.api_base_url, timeout=10).auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise StartupError(
            f"Slack rejected SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token "
            "(xoxb-...) from your app's OAuth & Permissions page"
        ) from None


async def _check_discord(token: str) -> None:
    import discord
    from discord.http import HTTPClient

    http = HTTPClient(asyncio.get_running_loop())
    try:
        await asyncio.wait_for(http.static_login(token), 15)
    except discord.LoginFailure:
        raise StartupError(
            "Discord rejected DISCORD_TOKEN: copy the token from your application's Bot page "
            "(Reset Token) into DISCORD_TOKEN"
        ) from None
    finally:
        await http.close()
