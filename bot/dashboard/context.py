"""What every dashboard route shares: its collaborators, templates, the signed-in viewer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import jinja2
from aiohttp import web

from bot.dashboard.links import SESSION, Claims, Signer
from storage.dashboard_queries import DashboardReader
from storage.dashboard_store import DashboardStore, Viewer

HERE = Path(__file__).parent
COOKIE = "sentibot_dashboard"
WHAT_TO_DO = (
    "Run /sentiment-dashboard in your server or workspace for a fresh link (valid 15 minutes). "
    "Operators: run 'sentibot dashboard --link'."
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Options:
    """What the pages need from the configuration."""

    store_text: bool = False
    neutral: tuple[float, float] = (0.4, 0.6)
    min_messages: int = 5
    default_cron: str = "0 9 * * *"
    timezone: str = "UTC"  # the report schedule's ([reports] timezone)
    alert_window: timedelta = timedelta(hours=6)
    poll_seconds: int = 15


@dataclass(frozen=True, slots=True)
class Deps:
    """The dashboard's collaborators (``bot.dashboard.server.build_deps`` makes them)."""

    reader: DashboardReader
    store: DashboardStore
    signer: Signer
    options: Options


DEPS = web.AppKey("deps", Deps)
TEMPLATES = web.AppKey("templates", jinja2.Environment)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _when(value: str | None) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM`` UTC (``never`` for none)."""
    return "never" if not value else value[:16].replace("T", " ")


def templates() -> jinja2.Environment:
    """The Jinja2 environment: autoescape on for every template, a few number filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(pct=_pct, num=_num, signed=_signed, when=_when)
    return env


def render(request: web.Request, name: str, status: int = 200, **context: object) -> web.Response:
    """A page from ``templates/``, escaped."""
    html = request.app[TEMPLATES].get_template(name).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def deps(request: web.Request) -> Deps:
    """The app's collaborators."""
    return request.app[DEPS]


def claims(request: web.Request) -> Claims:
    """The request's session (``require_session`` checked it is valid and not logged out).

    Raises ``LinkError`` when it is not (``require_session`` answers that with a 401).
    """
    return deps(request).signer.verify(request.cookies.get(COOKIE, ""), SESSION)


def viewer(request: web.Request) -> Viewer:
    """The signed-in viewer."""
    return claims(request).viewer


def unauthorized(request: web.Request, reason: str) -> web.Response:
    """401: JSON under ``/api/``, a plain page elsewhere; never says what is behind it."""
    if request.path.startswith("/api/"):
        return web.json_response({"error": reason, "what_to_do": WHAT_TO_DO}, status=401)
    return render(request, "401.html", status=401, reason=reason, what_to_do=WHAT_TO_DO)
