"""The year × province sum of requests.new.total in DuckDB, over a copy of the same cells.

DuckDB's own SQLite and PostgreSQL scanners are extensions fetched on first use; to stay
offline the tables are exported as CSV (COPY on PostgreSQL, streamed rows on SQLite) and read
into DuckDB. The copy and the query are timed apart: the query is the reference.
"""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from app.cells import decode_values
from app.db import make_engine
from app.models import ReportTable

DUCKDB_EXPORTS = {
    "region": ("code VARCHAR, level VARCHAR, parent_code VARCHAR", "code, level, parent_code"),
    "agency": ("id INTEGER, region_code VARCHAR", "id, region_code"),
    "report": (
        "id INTEGER, agency_id INTEGER, year SMALLINT, is_current INTEGER",
        "id, agency_id, year, CASE WHEN is_current THEN 1 ELSE 0 END",
    ),
    # Unpacked from report_table (app/cells.py) as it is exported: a row per cell with a value.
    "cell": (
        "report_id INTEGER, table_key VARCHAR, row_key VARCHAR, col_key VARCHAR, value DOUBLE",
        "",
    ),
}

DUCKDB_QUERY = """
WITH placement AS (
    SELECT r.code,
           CASE WHEN r.level = 'province' THEN r.code
                WHEN r.level = 'city' THEN r.parent_code
                WHEN p.level = 'province' THEN p.code
                ELSE p.parent_code END AS province_code
    FROM region r LEFT JOIN region p ON p.code = r.parent_code
)
SELECT rep.year, coalesce(pl.province_code, '') AS province, sum(c.value) AS value,
       count(c.value) AS reports
FROM cell c
JOIN report rep ON rep.id = c.report_id AND rep.is_current = 1
JOIN agency a ON a.id = rep.agency_id
LEFT JOIN placement pl ON pl.code = a.region_code
WHERE c.table_key = 'requests' AND c.row_key = 'new' AND c.col_key = 'total'
GROUP BY 1, 2
ORDER BY 1, 2
"""


def export_csv(engine: Engine, folder: Path) -> dict[str, Path]:
    """Each table DuckDB needs as a CSV file: COPY on PostgreSQL, streamed rows on SQLite."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    with engine.connect() as conn:
        for table, (_, columns) in DUCKDB_EXPORTS.items():
            path = folder / f"{table}.csv"
            query = f"SELECT {columns} FROM {table}"
            if table == "cell":
                _export_cells(conn, path)
            elif engine.dialect.name == "postgresql":
                cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                with (
                    path.open("wb") as out,
                    cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy,
                ):
                    for chunk in copy:
                        out.write(chunk)
            else:
                result = conn.exec_driver_sql(query).cursor
                assert result is not None
                with path.open("w", newline="", encoding="utf-8") as out:
                    writer = csv.writer(out)
                    while rows := result.fetchmany(100_000):
                        writer.writerows(rows)
            files[table] = path
    return files


def _export_cells(conn: Connection, path: Path) -> None:
    query = select(
        ReportTable.report_id, ReportTable.table_code, ReportTable.statuses, ReportTable.cell_values
    ).execution_options(yield_per=10_000)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for report_id, code, statuses, values in conn.execute(query):
            writer.writerows(
                (report_id, *name.split("."), value)
                for name, value in decode_values(code, bytes(statuses), bytes(values)).items()
            )


def duckdb_reference(name: str, url: str, out: Path, runs: int = 10) -> dict[str, Any]:
    try:
        import duckdb
    except ImportError:
        return {"skipped": "duckdb is not installed (pip install duckdb: a bench-only tool)"}
    began = time.perf_counter()
    engine = make_engine(url)
    try:
        files = export_csv(engine, out / "duckdb")
    finally:
        engine.dispose()
    exported = time.perf_counter()
    conn = duckdb.connect()
    try:
        for table, (columns, _) in DUCKDB_EXPORTS.items():
            spec = ", ".join(f"'{c.split()[0]}': '{c.split()[1]}'" for c in columns.split(", "))
            conn.execute(
                f"CREATE TABLE {table} AS SELECT * FROM read_csv('{files[table]}', "
                f"header = false, columns = {{{spec}}})"
            )
        loaded = time.perf_counter()
        conn.execute(DUCKDB_QUERY).fetchall()  # warm-up
        times = []
        rows: list[Any] = []
        for _ in range(runs):
            start = time.perf_counter()
            rows = conn.execute(DUCKDB_QUERY).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
        for path in files.values():
            path.unlink(missing_ok=True)
    return {
        "source": name,
        "export_seconds": round(exported - began, 2),
        "load_seconds": round(loaded - exported, 2),
        "query_median_ms": round(statistics.median(times), 3),
        "query_runs": runs,
        "groups": len(rows),
        "sum": sum(float(r[2] or 0) for r in rows),
        "rows": [[int(r[0]), str(r[1]), float(r[2] or 0), int(r[3])] for r in rows],
    }
