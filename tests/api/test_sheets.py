"""A report's tables and cells as spreadsheets: read by pandas they give the JSON's values; the
`.csv` and `.xlsx` paths are never taken for a table's name; errors stay JSON."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import EXAMPLES, post_document
from tests.sheets import (
    XLSX,
    assert_same_rows,
    blank_as_none,
    read_csv,
    read_xlsx,
    text_cells,
)

CELL_TEXT = ["key", "table", "row", "col", "raw", "status", "unit"]


@pytest.fixture
def report_ids(client: TestClient) -> list[int]:
    """The 2019-format and the 2021-format example, placed in 向阳区."""
    ids = []
    for name, media in (
        ("2020-qinghe-yunling-data-bureau.txt", "text/plain"),
        ("2023-qinghe-yunling-data-bureau.md", "text/markdown"),
    ):
        response = post_document(client, (EXAMPLES / name).read_bytes(), media, region="230803")
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


def _table_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The table as printed: a row per printed row, a column per column label."""
    labels = {c["key"]: c["label_zh"] for row in table["rows"] for c in row["columns"]}
    out = []
    for row in table["rows"]:
        printed = {
            c["key"]: cell and cell["value"]
            for c, cell in zip(row["columns"], row["cells"], strict=True)
        }
        out.append(
            {
                "row": row["key"],
                "label": row["label_zh"],
                **{label: printed.get(key) for key, label in labels.items()},
            }
        )
    return out


@pytest.mark.parametrize("table", ["proactive", "requests", "reviews"])
def test_tables_as_printed(client: TestClient, report_ids: list[int], table: str) -> None:
    for report_id in report_ids:
        path = f"/api/v1/reports/{report_id}/tables/{table}"
        expected = _table_rows(client.get(path).json())
        as_csv = client.get(f"{path}.csv")
        assert as_csv.status_code == 200, as_csv.text
        assert as_csv.headers["content-disposition"] == (
            f'attachment; filename="report-{report_id}-{table}.csv"'
        )
        assert_same_rows(read_csv(as_csv.content, ["row", "label"]), expected, ["row", "label"])
        as_xlsx = client.get(f"{path}.xlsx")
        assert as_xlsx.headers["content-type"] == XLSX
        assert as_xlsx.headers["content-disposition"] == (
            f'attachment; filename="report-{report_id}-{table}.xlsx"'
        )
        assert_same_rows(read_xlsx(as_xlsx.content, ["row", "label"]), expected, ["row", "label"])


def test_cells_one_row_per_cell(client: TestClient, report_ids: list[int]) -> None:
    for report_id in report_ids:
        params = {"table": "requests", "include_derived": "true"}
        path = f"/api/v1/reports/{report_id}/cells"
        items = client.get(path, params=params).json()["items"]
        expected = [
            {"key": f"{c['table']}.{c['row']}.{c['col']}", **c, "raw": blank_as_none(c["raw"])}
            for c in items
        ]
        assert any(c["derived"] for c in items) and any(c["unit"] is None for c in items)
        as_csv = client.get(f"{path}.csv", params=params)
        assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
        assert_same_rows(read_csv(as_csv.content, CELL_TEXT), expected, CELL_TEXT)
        as_xlsx = client.get(f"{path}.xlsx", params=params)
        assert as_xlsx.headers["content-disposition"] == (
            f'attachment; filename="report-{report_id}-cells.xlsx"'
        )
        assert_same_rows(read_xlsx(as_xlsx.content, CELL_TEXT), expected, CELL_TEXT)
        # `raw` is the printed text: "426" stays text, whatever it looks like.
        assert text_cells(as_xlsx.content, 6) == [row["raw"] for row in expected]


def test_sheet_paths_are_not_table_names_and_errors_stay_json(
    client: TestClient, report_ids: list[int]
) -> None:
    report_id = report_ids[0]
    for path, status in (
        (f"/api/v1/reports/{report_id}/tables/nope.csv", 422),
        (f"/api/v1/reports/{report_id}/tables/requests.txt", 422),
        (f"/api/v1/reports/{report_id}/tables/requests.csv.xlsx", 422),
        ("/api/v1/reports/999999/tables/requests.xlsx", 404),
        ("/api/v1/reports/999999/cells.csv", 404),
        (f"/api/v1/reports/{report_id}/cells.xlsx?table=nope", 422),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"] == "application/json", path
    table = client.get(f"/api/v1/reports/{report_id}/tables/requests.xlsx")
    assert table.status_code == 200 and table.headers["content-type"] == XLSX
