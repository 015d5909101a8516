"""HEAD answers on every GET route exactly as GET does, without the body."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
# Headers that differ between any two responses.
PER_RESPONSE = {"date", "x-request-id"}
# Required parameters, so that each route answers 200 and not 422.
QUERIES = {
    "/api/v1/stats/aggregate": {"metric": "requests.new.total", "group_by": "year"},
    "/api/v1/stats/rank": {"metric": "requests.new.total", "year": "2020"},
    "/api/v1/search": {"q": "疫情 公开"},
}


def get_paths(app: FastAPI) -> list[str]:
    """Every GET route's path template: the API's (from its OpenAPI document) and the app's
    own (docs, metrics)."""
    paths = [p for p, item in app.openapi()["paths"].items() if "get" in item]
    for route in app.routes:
        path = getattr(route, "path", None)
        if "GET" in (getattr(route, "methods", None) or ()) and path not in paths:
            paths.append(path)
    return paths


def test_head_is_get_without_the_body(app: FastAPI, client: TestClient) -> None:
    report = post_document(client, EXAMPLE.read_bytes()).json()
    later = post_document(client, (EXAMPLES / "2023-qinghe-yunling-data-bureau.md").read_bytes())
    assert later.json()["agency"]["id"] == report["agency"]["id"]  # two years to compare
    values = {
        "report_id": report["id"],
        "agency_id": report["agency"]["id"],
        "year": report["year"],
        "code": "320800",  # 淮安市: the region tree is loaded by the migrations
        "number": 1,
        "table": "requests",
    }
    paths = get_paths(app)
    assert "/metrics" in paths and "/docs" in paths and len(paths) > 20
    for template in paths:
        path = template.format(**values)
        for encoding in ("gzip", "identity"):
            headers = {"Accept-Encoding": encoding}
            params = QUERIES.get(template.removesuffix(".csv").removesuffix(".xlsx"), {})
            get = client.get(path, params=params, headers=headers)
            head = client.head(path, params=params, headers=headers)
            assert get.status_code == 200, (path, get.text[:200])
            assert head.status_code == get.status_code, path
            assert head.content == b"", path
            if template == "/metrics":  # its numbers change with every request
                continue
            assert _comparable(head.headers) == _comparable(get.headers), path
            assert int(head.headers["content-length"]) == len(get.content) or encoding == "gzip"


def _comparable(headers: object) -> dict[str, str]:
    assert hasattr(headers, "items")
    return {k: v for k, v in headers.items() if k not in PER_RESPONSE}


def test_head_is_no_operation_of_its_own(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert not [p for p, item in spec["paths"].items() if "head" in item]


def test_a_method_not_allowed_lists_head_beside_get(client: TestClient) -> None:
    response = client.delete("/api/v1/catalog")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert client.head("/api/v1/catalog").status_code == 200
    # A path two routes serve allows the methods of both.
    assert client.put("/api/v1/reports").headers["allow"] == "GET, HEAD, POST"
