"""The reports API through HTTP: ingest, idempotency, revisions, reading every part back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cells import load_cells
from app.models import Document, Report
from tests.conftest import EXAMPLES, post_document, shared_path

EXAMPLE_2019 = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
EXAMPLE_2021 = EXAMPLES / "2023-qinghe-yunling-data-bureau.md"


def expected(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text("utf-8")
    )
    return data


def ingest(client: TestClient, path: Path) -> dict[str, Any]:
    media = "text/markdown" if path.suffix == ".md" else "text/plain"
    response = post_document(client, path.read_bytes(), media, filename=path.name)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("path", [EXAMPLE_2019, EXAMPLE_2021], ids=["2019", "2021"])
def test_example_round_trips_every_cell(client: TestClient, path: Path) -> None:
    truth = expected(path)
    report = ingest(client, path)
    assert report["agency"]["name"] == truth["agency"]
    assert report["year"] == truth["year"]
    assert report["format"] == truth["format"]
    assert report["period_start"] == truth["period_start"]
    assert report["period_end"] == truth["period_end"]
    assert report["source"]["filename"] == path.name
    assert report["checks"]["failed"] == 0
    assert report["checks"]["not_assessable"] == 0
    assert report["checks"]["passed"] > 0

    cells = client.get(f"/api/v1/reports/{report['id']}/cells").json()
    got = {f"{c['table']}.{c['row']}.{c['col']}": c["value"] for c in cells["items"]}
    assert got == truth["values"]
    assert cells["total"] == len(truth["values"])
    assert all(c["status"] == "number" for c in cells["items"])


@pytest.mark.shared
def test_seed_document_is_read_exactly(client: TestClient) -> None:
    seed = shared_path("seed", "000_f4133f615d5c2536.txt")
    response = post_document(client, seed.read_bytes(), "text/plain", filename=seed.name)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["agency"]["name"] == "前进区营商环境建设监督局"
    assert (report["year"], report["format"]) == (2020, "2019")
    assert (report["period_start"], report["period_end"]) == ("2020-03-01", "2020-12-31")
    assert report["checks"] == {
        "passed": report["checks"]["passed"],
        "failed": 0,
        "not_assessable": 0,
    }

    cells = client.get(f"/api/v1/reports/{report['id']}/cells").json()["items"]
    by_table: dict[str, int] = {}
    for cell in cells:
        by_table[cell["table"]] = by_table.get(cell["table"], 0) + 1
        assert (cell["value"], cell["status"], cell["raw"]) == (0, "number", "0")
    assert by_table == {"requests": 161, "proactive": 22, "reviews": 15}

    sections = client.get(f"/api/v1/reports/{report['id']}/sections").json()["items"]
    assert [s["number"] for s in sections] == [0, 1, 2, 3, 4, 5, 6]
    assert sections[1]["title"] == "一、总体情况"
    assert "强化组织领导" in sections[1]["text"]
    assert "人员素质亟待提高" in sections[5]["text"]
    assert "放管服" in sections[6]["text"]

    checks = client.get(f"/api/v1/reports/{report['id']}/checks").json()["items"]
    assert checks and all(c["result"] == "pass" for c in checks)

    again = post_document(client, seed.read_bytes(), "text/plain", filename=seed.name)
    assert again.status_code == 200
    assert again.json()["id"] == report["id"]


def test_same_bytes_twice_store_one_report(client: TestClient, session: Session) -> None:
    first = ingest(client, EXAMPLE_2019)
    second = post_document(client, EXAMPLE_2019.read_bytes(), "text/plain")
    assert second.status_code == 200
    assert second.json()["id"] == first["id"]
    assert session.scalar(select(func.count()).select_from(Report)) == 1
    assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_new_document_for_same_agency_and_year_is_a_revision(client: TestClient) -> None:
    first = ingest(client, EXAMPLE_2019)
    edited = EXAMPLE_2019.read_bytes() + "\n（本报告于次月更正了第六部分的文字。）\n".encode()
    assert edited != EXAMPLE_2019.read_bytes()
    response = post_document(client, edited, "text/plain")
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["revision"] == 2 and second["is_current"] is True

    old = client.get(f"/api/v1/reports/{first['id']}").json()
    assert old["is_current"] is False and old["revision"] == 1

    listed = client.get("/api/v1/reports").json()
    assert [r["id"] for r in listed["items"]] == [second["id"]]
    everything = client.get("/api/v1/reports", params={"include_superseded": True}).json()
    assert everything["total"] == 2

    revisions = client.get(f"/api/v1/reports/{first['id']}/revisions").json()
    assert [r["revision"] for r in revisions["items"]] == [2, 1]

    agency_id = second["agency"]["id"]
    served = client.get(f"/api/v1/agencies/{agency_id}/reports/2020").json()
    assert served["id"] == second["id"]


def test_original_document_is_kept(client: TestClient) -> None:
    report = ingest(client, EXAMPLE_2021)
    response = client.get(f"/api/v1/reports/{report['id']}/document")
    assert response.status_code == 200
    assert response.content == EXAMPLE_2021.read_bytes()
    assert response.headers["content-type"].startswith("text/markdown")


def test_multipart_upload(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/reports",
        files={"file": (EXAMPLE_2021.name, EXAMPLE_2021.read_bytes(), "text/markdown")},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    assert response.json()["source"]["filename"] == EXAMPLE_2021.name
    assert response.json()["format"] == "2021"


def test_gb18030_document(client: TestClient) -> None:
    text = EXAMPLE_2019.read_text("utf-8")
    response = post_document(client, text.encode("gb18030"), "text/plain; charset=gb18030")
    assert response.status_code == 201, response.text
    assert response.json()["agency"]["name"] == expected(EXAMPLE_2019)["agency"]


def test_utf8_bom_document(client: TestClient) -> None:
    response = post_document(client, b"\xef\xbb\xbf" + EXAMPLE_2019.read_bytes(), "text/plain")
    assert response.status_code == 201, response.text
    assert response.json()["title"].startswith("青禾市云岭区数据资源管理局")


def test_sections(client: TestClient) -> None:
    report = ingest(client, EXAMPLE_2021)
    items = client.get(f"/api/v1/reports/{report['id']}/sections").json()["items"]
    assert [s["key"] for s in items] == [
        "preamble",
        "overview",
        "proactive",
        "requests",
        "reviews",
        "problems",
        "other_matters",
    ]
    one = client.get(f"/api/v1/reports/{report['id']}/sections/5").json()
    assert one == items[5]
    assert one["text"]
    preamble = client.get(f"/api/v1/reports/{report['id']}/sections/0").json()
    assert preamble == items[0]
    assert preamble["title"] == ""
    assert "年度报告" in preamble["text"]
    missing = client.get(f"/api/v1/reports/{report['id']}/sections/7")
    assert missing.status_code == 422


def test_cell_filters(client: TestClient) -> None:
    report = ingest(client, EXAMPLE_2019)
    truth = expected(EXAMPLE_2019)["values"]
    url = f"/api/v1/reports/{report['id']}/cells"
    one = client.get(url, params={"table": "requests", "row": "new", "col": "total"}).json()
    assert [c["value"] for c in one["items"]] == [truth["requests.new.total"]]
    reviews = client.get(url, params={"table": "reviews"}).json()
    assert reviews["total"] == 15
    column = client.get(url, params={"table": "requests", "col": "total"}).json()
    assert column["total"] == 23
    assert client.get(url, params={"table": "nope"}).status_code == 422


def test_amount_and_change_cells(client: TestClient) -> None:
    report = ingest(client, EXAMPLE_2019)
    url = f"/api/v1/reports/{report['id']}/cells"
    amount = client.get(url, params={"row": "procurement", "col": "amount"}).json()["items"][0]
    assert amount["unit"] == "万元"
    assert amount["raw"].endswith("万元")
    changes = client.get(url, params={"col": "change"}).json()["items"]
    assert any(c["value"] < 0 for c in changes)
    assert all(isinstance(c["value"], int) for c in changes)


def test_derived_subtotals(client: TestClient) -> None:
    report = ingest(client, EXAMPLE_2021)
    truth = expected(EXAMPLE_2021)["values"]
    url = f"/api/v1/reports/{report['id']}/cells"
    plain = client.get(url).json()["items"]
    assert not any(c["derived"] for c in plain)
    cells = client.get(url, params={"include_derived": True, "col": "total"}).json()["items"]
    derived = {c["row"]: c["value"] for c in cells if c["derived"]}
    denied = sum(
        v for k, v in truth.items() if k.startswith("requests.denied_") and k.endswith(".total")
    )
    other = sum(
        v for k, v in truth.items() if k.startswith("requests.other_") and k.endswith(".total")
    )
    assert derived["denied"] == denied
    assert derived["other"] == other
    legal = client.get(
        url, params={"include_derived": True, "col": "legal_person", "row": "new"}
    ).json()["items"]
    orgs = ("commercial", "research", "social_org", "legal_service", "other_org")
    assert legal[0]["value"] == sum(truth[f"requests.new.{c}"] for c in orgs)
    assert legal[0]["derived"] is True


def test_table_as_printed(client: TestClient) -> None:
    report = ingest(client, EXAMPLE_2021)
    truth = expected(EXAMPLE_2021)["values"]
    table = client.get(f"/api/v1/reports/{report['id']}/tables/requests").json()
    assert len(table["rows"]) == 25
    assert table["rows"][0]["label_zh"] == "一、本年新收政府信息公开申请数量"
    assert [c["key"] for c in table["rows"][0]["columns"]][-1] == "total"
    assert table["rows"][0]["cells"][-1]["value"] == truth["requests.new.total"]
    proactive = client.get(f"/api/v1/reports/{report['id']}/tables/proactive").json()
    labels = [r["label_zh"] for r in proactive["rows"]]
    assert labels == [
        "规章",
        "行政规范性文件",
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
    ]
    fee = proactive["rows"][-1]
    assert fee["columns"][0]["key"] == "amount_wan_yuan"
    assert fee["cells"][0]["value"] == truth["proactive.fees.amount_wan_yuan"]


def test_checks_listing(client: TestClient) -> None:
    report = ingest(client, EXAMPLE_2019)
    checks = client.get(f"/api/v1/reports/{report['id']}/checks").json()
    rules = {c["rule"] for c in checks["items"]}
    assert rules == {
        "requests.balance",
        "requests.processed_total",
        "requests.total_column",
        "reviews.total",
    }
    assert checks["summary"]["passed"] == len(checks["items"])
    failing = client.get(f"/api/v1/reports/{report['id']}/checks", params={"result": "fail"}).json()
    assert failing["items"] == []


def test_failing_check_is_stored_with_both_sides(client: TestClient) -> None:
    text = EXAMPLE_2019.read_text("utf-8")
    truth = expected(EXAMPLE_2019)["values"]
    new_total = str(truth["requests.new.total"])
    line = next(ln for ln in text.splitlines() if ln.startswith("一、本年新收"))
    cells = line.split("\t")
    assert cells[-1].strip() == new_total
    broken_line = "\t".join([*cells[:-1], str(int(new_total) + 5)])
    response = post_document(client, text.replace(line, broken_line).encode(), "text/plain")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["checks"]["failed"] >= 2
    failures = client.get(
        f"/api/v1/reports/{report['id']}/checks", params={"result": "fail"}
    ).json()["items"]
    balance = next(f for f in failures if f["rule"] == "requests.balance")
    assert balance["scope"] == "total"
    assert balance["difference"] == 5
    assert balance["left"] - balance["right"] == 5
    assert "requests.new.total" in balance["cells"]


def test_list_reports_filters_and_pagination(client: TestClient) -> None:
    a = ingest(client, EXAMPLE_2019)
    b = ingest(client, EXAMPLE_2021)
    listing = client.get("/api/v1/reports", params={"limit": 1}).json()
    assert listing["total"] == 2 and listing["limit"] == 1 and len(listing["items"]) == 1
    assert listing["items"][0]["id"] == b["id"]  # newest year first
    page2 = client.get("/api/v1/reports", params={"limit": 1, "offset": 1}).json()
    assert page2["items"][0]["id"] == a["id"]
    by_year = client.get("/api/v1/reports", params={"year": 2020}).json()
    assert [r["id"] for r in by_year["items"]] == [a["id"]]
    by_format = client.get("/api/v1/reports", params={"format": "2021"}).json()
    assert [r["id"] for r in by_format["items"]] == [b["id"]]
    by_agency = client.get("/api/v1/reports", params={"agency_id": a["agency"]["id"]}).json()
    assert by_agency["total"] == 2
    assert client.get("/api/v1/reports", params={"limit": 1001}).status_code == 422


def test_stored_cells_match_api(client: TestClient, session: Session) -> None:
    report = ingest(client, EXAMPLE_2019)
    stored = load_cells(session.connection(), [report["id"]])[report["id"]]
    assert len(stored) == 198
