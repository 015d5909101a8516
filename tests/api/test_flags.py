"""GET /reports/{id}/flags through HTTP, on two years of one fictional agency."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import EXAMPLES, post_document, shared_path
from tests.documents import earlier_year_document, statuses_document
from tests.sheets import XLSX, assert_same_rows, read_csv, read_xlsx
from tests.stats.conftest import Key, add_report

EXAMPLE_2020 = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def test_flags_against_the_year_before(client: TestClient) -> None:
    first = post_document(client, earlier_year_document()).json()
    second = post_document(client, statuses_document()).json()
    assert first["agency"]["id"] == second["agency"]["id"]

    alone = client.get(f"/api/v1/reports/{first['id']}/flags").json()
    assert alone == {
        "report_id": first["id"],
        "year": 2019,
        "previous_report_id": None,
        "items": [],
    }

    body = client.get(f"/api/v1/reports/{second['id']}/flags").json()
    assert body["previous_report_id"] == first["id"]
    found = {(f["rule"], f["key"]): f for f in body["items"]}
    # The example prints 上年结转 5 4 1 1 2 2 15 and 结转下年度 2 5 2 2 1 3 15: every column
    # but the total disagrees with the year before, and the carried-over row of the 2020
    # report here is unreadable, so nothing of it is flagged.
    assert not any(rule == "requests.carried_over" for rule, _ in found)
    # 上一年项目数量 repeats the year before's instead of adding its 本年增/减.
    for row, expected in (("licensing", 17), ("penalties", 8), ("enforcement", 1), ("fees", 3)):
        flag = found["proactive.prev_items", f"proactive.{row}.prev_items"]
        assert flag["expected"] == expected
    assert not any(rule == "jump" for rule, _ in found)


def test_carried_over_flags_name_both_values(client: TestClient) -> None:
    lines = EXAMPLE_2020.read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("# 青禾市云岭区数据资源管理局 2020 年")
    earlier = "\n".join(lines).replace("2020", "2019").replace("2021 年 1 月", "2020 年 1 月")
    post_document(client, earlier.encode())
    later = post_document(client, EXAMPLE_2020.read_bytes()).json()
    body = client.get(f"/api/v1/reports/{later['id']}/flags").json()
    carried = {f["key"]: f for f in body["items"] if f["rule"] == "requests.carried_over"}
    assert set(carried) == {
        f"requests.carried_over.{c}"
        for c in (
            "natural_person",
            "commercial",
            "research",
            "social_org",
            "legal_service",
            "other_org",
        )
    }
    person = carried["requests.carried_over.natural_person"]
    assert (person["expected"], person["found"]) == (2, 5)
    assert person["sources"] == ["previous:requests.carried_forward.natural_person"]
    assert client.get("/api/v1/reports/999999/flags").status_code == 404


def flag_fixture(session: Session) -> dict[str, int]:
    """Two agencies in two counties of 佳木斯市, one unplaced, a synthetic one: each flagged
    in chosen years by chosen rules."""
    ids: dict[str, int] = {}

    def report(
        name: str, year: int, region: str | None, synthetic: bool = False, **cells: int
    ) -> None:
        values: dict[Key, Any] = {}
        for key, value in cells.items():
            table, row, col = key.split("__")
            values[table, row, col] = value
        found = add_report(session, name, year, values, region=region, synthetic=synthetic)
        ids[f"{name}{year}"] = found.id

    government, education = "佳木斯市向阳区人民政府", "佳木斯市前进区教育局"
    report(government, 2020, "230803", requests__carried_forward__total=3, requests__new__total=100)
    # carried_over 5 against 3, and new requests 12 times the year before's.
    report(
        government,
        2021,
        "230803",
        requests__carried_over__total=5,
        requests__new__total=1200,
        requests__carried_forward__total=2,
    )
    report(government, 2022, "230803", requests__carried_over__total=2, requests__new__total=1300)
    # Before: new requests 100; a jump to 1000 (the factor exactly).
    report(education, 2021, "230804", requests__new__total=100)
    report(education, 2022, "230804", requests__new__total=1000)
    report("某某机关", 2021, None, requests__carried_forward__total=1)
    report("某某机关", 2022, None, requests__carried_over__total=0)
    report("合成测试局", 2021, "230804", True, requests__carried_forward__total=1)
    report("合成测试局", 2022, "230804", True, requests__carried_over__total=9)
    session.commit()
    return ids


def listed(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/flags", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def keys(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(f["report_id"], f["rule"], f["key"]) for f in body["items"]]


def test_the_list_of_flags_with_its_filters(client: TestClient, session: Session) -> None:
    ids = flag_fixture(session)
    government = ids["佳木斯市向阳区人民政府2021"]
    education = ids["佳木斯市前进区教育局2022"]
    unplaced = ids["某某机关2022"]
    everything = listed(client)
    assert keys(everything) == [
        (unplaced, "requests.carried_over", "requests.carried_over.total"),
        (education, "jump", "requests.new.total"),
        (government, "jump", "requests.new.total"),
        (government, "requests.carried_over", "requests.carried_over.total"),
    ]
    assert everything["total"] == 4
    first = everything["items"][-1]
    assert first == {
        "report_id": government,
        "agency": {"id": first["agency"]["id"], "name": "佳木斯市向阳区人民政府"},
        "year": 2021,
        "previous_report_id": ids["佳木斯市向阳区人民政府2020"],
        "previous_year": 2020,
        "rule": "requests.carried_over",
        "key": "requests.carried_over.total",
        "expected": 3,
        "found": 5,
        "sources": ["previous:requests.carried_forward.total"],
        "message": "carried over 5 but the year before carried forward 3",
    }
    assert isinstance(first["expected"], int)

    assert keys(listed(client, rule="jump")) == keys(everything)[1:3]
    assert keys(listed(client, region="230803")) == keys(everything)[2:]
    assert keys(listed(client, region="230800")) == keys(everything)[1:]
    assert listed(client, region="110101")["total"] == 0
    assert keys(listed(client, year=2021)) == keys(everything)[2:]
    assert keys(listed(client, year_from=2022, year_to=2022)) == keys(everything)[:2]
    agency_id = first["agency"]["id"]
    assert keys(listed(client, agency_id=agency_id)) == keys(everything)[2:]
    assert keys(listed(client, agency_kind="department")) == keys(everything)[1:2]
    synthetic = listed(client, include_synthetic="true")
    assert synthetic["total"] == 5
    assert synthetic["items"][0]["report_id"] == ids["合成测试局2022"]

    pages = [listed(client, limit=3, offset=offset) for offset in (0, 3)]
    assert [p["total"] for p in pages] == [4, 4]
    assert keys(pages[0]) + keys(pages[1]) == keys(everything)

    for params in (
        {"rule": "sum"},
        {"region": "999999"},
        {"year": 2021, "year_from": 2020},
        {"limit": 1001},
    ):
        response = client.get("/api/v1/flags", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"]


def test_the_list_as_csv_and_xlsx(client: TestClient, session: Session) -> None:
    flag_fixture(session)
    items = listed(client)["items"]
    expected = [
        {
            "report_id": f["report_id"],
            "agency_id": f["agency"]["id"],
            "agency_name": f["agency"]["name"],
            "year": f["year"],
            "previous_report_id": f["previous_report_id"],
            "previous_year": f["previous_year"],
            "rule": f["rule"],
            "key": f["key"],
            "expected": f["expected"],
            "found": f["found"],
            "sources": " ".join(f["sources"]),
            "message": f["message"],
        }
        for f in items
    ]
    text = ("agency_name", "rule", "key", "sources", "message")
    as_csv = client.get("/api/v1/flags.csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-disposition"] == 'attachment; filename="gkstats-flags.csv"'
    assert_same_rows(read_csv(as_csv.content, text), expected, text)
    as_xlsx = client.get("/api/v1/flags.xlsx")
    assert as_xlsx.headers["content-type"] == XLSX
    assert_same_rows(read_xlsx(as_xlsx.content, text), expected, text)
    assert client.get("/api/v1/flags.csv", params={"rule": "jump"}).text.count("\n") == 3


def test_coverage_counts_flagged_reports_and_flags(client: TestClient, session: Session) -> None:
    flag_fixture(session)

    def counts(**params: Any) -> dict[tuple[str | None, int], tuple[int, int]]:
        response = client.get("/api/v1/stats/coverage", params=params)
        assert response.status_code == 200, response.text
        return {
            (i["region"]["code"] if i["region"] else None, i["year"]): (
                i["reports_flagged"],
                i["flags"],
            )
            for i in response.json()["items"]
        }

    county = counts(level="county", region="230800")
    assert county["230803", 2021] == (1, 2)
    assert county["230803", 2022] == (0, 0)
    assert county["230804", 2022] == (1, 1)
    assert counts(level="county", region="230800", include_synthetic="true")["230804", 2022] == (
        2,
        2,
    )
    province = counts(limit=1000)
    assert province["230000", 2021] == (1, 2)
    assert province["230000", 2022] == (1, 1)
    assert province[None, 2022] == (1, 1)
    csv_text = client.get("/api/v1/stats/coverage.csv").text
    assert csv_text.splitlines()[0].endswith("reports_failing,reports_flagged,flags")


def test_a_superseded_revision_is_compared_on_the_fly(client: TestClient, session: Session) -> None:
    ids = flag_fixture(session)
    stored = client.get(f"/api/v1/reports/{ids['佳木斯市向阳区人民政府2021']}/flags").json()
    name = "佳木斯市向阳区人民政府"
    add_report(session, name, 2021, {("requests", "carried_over", "total"): 3}, region="230803")
    session.commit()
    old = client.get(f"/api/v1/reports/{ids[f'{name}2021']}/flags").json()
    assert old == stored
    assert [f["rule"] for f in stored["items"]] == ["requests.carried_over", "jump"]


@pytest.mark.shared
def test_the_corpus_multi_year_agencies_raise_no_flag(client: TestClient) -> None:
    """平潭 2019, 2021–2023 and 洪泽 2023–2024, read against the documents: 上年结转 is last
    year's 结转下年度 in every column, 洪泽's 行政规范性文件 run on (5 + 3 − 0 = 8), and no count
    moves tenfold. 平潭's 2019 report has no 2020 after it, and its 规范性文件 row is unreadable,
    so that rule is skipped there."""
    years: dict[str, list[tuple[int, int]]] = {}
    for name, media_type in (
        ("101.txt", "text/plain"),
        ("103.txt", "text/plain"),
        ("104.txt", "text/plain"),
        ("105.txt", "text/plain"),
        ("023.pdf", "application/pdf"),
        ("024.pdf", "application/pdf"),
    ):
        report = post_document(client, shared_path("corpus", name).read_bytes(), media_type).json()
        years.setdefault(report["agency"]["name"], []).append((report["year"], report["id"]))
    assert {name: [y for y, _ in found] for name, found in years.items()} == {
        "平潭综合实验区": [2019, 2021, 2022, 2023],
        "洪泽区人民政府": [2023, 2024],
    }
    compared = 0
    for found in years.values():
        ids = dict(found)
        for year, report_id in found:
            body = client.get(f"/api/v1/reports/{report_id}/flags").json()
            assert body["previous_report_id"] == ids.get(year - 1)
            assert body["items"] == []
            compared += body["previous_report_id"] is not None
    assert compared == 3
    assert listed(client)["total"] == 0
