"""An ingest is one transaction: a failure part-way stores nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import ingest
from app.models import Agency, Document, Report, ReportTable, Section
from tests.conftest import EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def test_failure_after_rows_were_written_stores_nothing(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_store = ingest._store_children

    def store_then_fail(*args: object, **kwargs: object) -> None:
        real_store(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_store_children", store_then_fail)
    response = post_document(client, EXAMPLE.read_bytes())
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    for model in (Agency, Document, Report, Section, ReportTable):
        assert session.scalar(select(func.count()).select_from(model)) == 0

    monkeypatch.setattr(ingest, "_store_children", real_store)
    assert post_document(client, EXAMPLE.read_bytes()).status_code == 201
