"""The OpenAPI description teaches the API, and the API keeps to it under generated input."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.conftest import API_KEY


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


def test_docs_page_is_served(client: TestClient) -> None:
    assert "swagger" in client.get("/docs").text.lower()


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
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
