"""GET /stats/aggregate against sums computed apart from the cells, on every kind of grouping."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Report
from tests.stats.conftest import Expected, add_report, expected_groups

METRICS = [
    "requests.new.total",
    "requests.new.natural_person",
    "requests.other.total",
    "requests.other_misc.total",
    "proactive.procurement.amount",
    "disclosure_rate",
    "denial_rate",
    "reconsideration_correction_rate",
    "litigation_correction_rate",
]
GROUPINGS = [
    [],
    ["year"],
    ["year", "province"],
    ["province", "city"],
    ["year", "county"],
    ["city", "agency_kind"],
    ["format"],
    ["agency"],
    ["year", "agency", "format"],
]


def _key_of(item: dict[str, Any], group_by: list[str]) -> tuple[Any, ...]:
    key = []
    for g in group_by:
        value = item[g]
        if isinstance(value, dict):
            value = value.get("code", value.get("id"))
        key.append(value)
    return tuple(key)


def assert_matches(
    answer: dict[str, Any], expected: dict[tuple[Any, ...], Expected], group_by: list[str]
) -> None:
    got = {_key_of(item, group_by): item for item in answer["items"]}
    assert answer["total"] == len(expected)
    assert set(got) == set(expected)
    for key, want in expected.items():
        item = got[key]
        assert item["reports"] == want.reports, key
        assert item["missing"] == want.missing, key
        for metric, value in want.values.items():
            if value is None:
                assert item["values"][metric] is None, (key, metric)
            else:
                assert item["values"][metric] == pytest.approx(value, rel=1e-6), (key, metric)


def aggregate(client: TestClient, **params: Any) -> dict[str, Any]:
    given = {k: v for k, v in params.items() if v is not None}
    response = client.get("/api/v1/stats/aggregate", params={"limit": 1000, **given})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("group_by", GROUPINGS, ids=lambda g: ",".join(g) or "none")
def test_every_grouping_matches_the_cells(
    client: TestClient, session: Session, dataset: list[Report], group_by: list[str]
) -> None:
    answer = aggregate(client, metric=METRICS, group_by=",".join(group_by) or None)
    assert_matches(answer, expected_groups(session, METRICS, group_by), group_by)
    whole = expected_groups(session, METRICS, [])[()]
    assert answer["totals"]["reports"] == whole.reports
    assert answer["totals"]["missing"] == whole.missing


@pytest.mark.parametrize(
    ("params", "oracle"),
    [
        ({"year": 2020}, {"year_from": 2020, "year_to": 2020}),
        ({"year_from": 2020, "year_to": 2021}, {"year_from": 2020, "year_to": 2021}),
        ({"region": "230800"}, {"region": "230800"}),
        ({"region": "230804"}, {"region": "230804"}),
        ({"region": "230000"}, {"region": "230000"}),
        ({"region": "110000"}, {"region": "110000"}),
        ({"agency_kind": "people_government"}, {"agency_kind": "people_government"}),
        ({"format": "2021"}, {"fmt": "2021"}),
        ({"include_synthetic": True}, {"include_synthetic": True}),
    ],
)
def test_filters_match_the_cells(
    client: TestClient,
    session: Session,
    dataset: list[Report],
    params: dict[str, Any],
    oracle: dict[str, Any],
) -> None:
    for group_by in (["year", "county"], ["agency"]):
        answer = aggregate(client, metric=METRICS, group_by=",".join(group_by), **params)
        assert_matches(answer, expected_groups(session, METRICS, group_by, **oracle), group_by)


def test_agency_filter_reads_the_cells(
    client: TestClient, session: Session, dataset: list[Report]
) -> None:
    agency_id = dataset[0].agency_id
    answer = aggregate(client, metric=METRICS, group_by="year", agency_id=agency_id)
    expected = expected_groups(session, METRICS, ["year"], agency_id=agency_id)
    assert_matches(answer, expected, ["year"])


def test_districts_of_a_city_by_year(
    client: TestClient, session: Session, dataset: list[Report]
) -> None:
    answer = aggregate(
        client,
        metric=["requests.new.total", "disclosure_rate"],
        group_by="year,county",
        region="230800",
    )
    counties = {item["county"]["name"] if item["county"] else None for item in answer["items"]}
    # The city's own office is under 佳木斯市 but in no district.
    assert counties == {"向阳区", "前进区", "东风区", None}
    assert set(answer["items"][0]) == {"year", "county", "values", "reports", "missing"}


def test_unplaced_agencies_fall_in_a_null_region(
    client: TestClient, session: Session, dataset: list[Report]
) -> None:
    answer = aggregate(client, metric="requests.new.total", group_by="province")
    provinces = [item["province"] for item in answer["items"]]
    assert provinces[-1] is None
    assert {p["code"] for p in provinces[:-1]} == {"110000", "230000", "610000"}


def test_blank_cells_are_missing_not_zero(client: TestClient, session: Session) -> None:
    key = ("requests", "new", "total")
    add_report(session, "佳木斯市向阳区人民政府", 2020, {key: 5}, region="230803")
    add_report(session, "佳木斯市前进区人民政府", 2020, {key: None}, region="230804")
    add_report(session, "佳木斯市东风区财政局", 2020, {}, region="230805")
    session.commit()
    answer = aggregate(client, metric=["requests.new.total", "disclosure_rate"], group_by="county")
    by_county = {i["county"]["code"]: i for i in answer["items"]}
    assert by_county["230803"]["values"]["requests.new.total"] == 5
    assert by_county["230804"]["values"]["requests.new.total"] is None
    assert by_county["230804"]["missing"]["requests.new.total"] == 1
    assert by_county["230805"]["missing"]["requests.new.total"] == 1
    assert answer["totals"]["values"]["requests.new.total"] == 5
    assert answer["totals"]["missing"] == {"requests.new.total": 2, "disclosure_rate": 3}


def test_ratio_with_zero_denominator_is_null(client: TestClient, session: Session) -> None:
    zero = {
        ("requests", "granted", "total"): 0,
        ("requests", "partially_granted", "total"): 0,
        ("requests", "processed_total", "total"): 0,
    }
    add_report(session, "佳木斯市向阳区人民政府", 2020, zero, region="230803")
    some = {
        **zero,
        ("requests", "granted", "total"): 3,
        ("requests", "processed_total", "total"): 4,
    }
    add_report(session, "佳木斯市前进区人民政府", 2020, some, region="230804")
    session.commit()
    answer = aggregate(client, metric="disclosure_rate", group_by="county")
    values = {i["county"]["code"]: i["values"]["disclosure_rate"] for i in answer["items"]}
    assert values == {"230803": None, "230804": 0.75}
    assert answer["totals"]["values"]["disclosure_rate"] == 0.75


def test_both_formats_sum_across_the_change(client: TestClient, session: Session) -> None:
    key = ("requests", "new", "total")
    add_report(session, "佳木斯市向阳区人民政府", 2020, {key: 7}, fmt="2019", region="230803")
    add_report(session, "佳木斯市向阳区人民政府", 2021, {key: 11}, fmt="2021")
    session.commit()
    answer = aggregate(client, metric="requests.new.total")
    assert answer["items"][0]["values"]["requests.new.total"] == 18
    by_format = aggregate(client, metric="requests.new.total", group_by="format")
    assert [(i["format"], i["values"]["requests.new.total"]) for i in by_format["items"]] == [
        ("2019", 7),
        ("2021", 11),
    ]


def test_only_the_current_revision_counts(client: TestClient, session: Session) -> None:
    key = ("requests", "new", "total")
    add_report(session, "佳木斯市向阳区人民政府", 2020, {key: 7}, region="230803")
    add_report(session, "佳木斯市向阳区人民政府", 2020, {key: 30})
    session.commit()
    answer = aggregate(client, metric="requests.new.total", group_by="county")
    assert answer["items"] == [
        {
            "county": {"code": "230803", "name": "向阳区"},
            "values": {"requests.new.total": 30},
            "reports": 1,
            "missing": {"requests.new.total": 0},
        }
    ]


def test_synthetic_reports_only_when_asked(client: TestClient, session: Session) -> None:
    key = ("requests", "new", "total")
    add_report(session, "佳木斯市向阳区人民政府", 2020, {key: 7}, region="230803")
    add_report(session, "合成测试局", 2020, {key: 1000}, region="230803", synthetic=True)
    session.commit()
    assert aggregate(client, metric="requests.new.total")["totals"]["values"] == {
        "requests.new.total": 7
    }
    with_synthetic = aggregate(client, metric="requests.new.total", include_synthetic=True)
    assert with_synthetic["totals"]["values"] == {"requests.new.total": 1007}


def test_compare_with_previous_year(
    client: TestClient, session: Session, dataset: list[Report]
) -> None:
    metrics = ["requests.new.total", "disclosure_rate"]
    answer = aggregate(
        client, metric=metrics, group_by="year,province", year_from=2021, compare="previous_year"
    )
    expected = expected_groups(session, metrics, ["year", "province"])
    assert {i["year"] for i in answer["items"]} == {2021, 2022}
    for item in answer["items"]:
        province = item["province"]["code"] if item["province"] else None
        before = expected.get((item["year"] - 1, province))
        for metric in metrics:
            previous = before.values[metric] if before else None
            assert item["previous"][metric] == pytest.approx(previous, rel=1e-6)
            now = item["values"][metric]
            if now is None or previous is None:
                assert item["change"][metric] is None
            else:
                assert item["change"][metric] == pytest.approx(now - previous, abs=1e-5)
                if previous:
                    assert item["change_pct"][metric] == pytest.approx(
                        100 * (now - previous) / previous, rel=1e-4
                    )


def test_pagination_and_limits(client: TestClient, dataset: list[Report]) -> None:
    full = aggregate(client, metric="requests.new.total", group_by="agency")
    page = client.get(
        "/api/v1/stats/aggregate",
        params={"metric": "requests.new.total", "group_by": "agency", "limit": 2, "offset": 1},
    ).json()
    assert page["items"] == full["items"][1:3]
    assert page["total"] == full["total"]
    assert page["totals"] == full["totals"]
    too_many = [f"requests.new.{c}" for c in ("total", "natural_person", "research")] + [
        f"requests.{r}.total" for r in ("granted", "partially_granted", "processed_total")
    ]
    too_many += [
        f"reviews.{r}.{c}"
        for r in ("reconsideration", "litigation_direct")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    too_many += [
        f"reviews.litigation_after_reconsideration.{c}"
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert len(too_many) > 20
    invalid: list[dict[str, str | int | list[str]]] = [
        {"metric": too_many},
        {"metric": "requests.nothing.total"},
        {"metric": "requests.new.total", "limit": 1001},
        {"metric": "requests.new.total", "group_by": "planet"},
        {"metric": "requests.new.total", "compare": "previous_year"},
        {"metric": "requests.new.total", "region": "999999"},
        {"metric": "requests.new.total", "year": 2020, "year_from": 2019},
    ]
    for params in invalid:
        response = client.get("/api/v1/stats/aggregate", params=params)
        assert response.status_code == 422, params
        assert set(response.json()["error"]) == {"status", "code", "message", "details"}


def test_csv_has_a_bom_and_one_row_per_group(
    client: TestClient, session: Session, dataset: list[Report]
) -> None:
    params = {"metric": ["requests.new.total", "disclosure_rate"], "group_by": "year,county"}
    json_answer = aggregate(client, **params)
    for response in (
        client.get("/api/v1/stats/aggregate", params={**params, "output": "csv"}),
        client.get("/api/v1/stats/aggregate", params=params, headers={"Accept": "text/csv"}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [
            "year",
            "county_code",
            "county_name",
            "reports",
            "requests.new.total",
            "requests.new.total.missing",
            "disclosure_rate",
            "disclosure_rate.missing",
        ]
        assert len(rows) - 1 == len(json_answer["items"])
        named = [r for r in rows[1:] if r[1]]
        assert any(r[2] == "向阳区" for r in named)
