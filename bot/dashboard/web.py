"""The dashboard's aiohttp application: sign-in by link, sessions, security headers, routes.

Nothing is served anonymously but the sign-in route, the 401 page and the static assets. A
session is an HMAC-signed cookie (HttpOnly, SameSite=Lax, Secure over HTTPS, 12 h) whose id is
checked against the logouts in the database on every request; which channels it shows is
decided afresh each time (``bot.dashboard.scope``). Every response carries a strict
Content-Security-Policy: scripts and styles only from this server, no frames, no third party.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiohttp import web

from bot.dashboard import api, views
from bot.dashboard.context import (
    COOKIE,
    DEPS,
    HERE,
    TEMPLATES,
    WHAT_TO_DO,
    Deps,
    Handler,
    claims,
    deps,
    render,
    templates,
    unauthorized,
)
from bot.dashboard.links import LinkError, Revoked, session_for

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CSP, no framing, no sniffing, no referrer (links carry tokens), no caching of pages."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    if isinstance(response, web.HTTPException) and response.status >= 400:
        raise response
    return response


@web.middleware
async def require_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every route but sign-in and assets needs a valid, not logged-out session."""
    if request.path in ("/login", "/favicon.ico") or request.path.startswith("/static/"):
        return await handler(request)
    token = request.cookies.get(COOKIE)
    if not token:
        return unauthorized(request, "You are not signed in.")
    try:
        session = claims(request)
        if await asyncio.to_thread(deps(request).store.is_revoked, session.session_id):
            raise Revoked("This session was logged out.")
        return await handler(request)  # handlers read the session again with ``claims``
    except LinkError as exc:
        response = unauthorized(request, str(exc))
        response.del_cookie(COOKIE, path="/")
        return response


def _secure(request: web.Request) -> bool:
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.secure or forwarded == "https"


async def login(request: web.Request) -> web.StreamResponse:
    """``GET /login?t=TOKEN``: check the link, start a session, go to the overview."""
    d = deps(request)
    try:
        link = d.signer.verify(request.query.get("t", ""), "link")
        if await asyncio.to_thread(d.store.is_revoked, link.session_id):
            raise Revoked("This link was used by a session that has logged out.")
    except LinkError as exc:
        return unauthorized(request, str(exc))
    session = session_for(link)
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        COOKIE,
        d.signer.sign(session),
        max_age=int((session.expires - datetime.now(UTC)).total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )
    logger.info("dashboard session started (%s)", "operator" if link.viewer.operator else "user")
    return response


async def logout(request: web.Request) -> web.Response:
    """``POST /logout``: end the session everywhere (and the link that started it)."""
    session = claims(request)
    await asyncio.to_thread(deps(request).store.revoke, session.session_id, session.expires)
    response = render(request, "logged_out.html", what_to_do=WHAT_TO_DO)
    response.del_cookie(COOKIE, path="/")
    return response


def build_app(d: Deps) -> web.Application:
    """The dashboard application with every route."""
    app = web.Application(middlewares=[security_headers, require_session])
    app[DEPS] = d
    app[TEMPLATES] = templates()
    app.router.add_get("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_static("/static/", HERE / "static")
    views.add_routes(app)
    api.add_routes(app)
    return app
