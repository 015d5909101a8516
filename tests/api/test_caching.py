"""Reads carry ETag and Cache-Control, answer If-None-Match with 304, and are open to CORS;
what may not be kept says no-store."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.main import create_app
from tests.conftest import EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
READ = "public, max-age=0, s-maxage=60, stale-while-revalidate=30"


def test_etag_and_304_until_data_changes(client: TestClient) -> None:
    first = client.get("/api/v1/reports")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == READ
    assert {"Accept", "Accept-Encoding"} <= {v.strip() for v in first.headers["vary"].split(",")}
    again = client.get("/api/v1/reports", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == READ
    assert again.content == b""

    assert post_document(client, EXAMPLE.read_bytes()).status_code == 201
    changed = client.get("/api/v1/reports", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["total"] == 1


def test_etag_differs_per_resource_and_query(client: TestClient) -> None:
    a = client.get("/api/v1/reports", params={"limit": 1}).headers["etag"]
    b = client.get("/api/v1/reports", params={"limit": 2}).headers["etag"]
    c = client.get("/api/v1/catalog").headers["etag"]
    assert len({a, b, c}) == 3


def test_every_read_is_tagged(client: TestClient) -> None:
    report = post_document(client, EXAMPLE.read_bytes()).json()
    for path in (
        f"/api/v1/reports/{report['id']}",
        f"/api/v1/reports/{report['id']}/cells",
        f"/api/v1/reports/{report['id']}/document",
        f"/api/v1/agencies/{report['agency']['id']}",
        "/api/v1/regions",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["etag"].startswith('W/"'), path
        expected = "public, max-age=31536000, immutable" if path.endswith("/document") else READ
        assert response.headers["cache-control"] == expected, path


def test_errors_are_not_tagged_and_writes_name_the_version_they_committed(
    client: TestClient,
) -> None:
    assert "etag" not in client.get("/api/v1/reports/424242").headers
    read = client.get("/api/v1/reports").headers["etag"]
    written = post_document(client, EXAMPLE.read_bytes())
    # One write since the read: the version the read named, plus one (tests/test_replica.py
    # shows what a client does with it).
    assert read.startswith('W/"v')
    assert written.headers["etag"] == f'W/"v{int(read[4:].split("-")[0]) + 1}"'
    assert written.headers["cache-control"] == "no-store"


def test_the_original_document_is_immutable_even_when_revalidated(client: TestClient) -> None:
    report = post_document(client, EXAMPLE.read_bytes()).json()
    path = f"/api/v1/reports/{report['id']}/document"
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_errors_writes_and_live_state_are_never_stored(client: TestClient) -> None:
    report = post_document(client, EXAMPLE.read_bytes())
    withdraw = client.delete(
        f"/api/v1/reports/{report.json()['id']}",
        params={"reason": "a test"},
        headers={"Authorization": "Bearer test-key"},
    )
    for response in (
        report,
        withdraw,
        client.get("/api/v1/reports/424242"),  # 404
        client.get("/api/v1/reports", params={"limit": 0}),  # 422
        post_document(client, b"x", headers={"Authorization": "Bearer wrong"}),  # 401
        client.get("/api/v1/health"),
        client.get("/api/v1/ready"),
        client.get("/metrics"),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url


def test_the_shared_max_age_is_configurable(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    for shared, stale, expected in (
        (300, 60, "public, max-age=0, s-maxage=300, stale-while-revalidate=60"),
        (0, 30, "public, no-cache"),
    ):
        configured = settings.model_copy(
            update={"cache_shared_max_age": shared, "cache_stale_while_revalidate": stale}
        )
        with TestClient(create_app(configured, session_factory)) as client:
            assert client.get("/api/v1/catalog").headers["cache-control"] == expected


def test_cors_allows_reads_not_writes(client: TestClient) -> None:
    origin = {"Origin": "https://dashboard.example"}
    read = client.get("/api/v1/catalog", headers=origin)
    assert read.headers["access-control-allow-origin"] == "*"
    assert "ETag" in read.headers["access-control-expose-headers"]
    preflight = client.options(
        "/api/v1/reports",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "POST" not in preflight.headers.get("access-control-allow-methods", "")


def test_reads_through_the_engine_itself(engine: Engine, settings: Settings) -> None:
    # The other tests bind the app to a rolled-back connection; here sessions come from the
    # engine, as in production, where PostgreSQL reads run without a transaction.
    app = create_app(settings, sessionmaker(bind=engine))
    with TestClient(app) as client:
        listed = client.get("/api/v1/reports")
        assert listed.status_code == 200 and "etag" in listed.headers
        assert (
            client.get(
                "/api/v1/reports", headers={"If-None-Match": listed.headers["etag"]}
            ).status_code
            == 304
        )
        assert client.get("/api/v1/reports/999999/cells").status_code == 404
        assert client.get("/api/v1/regions/320813").json()["name"] == "洪泽区"
