"""Signed dashboard links and session tokens (HMAC-SHA256 over a small JSON payload).

A *link* (``/login?t=...``) is valid for ``LINK_TTL`` and names the platform, server/workspace
and user it was made for (or the operator); following it starts a *session* of ``SESSION_TTL``
with the same identity and session id. Logging out revokes the session id in the database, which
ends the session and makes the link that started it useless too, on every instance. Tokens
carry no secret and nothing private (ids only); the key never leaves the process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from pydantic import SecretStr

from storage.dashboard_store import DashboardStore, Viewer

LINK_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
LINK, SESSION = "link", "session"


class LinkError(Exception):
    """A token that cannot be used; ``str()`` says why, in words for the person holding it."""


class Expired(LinkError):
    """The link or session is past its time."""


class Forged(LinkError):
    """The token was not signed with this dashboard's key, or is malformed."""


class Revoked(LinkError):
    """The session was logged out."""


@dataclass(frozen=True, slots=True)
class Claims:
    """What a valid token says: who, which session, what kind, until when."""

    viewer: Viewer
    session_id: str
    kind: str
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Makes and checks tokens with one key.

    Parameters
    ----------
    key
        The signing key (``SENTIBOT_DASHBOARD_SECRET`` or the database's generated one).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the dashboard signing secret must be at least 16 bytes")
        self._key = key

    def __repr__(self) -> str:  # never show the key
        return "Signer(<key hidden>)"

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def sign(self, claims: Claims) -> str:
        """The token for ``claims``."""
        payload = {
            "k": claims.kind,
            "p": claims.viewer.platform,
            "w": claims.viewer.workspace,
            "u": claims.viewer.user_id,
            "s": claims.session_id,
            "e": int(claims.expires.timestamp()),
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str, kind: str, now: datetime | None = None) -> Claims:
        """The claims of a valid, unexpired token of ``kind``.

        Raises
        ------
        Forged
            A bad signature, a malformed token, or a token of another kind.
        Expired
            A genuine token past its time.
        """
        body, _, mac = token.strip().partition(".")
        if not body or not hmac.compare_digest(mac.encode("ascii", "replace"),
                                               self._mac(body).encode("ascii")):  # fmt: skip
            raise Forged("This link is not one of this dashboard's (it may be cut short).")
        try:
            data = json.loads(_unb64(body))
            viewer = Viewer(str(data["p"]), str(data["w"]), str(data["u"]))
            claims = Claims(viewer, str(data["s"]), str(data["k"]),
                            datetime.fromtimestamp(int(data["e"]), UTC))  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise Forged("This link is malformed.") from exc
        if claims.kind != kind:
            raise Forged("This token cannot be used here.")
        if claims.expires <= (now or datetime.now(UTC)):
            raise Expired("This link has expired." if kind == LINK else "Your session has expired.")
        return claims


def new_link(
    signer: Signer, viewer: Viewer, base_url: str, now: datetime | None = None
) -> tuple[str, Claims]:
    """A fresh login link for ``viewer`` (valid ``LINK_TTL``) and its claims."""
    claims = Claims(viewer, secrets.token_urlsafe(16), LINK, (now or datetime.now(UTC)) + LINK_TTL)
    return f"{base_url.rstrip('/')}/login?t={quote(signer.sign(claims))}", claims


def session_for(link: Claims, now: datetime | None = None) -> Claims:
    """The session a followed link starts: same viewer and session id, ``SESSION_TTL`` long."""
    return Claims(link.viewer, link.session_id, SESSION, (now or datetime.now(UTC)) + SESSION_TTL)


def signer_for(store: DashboardStore, secret: SecretStr | None) -> Signer:
    """The signer: ``SENTIBOT_DASHBOARD_SECRET`` when set, else the database's shared key."""
    if secret is not None:
        return Signer(secret.get_secret_value().encode("utf-8"))
    return Signer(store.signing_secret())
