"""Reads on a replica: which copy answers, read-your-writes by the ETag, and the primary when the
replica is down. Here the "replica" is a second migrated database that lags (it never sees the
primary's writes), which runs on SQLite and PostgreSQL alike; tests/test_replica_streaming.py
does the same on a real streaming replica."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_engine, make_read_sessionmaker
from app.main import create_app
from app.replica import version_tag, version_wanted
from bench._server import free_port
from tests.conftest import API_KEY, EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
LATER = EXAMPLES / "2023-qinghe-yunling-data-bureau.md"


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _version(etag: str) -> int:
    """The data version an ETag names: W/"v<version>" (a write's) or W/"v<version>-<digest>"."""
    match = re.fullmatch(r'W/"v(\d+)(?:-[0-9a-f]{24})?"', etag)
    assert match is not None, etag
    return int(match[1])


def test_sqlite_refuses_a_read_url() -> None:
    pg = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats"
    with pytest.raises(ValidationError, match="SQLite has no replicas"):
        Settings(database_url="sqlite:///data/x.sqlite3", database_read_url=pg)
    with pytest.raises(ValidationError, match="both it and DATABASE_URL must be postgresql"):
        Settings(database_url=pg, database_read_url="sqlite:///data/x.sqlite3")
    # Unset or empty: one database, as before.
    assert Settings(database_url=pg, database_read_url="").database_read_url is None
    assert make_read_sessionmaker(Settings(database_url=pg)) is None


def test_the_version_an_if_none_match_names() -> None:
    assert version_wanted("") == 0
    assert version_wanted("*") == 0
    assert version_wanted('W/"v7"') == 7
    assert version_wanted('"v7"') == 7
    assert version_wanted('W/"v3-0af1", W/"v12", "abc"') == 12  # the newest named
    assert version_wanted('W/"4f1c"') == 0  # a tag naming no version (a static file's)
    assert version_wanted(version_tag(41, "0af1")) == 41


def test_every_write_answers_with_the_version_it_committed(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    before = _version(client.get("/api/v1/reports").headers["etag"])
    created = post_document(client, EXAMPLE.read_bytes())
    assert created.status_code == 201
    assert _version(created.headers["etag"]) == before + 1
    # The same bytes again write nothing: the answer names the version current now.
    again = post_document(client, EXAMPLE.read_bytes())
    assert again.status_code == 200 and again.headers["etag"] == created.headers["etag"]

    agency = created.json()["agency"]["id"]
    patched = client.patch(f"/api/v1/agencies/{agency}", json={"kind": "department"}, headers=auth)
    assert patched.status_code == 200, patched.text
    assert _version(patched.headers["etag"]) == before + 2
    withdrawn = client.delete(f"/api/v1/reports/{created.json()['id']}", headers=auth)
    assert withdrawn.status_code == 200
    assert _version(withdrawn.headers["etag"]) == before + 3
    # A read's ETag names the version it was made at: the last write's.
    assert _version(client.get("/api/v1/reports").headers["etag"]) == before + 3
    # A write refused writes nothing and names nothing.
    refused = client.delete(f"/api/v1/reports/{created.json()['id']}", headers=auth)
    assert refused.status_code == 409 and "etag" not in refused.headers


def test_the_openapi_document_describes_the_etag_of_writes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method, status in (
        ("/api/v1/reports", "post", "201"),
        ("/api/v1/reports", "post", "200"),
        ("/api/v1/reports/fetch", "post", "201"),
        ("/api/v1/reports/{report_id}", "delete", "200"),
        ("/api/v1/agencies/{agency_id}", "patch", "200"),
    ):
        headers = paths[path][method]["responses"][status].get("headers", {})
        assert "If-None-Match" in headers["ETag"]["description"], (path, method, status)
    ready = paths["/api/v1/ready"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ready["example"]["replica"]["lag_versions"] == 2


@pytest.fixture
def lagging_copy(own_database_url: str) -> Iterator[sessionmaker[Session]]:
    """A migrated database that never sees the primary's writes: a replica stuck at version 0."""
    engine = make_engine(own_database_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def replica_client(
    settings: Settings,
    session_factory: sessionmaker[Session],
    lagging_copy: sessionmaker[Session],
) -> Iterator[TestClient]:
    app = create_app(settings, session_factory, lagging_copy)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_read_goes_to_the_primary_when_it_names_a_version_the_replica_lacks(
    replica_client: TestClient,
) -> None:
    client = replica_client
    written = post_document(client, EXAMPLE.read_bytes())
    assert written.status_code == 201
    report = written.json()["id"]
    by_replica = _count("gkstats_reads_total", database="replica")
    behind = _count("gkstats_replica_fallbacks_total", reason="behind")

    # No version named: the replica answers, with what it has (nothing yet).
    stale = client.get("/api/v1/reports")
    assert stale.status_code == 200 and stale.json()["total"] == 0
    assert _version(stale.headers["etag"]) == 0
    assert client.get(f"/api/v1/reports/{report}").status_code == 404
    assert _count("gkstats_reads_total", database="replica") == by_replica + 2

    # The write's ETag sent back: the primary answers, with the write.
    fresh = client.get("/api/v1/reports", headers={"If-None-Match": written.headers["etag"]})
    assert fresh.status_code == 200 and fresh.json()["total"] == 1
    assert fresh.headers["etag"] != written.headers["etag"]
    one = client.get(f"/api/v1/reports/{report}", headers={"If-None-Match": fresh.headers["etag"]})
    assert one.status_code == 200 and one.json()["id"] == report
    assert _count("gkstats_replica_fallbacks_total", reason="behind") == behind + 2
    # Revalidating the primary's ETag keeps going to the primary, which answers 304.
    revalidated = client.get("/api/v1/reports", headers={"If-None-Match": fresh.headers["etag"]})
    assert revalidated.status_code == 304
    # HEAD follows the same rule.
    head = client.head(
        f"/api/v1/reports/{report}", headers={"If-None-Match": written.headers["etag"]}
    )
    assert head.status_code == 200

    ready = client.get("/api/v1/ready").json()
    assert ready["reads"] == "replica"
    assert ready["replica"] == {
        "status": "available",
        "data_version": 0,
        "lag_versions": ready["data_version"],
    }
    assert ready["data_version"] == _version(written.headers["etag"])
    metrics = client.get("/metrics").text
    assert f"gkstats_replica_lag_versions {float(ready['data_version'])}" in metrics
    assert "gkstats_replica_up 1.0" in metrics


def test_reads_go_to_the_primary_while_the_replica_is_down(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    # Nothing listens on that port: every connection to the "replica" is refused.
    down_url = f"postgresql+psycopg://gkstats:gkstats@127.0.0.1:{free_port()}/gkstats"
    down = make_read_sessionmaker(
        Settings(database_url=down_url, database_read_url=down_url, replica_retry_seconds=60)
    )
    assert down is not None
    unavailable = _count("gkstats_replica_fallbacks_total", reason="unavailable")
    by_primary = _count("gkstats_reads_total", database="primary")
    app = create_app(settings, session_factory, down)
    with TestClient(app, raise_server_exceptions=False) as client:
        written = post_document(client, EXAMPLE.read_bytes())
        assert written.status_code == 201
        for headers in ({}, {"If-None-Match": written.headers["etag"]}):
            listed = client.get("/api/v1/reports", headers=headers)
            assert listed.status_code == 200 and listed.json()["total"] == 1
        # Once refused, the replica is left alone for REPLICA_RETRY_SECONDS.
        assert not app.state.replica.in_use
        ready = client.get("/api/v1/ready")
        assert ready.status_code == 200
        assert ready.json()["reads"] == "primary"
        assert ready.json()["replica"] == {
            "status": "unavailable",
            "data_version": None,
            "lag_versions": None,
        }
        assert "gkstats_replica_up 0.0" in client.get("/metrics").text
    assert _count("gkstats_replica_fallbacks_total", reason="unavailable") == unavailable + 2
    assert _count("gkstats_reads_total", database="primary") == by_primary + 2
    bind = down.kw["bind"]
    bind.dispose()


def test_a_later_revision_is_read_back_by_its_etag(replica_client: TestClient) -> None:
    # Two writes in a row, the second read back by the ETag of the second only.
    first = post_document(replica_client, EXAMPLE.read_bytes())
    second = post_document(replica_client, LATER.read_bytes())
    assert first.status_code == second.status_code == 201
    assert _version(second.headers["etag"]) == _version(first.headers["etag"]) + 1
    listed = replica_client.get(
        "/api/v1/reports", headers={"If-None-Match": second.headers["etag"]}
    )
    assert {r["id"] for r in listed.json()["items"]} >= {first.json()["id"], second.json()["id"]}


def _mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of a service's volumes, as `docker-compose config` writes them."""
    mounts = []
    for volume in service["volumes"]:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        mounts.append((source, target))
    return mounts


def test_compose_adds_a_streaming_replica_the_api_reads_from() -> None:
    from tests.test_deploy import compose_config

    services = compose_config()["services"]
    db, replica, api = services["db"], services["db-replica"], services["api"]
    assert replica["image"] == db["image"]
    # The replica starts from pg_basebackup -R of db, with the role db's first start makes.
    entrypoint = replica["entrypoint"]
    (script,) = [s for s, target in _mounts(replica) if target == entrypoint[-1]]
    text = Path(script).read_text()
    assert "pg_basebackup" in text and " -R " in text and "exec docker-entrypoint.sh" in text
    assert replica["environment"]["PRIMARY_HOST"] == "db"
    (init,) = [s for s, target in _mounts(db) if target.startswith("/docker-entrypoint-initdb.d/")]
    assert "REPLICATION" in Path(init).read_text()
    assert (
        replica["environment"]["REPLICATION_PASSWORD"] == db["environment"]["REPLICATION_PASSWORD"]
    )
    # The API writes to db and reads from the replica: the same database and user.
    env = api["environment"]
    settings = Settings(
        database_url=env["DATABASE_URL"], database_read_url=env["DATABASE_READ_URL"]
    )
    primary, read = make_url(settings.database_url), make_url(settings.database_read_url or "")
    assert (read.host, read.port) == ("db-replica", 5432)
    assert read.set(host="db") == primary
