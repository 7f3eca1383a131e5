"""The dashboard in a real browser (headless Chromium via Selenium and Debian's chromedriver):
sign in with a link, see exactly the allowed channels, a chart drawn, the overview updating by
itself, a hostile message shown as text with no script run, light and dark colour schemes
(``prefers-color-scheme`` emulated through the DevTools protocol), logout. It takes the README's
screenshots, light and dark; ``SENTIBOT_SCREENSHOTS=1`` writes them into docs/ (otherwise into a
temporary folder, so a test run leaves the checkout as it was)."""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.dashboard.context import Deps, Options
from bot.dashboard.links import Signer, new_link
from bot.dashboard.server import DashboardServer
from storage.dashboard_queries import SqlDashboardReader
from storage.dashboard_store import Grant, SqlDashboardStore
from storage.database import Database
from storage.migrate import upgrade
from tests.bot.dashboard.conftest import ALICE, KEY, XSS, message
from tests.postgres import skip_or_fail

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
DOCS = Path(__file__).resolve().parents[3] / "docs"
SCREENSHOTS_ENV = "SENTIBOT_SCREENSHOTS"  # set to 1 to refresh the README's screenshots in docs/
NAMES = {"C1": "general", "C2": "support", "C4": "random", "C3": "another-server"}


def browser():  # noqa: ANN201 - a selenium WebDriver
    """Headless Chromium, or skip (in CI: fail) saying what is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_or_fail("browser test skipped: selenium is not installed (pip install -e '.[dev]')")
    for path in (CHROMIUM, DRIVER):
        if shutil.which(path) is None:
            skip_or_fail(f"browser test skipped: {path} missing (apt-get install chromium "
                         "chromium-driver; .ci/run installs them)")  # fmt: skip
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,900", "--force-prefers-reduced-motion"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(DRIVER))


def seed(db: Database, now: datetime) -> None:
    """A day of chatter in four channels (three in T1, one in T2) and the hostile message."""
    rows, shape = [], {"C1": 0.0, "C2": 2.0, "C4": 4.0, "C3": 1.0}
    for channel, phase in shape.items():
        workspace = "T2" if channel == "C3" else "T1"
        for i in range(24 * 8):
            when = now - timedelta(minutes=7.5 * i + 1)
            mood = 0.55 + 0.35 * math.sin(i / 20 + phase)
            score = min(0.99, max(0.01, mood + 0.15 * math.sin(i * 7.3)))
            rows.append(message(workspace, channel, i, score, when=when, text=f"message {i}"))
    rows.append(message("T1", "C1", 9999, 0.01, when=now - timedelta(minutes=1), text=XSS))
    db.repository.upsert_messages(rows)
    SqlDashboardStore(db.engine).replace_grants(
        ALICE,
        [Grant(c, NAMES[c]) for c in ("C1", "C2", "C4", "C3")],  # C3: another server
    )


def color_scheme(driver, scheme: str) -> None:  # noqa: ANN001 - a selenium WebDriver
    """Make the page see ``prefers-color-scheme: scheme`` (``light`` or ``dark``)."""
    feature = {"name": "prefers-color-scheme", "value": scheme}
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [feature]})


def luminance(css: str) -> float:
    """Relative luminance (0 black, 1 white) of a computed ``rgb(..)``/``rgba(..)`` colour."""
    r, g, b = (int(float(v)) / 255 for v in css[css.index("(") + 1 : -1].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def assert_scheme(driver, dark: bool) -> None:  # noqa: ANN001
    """The page's background and text follow the scheme, with strong contrast."""
    style = "return getComputedStyle(document.body)"
    background = luminance(driver.execute_script(f"{style}.backgroundColor"))
    text = luminance(driver.execute_script(f"{style}.color"))
    assert (background < 0.2 and text > 0.7) if dark else (background > 0.8 and text < 0.3), (
        background, text)  # fmt: skip


def screenshots(driver, folder: Path, name: str) -> None:  # noqa: ANN001
    """Save the page light (``name``.png) and dark (``name``-dark.png), checking each scheme."""
    for scheme, suffix in (("light", ""), ("dark", "-dark")):
        color_scheme(driver, scheme)
        assert_scheme(driver, scheme == "dark")
        assert driver.save_screenshot(str(folder / f"{name}{suffix}.png"))
    color_scheme(driver, "light")


@dataclass
class Running:
    url: str
    deps: Deps
    db: Database


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    upgrade(url)
    db = Database(url)
    seed(db, datetime.now(UTC))
    store = SqlDashboardStore(db.engine)
    deps = Deps(SqlDashboardReader(db.engine), store, Signer(KEY),
                Options(store_text=True, poll_seconds=1))  # fmt: skip
    loop = asyncio.new_event_loop()
    server = DashboardServer(deps, host="127.0.0.1", port=0)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(20)
    try:
        yield Running(f"http://127.0.0.1:{server.port}", deps, db)
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        db.close()


def test_a_person_uses_the_dashboard_in_a_browser(running: Running, tmp_path: Path) -> None:
    from selenium.common.exceptions import (
        NoAlertPresentException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser()
    # A loaded CI machine; the page re-renders its table on every update, so an element read
    # between a find and its text can be replaced: that is retried, not a failure.
    wait = WebDriverWait(
        driver, 30, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
    )
    try:
        link, _ = new_link(running.deps.signer, ALICE, running.url)
        driver.get(link)
        keys = wait.until(
            lambda d: sorted(
                row.get_attribute("data-key")
                for row in d.find_elements(By.CSS_SELECTOR, "#channels tbody tr")
            )
        )
        assert keys == ["slack/C1", "slack/C2", "slack/C4"]  # not C3: another server
        assert "another-server" not in driver.page_source
        assert driver.current_url == f"{running.url}/"  # the token is gone from the address bar
        shots = DOCS if os.environ.get(SCREENSHOTS_ENV) == "1" else tmp_path
        screenshots(driver, shots, "dashboard-overview")

        # The overview updates itself when a message is stored.
        messages = 'tr[data-key="slack/C1"] td[data-field="messages"]'
        before = int(wait.until(lambda d: d.find_element(By.CSS_SELECTOR, messages).text))
        running.db.repository.upsert_messages(
            [message("T1", "C1", 123456, 0.9, when=datetime.now(UTC), text="new!")]
        )
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, messages).text == str(before + 1))

        # The channel page, by keyboard: the link is focusable and Enter follows it.
        name = 'tr[data-key="slack/C1"] td[data-field="name"] a'
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, name).send_keys(Keys.ENTER) or True)
        wait.until(lambda d: "/channel/slack/C1" in d.current_url)
        chart = driver.find_element(By.CSS_SELECTOR, "svg.chart.trend")
        assert chart.size["width"] > 300 and chart.size["height"] > 100
        assert driver.find_elements(By.CSS_SELECTOR, "svg.chart.trend polyline.mood-line")
        hostile = [q.text for q in driver.find_elements(By.CSS_SELECTOR, "q.text")]
        assert XSS in hostile  # shown as text...
        assert driver.execute_script("return document.querySelectorAll('main img').length") == 0
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018 - ...and no script ran
        driver.set_window_size(1280, 1800)  # the whole page
        screenshots(driver, shots, "dashboard-channel")

        # Narrow phone screen: the page itself does not scroll sideways.
        driver.set_window_size(375, 800)
        driver.get(f"{running.url}/")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 375 + 1, width

        violations = [e["message"] for e in driver.get_log("browser")
                      if "Content Security Policy" in e["message"]]  # fmt: skip
        assert violations == []

        # Logout ends it; the same link does not sign in again.
        driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
        wait.until(lambda d: "Logged out" in d.page_source)
        driver.get(link)
        assert (
            "Not signed in" in driver.page_source and "/sentiment-dashboard" in driver.page_source
        )
    finally:
        driver.quit()
