"""The one composition root: build every part of the bot from ``Settings``.

Parts are passed to each other as constructor arguments; tests swap any of them (a fake
adapter, a fake scorer, an in-memory repository) through ``build_app``'s keyword arguments.
Heavy imports (TensorFlow, SQLAlchemy, platform SDKs) happen inside the functions, so importing
this module loads no model and opens nothing. Every startup failure becomes a ``StartupError``
with one line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from bot.app import App
from bot.config import Secrets, Settings
from bot.core.bot import SentimentBot
from bot.core.ports import Adapter, ReportSchedules, Retrainer
from bot.errors import StartupError
from bot.factories import build_adapter, load_scorer, open_storage
from bot.reports.scheduler import ReportScheduler
from bot.retrain.manager import RetrainManager

if TYPE_CHECKING:
    from bot.ops.metrics import Metrics
    from model.artifact import Artifact
    from model.batcher import BatchScorer as Scorer
    from storage.database import Database
    from storage.repository import Repository
    from storage.writer import MessageWriter

__all__ = ["StartupError", "build_app", "default_retrainer", "default_scheduler"]

logger = logging.getLogger(__name__)

SchedulerFactory: TypeAlias = (
    "Callable[[Settings, Repository, Mapping[str, Adapter], Retrainer | None, Scorer | None], "
    "ReportSchedules]"
)
RetrainerFactory: TypeAlias = "Callable[[Settings, Scorer, Repository, Path | None], Retrainer]"


def default_scheduler(
    settings: Settings,
    repository: Repository,
    adapters: Mapping[str, Adapter],
    retrainer: Retrainer | None,
    scorer: Scorer | None = None,
) -> ReportSchedules:
    """The report scheduler (``bot.reports.scheduler``)."""
    sync = retrainer.sync_active_model if retrainer is not None else None
    return ReportScheduler(settings, repository, adapters, model_sync=sync, scorer=scorer)


def default_retrainer(
    settings: Settings, scorer: Scorer, repository: Repository, config_path: Path | None = None
) -> Retrainer:
    """The admin retrain manager (``bot.retrain.manager``).

    ``config_path`` is handed to the training process so it reads the same configuration. A
    thin bot (``[model] serving_url``), and a bot whose model runs in NumPy (``[model] runtime``),
    read new models' metadata only and score held-back feedback with them in a child process
    (``bot.retrain.thin``): they never import TensorFlow.
    """
    from bot.factories import uses_numpy

    if not settings.model.serving_url and not uses_numpy(settings, "run"):
        return RetrainManager(settings, scorer, repository, config_path=config_path)
    from bot.retrain.thin import CandidateScorer, read_model_files

    # ModelFiles has what the manager reads of an Artifact (version, metadata, directory).
    load = cast("Callable[[Path], Artifact]", read_model_files)
    return RetrainManager(
        settings,
        scorer,
        repository,
        config_path=config_path,
        load_artifact=load,
        make_scorer=lambda files: CandidateScorer(files, config_path),
    )


def build_app(
    settings: Settings,
    *,
    adapter: Adapter | None = None,
    scorer: Scorer | None = None,
    database: Database | None = None,
    repository: Repository | None = None,
    secrets: Secrets | None = None,
    scheduler_factory: SchedulerFactory | None = default_scheduler,
    retrainer_factory: RetrainerFactory | None = default_retrainer,
    config_path: Path | str | None = None,
) -> App:
    """Wire the whole bot.

    Parameters
    ----------
    settings
        The validated configuration.
    adapter, scorer, database, repository
        Parts to use instead of building them (tests pass fakes); with ``repository`` and no
        ``database`` no database is opened.
    secrets
        Platform tokens (from the environment by default).
    scheduler_factory, retrainer_factory
        Build the report scheduler and the retrain manager; ``None`` turns them off.
    config_path
        The configuration file the settings came from (for the retrain's training process).

    Raises
    ------
    StartupError
        One line: missing token, unreachable or outdated database, missing or corrupt model.
    """
    from model.batcher import MicroBatcher
    from storage.writer import MessageWriter

    secrets = secrets or Secrets()
    adapter = adapter or build_adapter(settings, secrets)  # cheap checks first
    if repository is None:
        database = database or open_storage(settings)
        repository = database.repository
    if scorer is None:
        scorer = load_scorer(settings, repository)
    on_start: list[Callable[[], Any]] = []
    on_close: list[Callable[[], Any]] = []
    writer = MessageWriter(
        repository,
        batch_size=settings.storage.batch_size,
        flush_interval_ms=settings.storage.flush_interval_ms,
        buffer_limit=settings.storage.buffer_limit,
        retry_max_s=settings.storage.retry_max_s,
        store_text=settings.privacy.store_text,
    )
    metrics = None
    if settings.ops.port:
        scorer, metrics = _wire_ops(
            settings, scorer, repository, adapter, writer, on_start, on_close
        )
    batcher = MicroBatcher(scorer, settings.scoring.batch_size, settings.scoring.max_wait_ms)
    if metrics is not None:
        metrics.watch_writer(lambda: writer.pending, lambda: writer.errors)
    retrainer = None
    if retrainer_factory is not None:
        path = Path(config_path) if config_path else None
        retrainer = retrainer_factory(settings, scorer, repository, path)
        on_close.append(retrainer.close)  # a running training process is killed
    scheduler = None
    if scheduler_factory is not None:
        scheduler = scheduler_factory(
            settings, repository, {adapter.name: adapter}, retrainer, scorer
        )
    dashboard = None
    if database is not None:  # the dashboard reads the database itself ([dashboard])
        from bot.dashboard.server import wire

        dashboard = wire(settings, database.engine, secrets.dashboard_secret, on_start, on_close)
    bot = SentimentBot(
        settings,
        batcher,
        writer,
        repository,
        retrainer=retrainer,
        scorer=scorer,
        schedules=scheduler,
        post=adapter.post,
        dashboard=dashboard,
    )
    return App(
        settings=settings,
        bot=bot,
        adapter=adapter,
        batcher=batcher,
        writer=writer,
        scorer=scorer,
        repository=repository,
        database=database,
        scheduler=scheduler,
        on_start=on_start,
        on_close=on_close,
    )


def _wire_ops(
    settings: Settings,
    scorer: Scorer,
    repository: Repository,
    adapter: Adapter,
    writer: MessageWriter,
    on_start: list[Callable[[], Any]],
    on_close: list[Callable[[], Any]],
) -> tuple[Scorer, Metrics]:
    """Meter the scorer and serve ``/healthz`` and ``/metrics`` on ``[ops] port``."""
    from bot.ops.health import (
        Health,
        adapters_check,
        database_check,
        model_check,
        writer_check,
    )
    from bot.ops.metrics import MeteredScorer, Metrics
    from bot.ops.server import OpsServer

    metrics = Metrics()
    metered = MeteredScorer(scorer, metrics)
    health = Health(
        {
            # a model served elsewhere (TF Serving) is also pinged: down means unhealthy
            "model": model_check(lambda: metered.version, getattr(scorer, "ping", None)),
            "database": database_check(repository.ping),
            "adapters": adapters_check(lambda: [adapter]),
            # a dead writer stores nothing and (ack after commit) acks nothing: restart it
            "writer": writer_check(lambda: writer.alive, lambda: writer.failure),
        }
    )
    server = OpsServer(health, metrics, port=settings.ops.port, host=settings.ops.host)
    on_start.append(server.start)
    on_close.append(server.stop)
    return metered, metrics
