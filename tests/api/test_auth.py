"""Writes need a key; a client that keeps sending wrong ones is told to wait."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from tests.api.test_errors import assert_error
from tests.conftest import API_KEY, EXAMPLES

WRONG = {"Authorization": "Bearer not-the-key", "Content-Type": "text/plain"}
RIGHT = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "text/plain"}


def _client(settings: Settings, factory: sessionmaker[Session]) -> Iterator[TestClient]:
    from app.main import create_app

    app: FastAPI = create_app(settings, factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def strict_client(
    settings: Settings, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    yield from _client(settings.model_copy(update={"auth_failures_per_minute": 3}), session_factory)


def test_after_a_few_wrong_keys_the_client_gets_429_even_with_the_right_one(
    strict_client: TestClient,
) -> None:
    document = (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes()
    for _ in range(3):
        response = strict_client.post("/api/v1/reports", content=document, headers=WRONG)
        assert_error(response, 401, "unauthorized")
    refused = strict_client.post("/api/v1/reports", content=document, headers=RIGHT)
    body = assert_error(refused, 429, "too_many_requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "wrong or missing API key" in body["error"]["message"]
    # A missing key counts as a failure too, and PATCH is throttled like POST.
    assert_error(strict_client.patch("/api/v1/agencies/1", json={}), 429, "too_many_requests")
    # Reads are never throttled.
    assert strict_client.get("/api/v1/reports").status_code == 200


def test_the_right_key_does_not_count_against_the_client(strict_client: TestClient) -> None:
    document = (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes()
    for _ in range(5):
        response = strict_client.post("/api/v1/reports", content=document, headers=RIGHT)
        assert response.status_code in (200, 201), response.text


def test_without_keys_configured_a_write_is_told_writes_are_off(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    for client in _client(settings.model_copy(update={"api_keys": frozenset()}), session_factory):
        response = client.post("/api/v1/reports", content=b"x", headers=RIGHT)
        body = assert_error(response, 401, "unauthorized")
        assert "switched off" in body["error"]["message"]
        assert "API_KEYS" in body["error"]["message"]
