"""Cells stored a row per report and table, packed in catalog order (app/cells.py), instead of
a row per cell: the `cell` table and its key index give way to `report_table`

Every report's cells are converted in Python, a thousand reports at a time, inside the
migration's one transaction: the database is converted whole or not at all. The downgrade
converts back. The packing is app/cells.py's, frozen here as it was at this revision (catalog
order included; tests/test_cells.py holds app/cells.py to it).

Space: PostgreSQL gives the dropped table's files back at once; run `VACUUM ANALYZE
report_table` afterwards for fresh statistics. SQLite keeps the freed pages in the file for
reuse; `VACUUM` (with the service stopped, it rewrites the file) shrinks it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00
"""

import json
import math
import struct
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000  # reports converted at once

# Every key of each table, in storage order: (table code, table key) → "row.col", …
_PROACTIVE = (
    "rules.made rules.published rules.total_public rules.issued rules.repealed rules.in_force "
    "normative_docs.made normative_docs.published normative_docs.total_public "
    "normative_docs.issued normative_docs.repealed normative_docs.in_force "
    "licensing.prev_items licensing.change licensing.decisions other_services.prev_items "
    "other_services.change other_services.decisions penalties.prev_items penalties.change "
    "penalties.decisions enforcement.prev_items enforcement.change enforcement.decisions "
    "fees.prev_items fees.change fees.amount_wan_yuan procurement.items procurement.amount"
)
_REQUEST_ROWS = (
    "new carried_over granted partially_granted denied_state_secret denied_law_prohibited "
    "denied_security_stability denied_third_party denied_internal_affairs denied_process_info "
    "denied_enforcement_file denied_inquiry unavailable_not_held unavailable_needs_creation "
    "unavailable_unclear not_processed_complaint not_processed_duplicate "
    "not_processed_publication not_processed_excessive not_processed_confirmation other "
    "other_no_correction other_no_fee other_misc processed_total carried_forward"
)
_REQUEST_COLUMNS = "natural_person commercial research social_org legal_service other_org total"
_REVIEW_ROWS = "reconsideration litigation_direct litigation_after_reconsideration"
_REVIEW_COLUMNS = "upheld corrected other pending total"
CATALOG: dict[str, tuple[tuple[str, str], ...]] = {
    "proactive": tuple((key.split(".")[0], key.split(".")[1]) for key in _PROACTIVE.split()),
    "requests": tuple((r, c) for r in _REQUEST_ROWS.split() for c in _REQUEST_COLUMNS.split()),
    "reviews": tuple((r, c) for r in _REVIEW_ROWS.split() for c in _REVIEW_COLUMNS.split()),
}
TABLE_CODES = {"proactive": 2, "requests": 3, "reviews": 4}
_TABLE_OF_CODE = {code: table for table, code in TABLE_CODES.items()}
_INDEX = {table: {key: i for i, key in enumerate(keys)} for table, keys in CATALOG.items()}
_STATUSES = ("number", "blank", "not_applicable", "inferred", "unreadable")
_STATUS_CODES = {status: i for i, status in enumerate(_STATUSES, start=1)}
_INTEGER, _DOUBLE, _OWN_RAW, _OWN_UNIT = 1 << 3, 2 << 3, 1 << 5, 1 << 6
_PLAIN_RAW = {"blank": "", "not_applicable": "/", "unreadable": ""}
_DOUBLE_FORMAT = struct.Struct("<d")


def _is_integer(value: float) -> bool:
    return (
        math.isfinite(value) and value.is_integer() and (value != 0 or math.copysign(1, value) > 0)
    )


def _plain_raw(status: str, value: float | None) -> str:
    if value is None:
        return _PLAIN_RAW.get(status, "")
    return str(int(value)) if _is_integer(value) else repr(float(value))


def encode_cells(cells: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """(table, row, col, value, raw, status, unit) cells as report_table rows after report_id."""
    by_table: dict[str, dict[int, Sequence[Any]]] = {}
    for cell in cells:
        at = _INDEX[cell[0]].get((cell[1], cell[2]))
        if at is None:
            raise ValueError(f"{cell[0]}.{cell[1]}.{cell[2]} is not a catalog key")
        by_table.setdefault(cell[0], {})[at] = cell
    rows = []
    for table in CATALOG:
        found = by_table.get(table)
        if not found:
            continue
        statuses = bytearray(max(found) + 1)
        values = bytearray()
        texts: list[str] = []
        for at in sorted(found):
            _, _, _, value, raw, status, unit = found[at]
            code = _STATUS_CODES[status]
            if value is not None:
                value = float(value)
                if _is_integer(value) and abs(value) < 2**63:
                    code |= _INTEGER
                    number = int(value)
                    number = number << 1 if number >= 0 else (-number << 1) - 1
                    while number > 0x7F:
                        values.append((number & 0x7F) | 0x80)
                        number >>= 7
                    values.append(number)
                else:
                    code |= _DOUBLE
                    values += _DOUBLE_FORMAT.pack(value)
            if raw != _plain_raw(status, value):
                code |= _OWN_RAW
                texts.append(raw)
            if unit is not None:
                code |= _OWN_UNIT
                texts.append(unit)
            statuses[at] = code
        unreadable = sum(cell[5] == "unreadable" for cell in found.values())
        encoded = json.dumps(texts, ensure_ascii=False, separators=(",", ":")) if texts else None
        rows.append((TABLE_CODES[table], unreadable, bytes(statuses), bytes(values), encoded))
    return rows


def decode_table(
    code: int, statuses: bytes, cell_values: bytes, texts: str | None
) -> list[tuple[Any, ...]]:
    """A report_table row's cells as (table, row, col, value, raw, status, unit)."""
    table = _TABLE_OF_CODE[code]
    own = iter(json.loads(texts) if texts else ())
    at = 0
    cells = []
    for position, byte in enumerate(statuses):
        if not byte:
            continue
        status = _STATUSES[(byte & 0b111) - 1]
        value: float | None = None
        if byte & 0b11000 == _INTEGER:
            number = shift = 0
            while True:
                part = cell_values[at]
                at += 1
                number |= (part & 0x7F) << shift
                shift += 7
                if part < 0x80:
                    break
            value = float(number >> 1 if not number & 1 else -((number + 1) >> 1))
        elif byte & 0b11000 == _DOUBLE:
            value = _DOUBLE_FORMAT.unpack_from(cell_values, at)[0]
            at += 8
        raw = next(own) if byte & _OWN_RAW else _plain_raw(status, value)
        unit = next(own) if byte & _OWN_UNIT else None
        row, col = CATALOG[table][position]
        cells.append((table, row, col, value, raw, status, unit))
    return cells


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
