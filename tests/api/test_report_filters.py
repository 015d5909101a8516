"""The report list's data-quality filters: failing checks, unreadable cells, synthetic or not."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import EXAMPLES, post_document
from tests.documents import INFERRED_DOCUMENT, statuses_document
from tests.stats.conftest import add_report


def ids(client: TestClient, **params: str) -> list[int]:
    answer = client.get("/api/v1/reports", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == len(body["items"])
    return sorted(r["id"] for r in body["items"])


def test_failing_and_unreadable_filters(client: TestClient) -> None:
    example = post_document(client, (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes())
    edited = post_document(client, statuses_document())
    inferred = post_document(client, INFERRED_DOCUMENT)
    clean, failing, collapsed = (r.json() for r in (example, edited, inferred))
    assert clean["checks"]["failed"] == 0
    assert failing["checks"]["failed"] > 0

    assert ids(client) == sorted([clean["id"], failing["id"], collapsed["id"]])
    assert ids(client, failing_checks="true") == [failing["id"]]
    assert ids(client, unreadable_cells="true") == sorted([failing["id"], collapsed["id"]])
    assert ids(client, failing_checks="true", unreadable_cells="true") == [failing["id"]]
    assert ids(client, unreadable_cells="true", year="2019") == [collapsed["id"]]


def test_synthetic_filter(client: TestClient, session: Session) -> None:
    real = post_document(client, (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes())
    made = add_report(
        session, "合成测试局", 2020, {("requests", "new", "total"): 3}, synthetic=True
    )
    session.commit()
    assert ids(client, synthetic="true") == [made.id]
    assert ids(client, synthetic="false") == [real.json()["id"]]
    assert ids(client) == sorted([made.id, real.json()["id"]])
    assert client.get("/api/v1/reports", params={"synthetic": "maybe"}).status_code == 422
