"""Liveness answers from the process alone; readiness checks the database and its migrations."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from app.config import Settings
from app.migrate import head_revision
from tests.api.test_errors import assert_error


def test_health_is_live_without_the_database(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body == {"status": "ok", "database": body["database"]}
    assert body["database"] in {"sqlite", "postgresql"}


def test_ready_names_the_migration_head_and_counts_reports(client: TestClient) -> None:
    response = client.get("/api/v1/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["revision"] == head_revision()
    assert body["reports"] == 0


def test_a_database_not_migrated_is_not_ready(settings: Settings, tmp_path: Path) -> None:
    from app.db import make_engine
    from app.main import create_app

    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    app = create_app(settings, sessionmaker(bind=empty))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/health").status_code == 200
        response = client.get("/api/v1/ready")
    empty.dispose()
    body = assert_error(response, 503, "not_ready")
    assert "gkstats migrate" in body["error"]["message"]
    assert response.headers["retry-after"] == "5"
