"""The OpenAPI description teaches the API: an example of each answer, every error it can give;
and the API keeps to it under generated input."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from pydantic import TypeAdapter
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from app.api import agencies, catalog, flags, health, regions, reports, search, stats
from app.config import Settings
from tests.conftest import API_KEY

ROUTERS = (
    reports.router,
    reports.upload_router,
    flags.router,
    agencies.router,
    regions.router,
    stats.router,
    catalog.router,
    search.router,
    health.router,
)


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]


def test_every_operation_is_tagged_summarised_and_typed(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method, path, op in operations(spec):
        where = f"{method.upper()} {path}"
        assert op.get("tags"), where
        assert op.get("summary"), where
        ok = op["responses"].get("200") or op["responses"].get("201")
        assert ok and ok.get("content"), where


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _examples(spec: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    """The examples a reader is shown: the media type's own, else its schema's."""
    if "example" in media:
        return [media["example"]]
    if "examples" in media:
        return [example["value"] for example in media["examples"].values()]
    return list(_resolve(spec, media.get("schema", {})).get("examples", []))


def _successes(op: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (status, media_type, media)
        for status, response in op["responses"].items()
        if status.startswith("2")
        for media_type, media in response.get("content", {}).items()
    ]


def test_every_successful_answer_has_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    missing = [
        f"{method.upper()} {path} {status} {media_type}"
        for method, path, op in operations(spec)
        for status, media_type, media in _successes(op)
        # The original document comes back as it was ingested: bytes, not a shape to show.
        if _resolve(spec, media.get("schema", {})).get("format") != "binary"
        and not _examples(spec, media)
    ]
    assert missing == []


def _json_examples(route: APIRoute) -> list[Any]:
    """The JSON examples written for a route: in its decorator, and on its response model.

    Read from the source, not the served document: FastAPI drops every null from the examples
    it serves (fastapi/fastapi#5559), and a null says as much as a number here.
    """
    written = [
        media["example"]
        for status, response in route.responses.items()
        if str(status).startswith("2")
        for media_type, media in response.get("content", {}).items()
        if media_type == "application/json" and "example" in media
    ]
    model: list[Any] = TypeAdapter(route.response_model).json_schema().get("examples", [])
    return written + model


def test_json_examples_are_answers_the_route_gives(client: TestClient) -> None:
    """Each example reads as the route's response model and says nothing the model does not."""
    spec = client.get("/openapi.json").json()
    routes = {
        (method.lower(), f"/api/v1{route.path}"): route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    for method, path, op in operations(spec):
        if not any(media_type == "application/json" for _, media_type, _ in _successes(op)):
            continue
        route = routes[(method, path)]  # a KeyError: a router missing from ROUTERS
        examples = _json_examples(route)
        assert examples, f"{method.upper()} {path}"
        adapter: TypeAdapter[Any] = TypeAdapter(route.response_model)
        for example in examples:
            answer = adapter.validate_python(example)
            dumped = adapter.dump_python(answer, mode="json", exclude_unset=True)
            assert dumped == example, f"{method.upper()} {path}"


def test_csv_examples_are_tables(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method, path, op in operations(spec):
        for _, media_type, media in _successes(op):
            if media_type.startswith("text/csv"):
                (example,) = _examples(spec, media)
                header, *rows = csv.reader(io.StringIO(example))
                assert rows and {len(row) for row in rows} == {len(header)}, f"{method} {path}"


SHEET_MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def test_each_answer_has_one_media_type(client: TestClient) -> None:
    """A generated client parses a 200 by its one declared type: a spreadsheet has its own
    path (`.csv`, `.xlsx`), and every other read is JSON alone."""
    spec = client.get("/openapi.json").json()
    sheets = 0
    for method, path, op in operations(spec):
        suffix = "." + path.rsplit(".", 1)[1] if "." in path else ""
        if path.endswith("/document"):
            continue  # the original bytes, in whichever type they were ingested
        ok = op["responses"].get("200") or op["responses"]["201"]
        expected = SHEET_MEDIA_TYPES.get(suffix, "application/json")
        assert list(ok["content"]) == [expected], f"{method.upper()} {path}"
        sheets += suffix in SHEET_MEDIA_TYPES
        if suffix == ".xlsx":
            assert ok["content"][expected]["schema"] == {"type": "string", "format": "binary"}
        if suffix == ".csv":
            assert ok["content"][expected]["schema"] == {"type": "string"}
    assert (
        sheets == 18
    )  # aggregate, rank, coverage, keys, a table, cells, compare, search, flags: twice


def test_every_operation_declares_the_errors_it_can_give(client: TestClient) -> None:
    """503 everywhere; 401 and 429 on keyed writes; 404 by id; 422 where there are parameters."""
    spec = client.get("/openapi.json").json()
    missing: list[str] = []
    for method, path, op in operations(spec):
        expected = {"503"}
        if method != "get":
            expected |= {"401", "429"}
        if "{" in path:
            expected.add("404")
        if op.get("parameters") or "requestBody" in op:
            expected.add("422")
        missing += [
            f"{method.upper()} {path} {status}" for status in expected - set(op["responses"])
        ]
        for status, response in op["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path)
    assert missing == []


def test_docs_page_shows_this_description(app: FastAPI, client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and app.openapi_url is not None
    assert f"'{app.openapi_url}'" in page.text
    assert client.get(app.openapi_url).json()["info"]["title"] == "gkstats"


@pytest.fixture
def settings(db_url: str) -> Settings:
    # The writes declare their bearer scheme, so schemathesis also sends them without a key
    # and expects 401 each time: the throttle would turn the eleventh into a 429.
    return Settings(
        database_url=db_url, api_keys=frozenset({API_KEY}), auth_failures_per_minute=100_000
    )


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.filterwarnings("ignore")
def test_api_keeps_to_its_schema(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {API_KEY}"},
        excluded_checks=[negative_data_rejection, positive_data_acceptance],
    )


def test_exactly_the_writes_declare_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    (scheme,) = spec["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    secured = {f"{m.upper()} {p}" for m, p, op in operations(spec) if op.get("security")}
    assert secured == {
        "POST /api/v1/reports",
        "POST /api/v1/reports/fetch",
        "DELETE /api/v1/reports/{report_id}",
        "PATCH /api/v1/agencies/{agency_id}",
    }
    for method, path, op in operations(spec):
        if op.get("security"):
            assert op["security"] == [{"apiKey": []}], (method, path)
    assert all(m in {"get", "post", "delete", "patch"} for m, _, _ in operations(spec))


def test_the_docs_need_nothing_from_another_host(client: TestClient) -> None:
    for page, kinds in (
        ("/docs", {"swagger-ui-bundle.js": "javascript", "swagger-ui.css": "text/css"}),
        ("/redoc", {"redoc.standalone.js": "javascript"}),
    ):
        html = client.get(page)
        assert html.status_code == 200
        assert "http://" not in html.text and "https://" not in html.text, page
        urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html.text)
        urls += re.findall(r"""url\s*:\s*'([^']+)'""", html.text)  # Swagger UI's spec URL
        assets = [u for u in urls if u.endswith((".js", ".css", ".png"))]
        assert {u.rsplit("/", 1)[1] for u in assets} >= set(kinds), (page, urls)
        for url in assets:
            asset = client.get(url)
            assert asset.status_code == 200, url
            kind = kinds.get(url.rsplit("/", 1)[1], "image/png")
            assert kind in asset.headers["content-type"], (url, asset.headers["content-type"])


def test_a_write_from_the_docs_authorize_button_reaches_require_api_key(
    client: TestClient,
) -> None:
    # What /docs sends once a key is entered under Authorize: the header, and nothing else.
    no_key = client.delete("/api/v1/reports/1", params={"reason": "x"})
    assert no_key.status_code == 401
    assert "Authorization: Bearer <key>" in no_key.json()["error"]["message"]
    keyed = client.delete(
        "/api/v1/reports/1", params={"reason": "x"}, headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert keyed.status_code == 404
