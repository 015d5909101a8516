"""Every error has one JSON shape; bad input is refused clearly and stores nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import Agency, Document, Report
from app.parsing.limits import TEXT_LINES
from tests import hostile
from tests.conftest import EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


def nothing_stored(session: Session) -> bool:
    return all(
        session.scalar(select(func.count()).select_from(model)) == 0
        for model in (Report, Document, Agency)
    )


def test_unknown_report_is_404(client: TestClient) -> None:
    body = assert_error(client.get("/api/v1/reports/999999"), 404, "not_found")
    assert "999999" in body["error"]["message"]


def test_unknown_route_is_404(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_validation_error_names_the_parameter(client: TestClient) -> None:
    body = assert_error(client.get("/api/v1/reports", params={"limit": 0}), 422, "validation_error")
    assert body["error"]["details"][0]["location"] == ["query", "limit"]


def test_write_without_key_is_401(client: TestClient, session: Session) -> None:
    response = client.post(
        "/api/v1/reports", content=EXAMPLE.read_bytes(), headers={"Content-Type": "text/plain"}
    )
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert nothing_stored(session)


def test_write_with_wrong_key_is_401(client: TestClient) -> None:
    response = post_document(
        client, EXAMPLE.read_bytes(), headers={"Authorization": "Bearer wrong"}
    )
    assert_error(response, 401, "unauthorized")


def test_empty_body_is_422(client: TestClient, session: Session) -> None:
    body = assert_error(post_document(client, b""), 422, "unprocessable")
    assert "empty" in body["error"]["message"]
    assert nothing_stored(session)


def test_not_a_report_is_422_saying_what_was_looked_for(
    client: TestClient, session: Session
) -> None:
    text = "今天天气很好。\n我们去公园散步，看到很多人在放风筝。\n".encode()
    body = assert_error(post_document(client, text), 422, "not_a_report")
    assert "总体情况" in body["error"]["message"] or "table" in body["error"]["message"]
    assert nothing_stored(session)


def test_undecodable_bytes_are_422(client: TestClient, session: Session) -> None:
    junk = bytes(range(128, 256)) * 50
    body = assert_error(post_document(client, junk), 422, "not_a_report")
    assert "decode" in body["error"]["message"]
    assert nothing_stored(session)


def test_unsupported_media_type_is_415(client: TestClient, session: Session) -> None:
    assert_error(post_document(client, b"{}", "application/json"), 415, "unsupported_media_type")
    assert nothing_stored(session)


def test_missing_media_type_is_415(client: TestClient) -> None:
    response = post_document(client, EXAMPLE.read_bytes(), "application/octet-stream")
    body = assert_error(response, 415, "unsupported_media_type")
    assert "Content-Type" in body["error"]["message"]


def test_declared_pdf_that_is_text_is_415(client: TestClient, session: Session) -> None:
    assert_error(
        post_document(client, EXAMPLE.read_bytes(), "application/pdf"),
        415,
        "unsupported_media_type",
    )
    assert nothing_stored(session)


def test_too_large_is_413(client: TestClient, settings: Settings, session: Session) -> None:
    settings.max_upload_bytes = 1000
    body = assert_error(post_document(client, EXAMPLE.read_bytes()), 413, "payload_too_large")
    assert "1000" in body["error"]["message"]
    assert nothing_stored(session)


def test_too_large_multipart_is_413(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    settings.max_upload_bytes = 1000
    response = client.post(
        "/api/v1/reports",
        files={"file": ("r.txt", EXAMPLE.read_bytes(), "text/plain")},
        headers=auth,
    )
    assert_error(response, 413, "payload_too_large")


def test_document_far_larger_than_a_report_is_413(client: TestClient, session: Session) -> None:
    # Under the byte limit, a report's title, and a million table rows after it.
    response = post_document(client, hostile.million_row_text())
    body = assert_error(response, 413, "document_too_large")
    assert "1,000,002 lines" in body["error"]["message"]
    assert f"(limit {TEXT_LINES.limit:,})" in body["error"]["message"]
    assert nothing_stored(session)


def test_multipart_without_file_part_is_422(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/reports",
        data={"x": "y"},
        headers=auth,
        files={"other": ("a.txt", b"abc", "text/plain")},
    )
    assert_error(response, 422, "unprocessable")


def test_unknown_region_is_422(client: TestClient, session: Session) -> None:
    response = post_document(client, EXAMPLE.read_bytes(), region="999999")
    assert_error(response, 422, "unprocessable")
    assert nothing_stored(session)


def test_nul_bytes_never_reach_the_database(client: TestClient, session: Session) -> None:
    data = EXAMPLE.read_bytes().replace("总体情况".encode(), "总体\x00情况".encode(), 1)
    response = post_document(client, data)
    assert response.status_code == 201, response.text
    sections = client.get(f"/api/v1/reports/{response.json()['id']}/sections").json()
    assert all("\x00" not in s["text"] and "\x00" not in s["title"] for s in sections["items"])


@pytest.mark.parametrize("status", [401, 404, 413, 415, 422, 503])
def test_error_shape_is_declared_in_openapi(client: TestClient, status: int) -> None:
    spec = client.get("/openapi.json").json()
    assert "ErrorResponse" in spec["components"]["schemas"]
    declared = [
        op["responses"][str(status)]
        for path in spec["paths"].values()
        for op in path.values()
        if str(status) in op.get("responses", {})
    ]
    assert declared
    for response in declared:
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/ready"])
def test_an_unreachable_database_is_a_503_to_retry(settings: Settings, path: str) -> None:
    from sqlalchemy.orm import sessionmaker

    from app.db import make_engine
    from app.main import create_app

    # Nothing listens on port 1: every connection is refused at once.
    down = make_engine("postgresql+psycopg://gkstats:gkstats@127.0.0.1:1/gkstats?connect_timeout=2")
    app = create_app(settings, sessionmaker(bind=down))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path)
    down.dispose()
    assert_error(response, 503, "database_unavailable")
    assert response.headers["retry-after"] == "5"


def test_a_database_never_migrated_says_so(settings: Settings, tmp_path: Path) -> None:
    from sqlalchemy.orm import sessionmaker

    from app.db import make_engine
    from app.main import create_app

    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    app = create_app(settings, sessionmaker(bind=empty))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/reports")
    empty.dispose()
    body = assert_error(response, 503, "database_unavailable")
    assert "gkstats migrate" in body["error"]["message"]
