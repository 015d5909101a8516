"""Packed cells (app/cells.py): every cell comes back exactly as it went in, the catalog order
never changes silently, and migration 0012's frozen copy of the packing agrees with it."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import random
from types import ModuleType

import pytest
from sqlalchemy.orm import Session

from app.catalog import FORMATS, TABLES, Format, cell_keys
from app.cells import (
    CATALOG,
    TABLE_CODES,
    TableRow,
    decode_table,
    decode_values,
    encode_cells,
    load_cells,
    load_values,
)
from app.ingest import ingest_document
from app.models import CellRow, ReportTable, column_names
from app.synth import report_cells
from tests.conftest import EXAMPLES, REPO

# sha256 of the storage order, one "table.row.col" a line. Keys may be added at the end of a
# table (update the digest then); reordering or removing one would misread every stored row.
CATALOG_DIGEST = "1ee4b5a616537516b7cd8132ceab1d45988dbacb35ceb5aaf8c56696326e142d"


def catalog_text() -> str:
    return "".join(f"{table}.{row}.{col}\n" for table, keys in CATALOG.items() for row, col in keys)


def test_the_catalog_order_is_pinned() -> None:
    assert hashlib.sha256(catalog_text().encode()).hexdigest() == CATALOG_DIGEST
    assert sum(map(len, CATALOG.values())) == 226
    assert TABLE_CODES == {"proactive": 2, "requests": 3, "reviews": 4}


def test_the_catalog_holds_every_key_of_both_formats_in_printed_order() -> None:
    for fmt in FORMATS:
        for single_other in (False, True):
            printed = cell_keys(fmt, single_other=single_other)
            stored = [
                (table, row, col)
                for table, keys in CATALOG.items()
                for row, col in keys
                if (table, row, col) in set(printed)
            ]
            assert stored == printed
    assert list(CATALOG) == list(TABLES)


def test_a_table_row_is_the_columns_after_report_id() -> None:
    row = encode_cells([CellRow("reviews", "reconsideration", "total", 3.0, "3", "number", None)])
    assert column_names(ReportTable)[0] == "report_id"
    assert len(row[0]) == len(column_names(ReportTable)) - 1


EDGES = [
    CellRow("proactive", "rules", "made", 3.0, "3", "number", None),
    CellRow("proactive", "rules", "published", 3.0, " 3 ", "number", None),  # spaces
    CellRow("proactive", "rules", "total_public", 12.0, "１２", "number", None),  # full-width
    CellRow("proactive", "licensing", "change", -4.0, "减少4", "number", None),
    CellRow("proactive", "penalties", "change", 0.0, "0", "number", None),
    CellRow("proactive", "enforcement", "change", -0.0, "-0", "number", None),
    CellRow("proactive", "fees", "prev_items", None, "—", "not_applicable", None),
    CellRow("proactive", "fees", "change", None, "/", "not_applicable", None),
    CellRow("proactive", "procurement", "items", 1_234_567.0, "1,234,567", "number", None),
    CellRow("proactive", "procurement", "amount", 160.5964, "160.5964万元", "number", "万元"),
    CellRow("proactive", "fees", "amount_wan_yuan", 12.0, "12.0000", "number", None),
    CellRow("requests", "new", "natural_person", 2.0**60, str(2**60), "number", None),
    CellRow("requests", "new", "commercial", 2.0**70, str(2**70), "number", None),
    CellRow("requests", "new", "research", 0.1 + 0.2, "0.30000000000000004", "number", None),
    CellRow("requests", "new", "social_org", None, "", "blank", None),
    CellRow("requests", "new", "legal_service", None, " ", "blank", None),
    CellRow("requests", "new", "other_org", None, "12O", "unreadable", None),
    CellRow("requests", "new", "total", 9.0, "9", "inferred", None),
    CellRow("requests", "granted", "total", 127.0, "127", "number", "件"),
    CellRow("requests", "carried_forward", "total", 16384.0, "16384", "number", ""),
    CellRow("requests", "other", "total", None, "见附表\n", "unreadable", None),
    CellRow("reviews", "litigation_after_reconsideration", "total", 5.0, "5", "number", None),
]


def identical(a: list[CellRow], b: list[CellRow]) -> bool:
    """Equal, and every value the same double: -0.0 is not 0.0 here."""

    def exact(cells: list[CellRow]) -> list[tuple[object, ...]]:
        return [
            (*c[:3], None if c.value is None else (c.value, math.copysign(1, c.value)), *c[4:])
            for c in cells
        ]

    return exact(a) == exact(b)


def decoded(rows: list[TableRow]) -> list[CellRow]:
    return [c for code, _, s, v, t in rows for c in decode_table(code, s, v, t)]


def in_catalog_order(cells: list[CellRow]) -> list[CellRow]:
    order = {(t, r, c): i for i, (t, r, c) in enumerate(_keys())}
    return sorted(cells, key=lambda c: order[(c.table, c.row, c.col)])


def _keys() -> list[tuple[str, str, str]]:
    return [(table, row, col) for table, keys in CATALOG.items() for row, col in keys]


def test_every_edge_comes_back_exactly() -> None:
    rows = encode_cells(random.Random(7).sample(EDGES, len(EDGES)))
    assert identical(decoded(rows), in_catalog_order(EDGES))
    [(_, requests_unreadable, *_)] = [r for r in rows if r[0] == TABLE_CODES["requests"]]
    assert requests_unreadable == 2


def test_plain_cells_store_no_text() -> None:
    cells = [c for c in EDGES if c.raw in ("3", "0", "9", "", "/", "5") and c.unit is None]
    assert all(texts is None for *_, texts in encode_cells(cells))


def test_values_alone_are_the_cells_values() -> None:
    for code, _, statuses, values, texts in encode_cells(EDGES):
        cells = decode_table(code, statuses, values, texts)
        assert decode_values(code, statuses, values) == {
            f"{c.table}.{c.row}.{c.col}": c.value for c in cells if c.value is not None
        }


def test_synthetic_reports_come_back_exactly() -> None:
    rng = random.Random(2019)
    variants: tuple[tuple[Format, bool], ...] = (("2019", False), ("2021", False), ("2021", True))
    for fmt, single_other in variants:
        for _ in range(40):
            cells = report_cells(rng, fmt, single_other)
            as_stored = [
                c._replace(value=None if c.value is None else float(c.value)) for c in cells
            ]
            assert identical(decoded(encode_cells(cells)), in_catalog_order(as_stored))


def test_a_key_outside_the_catalog_is_refused() -> None:
    with pytest.raises(ValueError, match="not a catalog key"):
        encode_cells([CellRow("requests", "new", "nobody", 1.0, "1", "number", None)])
    with pytest.raises(ValueError, match="appears twice"):
        encode_cells([EDGES[0], EDGES[0]])


def migration_0012() -> ModuleType:
    [path] = (REPO / "migrations" / "versions").glob("*_0012_*.py")
    spec = importlib.util.spec_from_file_location("migration_0012", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_packs_as_the_app_does() -> None:
    frozen = migration_0012()
    assert frozen.CATALOG == CATALOG
    assert frozen.TABLE_CODES == TABLE_CODES
    for cells in (EDGES, report_cells(random.Random(1), "2021", True)):
        app_rows = encode_cells(cells)
        frozen_rows = frozen.encode_cells(cells)
        assert [r[:4] for r in frozen_rows] == [r[:4] for r in app_rows]
        unpacked = [CellRow(*c) for r in app_rows for c in frozen.decode_table(r[0], *r[2:])]
        assert identical(unpacked, decoded(app_rows))
        assert identical(decoded(frozen_rows), decoded(app_rows))


def test_load_cells_reads_stored_reports(session: Session) -> None:
    report = ingest_document(
        session, (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes(), "text/plain"
    ).report
    connection = session.connection()
    cells = load_cells(connection, [report.id, report.id + 1000])
    assert list(cells) == [report.id]
    assert len(cells[report.id]) == 198
    assert in_catalog_order(cells[report.id]) == cells[report.id]
    reviews = load_cells(connection, [report.id], "reviews")[report.id]
    assert reviews == [c for c in cells[report.id] if c.table == "reviews"]
    values = load_values(connection, [report.id])[report.id]
    assert values == {
        f"{c.table}.{c.row}.{c.col}": c.value for c in cells[report.id] if c.value is not None
    }
