"""``sentibot dashboard`` runs from the database alone (no TensorFlow, little memory), and
``sentibot run`` serves the dashboard too when ``[dashboard] enabled``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp

from bot.dashboard.server import DashboardServer
from storage.database import Database
from storage.migrate import upgrade
from tests.bot.conftest import make_settings, start_harness

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from urllib.parse import urlparse
    import aiohttp
    from bot.cli.main import main
    from bot.config import Secrets, load_settings
    from bot.dashboard.server import DashboardServer, build_deps, operator_link
    from storage.database import open_database

    assert main(["dashboard", "--link"]) == 0
    settings = load_settings(sys.argv[1])

    async def visit():
        db = open_database(settings.storage)
        deps = build_deps(settings, db.engine, Secrets().dashboard_secret)
        server = DashboardServer(deps, host="127.0.0.1", port=0)
        await server.start()
        link = urlparse(operator_link(deps, f"http://127.0.0.1:{server.port}"))
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            base = f"http://127.0.0.1:{server.port}"
            async with http.get(f"{base}{link.path}?{link.query}") as page:
                statuses = [page.status]
            for path in ("/", "/model", "/api/channels?since=30d"):
                async with http.get(base + path) as answer:
                    statuses.append(answer.status)
        await server.close()
        db.close()
        return statuses

    statuses = asyncio.run(visit())
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
    # the peak of this process image (VmHWM; ru_maxrss would include the forking parent's)
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    rss_mb = int(status.split()[0]) / 1024
    print(json.dumps({"statuses": statuses, "heavy": heavy, "rss_mb": rss_mb}))
    """
)


def test_the_dashboard_never_imports_tensorflow_and_stays_small(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "d.db"}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTIBOT_")}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(config)],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("http://127.0.0.1:8765/login?t=")  # --link printed it
    result = json.loads(lines[-1])
    assert result["statuses"] == [200, 200, 200, 200]
    assert result["heavy"] == []
    assert result["rss_mb"] < 200, result


async def test_run_serves_the_dashboard_when_enabled(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    settings = make_settings(tmp_path, "[dashboard]\nenabled = true\nport = 0\n")
    database = Database(url)
    harness = await start_harness(settings, database=database, repository=database.repository)
    try:
        (server,) = [f.__self__ for f in harness.app.on_start
                     if isinstance(getattr(f, "__self__", None), DashboardServer)]  # fmt: skip
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{server.port}/") as answer:
                assert answer.status == 401  # served, and nothing without a session
            async with http.get(f"http://127.0.0.1:{server.port}/static/dashboard.css") as css:
                assert css.status == 200
        assert harness.bot.dashboard is not None and not harness.bot.dashboard.reachable
    finally:
        await harness.stop()
        database.close()
    assert server._runner is None  # closed with the bot
