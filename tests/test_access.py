"""One log line per request with its id, and the Prometheus metrics at /metrics."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import API_KEY, EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def test_one_line_per_request_with_its_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        given = client.get("/api/v1/reports/424242", headers={"X-Request-ID": "lb-7f3a"})
        made = client.get("/api/v1/catalog", headers={"X-Request-ID": "bad id\r\nx: y"})
    assert given.headers["x-request-id"] == "lb-7f3a"
    assert len(made.headers["x-request-id"]) == 32  # a new one for an id that is not sane
    lines = [r.getMessage() for r in caplog.records if r.name == "app.access"]
    assert len(lines) == 2
    assert lines[0].startswith(
        "request_id=lb-7f3a method=GET route=/api/v1/reports/{report_id} status=404 ms="
    )
    assert (
        f"request_id={made.headers['x-request-id']} method=GET route=/api/v1/catalog" in (lines[1])
    )


def test_an_api_key_never_reaches_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        post_document(client, EXAMPLE.read_bytes(), filename=API_KEY)
        post_document(client, b"x", headers={"Authorization": "Bearer wrong-key-123"})
        client.get("/api/v1/reports", params={"api_key": API_KEY})
    # The server's lines: the test client logs the URLs it requests on a logger of its own.
    server = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert server.count("route=/api/v1/reports status=") == 3
    assert API_KEY not in server and "wrong-key-123" not in server


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    page = client.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(page.text)
        for s in family.samples
    }


def _requests(method: str, route: str, status: str) -> tuple[str, frozenset[tuple[str, str]]]:
    labels = {"method": method, "route": route, "status": status}
    return "gkstats_http_requests_total", frozenset(labels.items())


def _ingests(outcome: str, code: str = "") -> tuple[str, frozenset[tuple[str, str]]]:
    return "gkstats_ingests_total", frozenset({"outcome": outcome, "code": code}.items())


def test_metrics_count_requests_by_route_and_ingests_by_outcome(client: TestClient) -> None:
    before = _samples(client)
    report = post_document(client, EXAMPLE.read_bytes()).json()
    post_document(client, EXAMPLE.read_bytes())
    post_document(client, b"\x00\x01", media_type="application/pdf")
    for _ in range(3):
        client.get(f"/api/v1/reports/{report['id']}")
    client.head("/api/v1/reports/424242")
    client.get("/no/such/path")
    after = _samples(client)

    def grew(key: tuple[str, frozenset[tuple[str, str]]]) -> float:
        return after.get(key, 0) - before.get(key, 0)

    assert grew(_requests("GET", "/api/v1/reports/{report_id}", "200")) == 3
    assert grew(_requests("HEAD", "/api/v1/reports/{report_id}", "404")) == 1
    assert grew(_requests("GET", "unmatched", "404")) == 1
    assert grew(_requests("GET", "/metrics", "200")) == 0  # scrapes are not counted
    latency = ("gkstats_http_request_duration_seconds_count", _requests("GET", "x", "200")[1])
    assert latency[0] in {name for name, _ in after}
    assert grew(_ingests("created")) == 1
    assert grew(_ingests("already_stored")) == 1
    assert (
        sum(
            grew(k)
            for k in after
            if k[0] == "gkstats_ingests_total" and "rejected" in dict(k[1]).values()
        )
        == 1
    )
    names = {name for name, _ in after}
    assert {
        "gkstats_db_connections_checked_out",
        "gkstats_db_connections_capacity",
        "gkstats_gate_waiting_requests",
    } <= names or "gkstats_db_connections_capacity" in names


def test_an_unhandled_error_is_answered_with_its_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import ingest

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_store_children", fail)
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = post_document(client, EXAMPLE.read_bytes(), headers={"X-Request-ID": "lb-500"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.headers["x-request-id"] == "lb-500"
    lines = [r.getMessage() for r in caplog.records if r.name == "app.access"]
    assert lines == [lines[0]] and "request_id=lb-500 method=POST" in lines[0]
    assert "status=500" in lines[0]
