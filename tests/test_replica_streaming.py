"""Reads on a real streaming replica: a second PostgreSQL cluster made with `pg_basebackup -R`
from the TEST_DATABASE_URL primary (bench/_replica.py), and `gkstats serve` on both.

A write, then a read sending the write's ETag, is answered with the write while the replica's
replay is paused; a read sending nothing is answered by the paused replica; once replay
resumes the replica catches up; and when the replica stops, reads go on on the primary. Where
the replica cannot be built (not root, no pg_basebackup, no PostgreSQL URL) the test skips
saying why, and `python -m bench replica` builds it and measures.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from app.db import DATA_VERSION, make_engine
from bench._replica import Replica, streaming_replica, unavailable_reason
from bench._server import gkstats_server
from tests.conftest import API_KEY, EXAMPLES, own_database, post_document

pytestmark = pytest.mark.replica

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
LATER = EXAMPLES / "2023-qinghe-yunling-data-bureau.md"
WAIT_SECONDS = 60.0


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    primary = os.environ.get("TEST_DATABASE_URL")
    reason = unavailable_reason(primary)
    if reason is not None:
        pytest.skip(f"no streaming replica here: {reason}; `python -m bench replica` builds one")
    assert primary is not None
    with streaming_replica(primary) as replica:
        yield replica


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {WAIT_SECONDS:g} s")
        time.sleep(0.1)


def _replayed(engine: Engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.scalar(DATA_VERSION) or 0
    except Exception:  # the schema has not reached the replica yet
        return -1


def _version(etag: str) -> int:
    return int(etag.removeprefix('W/"v').split("-")[0].rstrip('"'))


def _reads(http: httpx2.Client) -> dict[str, float]:
    families = text_string_to_metric_families(http.get("/metrics").text)
    return {
        sample.labels["database"]: sample.value
        for family in families
        if family.name == "gkstats_reads"
        for sample in family.samples
        if sample.name == "gkstats_reads_total"
    }


def test_reads_on_the_replica_and_the_writer_reads_its_writes(
    replica: Replica, tmp_path: Path
) -> None:
    with own_database(tmp_path) as primary_url:
        replica_url = replica.url(primary_url)
        on_replica = make_engine(replica_url)
        try:
            # The schema the primary just made reaches the replica by streaming, like all else.
            _eventually(lambda: _replayed(on_replica) >= 0, "the migrated schema on the replica")
            env = {
                "DATABASE_URL": primary_url,
                "DATABASE_READ_URL": replica_url,
                "API_KEYS": API_KEY,
                "REPLICA_RETRY_SECONDS": "1",
            }
            with (
                gkstats_server(env, tmp_path / "server.log") as server,
                httpx2.Client(base_url=server.base, timeout=30.0) as http,
            ):
                _read_your_writes(http, replica, on_replica)
                _replica_down(http, replica)
        finally:
            on_replica.dispose()


def _read_your_writes(http: httpx2.Client, replica: Replica, on_replica: Engine) -> None:
    first = post_document(http, EXAMPLE.read_bytes())
    assert first.status_code == 201, first.text
    _eventually(lambda: _replayed(on_replica) >= _version(first.headers["etag"]), "replay")
    read = http.get(f"/api/v1/reports/{first.json()['id']}")
    assert read.status_code == 200 and read.json()["year"] == 2020
    assert _reads(http).get("replica", 0) >= 1
    ready = http.get("/api/v1/ready").json()
    assert ready["reads"] == "replica"
    assert ready["replica"]["lag_versions"] == 0

    replica.psql("SELECT pg_wal_replay_pause()")
    try:
        _eventually(
            lambda: replica.psql("SELECT pg_get_wal_replay_pause_state()") == "paused",
            "replay paused",
        )
        second = post_document(http, LATER.read_bytes())
        assert second.status_code == 201, second.text
        path, etag = f"/api/v1/reports/{second.json()['id']}", second.headers["etag"]
        # Sent back, the write's ETag gets the write, from the primary.
        fresh = http.get(path, headers={"If-None-Match": etag})
        assert fresh.status_code == 200 and fresh.json()["year"] == 2023
        listed = http.get("/api/v1/reports", headers={"If-None-Match": etag}).json()
        assert listed["total"] == 2
        # Without it, the paused replica answers with what it has replayed.
        assert http.get(path).status_code == 404
        assert http.get("/api/v1/reports").json()["total"] == 1
        ready = http.get("/api/v1/ready").json()
        assert ready["reads"] == "replica"
        assert ready["replica"]["lag_versions"] >= 1
    finally:
        replica.psql("SELECT pg_wal_replay_resume()")
    _eventually(lambda: http.get(path).status_code == 200, "the replica catching up")
    assert http.get("/api/v1/ready").json()["replica"]["lag_versions"] == 0


def _replica_down(http: httpx2.Client, replica: Replica) -> None:
    by_primary = _reads(http).get("primary", 0)
    replica.stop()
    for _ in range(3):
        listed = http.get("/api/v1/reports")
        assert listed.status_code == 200 and listed.json()["total"] == 2
    ready = http.get("/api/v1/ready")
    assert ready.status_code == 200
    assert ready.json()["reads"] == "primary"
    assert ready.json()["replica"]["status"] == "unavailable"
    assert _reads(http)["primary"] >= by_primary + 3
