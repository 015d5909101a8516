"""GET /agencies/{id}/compare: an agency's two years side by side, through HTTP."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from app.metrics import METRIC_FORMATS, RATIOS
from tests.conftest import EXAMPLES, post_document
from tests.documents import earlier_year_document, statuses_document


def stored(client: TestClient, document: bytes) -> dict[str, Any]:
    answer = post_document(client, document)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def cells_of(client: TestClient, report_id: int) -> dict[str, dict[str, Any]]:
    cells = client.get(f"/api/v1/reports/{report_id}/cells").json()["items"]
    return {f"{c['table']}.{c['row']}.{c['col']}": c for c in cells}


def test_across_the_change_of_format(client: TestClient) -> None:
    old = stored(client, (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes())
    new = stored(client, (EXAMPLES / "2023-qinghe-yunling-data-bureau.md").read_bytes())
    agency = old["agency"]["id"]
    answer = client.get(f"/api/v1/agencies/{agency}/compare")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(r["id"], r["year"], r["format"]) for r in body["reports"]] == [
        (old["id"], 2020, "2019"),
        (new["id"], 2023, "2021"),
    ]
    before, after = cells_of(client, old["id"]), cells_of(client, new["id"])
    for item in body["cells"]:
        assert METRIC_FORMATS[item["key"]] >= {"2019", "2021"}
        for side, cells in (("before", before), ("after", after)):
            cell = cells.get(item["key"])
            expected = (
                {"value": None, "raw": None, "status": None}
                if cell is None
                else {k: cell[k] for k in ("value", "raw", "status")}
            )
            assert item[side] == expected
        if item["before"]["value"] is not None and item["after"]["value"] is not None:
            assert item["change"] == item["after"]["value"] - item["before"]["value"]
        else:
            assert item["change"] is None
    assert {i["key"] for i in body["cells"]} == {
        k for k in set(before) | set(after) if METRIC_FORMATS[k] >= {"2019", "2021"}
    }
    apart = {(i["key"], i["year"]) for i in body["one_format_only"]}
    assert ("proactive.procurement.amount", 2020) in apart
    assert all(METRIC_FORMATS[k] != frozenset({"2019", "2021"}) for k, _ in apart)
    assert {k for k, y in apart if y == 2023} == {
        k for k in after if METRIC_FORMATS[k] == frozenset({"2021"})
    }
    assert [r["name"] for r in body["rates"]] == list(RATIOS)
    numbers = {
        s["number"]
        for report in (old, new)
        for s in client.get(f"/api/v1/reports/{report['id']}/sections").json()["items"]
    }
    assert [s["number"] for s in body["sections"]] == sorted(numbers)
    assert numbers >= {1, 2, 3, 4, 5, 6}
    for section in body["sections"]:
        pieces = section["diff"]
        assert "".join(p["text"] for p in pieces if p["op"] != "insert") == section["before"]
        assert "".join(p["text"] for p in pieces if p["op"] != "delete") == section["after"]
    # Both years' text of part 五 differ, and the diff says where.
    five = next(s for s in body["sections"] if s["number"] == 5)
    assert {p["op"] for p in five["diff"]} >= {"equal", "delete", "insert"}


def test_a_blank_is_never_a_zero_and_checks_that_turned(client: TestClient) -> None:
    earlier = stored(client, earlier_year_document())
    later = stored(client, statuses_document())
    agency = earlier["agency"]["id"]
    assert later["agency"]["id"] == agency
    body = client.get(f"/api/v1/agencies/{agency}/compare", params={"years": "2020,2019"}).json()
    assert [r["year"] for r in body["reports"]] == [2019, 2020]
    cells = {c["key"]: c for c in body["cells"]}
    blank = cells["proactive.normative_docs.published"]
    assert blank["before"]["status"] == "number" and blank["after"]["status"] == "blank"
    assert blank["after"]["value"] is None and blank["change"] is None
    assert blank["change_pct"] is None
    unreadable = cells["requests.carried_over.natural_person"]
    assert unreadable["after"]["status"] == "unreadable" and unreadable["change"] is None
    total = cells["requests.new.total"]
    assert (total["before"]["value"], total["after"]["value"], total["change"]) == (426, 430, 4)
    assert round(total["change_pct"], 6) == round(4 / 426 * 100, 6)
    turned = {(c["rule"], c["scope"]) for c in body["checks"]}
    assert ("requests.total_column", "new") in turned
    for check in body["checks"]:
        assert {check["before"]["result"], check["after"]["result"]} == {"pass", "fail"}
    assert body["one_format_only"] == []


def test_spreadsheets_have_a_row_per_key(client: TestClient) -> None:
    earlier = stored(client, earlier_year_document())
    stored(client, statuses_document())
    path = f"/api/v1/agencies/{earlier['agency']['id']}/compare"
    body = client.get(path).json()
    csv = client.get(path + ".csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "key,2019.value,2019.status,2020.value,2020.status,change,change_pct"
    assert len(lines) == 1 + len(body["cells"]) + len(body["one_format_only"])
    assert "proactive.normative_docs.published,4,number,,blank,," in lines
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(path + ".xlsx").content)).active
    assert sheet is not None and sheet.title == "compare"
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(lines)
    assert rows[[r[0] for r in rows].index("requests.new.total")][:6] == (
        "requests.new.total",
        426,
        "number",
        430,
        "number",
        4,
    )


def test_years_asked_for_must_exist(client: TestClient) -> None:
    report = stored(client, earlier_year_document())
    path = f"/api/v1/agencies/{report['agency']['id']}/compare"
    only_one = client.get(path)
    assert only_one.status_code == 422
    assert "a comparison needs two years" in only_one.json()["error"]["message"]
    missing = client.get(path, params={"years": "2019,2022"})
    assert missing.status_code == 404
    assert "no report for 2022" in missing.json()["error"]["message"]
    assert client.get(path, params={"years": "2019,2019"}).status_code == 422
    assert client.get(path, params={"years": "2019"}).status_code == 422
    assert client.get("/api/v1/agencies/999999/compare").status_code == 404
