"""The stats answers as spreadsheets: each `.csv` and `.xlsx` read by pandas gives the rows of
the JSON answer, region codes as text and counts as numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from app.models import Report
from tests.sheets import (
    XLSX,
    assert_same_rows,
    blank_as_none,
    read_csv,
    read_xlsx,
    text_cells,
)

METRICS = ["requests.new.total", "disclosure_rate"]


def _region(item: dict[str, Any], key: str, level: str) -> dict[str, Any]:
    region = item[key]
    return {
        f"{level}_code": region and region["code"],
        f"{level}_name": region and region["name"],
    }


def _aggregate_row(item: dict[str, Any]) -> dict[str, Any]:
    row = {"year": item["year"], **_region(item, "county", "county"), "reports": item["reports"]}
    for metric in METRICS:
        row[metric] = item["values"][metric]
        row[f"{metric}.missing"] = item["missing"][metric]
        for field in ("previous", "change", "change_pct"):
            row[f"{metric}.{field}"] = item[field][metric]
    return row


def _rank_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "rank": item["rank"],
        **_region(item, "region", "county"),
        "requests.new.total": item["value"],
        "reports": item["reports"],
        "requests.new.total.missing": item["missing"],
    }


def _coverage_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **_region(item, "region", "region"),
        **{
            k: item[k]
            for k in ("year", "agencies", "reports", "reports_failing", "reports_flagged", "flags")
        },
    }


def _key_row(item: dict[str, Any]) -> dict[str, Any]:
    years = {f"years_{fmt}": " ".join(map(str, item["years"].get(fmt, []))) for fmt in FMTS}
    return {
        "key": item["key"],
        "kind": item["kind"],
        "formats": " ".join(item["formats"]),
        **{k: blank_as_none(v) for k, v in years.items()},
        "reports": item["reports"],
    }


FMTS = ("2019", "2021")
# Per answer: its path and parameters, how a JSON item reads as a row, the columns holding text.
ANSWERS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]], list[str]]] = {
    "aggregate": (
        {"metric": METRICS, "group_by": "year,county", "compare": "previous_year"},
        _aggregate_row,
        ["county_code", "county_name"],
    ),
    "rank": (
        {"metric": "requests.new.total", "by": "county", "year": 2021},
        _rank_row,
        ["county_code", "county_name"],
    ),
    "coverage": (
        {"level": "county", "region": "230800", "year_from": 2019, "year_to": 2022},
        _coverage_row,
        ["region_code", "region_name"],
    ),
    "keys": ({}, _key_row, ["key", "kind", "formats", "years_2019", "years_2021"]),
}


@pytest.mark.parametrize("answer", ANSWERS)
def test_csv_and_xlsx_read_by_pandas_give_the_json_rows(
    client: TestClient, dataset: list[Report], answer: str
) -> None:
    params, as_row, text_columns = ANSWERS[answer]
    path = f"/api/v1/stats/{answer}"
    items = client.get(path, params=params).json()["items"]
    expected = [as_row(item) for item in items]
    assert expected, "the dataset gives this answer rows"

    as_csv = client.get(f"{path}.csv", params=params)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"] == (f'attachment; filename="gkstats-{answer}.csv"')
    assert_same_rows(read_csv(as_csv.content, text_columns), expected, text_columns)

    as_xlsx = client.get(f"{path}.xlsx", params=params)
    assert as_xlsx.status_code == 200
    assert as_xlsx.headers["content-type"] == XLSX
    assert as_xlsx.headers["content-disposition"] == (
        f'attachment; filename="gkstats-{answer}.xlsx"'
    )
    frame = read_xlsx(as_xlsx.content, text_columns)
    assert_same_rows(frame, expected, text_columns)
    # Stored as text, not as numbers shown as text: a spreadsheet program keeps the digits.
    first = list(frame.columns).index(text_columns[0]) + 1
    assert text_cells(as_xlsx.content, first) == [row[text_columns[0]] for row in expected]
    assert pd.api.types.is_integer_dtype(frame["reports"])


def test_the_json_operation_still_answers_a_spreadsheet_when_asked(
    client: TestClient, dataset: list[Report]
) -> None:
    params: dict[str, Any] = {"metric": METRICS, "group_by": "year"}
    sheet = client.get("/api/v1/stats/aggregate.xlsx", params=params).content
    for response in (
        client.get("/api/v1/stats/aggregate", params={**params, "output": "xlsx"}),
        client.get("/api/v1/stats/aggregate", params=params, headers={"Accept": XLSX}),
    ):
        assert response.headers["content-type"] == XLSX
        assert read_xlsx(response.content).equals(read_xlsx(sheet))
    as_csv = client.get("/api/v1/stats/aggregate.csv", params=params)
    asked = client.get("/api/v1/stats/aggregate", params={**params, "output": "csv"})
    assert asked.content == as_csv.content
    json_answer = client.get("/api/v1/stats/aggregate", params={**params, "output": "json"})
    assert json_answer.headers["content-type"] == "application/json"


def test_spreadsheet_operations_refuse_what_the_json_one_refuses(
    client: TestClient, dataset: list[Report]
) -> None:
    for suffix in ("", ".csv", ".xlsx"):
        response = client.get(f"/api/v1/stats/aggregate{suffix}", params={"metric": "nope"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"]["code"]
