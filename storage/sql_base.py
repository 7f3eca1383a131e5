"""What every part of ``SqlRepository`` shares: the engine, sessions, and outage handling."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from storage.engine import safe_url, scrub
from storage.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class SqlBase:
    """Holds the engine; each repository method is one transaction on it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session


def unavailable(method: Callable[P, R]) -> Callable[P, R]:
    """Turn connection failures into ``DatabaseUnavailable`` (which the writer retries).

    Parameters
    ----------
    method
        A method of a ``SqlBase`` subclass.

    Returns
    -------
    Callable
        The method, raising ``DatabaseUnavailable`` (naming the database, never its password)
        when the database cannot be reached; other database errors pass unchanged.
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            raise _down(args[0], exc) from exc  # type: ignore[arg-type]
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise _down(args[0], exc) from exc  # type: ignore[arg-type]
            raise

    return wrapper


def _down(repo: SqlBase, exc: DBAPIError) -> DatabaseUnavailable:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    reason = scrub(reason, repo.engine.url)
    return DatabaseUnavailable(f"database {safe_url(repo.engine.url)} unavailable: {reason}")
