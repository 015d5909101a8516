"""The dashboard in a real browser: Debian's Chromium driven by Selenium through chromedriver,
against `gkstats serve` on a migrated database holding the examples, two documents written to
show every cell status, and a synthetic set.

Screenshots of every view, in Chinese and in English, are written to SCREENSHOTS (or to the
folder GKSTATS_SCREENSHOTS names).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from selenium import webdriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from bench._chromium import CHROMEDRIVER, CHROMIUM, chromium
from bench._server import gkstats_server
from tests.conftest import API_KEY, EXAMPLES, REPO, own_database
from tests.documents import INFERRED_DOCUMENT, statuses_document

SCREENSHOTS = Path(os.environ.get("GKSTATS_SCREENSHOTS", REPO / "build" / "screenshots"))
SYNTHETIC_REPORTS = 400

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    if os.environ.get("GKSTATS_REQUIRE_BROWSER"):
        raise RuntimeError(
            f"GKSTATS_REQUIRE_BROWSER is set but {CHROMIUM} or {CHROMEDRIVER} is absent"
        )
    pytest.skip(
        "Debian's Chromium is not installed: apt-get install chromium chromium-driver "
        "(.ci/run does)",
        allow_module_level=True,
    )


@dataclass(frozen=True, slots=True)
class Dashboard:
    base: str  # http://127.0.0.1:PORT
    statuses_report: int  # 青禾市云岭区统计局 2020: blank, not applicable, unreadable, failing
    inferred_report: int  # 青禾市云岭区审计局 2019: an inferred total

    def api(self, url: str) -> Any:
        answer = httpx2.get(self.base + url, headers={"Accept": "application/json"})
        assert answer.status_code == 200, (url, answer.text)
        return answer.json()


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="package")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("dashboard")
    with own_database(folder) as url:
        env = {**os.environ, "DATABASE_URL": url, "API_KEYS": API_KEY}
        documents = folder / "documents"
        shutil.copytree(EXAMPLES, documents)
        (documents / "2020-qinghe-yunling-statistics.txt").write_bytes(statuses_document())
        (documents / "2019-qinghe-yunling-audit.txt").write_bytes(INFERRED_DOCUMENT)
        _run(env, "ingest", "--quiet", str(documents))
        _run(env, "synth", "--reports", str(SYNTHETIC_REPORTS), "--seed", "3")
        with gkstats_server(env, folder / "server.log") as server:
            reports = httpx2.get(server.base + "/api/v1/reports?synthetic=false").json()
            by_agency = {r["agency"]["name"]: r["id"] for r in reports["items"]}
            yield Dashboard(
                server.base,
                statuses_report=by_agency["青禾市云岭区统计局"],
                inferred_report=by_agency["青禾市云岭区审计局"],
            )


@pytest.fixture(scope="package")
def browser() -> Iterator[webdriver.Chrome]:
    with chromium(console_log=True) as driver:
        yield driver


def open_view(browser: webdriver.Chrome, dashboard: Dashboard, query: str) -> None:
    browser.get(f"{dashboard.base}/dashboard/?{query}")
    wait_ready(browser)


def wait_ready(browser: webdriver.Chrome) -> None:
    """Until the view has drawn: the page sets data-ready once its charts are on screen."""
    time.sleep(0.05)  # let a click's navigation start before looking for the new view
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script("return document.body.dataset.ready") == "1"
    )


def console_errors(browser: webdriver.Chrome) -> list[str]:
    """What the page logged as an error since the last call (the log is read and emptied)."""
    entries: list[dict[str, str]] = browser.get_log("browser")  # type: ignore[no-untyped-call]
    return [entry["message"] for entry in entries if entry["level"] == "SEVERE"]


def attr(element: WebElement, name: str) -> str:
    value = element.get_attribute(name)
    assert value is not None, f"no {name} on <{element.tag_name}>"
    return value


def screenshot(browser: webdriver.Chrome, name: str) -> Path:
    """The whole page, not only the window."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(max(height, 1000), 6000))
    try:
        assert browser.save_screenshot(str(path))
    finally:
        browser.set_window_size(1400, 1000)
    return path
