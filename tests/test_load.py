"""Under load the API keeps answering: 200 readers and a writer on one uvicorn worker.

A real uvicorn process serves a database of its own (a SQLite file, or a PostgreSQL database
made for this test and dropped after it when the suite runs on PostgreSQL) holding synthetic
reports and the two examples. Eight clients measure the throughput first; then 200 clients
read for 20 s while a writer posts documents and /health is probed, during the load and after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from app.db import make_engine
from app.models import Report
from bench import _load
from bench._server import uvicorn_server
from tests.conftest import API_KEY, EXAMPLES, REPO

pytestmark = pytest.mark.load

REPORTS = 500
WARM_UP = (8, 1.0)  # clients, seconds; not measured
BASELINE = (8, 5.0)
LOAD = (200, 20.0)
WRITE_EVERY = 0.5  # seconds between the writer's documents, during the load only
AFTER_SECONDS = 3.0  # /health is probed this long after the load


def gkstats(url: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"gkstats {' '.join(args)} failed:\n{done.stderr[-2000:]}"


def _admin_sql(url: URL, sql: str) -> None:
    """Run `sql` outside a transaction on the server's `postgres` database: as the suite's
    role when it may create databases, else as the postgres superuser (as .ci/run does)."""
    engine = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(sql))
        return
    except ProgrammingError as exc:
        if "permission denied" not in str(exc) or shutil.which("runuser") is None:
            raise
    finally:
        engine.dispose()
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
        capture_output=True,
        check=True,
        timeout=60,
    )


@pytest.fixture
def load_database_url(tmp_path: Path) -> Iterator[str]:
    """A database for this test alone: the suite's own is rolled back test by test."""
    suite_url = os.environ.get("TEST_DATABASE_URL")
    if not suite_url:
        yield f"sqlite:///{tmp_path / 'load.sqlite3'}"
        return
    url = make_url(suite_url)
    url = url.set(database=f"{url.database}_load")
    drop = f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'
    _admin_sql(url, drop)
    _admin_sql(url, f'CREATE DATABASE "{url.database}" OWNER "{url.username}"')
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _admin_sql(url, drop)


def current_report_ids(url: str) -> list[int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(Report.id).where(Report.is_current)))
    finally:
        engine.dispose()


def test_api_keeps_answering_under_load(load_database_url: str, tmp_path: Path) -> None:
    url = load_database_url
    gkstats(url, "migrate")
    gkstats(url, "synth", "--reports", str(REPORTS))
    gkstats(url, "ingest", "--quiet", str(EXAMPLES))
    report_ids = current_report_ids(url)
    assert len(report_ids) == REPORTS + 2

    env = {"DATABASE_URL": url, "API_KEYS": API_KEY}
    log = tmp_path / "server.log"
    with uvicorn_server("app.main:app", env, "/api/v1/health", log) as base:

        async def measure() -> tuple[_load.LoadRun, _load.LoadRun]:
            (clients, seconds) = WARM_UP
            await _load.closed_loop_run(
                base, report_ids, clients=clients, seconds=seconds, after_seconds=0
            )
            (clients, seconds) = BASELINE
            baseline = await _load.closed_loop_run(
                base, report_ids, clients=clients, seconds=seconds, after_seconds=0
            )
            (clients, seconds) = LOAD
            load = await _load.closed_loop_run(
                base,
                report_ids,
                clients=clients,
                seconds=seconds,
                writer=_load.Writer(API_KEY, WRITE_EVERY),
                after_seconds=AFTER_SECONDS,
            )
            return baseline, load

        baseline, load = _load.run(measure())

    failures = _load.load_failures(baseline, load)
    figures = f"{_load.describe(baseline)}\n{_load.describe(load)}\nserver output: {log}"
    print(figures)  # shown with -rP, or -s
    assert not failures, "\n".join(["under load:", *failures, "", figures])
