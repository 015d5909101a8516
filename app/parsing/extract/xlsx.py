"""Excel (XLSX) reports to lines of text: each worksheet's rows in order, a row holding one
value as a line of prose, and rows of several values as tab-joined table rows.

Reports published as spreadsheets lay the printed report out on a sheet: the parts' text in
the first column, the tables in the cells beside. openpyxl reads the values (the cached result
of a formula, never the formula); a merged cell's value stands in its first slot only, as in
the grid the Word extractor makes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.parsing.extract.grid import grid_lines
from app.parsing.extract.text import clean_cell
from app.parsing.limits import TABLE_CELLS
from app.parsing.model import ParseError


def xlsx_to_text(data: bytes) -> str:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ParseError(f"the spreadsheet could not be opened: {exc}") from None
    try:
        return "\n".join(_lines(workbook))
    finally:
        workbook.close()


def _lines(workbook: object) -> Iterator[str]:
    cells = 0
    table: list[list[str]] = []
    for sheet in workbook.worksheets:  # type: ignore[attr-defined]
        for row in sheet.iter_rows(values_only=True):
            values = [_text(value) for value in row]
            while values and not values[-1]:
                values.pop()
            cells += len(values)
            TABLE_CELLS.check(cells, "the spreadsheet")
            filled = [v for v in values if v]
            if len(filled) > 1:
                table.append(values)
                continue
            if table:
                yield from _table_lines(table)
                table = []
            if filled:
                yield filled[0]
        if table:
            yield from _table_lines(table)
            table = []


def _table_lines(rows: list[list[str]]) -> list[str]:
    """A table's rows padded to its widest, so every line has the same cell count."""
    width = max(len(row) for row in rows)
    return grid_lines([row + [""] * (width - len(row)) for row in rows])


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_cell(str(value))
