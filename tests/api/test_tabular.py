"""The sheet writers: CSV with a byte-order mark, CRLF lines, empty fields for None, numbers as
Python prints them; XLSX with text kept as text and numbers as numbers; and the columns of each
answer type in order."""

from __future__ import annotations

import io
import time

import openpyxl

from app.api.tabular import (
    COVERAGE_COLUMNS,
    KEY_COLUMNS,
    Column,
    Sheet,
    aggregate_columns,
    rank_columns,
    sheet_response,
    xlsx_bytes,
)
from app.schemas import AgencyName, CoverageItem, RankItem, RegionName, StatsGroup, StatsKey


def test_one_row_per_item_with_a_bom() -> None:
    columns: list[Column[tuple[object, ...]]] = [
        Column("a", lambda t: t[0]),
        Column("b,c", lambda t: t[1]),
    ]
    sheet = Sheet("gkstats-x", "x", columns, [(1, 0.5), (None, "名, 称")])
    response = sheet_response(sheet, "csv")
    assert response.body == '\ufeffa,"b,c"\r\n1,0.5\r\n,"名, 称"\r\n'.encode()
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="gkstats-x.csv"'


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers() -> None:
    columns: list[Column[tuple[object, ...]]] = [
        Column("code", lambda t: t[0]),
        Column("名称", lambda t: t[1]),
        Column("count", lambda t: t[2]),
        Column("rate", lambda t: t[3]),
    ]
    rows = [("320800", "=HYPERLINK(1)", 3, 0.25), ("011000", "淮安市", None, None)]
    response = sheet_response(Sheet("gkstats-x", "x", columns, rows), "xlsx")
    assert response.headers["content-disposition"] == 'attachment; filename="gkstats-x.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    assert sheet is not None and sheet.title == "x"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [["code", "名称", "count", "rate"], *map(list, rows)]
    assert [type(v) for v in values[1]] == [str, str, int, float]  # a formula stays text
    assert sheet["A2"].data_type == "s" and sheet["D2"].data_type == "n"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    # Wide enough for the header and values; Chinese counts twice.
    assert sheet.column_dimensions["A"].width >= 8
    assert sheet.column_dimensions["B"].width >= sheet.column_dimensions["A"].width


def test_aggregate_columns_name_regions_agencies_and_comparisons() -> None:
    columns = aggregate_columns(["year", "county", "agency"], ["disclosure_rate"], compared=True)
    group = StatsGroup(
        year=2021,
        county=None,
        agency=AgencyName(id=7, name="某局"),
        values={"disclosure_rate": 0.5},
        reports=3,
        missing={"disclosure_rate": 1},
        previous={"disclosure_rate": 0.25},
        change={"disclosure_rate": 0.25},
        change_pct={"disclosure_rate": 100.0},
    )
    assert [c.header for c in columns] == [
        "year",
        "county_code",
        "county_name",
        "agency_id",
        "agency_name",
        "reports",
        "disclosure_rate",
        "disclosure_rate.missing",
        "disclosure_rate.previous",
        "disclosure_rate.change",
        "disclosure_rate.change_pct",
    ]
    assert [c.value(group) for c in columns] == [
        2021,
        None,
        None,
        7,
        "某局",
        3,
        0.5,
        1,
        0.25,
        0.25,
        100.0,
    ]


def test_rank_coverage_and_key_columns() -> None:
    item = RankItem(
        rank=1, region=RegionName(code="230803", name="向阳区"), value=9, reports=2, missing=0
    )
    columns = rank_columns("requests.new.total", "county")
    assert [c.header for c in columns] == [
        "rank",
        "county_code",
        "county_name",
        "requests.new.total",
        "reports",
        "requests.new.total.missing",
    ]
    assert [c.value(item) for c in columns] == [1, "230803", "向阳区", 9, 2, 0]
    unplaced = CoverageItem(
        region=None, year=2020, agencies=4, reports=3, reports_failing=1, reports_flagged=2, flags=5
    )
    assert [c.value(unplaced) for c in COVERAGE_COLUMNS] == [None, None, 2020, 4, 3, 1, 2, 5]
    key = StatsKey(
        key="k", kind="cell", formats=["2019", "2021"], years={"2021": [2021, 2022]}, reports=5
    )
    assert [c.header for c in KEY_COLUMNS] == [
        "key",
        "kind",
        "formats",
        "years_2019",
        "years_2021",
        "reports",
    ]
    assert [c.value(key) for c in KEY_COLUMNS] == ["k", "cell", "2019 2021", "", "2021 2022", 5]


def test_the_same_answer_is_the_same_xlsx_bytes() -> None:
    columns: list[Column[int]] = [Column("n", lambda n: n)]
    first = xlsx_bytes(Sheet("gkstats-x", "x", columns, [1, 2]))
    time.sleep(1.1)  # the zip entries and the document properties carry times to the second
    assert xlsx_bytes(Sheet("gkstats-x", "x", columns, [1, 2])) == first
