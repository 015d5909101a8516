"""Reports published as Excel workbooks: the example laid out on a sheet reads as the example."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from app.parsing.document import XLSX_TYPES, UnsupportedMediaType, parse_document, sniff
from app.parsing.model import ParsedReport
from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def example_workbook() -> bytes:
    """The example as a publisher lays a report out on a sheet: prose in column A, each table
    row in the cells beside, numbers stored as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        row: list[object] = [int(c) if c.isdigit() else c for c in line.lstrip("# ").split("\t")]
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def readings(report: ParsedReport) -> dict[tuple[str, str, str], tuple[object, str]]:
    return {(c.table, c.row, c.col): (c.value, c.status) for c in report.cells}


def test_a_workbook_reads_as_the_text_it_lays_out() -> None:
    data = example_workbook()
    assert sniff(data) == "xlsx"
    from_sheet = parse_document(data, XLSX_TYPES[0], "2020年度报告.xlsx")
    from_text = parse_document(EXAMPLE.read_bytes(), "text/plain")
    assert (from_sheet.agency, from_sheet.year) == (from_text.agency, from_text.year)
    assert readings(from_sheet) == readings(from_text)
    assert [s.number for s in from_sheet.sections] == [s.number for s in from_text.sections]


def test_a_workbook_declared_as_something_else_is_refused() -> None:
    with pytest.raises(UnsupportedMediaType):
        parse_document(EXAMPLE.read_bytes(), XLSX_TYPES[0])
