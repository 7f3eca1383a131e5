"""Who may run admin commands on Slack: configured user ids, or workspace admins and owners."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)


class SlackAdmins:
    """Answers "is this user an admin?", caching ``users.info`` answers for ``ttl_s`` seconds.

    Parameters
    ----------
    client
        The Web API client (``users:read`` scope).
    admin_ids
        User ids from ``[admins] slack``; always admins, no API call.
    ttl_s
        How long a ``users.info`` answer is trusted.
    """

    def __init__(self, client: AsyncWebClient, admin_ids: Iterable[str], ttl_s: float = 600.0):
        self._client = client
        self._ids = frozenset(admin_ids)
        self._ttl_s = ttl_s
        self._cache: dict[str, tuple[bool, float]] = {}

    async def is_admin(self, user_id: str) -> bool:
        """Whether ``user_id`` is listed in config or is a workspace admin or owner.

        A failed ``users.info`` call counts as "not an admin" (and is not cached), so an API
        outage can never grant admin rights.
        """
        if user_id in self._ids:
            return True
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as exc:
            logger.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return False
        except (TimeoutError, aiohttp.ClientError) as exc:
            logger.warning("users.info failed for %s: %s", user_id, type(exc).__name__)
            return False
        user = response.get("user") or {}
        answer = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        self._cache[user_id] = (answer, now + self._ttl_s)
        return answer
