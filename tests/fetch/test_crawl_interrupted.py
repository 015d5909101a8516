"""`gkstats crawl` stopped with Ctrl-C: it stops cleanly, says how far it got, and the same
command goes on from there, fetching again nothing it already stored."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from app.db import make_engine
from app.models import Report
from tests.conftest import REPO
from tests.fetch.sites import Site, build_site
from tests.fetch.sites import serve as serve_site


def stored_reports(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Report)) or 0
    finally:
        engine.dispose()


def crawl_command(site: Site, delay: str) -> list[str]:
    start = site.url("/ndbg/index.html")
    return [sys.executable, "-m", "app.cli", "crawl", start, "--delay", delay, "-q"]


def test_ctrl_c_stops_cleanly_and_the_same_command_goes_on(
    own_database_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": own_database_url, "FETCH_ALLOWED_HOSTS": "127.0.0.1"}
    with serve_site(Site("127.0.0.1")) as served:
        site = build_site(served, "localhost")
        # A second between two requests: slow enough to be stopped after its first report.
        crawl = subprocess.Popen(
            crawl_command(site, "1"),
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while stored_reports(own_database_url) == 0 and crawl.poll() is None:
            assert time.monotonic() < deadline, "no report stored within a minute"
            time.sleep(0.1)
        crawl.send_signal(signal.SIGINT)
        output, _ = crawl.communicate(timeout=60)
        assert crawl.returncode == 130, output
        assert "interrupted after" in output and "run the same command again" in output
        assert "Traceback" not in output
        first = stored_reports(own_database_url)
        assert 1 <= first < 3

        site.requests.clear()
        again = subprocess.run(
            crawl_command(site, "0"), env=env, cwd=REPO, capture_output=True, text=True
        )
    # The site also links a 404, a refused address and a page robots.txt disallows: exit 1.
    assert again.returncode == 1, again.stdout + again.stderr
    assert stored_reports(own_database_url) == 3
    counts = re.search(r"(\d+) stored, (\d+) unchanged", again.stdout)
    assert counts is not None, again.stdout
    # What the first run stored counts as unchanged: nothing is stored twice.
    assert int(counts[1]) == 3 - first and int(counts[2]) >= first
