"""A report's tables and cells as spreadsheets: read by pandas they give the JSON's values; the
`.csv` and `.xlsx` paths are never taken for a table's name; errors stay JSON."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
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


SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed: apt-get install libreoffice-calc-nogui (.ci/run does)",
)
# LibreOffice's CSV filter options: comma, double quote, UTF-8 (76), from line 1.
UTF8_CSV = "44,34,76,1"


def _libreoffice_csv(source: Path, profile: Path, infilter: str | None = None) -> str:
    """`source` opened by LibreOffice Calc (with `infilter`, else as it guesses) and saved as
    UTF-8 CSV, as a user opening it and reading the cells would see them."""
    assert SOFFICE is not None
    out = source.parent / f"out-{source.suffix[1:]}-{'default' if infilter is None else 'utf8'}"
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    if infilter is not None:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", f"csv:Text - txt - csv (StarCalc):{UTF8_CSV}", "--outdir", str(out)]
    subprocess.run([*command, str(source)], check=True, capture_output=True, timeout=120)
    return (out / f"{source.stem}.csv").read_text(encoding="utf-8")


@needs_libreoffice
def test_libreoffice_reads_the_xlsx_and_needs_telling_that_the_csv_is_utf8(
    client: TestClient, report_ids: list[int], tmp_path: Path
) -> None:
    profile = tmp_path / "profile"  # a private profile: no user's settings, no lock shared
    params = {"metric": "requests.new.total", "group_by": "county,agency"}
    paths = {}
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/api/v1/stats/aggregate.{fmt}", params=params)
        paths[fmt] = tmp_path / f"gkstats-aggregate.{fmt}"
        paths[fmt].write_bytes(response.content)
    agency = client.get(f"/api/v1/reports/{report_ids[0]}").json()["agency"]["name"]
    from_xlsx = _libreoffice_csv(paths["xlsx"], profile)
    header, row = from_xlsx.splitlines()
    assert header.startswith('"county_code","county_name","agency_id","agency_name"')
    # The code is text (LibreOffice quotes text cells), the Chinese as written.
    assert row.startswith('"230803","向阳区",') and f'"{agency}"' in row

    # LibreOffice ignores the byte-order mark that Excel honours and guesses a Western
    # character set: mojibake. Hence the README's advice: the .xlsx, or import as UTF-8.
    guessed = _libreoffice_csv(paths["csv"], profile)
    assert "向阳区" not in guessed and agency not in guessed
    told = _libreoffice_csv(paths["csv"], profile, infilter=f"CSV:{UTF8_CSV}")
    assert "向阳区" in told and agency in told
