"""A report's cells as stored: one `report_table` row per report and table, values in catalog order.

A report prints about 200 cells drawn from a fixed catalog of 226 keys, each with one of five
statuses, and a cell's printed text nearly always says what its value says. Stored a row per
cell, that cost ~370 bytes a cell on PostgreSQL; stored this way, a report's cells take under
1 KB. A table's row holds:

* `statuses`: one byte per catalog key of the table, in `CATALOG` order (trailing keys not
  printed are left off). The byte's low three bits are the status (0: not printed), the next
  two how the value is stored (none, an integer, a double), then a flag each for a `raw` and a
  `unit` that differ from what the value renders as.
* `cell_values`: the values of the cells that have one, in order: an integer as a zigzag
  varint (a count takes one or two bytes), anything else as a little-endian double. Both give
  back exactly the double stored before.
* `texts`: the overridden `raw` and `unit` strings in order, as a JSON list; null when none.
* `unreadable`: how many of its cells are unreadable, for listing the reports that have some.

`CATALOG` only ever grows at the end of a table (a test pins its digest): a stored row stays
readable as keys are added, since a short `statuses` means the keys after it were not printed.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, select

from app.catalog import FORMATS, TABLES
from app.models import CellRow, ReportTable
from app.parsing.model import CELL_STATUSES

CellKey = tuple[str, str, str]


def _table_keys(table: str) -> tuple[tuple[str, str], ...]:
    """(row, col) of every key the table has in any format: rows in printed order, each row's
    columns as the 2019 format prints them, then those only the 2021 format has."""
    spec = TABLES[table]
    keys: dict[tuple[str, str], None] = {}
    for row in spec.rows:
        for fmt in FORMATS:
            if fmt in row.formats:
                keys.update(((row.key, col.key), None) for col in spec.columns_for(row, fmt))
    return tuple(keys)


# Per table: its code (the part of the report that prints it) and its keys in storage order.
TABLE_CODES: dict[str, int] = {key: spec.part for key, spec in TABLES.items()}
TABLE_OF_CODE: dict[int, str] = {code: key for key, code in TABLE_CODES.items()}
CATALOG: dict[str, tuple[tuple[str, str], ...]] = {key: _table_keys(key) for key in TABLES}
_INDEX: dict[str, dict[tuple[str, str], int]] = {
    table: {key: i for i, key in enumerate(keys)} for table, keys in CATALOG.items()
}

_STATUS_CODES: dict[str, int] = {status: i for i, status in enumerate(CELL_STATUSES, start=1)}
_STATUS_MASK = 0b111
_NO_VALUE, _INTEGER, _DOUBLE = 0, 1 << 3, 2 << 3
_VALUE_MASK = 0b11 << 3
_OWN_RAW = 1 << 5
_OWN_UNIT = 1 << 6
_DOUBLE_FORMAT = struct.Struct("<d")
# What a cell of each status prints when its raw text is not stored: a value prints as itself.
_PLAIN_RAW = {"blank": "", "not_applicable": "/", "unreadable": ""}

# table_code, unreadable, statuses, cell_values, texts: the columns after report_id
TableRow = tuple[int, int, bytes, bytes, str | None]


def _is_integer(value: float) -> bool:
    # -0.0 is kept as a double: as an integer it would come back as 0.0.
    return (
        math.isfinite(value)
        and value.is_integer()
        and (value != 0 or math.copysign(1.0, value) > 0)
    )


def plain_raw(status: str, value: float | None) -> str:
    """The raw text a cell is stored without: how its value, or its status, prints."""
    if value is None:
        return _PLAIN_RAW.get(status, "")
    if _is_integer(value):
        return str(int(value))
    return repr(float(value))


def _varint(number: int, out: bytearray) -> None:
    number = number << 1 if number >= 0 else (-number << 1) - 1  # zigzag
    while number > 0x7F:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)


def encode_table(table: str, cells: Iterable[CellRow]) -> TableRow:
    """One table's cells as its `report_table` row (without `report_id`)."""
    index = _INDEX[table]
    found: dict[int, CellRow] = {}
    for cell in cells:
        at = index.get((cell.row, cell.col))
        if at is None:
            raise ValueError(f"{table}.{cell.row}.{cell.col} is not a catalog key")
        if at in found:
            raise ValueError(f"{table}.{cell.row}.{cell.col} appears twice")
        found[at] = cell
    statuses = bytearray(max(found, default=-1) + 1)
    values = bytearray()
    texts: list[str] = []
    for at in sorted(found):
        cell = found[at]
        code = _STATUS_CODES[cell.status]
        value = cell.value
        if value is not None:
            value = float(value)
            if _is_integer(value) and abs(value) < 2**63:
                code |= _INTEGER
                _varint(int(value), values)
            else:
                code |= _DOUBLE
                values += _DOUBLE_FORMAT.pack(value)
        if cell.raw != plain_raw(cell.status, value):
            code |= _OWN_RAW
            texts.append(cell.raw)
        if cell.unit is not None:
            code |= _OWN_UNIT
            texts.append(cell.unit)
        statuses[at] = code
    encoded = orjson.dumps(texts).decode() if texts else None
    unreadable = sum(cell.status == "unreadable" for cell in found.values())
    return TABLE_CODES[table], unreadable, bytes(statuses), bytes(values), encoded


def encode_cells(cells: Iterable[Sequence[Any]]) -> list[TableRow]:
    """A report's cells (CellRow layout) as its `report_table` rows, in table order."""
    by_table: dict[str, list[CellRow]] = {}
    for cell in cells:
        by_table.setdefault(cell[0], []).append(CellRow._make(cell))
    unknown = by_table.keys() - CATALOG.keys()
    if unknown:
        raise ValueError(f"no such table: {', '.join(sorted(unknown))}")
    return [encode_table(table, by_table[table]) for table in CATALOG if table in by_table]


_STATUS_OF = (None, *CELL_STATUSES)
_SMALL_TEXT = tuple(str(i) for i in range(10_000))  # most values are small counts


def decode_table(
    table_code: int, statuses: bytes, cell_values: bytes, texts: str | None
) -> list[CellRow]:
    """A `report_table` row's cells, in catalog order."""
    # The hottest loop of every cell read: kept flat, with the common case (a small count
    # printed as itself) taking the fewest steps.
    table = TABLE_OF_CODE[table_code]
    keys = CATALOG[table]
    own = orjson.loads(texts) if texts else ()
    next_text = 0
    at = 0  # position in cell_values
    cells: list[CellRow] = []
    append = cells.append
    for position, code in enumerate(statuses):
        if not code:
            continue
        status = _STATUS_OF[code & _STATUS_MASK]
        stored = code & _VALUE_MASK
        value: float | None
        if stored == _INTEGER:
            number = cell_values[at]
            at += 1
            if number > 0x7F:
                number &= 0x7F
                shift = 7
                while True:
                    byte = cell_values[at]
                    at += 1
                    number |= (byte & 0x7F) << shift
                    if byte < 0x80:
                        break
                    shift += 7
            whole = number >> 1 if not number & 1 else -((number + 1) >> 1)
            value = float(whole)
            plain = _SMALL_TEXT[whole] if 0 <= whole < 10_000 else str(whole)
        elif stored == _DOUBLE:
            value = _DOUBLE_FORMAT.unpack_from(cell_values, at)[0]
            at += 8
            plain = plain_raw(status, value)  # type: ignore[arg-type]
        else:
            value = None
            plain = _PLAIN_RAW.get(status, "")  # type: ignore[arg-type]
        if code & _OWN_RAW:
            raw = own[next_text]
            next_text += 1
        else:
            raw = plain
        unit = None
        if code & _OWN_UNIT:
            unit = own[next_text]
            next_text += 1
        row, col = keys[position]
        append(CellRow(table, row, col, value, raw, status, unit))  # type: ignore[arg-type]
    return cells


_METRICS: dict[int, tuple[str, ...]] = {
    TABLE_CODES[table]: tuple(f"{table}.{row}.{col}" for row, col in keys)
    for table, keys in CATALOG.items()
}


def decode_values(table_code: int, statuses: bytes, cell_values: bytes) -> dict[str, float]:
    """A `report_table` row's values by metric name (`table.row.col`), for sums: what
    `decode_table` gives, without the texts and statuses a sum does not need."""
    names = _METRICS[table_code]
    values: dict[str, float] = {}
    at = 0
    for position, code in enumerate(statuses):
        stored = code & _VALUE_MASK
        if stored == _INTEGER:
            number = cell_values[at]
            at += 1
            if number > 0x7F:
                number &= 0x7F
                shift = 7
                while True:
                    byte = cell_values[at]
                    at += 1
                    number |= (byte & 0x7F) << shift
                    if byte < 0x80:
                        break
                    shift += 7
            values[names[position]] = float(number >> 1 if not number & 1 else -((number + 1) >> 1))
        elif stored == _DOUBLE:
            values[names[position]] = _DOUBLE_FORMAT.unpack_from(cell_values, at)[0]
            at += 8
    return values


_COLUMNS = ReportTable.__table__.c


def load_cells(
    connection: Connection, report_ids: Iterable[int], table: str | None = None
) -> dict[int, list[CellRow]]:
    """The cells of these reports (of one table when given), each report's in catalog order:
    tables in printed order, each table's keys as `CATALOG` orders them. Reports without
    cells are absent."""
    ids = sorted(set(report_ids))
    found: dict[int, list[CellRow]] = {}
    for start in range(0, len(ids), 1000):  # bound the statement's parameters
        query = select(
            _COLUMNS.report_id,
            _COLUMNS.table_code,
            _COLUMNS.statuses,
            _COLUMNS.cell_values,
            _COLUMNS.texts,
        ).where(_COLUMNS.report_id.in_(ids[start : start + 1000]))
        if table is not None:
            query = query.where(_COLUMNS.table_code == TABLE_CODES[table])
        for report_id, code, statuses, values, texts in connection.execute(
            query.order_by(_COLUMNS.report_id, _COLUMNS.table_code)
        ):
            found.setdefault(report_id, []).extend(
                decode_table(code, bytes(statuses), bytes(values), texts)
            )
    return found


def load_values(connection: Connection, report_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """The values of these reports' cells by metric name (`table.row.col`), cells without a
    value left out: what sums over reports read."""
    ids = sorted(set(report_ids))
    found: dict[int, dict[str, float]] = {}
    for start in range(0, len(ids), 1000):  # bound the statement's parameters
        query = select(
            _COLUMNS.report_id, _COLUMNS.table_code, _COLUMNS.statuses, _COLUMNS.cell_values
        ).where(_COLUMNS.report_id.in_(ids[start : start + 1000]))
        for report_id, code, statuses, values in connection.execute(query):
            found.setdefault(report_id, {}).update(
                decode_values(code, bytes(statuses), bytes(values))
            )
    return found
