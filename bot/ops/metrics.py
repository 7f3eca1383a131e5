"""Prometheus metrics for one bot process, in their own registry.

``Metrics`` owns a dedicated ``CollectorRegistry`` (never the global one), so two bots in one
process or two tests never share counters. The core records through small methods
(``observe_scores``), or wraps its scorer in ``MeteredScorer`` and binds the writer with
``watch_writer``, so neither the model nor the storage package imports this module.

Exposed series (``sentibot_`` prefix):

- ``messages_scored_total{label}``: scored messages by label (``unscored`` included);
- ``scoring_latency_seconds``: histogram of one scoring call (one micro-batch);
- ``scoring_errors_total``: scoring calls that raised;
- ``writer_queue_depth``: messages waiting in the writer's buffer;
- ``database_errors_total``: failed database operations (the writer's count plus
  ``database_error()`` calls);
- ``model_info{version}``: the model version being served.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from model.batcher import BatchScorer as Scorer
from model.types import Score

logger = logging.getLogger(__name__)

PREFIX = "sentibot"
# Scoring a micro-batch takes from about a millisecond to seconds (a remote server, a cold graph).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _DatabaseErrors(Collector):
    """``database_errors_total``: own increments plus every bound source, read at scrape time."""

    def __init__(self) -> None:
        self.count = 0
        self.sources: list[Callable[[], int]] = []

    def collect(self) -> Iterator[Metric]:
        total = self.count
        for source in self.sources:
            try:
                total += int(source())
            except Exception:  # a broken source must not break /metrics
                logger.exception("database error source failed")
        family = CounterMetricFamily(
            f"{PREFIX}_database_errors", "Failed database operations (writes, pings, queries)."
        )
        family.add_metric([], total)
        yield family


class Metrics:
    """The bot's counters, gauges and histogram.

    Parameters
    ----------
    registry
        Where to register; a fresh ``CollectorRegistry`` by default.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.scored = Counter(
            f"{PREFIX}_messages_scored",
            "Messages scored, by label.",
            ["label"],
            registry=self.registry,
        )
        self.scoring_latency = Histogram(
            f"{PREFIX}_scoring_latency_seconds",
            "Time to score one batch of messages.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.scoring_errors = Counter(
            f"{PREFIX}_scoring_errors", "Scoring calls that raised.", registry=self.registry
        )
        self.queue_depth = Gauge(
            f"{PREFIX}_writer_queue_depth",
            "Scored messages waiting to be written to the database.",
            registry=self.registry,
        )
        self.model = Info(f"{PREFIX}_model", "The model being served.", registry=self.registry)
        self._database_errors = _DatabaseErrors()
        self.registry.register(self._database_errors)

    def observe_scores(self, scores: Iterable[Score], seconds: float | None = None) -> None:
        """Count ``scores`` by label and, when given, record how long scoring took."""
        for score in scores:
            self.scored.labels(label=str(score.label)).inc()
        if seconds is not None:
            self.scoring_latency.observe(seconds)

    def set_model_version(self, version: str) -> None:
        """Publish the version of the model now serving (after loading or a swap)."""
        self.model.info({"version": version})

    def database_error(self) -> None:
        """Count one failed database operation not already counted by a bound writer."""
        self._database_errors.count += 1

    def watch_writer(self, pending: Callable[[], int], errors: Callable[[], int]) -> None:
        """Read the writer's queue depth and error count at every scrape.

        Parameters
        ----------
        pending
            E.g. ``lambda: writer.pending``.
        errors
            E.g. ``lambda: writer.errors`` (a running total).
        """
        self.queue_depth.set_function(lambda: float(pending()))
        self._database_errors.sources.append(errors)


class MeteredScorer:
    """Wrap a scorer so that every ``score_many`` call is counted and timed.

    Everything else (``version``, ``swap``...) is passed through; ``swap`` also updates
    ``model_info``.
    """

    def __init__(self, scorer: Scorer, metrics: Metrics) -> None:
        self._scorer = scorer
        self._metrics = metrics
        metrics.set_model_version(scorer.version)

    @property
    def version(self) -> str:
        """The wrapped scorer's model version."""
        return self._scorer.version

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Score through the wrapped scorer, recording labels and latency."""
        start = time.perf_counter()
        try:
            scores = self._scorer.score_many(texts)
        except Exception:
            self._metrics.scoring_errors.inc()
            raise
        self._metrics.observe_scores(scores, time.perf_counter() - start)
        return scores

    def swap(self, artifact: object) -> None:
        """Swap the wrapped scorer's model and publish the new version."""
        self._scorer.swap(artifact)
        self._metrics.set_model_version(self._scorer.version)

    def __getattr__(self, name: str) -> object:
        return getattr(self._scorer, name)
