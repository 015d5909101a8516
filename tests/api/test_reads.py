"""Agencies, regions, catalog and health through HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.catalog import cell_keys
from app.models import Region
from tests.conftest import EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def test_agencies_list_search_and_detail(client: TestClient) -> None:
    report = post_document(client, EXAMPLE.read_bytes()).json()
    agency_id = report["agency"]["id"]
    found = client.get("/api/v1/agencies", params={"q": "数据资源"}).json()
    assert [a["id"] for a in found["items"]] == [agency_id]
    assert found["items"][0]["years"] == [2020]
    assert client.get("/api/v1/agencies", params={"q": "不存在的机关"}).json()["total"] == 0
    detail = client.get(f"/api/v1/agencies/{agency_id}").json()
    assert detail["name"] == "青禾市云岭区数据资源管理局"
    assert detail["kind"] == "department"
    assert client.get(f"/api/v1/agencies/{agency_id}/reports/2019").status_code == 404
    assert client.get("/api/v1/agencies/999999").status_code == 404


def test_regions_tree(client: TestClient, session: Session) -> None:
    session.add_all(
        [
            Region(code="990000", name="测试省", level="province", parent_code=None),
            Region(code="990100", name="测试市", level="city", parent_code="990000"),
            Region(code="990102", name="测试区", level="county", parent_code="990100"),
        ]
    )
    session.commit()
    detail = client.get("/api/v1/regions/990100").json()
    assert [r["code"] for r in detail["path"]] == ["990000", "990100"]
    assert [r["code"] for r in detail["children"]] == ["990102"]
    children = client.get("/api/v1/regions", params={"parent": "990000"}).json()
    assert [r["name"] for r in children["items"]] == ["测试市"]
    assert client.get("/api/v1/regions", params={"q": "测试"}).json()["total"] == 3
    assert client.get("/api/v1/regions/000001").status_code == 404

    report = post_document(client, EXAMPLE.read_bytes(), region="990102").json()
    assert report["agency"]["region"]["code"] == "990102"
    under = client.get("/api/v1/reports", params={"region": "990000"}).json()
    assert [r["id"] for r in under["items"]] == [report["id"]]
    assert client.get("/api/v1/reports", params={"region": "110000"}).json()["total"] == 0
    agencies = client.get("/api/v1/agencies", params={"region": "990100"}).json()
    assert agencies["total"] == 1


def test_catalog_lists_every_key(client: TestClient) -> None:
    catalog = client.get("/api/v1/catalog").json()
    listed = {
        (fmt, t["key"], r["key"], c["key"])
        for t in catalog["tables"]
        for r in t["rows"]
        for fmt, cols in r["columns"].items()
        for c in cols
    }
    for fmt in ("2019", "2021"):
        for table, row, col in cell_keys(fmt):
            assert (fmt, table, row, col) in listed
    requests = next(t for t in catalog["tables"] if t["key"] == "requests")
    new = next(r for r in requests["rows"] if r["key"] == "new")
    assert new["label_zh"] == "一、本年新收政府信息公开申请数量"
    assert new["formats"] == ["2019", "2021"]
    assert catalog["cell_statuses"] == [
        "number",
        "blank",
        "not_applicable",
        "inferred",
        "unreadable",
    ]


def test_health(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}
