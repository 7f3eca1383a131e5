"""Follow a ``/sentiment-dashboard`` answer's link as the person's browser would: a fresh
cookie jar, the sign-in redirect, then the pages and the API with the session cookie."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from bot.dashboard.context import COOKIE

ROW = re.compile(r'<tr[^>]* data-key="([^"]+)"')
LINK = re.compile(r"https?://[^\s<>|]+/login\?t=[^\s<>|]+")


@dataclass
class Session:
    """What a session started from a link shows."""

    channels: list[str]  # channel ids of GET /api/channels, sorted
    page: str  # the overview page's HTML
    rows: list[str]  # the channel ids of the overview page's table rows, sorted
    cookie: aiohttp.CookieJar


def link_in(text: str) -> str:
    """The one sign-in link in an answer's text."""
    [link] = LINK.findall(text)
    return link


async def channels_of(session: aiohttp.ClientSession, base: str) -> list[str]:
    async with session.get(f"{base}/api/channels?since=30d") as answer:
        assert answer.status == 200
        return sorted(c["channel_id"] for c in (await answer.json())["channels"])


async def follow(text: str) -> Session:
    """Sign in with the link in ``text`` and read what the session shows."""
    link = link_in(text)
    parts = urlsplit(link)
    base = f"{parts.scheme}://{parts.netloc}"
    jar = aiohttp.CookieJar(unsafe=True)  # the test server is an IP address
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(link, allow_redirects=False) as answer:
            assert answer.status == 303, answer.status
            assert COOKIE in answer.headers["Set-Cookie"]
            assert "HttpOnly" in answer.headers["Set-Cookie"]
        channels = await channels_of(session, base)
        async with session.get(f"{base}/?since=30d") as answer:
            assert answer.status == 200
            page = await answer.text()
    rows = sorted(key.split("/", 1)[1] for key in ROW.findall(page))
    return Session(channels, page, rows, jar)


async def shows_now(base: str, jar: aiohttp.CookieJar) -> list[str]:
    """The channels an existing session (its cookie ``jar``) shows now."""
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        return await channels_of(session, base)
