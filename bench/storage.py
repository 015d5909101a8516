"""Bytes per report of three ways to store cells, on SQLite and PostgreSQL, indexes included.

Builds N synthetic reports' cells (app/synth.py) into a table of each layout, in a database of
its own, and measures it: `pg_total_relation_size` on PostgreSQL, the file's pages in use
(`page_count - freelist_count`) on SQLite, each divided by N.

* `cell`: a row per cell, keyed by three strings, with the key index (schema 0008).
* `cell_compact`: a row per cell, a key id and a status code, `raw` and `unit` only where they
  differ from the value's rendering (app/cells.py: `plain_raw`), the primary key only.
* `report_table`: a row per report and table, values in catalog order (app/cells.py).

    python -m bench storage --reports 20000 [--postgres URL | --postgres ''] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from app.catalog import Format
from app.cells import CATALOG, TABLE_CODES, encode_cells, plain_raw
from app.db import make_engine
from app.models import CellRow
from app.parsing.model import CELL_STATUSES
from app.synth import report_cells
from bench._databases import fresh_database

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_POSTGRES = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_storage_bench"

LAYOUTS: dict[str, tuple[str, ...]] = {
    "cell": (
        "CREATE TABLE cell (report_id INTEGER NOT NULL, table_key VARCHAR(16) NOT NULL,"
        " row_key VARCHAR(40) NOT NULL, col_key VARCHAR(24) NOT NULL, value {double},"
        " raw TEXT NOT NULL, status VARCHAR(16) NOT NULL, unit VARCHAR(8),"
        " PRIMARY KEY (report_id, table_key, row_key, col_key))",
        "CREATE INDEX ix_cell_key ON cell (table_key, row_key, col_key, report_id, value)",
    ),
    "cell_compact": (
        "CREATE TABLE cell_compact (report_id INTEGER NOT NULL, key_id SMALLINT NOT NULL,"
        " status SMALLINT NOT NULL, value {double}, raw TEXT, unit TEXT,"
        " PRIMARY KEY (report_id, key_id)) {without_rowid}",
    ),
    "report_table": (
        "CREATE TABLE report_table (report_id INTEGER NOT NULL, table_code SMALLINT NOT NULL,"
        " unreadable SMALLINT NOT NULL, statuses {blob} NOT NULL,"
        " cell_values {blob} NOT NULL, texts TEXT,"
        " PRIMARY KEY (report_id, table_code)) {without_rowid}",
    ),
}
_KEY_IDS = {
    (table, row, col): i
    for i, (table, row, col) in enumerate(
        (table, row, col) for table, keys in CATALOG.items() for row, col in keys
    )
}
_STATUS_CODES: dict[str, int] = {s: i for i, s in enumerate(CELL_STATUSES, start=1)}


def _reports(count: int, seed: int) -> Iterator[list[CellRow]]:
    rng = random.Random(seed)
    variants: tuple[tuple[Format, bool], ...] = (("2019", False), ("2021", False), ("2021", True))
    for i in range(count):
        fmt, single_other = variants[i % len(variants)]
        yield report_cells(rng, fmt, single_other)


def _rows(layout: str, report_id: int, cells: list[CellRow]) -> list[tuple[Any, ...]]:
    if layout == "cell":
        return [(report_id, *c) for c in cells]
    if layout == "cell_compact":
        rows = []
        for c in cells:
            value = None if c.value is None else float(c.value)
            raw = None if c.raw == plain_raw(c.status, value) else c.raw
            key = _KEY_IDS[(c.table, c.row, c.col)]
            rows.append((report_id, key, _STATUS_CODES[c.status], value, raw, c.unit))
        return rows
    return [(report_id, *row) for row in encode_cells(cells)]


def _fill(conn: Connection, layout: str, count: int, seed: int) -> None:
    postgres = conn.dialect.name == "postgresql"
    for statement in LAYOUTS[layout]:
        conn.exec_driver_sql(
            statement.format(
                double="DOUBLE PRECISION" if postgres else "FLOAT",
                blob="BYTEA" if postgres else "BLOB",
                without_rowid="" if postgres else "WITHOUT ROWID",
            )
        )
    width = {"cell": 8, "cell_compact": 6, "report_table": 6}[layout]
    mark = "%s" if postgres else "?"
    insert = f"INSERT INTO {layout} VALUES ({', '.join([mark] * width)})"
    batch: list[tuple[Any, ...]] = []
    for report_id, cells in enumerate(_reports(count, seed), start=1):
        batch.extend(_rows(layout, report_id, cells))
        if len(batch) > 20_000:
            conn.exec_driver_sql(insert, batch)
            batch = []
    if batch:
        conn.exec_driver_sql(insert, batch)


def _size(engine: Engine, layout: str) -> int:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"VACUUM ANALYZE {layout}")
            return int(conn.scalar(text(f"SELECT pg_total_relation_size('{layout}')")) or 0)
        pages = int(conn.scalar(text("PRAGMA page_count")) or 0)
        free = int(conn.scalar(text("PRAGMA freelist_count")) or 0)
        size = int(conn.scalar(text("PRAGMA page_size")) or 0)
        return (pages - free) * size


def measure(database: str, url_for: Callable[[str], str], count: int, seed: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for layout in LAYOUTS:
        url = url_for(layout)
        fresh_database(database, url)
        engine = make_engine(url)
        try:
            empty = _size_of_empty(engine)
            with engine.begin() as conn:
                _fill(conn, layout, count, seed)
            total = _size(engine, layout) - empty
        finally:
            engine.dispose()
        found[layout] = {"bytes": total, "bytes_per_report": round(total / count)}
        print(f"{database:10} {layout:13} {total / count:9.0f} bytes/report", flush=True)
    return found


def _size_of_empty(engine: Engine) -> int:
    if engine.dialect.name == "postgresql":
        return 0  # pg_total_relation_size measures the table alone
    with engine.connect() as conn:
        return int(conn.scalar(text("PRAGMA page_count")) or 0) * int(
            conn.scalar(text("PRAGMA page_size")) or 0
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench storage")
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="'' to skip PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args(argv)
    assert set(TABLE_CODES) == set(CATALOG)
    results: dict[str, Any] = {"reports": args.reports}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            results["sqlite"] = measure(
                "sqlite",
                lambda layout: f"sqlite:///{folder}/{layout}.sqlite3",
                args.reports,
                args.seed,
            )
    if args.postgres:
        results["postgresql"] = measure(
            "postgresql", lambda layout: args.postgres, args.reports, args.seed
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "storage.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0
