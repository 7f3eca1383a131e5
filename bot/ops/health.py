"""Health checks for ``/healthz``: model loaded, database reachable, adapters connected, the
message writer running.

A check is an async callable returning a ``CheckResult``. The factories below build the standard
ones from plain callables (``lambda: scorer.version``, ``repository.ping``, a list of adapters,
``lambda: writer.alive``), so this module never imports the core, the model or the storage
package.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.errors import first_line

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 3.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check: ``ok`` and details safe to show (no secrets, no text)."""

    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)


Check = Callable[[], Awaitable[CheckResult]]


class HasConnection(Protocol):
    """What an adapter offers the health check (``bot.core.ports.Adapter`` has both)."""

    name: str

    @property
    def connected(self) -> bool: ...


def _error_line(exc: BaseException) -> str:
    """What ``/healthz`` shows of a failure: the exception's type only.

    Anyone who reaches the port reads ``/healthz``; a driver's message names the database's user,
    host and name (and a URL may carry more), so the text stays out of the body. The operator
    finds the full error in the bot's own log, where the failing call logs it.
    """
    return type(exc).__name__


async def _ping(ping: Callable[[], object]) -> str | None:
    """Call ``ping`` (a sync one in a worker thread); the error line, or ``None`` when fine."""
    try:
        if inspect.iscoroutinefunction(ping):
            await ping()
        else:
            await asyncio.to_thread(ping)
    except Exception as exc:
        logger.debug("health ping failed: %s", first_line(exc, 200, with_type=True))
        return _error_line(exc)
    return None


def model_check(
    version: Callable[[], str | None], ping: Callable[[], object] | None = None
) -> Check:
    """Healthy when ``version()`` is a non-empty model version (and ``ping()`` does not raise).

    ``ping`` is for a model served elsewhere, e.g. ``RemoteScorer.ping`` (TF Serving status).
    """

    async def check() -> CheckResult:
        error = await _ping(ping) if ping is not None else None
        current = version()
        detail: dict[str, Any] = {"version": current}
        if error is not None:
            detail["error"] = error
        return CheckResult(bool(current) and error is None, detail)

    return check


def database_check(ping: Callable[[], object]) -> Check:
    """Healthy when ``ping()`` (e.g. ``repository.ping``) returns without raising.

    A synchronous ``ping`` runs in a worker thread, never on the event loop.
    """

    async def check() -> CheckResult:
        error = await _ping(ping)
        return CheckResult(error is None, {} if error is None else {"error": error})

    return check


def adapters_check(adapters: Callable[[], Iterable[HasConnection]]) -> Check:
    """Healthy when there is at least one adapter and every adapter reports ``connected``."""

    async def check() -> CheckResult:
        states = {adapter.name: bool(adapter.connected) for adapter in adapters()}
        return CheckResult(bool(states) and all(states.values()), {"connected": states})

    return check


def writer_check(
    alive: Callable[[], bool], failure: Callable[[], BaseException | None] = lambda: None
) -> Check:
    """Healthy while the message writer's background task runs (``MessageWriter.alive``).

    A dead writer stores nothing more and, with ack after commit, leaves every Slack event
    unacked: the instance must be restarted, so it is reported unhealthy. The detail names the
    exception's type from ``failure()`` (``MessageWriter.failure``), never its text.
    """

    async def check() -> CheckResult:
        if alive():
            return CheckResult(True, {"alive": True})
        detail: dict[str, Any] = {"alive": False}
        exc = failure()
        if exc is not None:
            detail["error"] = _error_line(exc)
        return CheckResult(False, detail)

    return check


class Health:
    """Runs named checks concurrently, each under a timeout.

    Parameters
    ----------
    checks
        ``{"model": model_check(...), "database": database_check(...), ...}``.
    timeout_s
        A check slower than this counts as failed (``"error": "timed out"``).
    """

    def __init__(self, checks: Mapping[str, Check], timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.checks = dict(checks)
        self.timeout_s = timeout_s

    async def _run_one(self, name: str, check: Check) -> CheckResult:
        try:
            return await asyncio.wait_for(check(), self.timeout_s)
        except TimeoutError:
            return CheckResult(False, {"error": f"timed out after {self.timeout_s:g} s"})
        except Exception as exc:
            logger.debug("health check %s raised %s", name, _error_line(exc))
            return CheckResult(False, {"error": _error_line(exc)})

    async def run(self) -> tuple[bool, dict[str, Any]]:
        """Run every check.

        Returns
        -------
        tuple of (bool, dict)
            Whether all checks passed, and the JSON body:
            ``{"status": "ok" | "unhealthy", "checks": {name: {"ok": bool, ...detail}}}``.
        """
        names = list(self.checks)
        results = await asyncio.gather(*(self._run_one(n, self.checks[n]) for n in names))
        healthy = all(result.ok for result in results)
        body = {
            "status": "ok" if healthy else "unhealthy",
            "checks": {n: {"ok": r.ok, **r.detail} for n, r in zip(names, results, strict=True)},
        }
        return healthy, body
