"""Cells stored a row per report and table, packed in catalog order (app/cells.py), instead of
a row per cell: the `cell` table and its key index give way to `report_table`

Every report's cells are converted in Python, a thousand reports at a time, inside the
migration's one transaction: the database is converted whole or not at all. The downgrade
converts back. The packing is app/cells.py's, whose catalog order only ever grows (a test pins
it), so this migration and that module keep agreeing.

Space: PostgreSQL gives the dropped table's files back at once; run `VACUUM ANALYZE
report_table` afterwards for fresh statistics. SQLite keeps the freed pages in the file for
reuse; `VACUUM` (with the service stopped, it rewrites the file) shrinks it.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.cells import decode_table, encode_cells

revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000  # reports converted at once

_CELL_COLUMNS = ("report_id", "table_key", "row_key", "col_key", "value", "raw", "status", "unit")
_TABLE_COLUMNS = ("report_id", "table_code", "unreadable", "statuses", "cell_values", "texts")


def _report_batches(connection: sa.Connection, table: str) -> Iterator[tuple[int, int]]:
    """(first, last) report ids of each batch of reports having rows in `table`."""
    ids = list(connection.scalars(sa.text(f"SELECT DISTINCT report_id FROM {table} ORDER BY 1")))
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        yield chunk[0], chunk[-1]


def _insert(connection: sa.Connection, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    if rows:
        marks = ", ".join(f":{c}" for c in columns)
        statement = sa.text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})")
        connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])


def upgrade() -> None:
    op.create_table(
        "report_table",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("table_code", sa.SmallInteger(), nullable=False),
        sa.Column("unreadable", sa.SmallInteger(), nullable=False),
        sa.Column("statuses", sa.LargeBinary(), nullable=False),
        sa.Column("cell_values", sa.LargeBinary(), nullable=False),
        sa.Column("texts", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name="fk_report_table_report_id_report",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "table_code", name="pk_report_table"),
        sqlite_with_rowid=False,
    )
    connection = op.get_bind()
    select = sa.text(
        f"SELECT {', '.join(_CELL_COLUMNS)} FROM cell"
        " WHERE report_id BETWEEN :first AND :last ORDER BY report_id"
    )
    for first, last in _report_batches(connection, "cell"):
        rows = connection.execute(select, {"first": first, "last": last}).all()
        tables = [
            (report_id, *table)
            for report_id, cells in groupby(rows, key=itemgetter(0))
            for table in encode_cells(tuple(cell)[1:] for cell in cells)
        ]
        _insert(connection, "report_table", _TABLE_COLUMNS, tables)
    op.drop_index("ix_cell_key", table_name="cell")
    op.drop_table("cell")


def downgrade() -> None:
    op.create_table(
        "cell",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("table_key", sa.String(length=16), nullable=False),
        sa.Column("row_key", sa.String(length=40), nullable=False),
        sa.Column("col_key", sa.String(length=24), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name="fk_cell_report_id_report", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("report_id", "table_key", "row_key", "col_key", name="pk_cell"),
    )
    connection = op.get_bind()
    select = sa.text(
        "SELECT report_id, table_code, statuses, cell_values, texts FROM report_table"
        " WHERE report_id BETWEEN :first AND :last ORDER BY report_id, table_code"
    )
    for first, last in _report_batches(connection, "report_table"):
        cells = [
            (report_id, *cell)
            for report_id, code, statuses, values, texts in connection.execute(
                select, {"first": first, "last": last}
            )
            for cell in decode_table(code, bytes(statuses), bytes(values), texts)
        ]
        _insert(connection, "cell", _CELL_COLUMNS, cells)
    op.create_index(
        "ix_cell_key", "cell", ["table_key", "row_key", "col_key", "report_id", "value"]
    )
    op.drop_table("report_table")
