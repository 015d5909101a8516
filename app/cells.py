"""Reading reports' cells back from storage, for the code that recomputes from them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, select

from app.models import Cell, CellRow

_CHUNK = 500  # bound the statement's parameters


def load_cells(connection: Connection, report_ids: Collection[int]) -> dict[int, list[CellRow]]:
    """Each of these reports' cells; a report without cells is absent."""
    ids = sorted(set(report_ids))
    found: dict[int, list[CellRow]] = {}
    columns = (Cell.table_key, Cell.row_key, Cell.col_key, Cell.value, Cell.raw, Cell.status)
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(
            select(Cell.report_id, *columns, Cell.unit).where(
                Cell.report_id.in_(ids[start : start + _CHUNK])
            )
        )
        for report_id, table, row, col, value, raw, status, unit in rows:
            found.setdefault(report_id, []).append(
                CellRow(table, row, col, value, raw, status, unit)
            )
    return found
