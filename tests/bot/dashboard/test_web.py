"""The dashboard over HTTP, on SQLite and PostgreSQL: sign-in, sessions, scope, every API answer,
escaping and the security headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient

from bot.dashboard.context import Deps
from bot.dashboard.links import new_link
from bot.dashboard.web import COOKIE
from storage.dashboard_store import OPERATOR, Grant, Viewer
from storage.types import ChannelSettings
from tests.bot.dashboard.conftest import ALICE, XSS


def path_of(url: str) -> str:
    return url[url.index("/login") :]


async def sign_in(client: TestClient, deps: Deps, viewer: Viewer = ALICE) -> str:
    """Follow a fresh link; returns the session id."""
    url, claims = new_link(deps.signer, viewer, "http://dash")
    answer = await client.get(path_of(url), allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"] == "/"
    return claims.session_id


async def names(client: TestClient, query: str = "") -> list[str]:
    answer = await client.get(f"/api/channels{query}")
    assert answer.status == 200
    return [c["channel_id"] for c in (await answer.json())["channels"]]


async def test_nothing_is_served_without_a_session(client: TestClient) -> None:
    for path in ("/", "/model", "/channel/slack/C1", "/api/channels", "/api/model"):
        answer = await client.get(path)
        assert answer.status == 401, path
    page = await (await client.get("/")).text()
    assert "Run /sentiment-dashboard" in page
    body = await (await client.get("/api/channels")).json()
    assert body["error"] and "sentibot dashboard --link" in body["what_to_do"]


async def test_the_session_cookie_is_httponly_lax_and_secure_over_https(
    client: TestClient, deps: Deps
) -> None:
    url, _ = new_link(deps.signer, ALICE, "http://dash")
    plain = await client.get(path_of(url), allow_redirects=False)
    cookie = plain.headers["Set-Cookie"]
    assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie and "Max-Age=43" in cookie  # 12 h = 43200 s
    proxied = await client.get(
        path_of(url), allow_redirects=False, headers={"X-Forwarded-Proto": "https"}
    )
    assert "Secure" in proxied.headers["Set-Cookie"]


async def test_a_person_sees_exactly_their_servers_granted_channels(
    client: TestClient, deps: Deps
) -> None:
    await sign_in(client, deps)
    assert await names(client) == ["C1"]  # not C2 (not granted), not C3 (another server)
    for hidden in ("/channel/slack/C2", "/channel/slack/C3", "/api/channels/slack/C3",
                   "/channel/slack/nope"):  # fmt: skip
        assert (await client.get(hidden)).status == 404, hidden
    assert (await client.get("/channel/slack/C1")).status == 200


async def test_the_rule_is_checked_again_on_every_request(client: TestClient, deps: Deps) -> None:
    await sign_in(client, deps)
    deps.store.replace_grants(ALICE, [Grant("C1", "general"), Grant("C2", "random")])
    assert await names(client) == ["C1", "C2"]
    deps.store.replace_grants(ALICE, [Grant("C2", "random")])  # the rule said no to C1 now
    assert await names(client) == ["C2"]
    assert (await client.get("/api/channels/slack/C1")).status == 404
    # A channel that opts out disappears at once.
    repo = deps.reader.engine  # noqa: F841 - the same database the reader reads
    from storage.sql_repository import SqlRepository

    SqlRepository(deps.reader.engine).set_channel(ChannelSettings("slack", "C2", "T1", True))
    assert await names(client) == []


async def test_the_operator_sees_every_channel(client: TestClient, deps: Deps) -> None:
    await sign_in(client, deps, OPERATOR)
    assert sorted(await names(client)) == ["C1", "C2", "C3"]
    me = await (await client.get("/api/me")).json()
    assert me["operator"] is True


async def test_logout_ends_the_session_and_the_link(client: TestClient, deps: Deps) -> None:
    url, _ = new_link(deps.signer, ALICE, "http://dash")
    await client.get(path_of(url), allow_redirects=False)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value
    answer = await client.post("/logout")
    assert answer.status == 200 and "Logged out" in await answer.text()
    assert (await client.get("/api/channels")).status == 401
    replayed = await client.get("/api/channels", headers={"Cookie": f"{COOKIE}={cookie}"})
    assert replayed.status == 401  # the old cookie, sent again by hand
    again = await client.get(path_of(url), allow_redirects=False)
    assert again.status == 401 and "logged out" in await again.text()


async def test_expired_and_forged_links_get_a_401_page_saying_what_to_do(
    client: TestClient, deps: Deps
) -> None:
    old, _ = new_link(deps.signer, ALICE, "http://dash", now=datetime.now(UTC) - timedelta(hours=1))
    answer = await client.get(path_of(old), allow_redirects=False)
    assert answer.status == 401
    page = await answer.text()
    assert "expired" in page and "/sentiment-dashboard" in page
    forged = await client.get("/login?t=eyJrIjoibGluayJ9.AAAA", allow_redirects=False)
    assert forged.status == 401 and COOKIE not in forged.headers.get("Set-Cookie", "")


async def test_overview_answer(client: TestClient, deps: Deps) -> None:
    await sign_in(client, deps)
    body = await (await client.get("/api/channels?since=24h")).json()
    (c1,) = body["channels"]
    assert {k: c1[k] for k in ("platform", "server_id", "channel_id", "name")} == {
        "platform": "slack", "server_id": "T1", "channel_id": "C1", "name": "general"}  # fmt: skip
    assert c1["messages"] == 14 and c1["unscored"] == 1
    assert 0 < c1["mean"] < 1 and c1["previous_mean"] == 0.9
    assert round(c1["change"], 3) == round(c1["mean"] - 0.9, 3)
    assert round(c1["negative"] + c1["neutral"] + c1["positive"], 2) == 1.0
    assert len(c1["spark"]) == 24 and c1["alert"] == "ok" and c1["last_report"] is None
    week = await (await client.get("/api/channels?since=7d")).json()
    assert week["channels"][0]["messages"] == 15 and len(week["channels"][0]["spark"]) in (7, 8)
    assert (await client.get("/api/channels?since=1y")).status == 400


async def test_filter_and_sort(client: TestClient, deps: Deps) -> None:
    await sign_in(client, deps, OPERATOR)
    assert await names(client, "?sort=mean&order=desc") == ["C2", "C1", "C3"]
    assert await names(client, "?sort=mean&order=asc") == ["C3", "C1", "C2"]
    assert await names(client, "?server=T2") == ["C3"]
    assert await names(client, "?platform=discord") == []


async def test_channel_answer(client: TestClient, deps: Deps) -> None:
    await sign_in(client, deps)
    c = await (await client.get("/api/channels/slack/C1?since=24h")).json()
    assert c["name"] == "general" and c["messages"] == 14 and c["unscored"] == 1
    assert c["unscored_by_reason"] == {"too_long": 1}
    assert sum(h["messages"] for h in c["hourly"]) == 14
    assert len(c["heatmap"]) == 7 and all(len(row) == 24 for row in c["heatmap"])
    assert sum(cell["messages"] for row in c["heatmap"] for cell in row) == 15
    assert c["report_schedule"] == "0 9 * * *" and c["alerts"] == [] and c["reports"] == []
    assert c["most_negative"][0]["text"] == XSS and c["most_negative"][0]["link"] is None
    assert c["report_timezone"] == "UTC"


async def test_model_answer(client: TestClient, deps: Deps) -> None:
    from storage.sql_repository import SqlRepository
    from storage.types import ModelVersion

    repo = SqlRepository(deps.reader.engine)
    now = datetime.now(UTC)
    repo.add_model_version(ModelVersion("v1", "/m/1", {"accuracy": 0.85}, True, now - timedelta(1)))
    repo.add_model_version(ModelVersion("v2", "/m/2", {"accuracy": 0.88, "corrections": 12.0},
                                        True, now, "retrain"))  # fmt: skip
    await sign_in(client, deps)
    body = await (await client.get("/api/model")).json()
    assert body["active"]["version"] == "v2" and body["active"]["corrections"] == 12
    assert [v["version"] for v in body["versions"]] == ["v2", "v1"]
    page = await (await client.get("/model")).text()
    assert "v2" in page and "Corrections used" in page


async def test_pages_escape_everything_and_carry_a_strict_csp(
    client: TestClient, deps: Deps
) -> None:
    deps.store.replace_grants(ALICE, [Grant("C1", '<b onmouseover="x()">general</b>')])
    await sign_in(client, deps)
    for path in ("/", "/channel/slack/C1", "/model"):
        answer = await client.get(path)
        assert answer.status == 200, path
        csp = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        page = await answer.text()
        assert "<script>" not in page and " style=" not in page
        assert "<b onmouseover" not in page
        assert path == "/model" or "&lt;b onmouseover=" in page
        assert "http://" not in page and "https://" not in page.replace(
            "http://www.w3.org", "")  # fmt: skip
    channel_page = await (await client.get("/channel/slack/C1")).text()
    assert XSS not in channel_page and "&lt;img src=x onerror=alert(1)&gt;" in channel_page
    assert 'class="chart trend"' in channel_page and 'class="thin"' in channel_page


async def test_the_overview_page_is_light(client: TestClient, deps: Deps) -> None:
    await sign_in(client, deps, OPERATOR)
    page = await (await client.get("/")).read()
    assert len(page) < 300_000
    asset = await client.get("/static/overview.js")
    assert asset.status == 200 and "textContent" in await asset.text()
