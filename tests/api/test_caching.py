"""Reads carry ETag and Cache-Control, answer If-None-Match with 304, and are open to CORS."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from app.config import Settings
from tests.conftest import EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def test_etag_and_304_until_data_changes(client: TestClient) -> None:
    first = client.get("/api/v1/reports")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = client.get("/api/v1/reports", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
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
        assert response.headers["cache-control"] == "public, no-cache", path


def test_errors_and_writes_are_not_tagged(client: TestClient) -> None:
    assert "etag" not in client.get("/api/v1/reports/424242").headers
    assert "etag" not in post_document(client, EXAMPLE.read_bytes()).headers


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
    from app.main import create_app

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
