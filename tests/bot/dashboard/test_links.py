"""Signed links and session tokens: signature, expiry, kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.dashboard.links import (
    LINK,
    LINK_TTL,
    SESSION,
    SESSION_TTL,
    Expired,
    Forged,
    Signer,
    new_link,
    session_for,
)
from storage.dashboard_store import OPERATOR, Viewer

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
ALICE = Viewer("discord", "111", "222")


def token_of(url: str) -> str:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(url).query)["t"][0]


def test_a_link_names_its_viewer_and_lasts_15_minutes() -> None:
    signer = Signer(b"s" * 32)
    url, claims = new_link(signer, ALICE, "https://mood.example.org/", now=NOW)
    assert url.startswith("https://mood.example.org/login?t=")
    back = signer.verify(token_of(url), LINK, now=NOW + LINK_TTL - timedelta(seconds=1))
    assert back.viewer == ALICE and back.session_id == claims.session_id
    with pytest.raises(Expired, match="expired"):
        signer.verify(token_of(url), LINK, now=NOW + LINK_TTL)


def test_a_session_lasts_12_hours_and_is_not_a_link() -> None:
    signer = Signer(b"s" * 32)
    _, link = new_link(signer, OPERATOR, "http://x", now=NOW)
    session = session_for(link, now=NOW)
    token = signer.sign(session)
    assert signer.verify(token, SESSION, now=NOW + SESSION_TTL / 2).viewer.operator
    with pytest.raises(Forged):
        signer.verify(token, LINK, now=NOW)  # a session cookie is not a sign-in link
    with pytest.raises(Expired):
        signer.verify(token, SESSION, now=NOW + SESSION_TTL)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "eyJrIjoibGluayJ9" + t[t.index(".") :],  # body swapped
        lambda t: t.split(".")[0],  # signature cut off
        lambda t: "",
        lambda t: "not a token at all <script>",
    ],
)
def test_a_forged_or_cut_token_is_refused(tamper) -> None:  # noqa: ANN001
    signer = Signer(b"s" * 32)
    url, _ = new_link(signer, ALICE, "http://x", now=NOW)
    with pytest.raises(Forged):
        signer.verify(tamper(token_of(url)), LINK, now=NOW)


def test_another_key_does_not_verify_and_the_key_never_shows() -> None:
    url, _ = new_link(Signer(b"a" * 32), ALICE, "http://x", now=NOW)
    other = Signer(b"b" * 32)
    with pytest.raises(Forged):
        other.verify(token_of(url), LINK, now=NOW)
    assert "b" * 16 not in repr(other)
    with pytest.raises(ValueError, match="16 bytes"):
        Signer(b"short")
