"""The row layouts bulk writes use follow their tables' columns, in order."""

from __future__ import annotations

from typing import Any

import pytest

from app.models import (
    Base,
    CheckRow,
    Document,
    DocumentRow,
    Report,
    ReportCheck,
    ReportRow,
    Section,
    SectionRow,
    column_names,
)

# Where a layout's field is named as the cell is elsewhere (`table`), not as its column.
COLUMN_OF = {"table": "table_key", "row": "row_key", "col": "col_key"}


@pytest.mark.parametrize(("layout", "model"), [(SectionRow, Section), (CheckRow, ReportCheck)])
def test_child_rows_are_the_columns_after_report_id(layout: Any, model: type[Base]) -> None:
    columns = column_names(model)
    assert columns[0] == "report_id"
    assert tuple(COLUMN_OF.get(f, f) for f in layout._fields) == columns[1:]


@pytest.mark.parametrize(("layout", "model"), [(DocumentRow, Document), (ReportRow, Report)])
def test_new_rows_keep_the_column_order(layout: Any, model: type[Base]) -> None:
    columns = column_names(model)
    assert set(layout._fields) <= set(columns)
    assert sorted(layout._fields, key=columns.index) == list(layout._fields)
