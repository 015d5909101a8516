"""Synthetic reports for benchmarks: fictional agencies in real regions, every cell, sound sums.

Every agency name carries 合成数据 and a number, so no synthetic row can pass for a real one;
every report is marked `synthetic`. The same seed on the same database gives the same data.
A second run adds more: identifiers (and the number in each agency name) continue after the
largest already stored, and the random stream is seeded by the seed and that starting point.

Rows are written in batches in one transaction: SQLAlchemy Core executemany on SQLite, COPY on
PostgreSQL. Report checks are summarised on the report; `report_check` rows are not written
(4 million rows of messages for 100,000 reports would only measure themselves).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from app.catalog import (
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REQUEST_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    Format,
    cell_keys,
    column_of,
)
from app.cells import encode_cells
from app.checks import run_checks, summarize
from app.flags import rebuild_flags
from app.models import (
    Agency,
    CellRow,
    Document,
    DocumentRow,
    Region,
    Report,
    ReportRow,
    ReportTable,
    Section,
    bump_data_version,
    column_names,
)
from app.regions.data import RegionRecord, load_regions
from app.regions.placing import agency_kind
from app.rollup import rebuild_rollups
from app.search import copy_index_rows, insert_index_rows
from app.synth_prose import report_parts

SYNTHETIC_MARK = "合成数据"
PARSER_VERSION = "synthetic"
MEDIA_TYPE = "text/plain"
FIRST_YEAR, LAST_YEAR = 2019, 2025
BATCH_REPORTS = 1000

# How often the unusual shapes occur.
LEGACY_FORMAT_SHARE = 0.05  # 2021+ reports still printed on the 2019 layout
SINGLE_OTHER_SHARE = 0.05  # 2021-layout reports with the single （六）其他处理 row
MISSING_CELLS_SHARE = 0.03  # reports with a blank or unreadable cell or three
NOT_APPLICABLE_SHARE = 0.02  # proactive cells printed as "/"
# Reports whose running counts do not follow on from the year before (plausibility flags).
CARRY_BREAK_SHARE = 0.03
LEVEL_SHARES = (("county", 0.80), ("city", 0.15), ("province", 0.05))

# Suffixes by agency kind, with their shares; street offices only under counties.
_SUFFIXES: tuple[tuple[str, float], ...] = (
    ("市场监督管理局", 0.16),
    ("数据资源管理局", 0.14),
    ("交通运输局", 0.12),
    ("自然资源局", 0.12),
    ("卫生健康委员会", 0.12),
    ("人民政府", 0.10),
    ("人民政府办公室", 0.08),
    ("街道办事处", 0.10),
    ("管理委员会", 0.06),
)

_APPLICANTS = tuple(c.key for c in REQUEST_COLUMNS if c.key != "total")
# Share of an agency's requests from each kind of applicant.
_APPLICANT_WEIGHTS = {
    "natural_person": 1.0,
    "commercial": 0.25,
    "research": 0.02,
    "social_org": 0.02,
    "legal_service": 0.05,
    "other_org": 0.05,
}
# Share of processed requests per outcome row (need not sum to 1: only the ratio matters).
_OUTCOME_WEIGHTS = {
    "granted": 0.40,
    "partially_granted": 0.08,
    "denied_state_secret": 0.002,
    "denied_law_prohibited": 0.005,
    "denied_security_stability": 0.003,
    "denied_third_party": 0.01,
    "denied_internal_affairs": 0.02,
    "denied_process_info": 0.02,
    "denied_enforcement_file": 0.01,
    "denied_inquiry": 0.02,
    "unavailable_not_held": 0.20,
    "unavailable_needs_creation": 0.03,
    "unavailable_unclear": 0.03,
    "not_processed_complaint": 0.04,
    "not_processed_duplicate": 0.02,
    "not_processed_publication": 0.005,
    "not_processed_excessive": 0.01,
    "not_processed_confirmation": 0.005,
    "other": 0.05,
    "other_no_correction": 0.03,
    "other_no_fee": 0.002,
    "other_misc": 0.02,
}
_REVIEW_PARTS = tuple(c.key for c in REVIEW_COLUMNS if c.key != "total")
_REVIEW_WEIGHTS = {
    "reconsideration": 0.03,
    "litigation_direct": 0.015,
    "litigation_after_reconsideration": 0.005,
}
_REVIEW_PART_WEIGHTS = {"upheld": 0.6, "corrected": 0.15, "other": 0.15, "pending": 0.1}
_UNREADABLE_RAW = ("1 2", "约5", "见说明", "12 0")


@dataclass(frozen=True, slots=True)
class SynthSummary:
    reports: int
    agencies: int
    cells: int
    seconds: float  # everything: rows, rollups and planner statistics
    load_seconds: float = 0.0  # generating and writing the rows
    rollup_seconds: float = 0.0  # app.rollup.rebuild_rollups

    def __str__(self) -> str:
        rate = self.reports / self.load_seconds if self.load_seconds > 0 else 0.0
        return (
            f"{self.reports} synthetic reports ({self.agencies} agencies, {self.cells} cells) "
            f"in {self.seconds:.1f} s: rows {self.load_seconds:.1f} s ({rate:.0f} reports/s), "
            f"rollups {self.rollup_seconds:.1f} s"
        )


@dataclass(frozen=True, slots=True)
class _Variant:
    """What a report of one format (and 六 layout) prints, ready for generating values."""

    proactive: tuple[tuple[str, str, str], ...]  # (row, col, column kind)
    # Rows of 三 in printed order, each with its outcome weight (None: a computed row).
    requests: tuple[tuple[str, float | None], ...]


def _variant(fmt: Format, single_other: bool) -> _Variant:
    keys = cell_keys(fmt, single_other=single_other)
    outcomes = OUTCOME_ROWS_2019 if fmt == "2019" or single_other else OUTCOME_ROWS_2021
    proactive = []
    for t, r, c in keys:
        if t == "proactive":
            column = column_of(t, r, c, fmt)
            assert column is not None
            proactive.append((r, c, column.kind))
    rows = tuple(dict.fromkeys(r for t, r, _ in keys if t == "requests"))
    requests = tuple((r, _OUTCOME_WEIGHTS[r] if r in outcomes else None) for r in rows)
    generated = len(proactive) + len(rows) * len(REQUEST_COLUMNS) + len(REVIEW_ROWS) * 5
    assert generated == len(keys), (fmt, single_other)
    return _Variant(tuple(proactive), requests)


_VARIANT_KEYS: tuple[tuple[Format, bool], ...] = (("2019", False), ("2021", False), ("2021", True))
_VARIANTS = {(fmt, single): _variant(fmt, single) for fmt, single in _VARIANT_KEYS}
_TEXT = tuple(str(i) for i in range(10_000))  # most counts are small; spare the str() calls


def _text(value: int) -> str:
    return _TEXT[value] if 0 <= value < 10_000 else str(value)


def _request_cells(rng: random.Random, variant: _Variant, size: float) -> list[CellRow]:
    """Table 三: per applicant column, outcomes add up to processed_total and the balance holds
    (new + carried_over = processed_total + carried_forward); `total` adds up the applicants."""
    random_ = rng.random
    columns: list[dict[str, int]] = []
    for col in _APPLICANTS:
        expected = 2.0 * size * _APPLICANT_WEIGHTS[col]
        values: dict[str, int] = {}
        processed = 0
        for row, weight in variant.requests:
            if weight is not None:
                value = int(random_() * expected * weight)
                values[row] = value
                processed += value
        carried_forward = int(random_() * expected * 0.05)
        carried_over = min(int(random_() * expected * 0.05), processed + carried_forward)
        values["processed_total"] = processed
        values["carried_forward"] = carried_forward
        values["carried_over"] = carried_over
        values["new"] = processed + carried_forward - carried_over
        columns.append(values)
    cells: list[CellRow] = []
    for row, _ in variant.requests:
        total = 0
        for col, values in zip(_APPLICANTS, columns, strict=True):
            value = values[row]
            total += value
            cells.append(CellRow("requests", row, col, value, _text(value), "number", None))
        cells.append(CellRow("requests", row, "total", total, _text(total), "number", None))
    return cells


def _review_cells(rng: random.Random, size: float) -> list[CellRow]:
    """Table 四: each row's total adds up its four outcomes."""
    cells: list[CellRow] = []
    for row in REVIEW_ROWS:
        expected = 2.0 * size * _REVIEW_WEIGHTS[row.key]
        total = 0
        for part, weight in _REVIEW_PART_WEIGHTS.items():
            value = int(rng.random() * expected * weight)
            total += value
            cells.append(CellRow("reviews", row.key, part, value, _text(value), "number", None))
        cells.append(CellRow("reviews", row.key, "total", total, _text(total), "number", None))
    return cells


def _proactive_cell(rng: random.Random, row: str, col: str, kind: str, size: float) -> CellRow:
    if rng.random() < NOT_APPLICABLE_SHARE:
        return CellRow("proactive", row, col, None, "/", "not_applicable", None)
    if kind == "amount":
        # Up to four decimals in 万元, as printed (160.5964); stored as a double, like ingest.
        amount = Decimal(int(rng.random() * size * 20_000)).scaleb(-4)
        if col == "amount":  # 2019 procurement prints its unit in the cell
            raw = f"{amount}万元"
            return CellRow("proactive", row, col, float(amount), raw, "number", "万元")
        return CellRow("proactive", row, col, float(amount), str(amount), "number", None)
    if kind == "change":
        change = int(rng.random() * 11) - 5
        return CellRow("proactive", row, col, change, str(change), "number", None)
    count = int(rng.random() * (2.0 + size * 0.4))
    return CellRow("proactive", row, col, count, _text(count), "number", None)


def agency_size(rng: random.Random) -> float:
    """An agency's size: median about 20 processed requests from natural persons a year, with
    a long tail."""
    return min(rng.lognormvariate(3.0, 1.3), 20_000.0)


def report_cells(
    rng: random.Random, fmt: Format, single_other: bool, size: float | None = None
) -> list[CellRow]:
    """Every cell a report of this format prints, in printed order; the arithmetic holds, but
    a few reports have a blank or unreadable cell or three. `size` is the agency's (a new
    agency's when None); a year's own varies about it."""
    variant = _VARIANTS[(fmt, single_other)]
    size = (agency_size(rng) if size is None else size) * rng.lognormvariate(0.0, 0.25)
    cells = [_proactive_cell(rng, r, c, k, size) for r, c, k in variant.proactive]
    cells += _request_cells(rng, variant, size)
    cells += _review_cells(rng, size)
    if rng.random() < MISSING_CELLS_SHARE:
        for _ in range(1 + int(rng.random() * 3)):
            i = int(rng.random() * len(cells))
            if rng.random() < 0.7:
                cells[i] = cells[i]._replace(value=None, raw="", status="blank", unit=None)
            else:
                raw = _UNREADABLE_RAW[int(rng.random() * len(_UNREADABLE_RAW))]
                cells[i] = cells[i]._replace(value=None, raw=raw, status="unreadable", unit=None)
    return cells


def carry_on(cells: list[CellRow], before: Sequence[CellRow]) -> list[CellRow]:
    """The cells with their running counts following on from the agency's year before, as the
    plausibility rules expect (app/flags.py): 上年结转 is last year's 结转下年度, 现行有效件数 and
    上一年项目数量 run on. 新收 takes up the difference, so table 三 still balances; a column
    with a cell missing is left as it is."""
    was = {(c.table, c.row, c.col): c.value for c in before if c.status == "number"}
    now = {(c.table, c.row, c.col): i for i, c in enumerate(cells)}

    def number(key: tuple[str, str, str]) -> int | None:
        i = now.get(key)
        return None if i is None or cells[i].status != "number" else int(cells[i].value or 0)

    def put(key: tuple[str, str, str], value: int) -> None:
        cells[now[key]] = cells[now[key]]._replace(value=value, raw=_text(value))

    changed = False
    for col in _APPLICANTS:
        key = ("requests", "carried_over", col)
        forward, processed = number(("requests", "carried_forward", col)), None
        processed = number(("requests", "processed_total", col))
        last = was.get(("requests", "carried_forward", col))
        if None in (number(key), number(("requests", "new", col)), forward, processed, last):
            continue
        assert forward is not None and processed is not None and last is not None
        carried = int(last)
        forward = max(forward, carried - processed)  # 新收 is never below 0
        put(key, carried)
        put(("requests", "carried_forward", col), forward)
        put(("requests", "new", col), processed + forward - carried)
        changed = True
    if changed:
        for row in ("new", "carried_over", "carried_forward"):
            parts = [number(("requests", row, col)) for col in _APPLICANTS]
            if None not in parts and number(("requests", row, "total")) is not None:
                put(("requests", row, "total"), sum(p or 0 for p in parts))
    for row in ("rules", "normative_docs"):
        in_force, issued, repealed = (
            number(("proactive", row, c)) for c in ("in_force", "issued", "repealed")
        )
        last = was.get(("proactive", row, "in_force"))
        if None not in (in_force, issued, repealed, last):
            assert issued is not None and repealed is not None and last is not None
            repealed = min(repealed, int(last) + issued)  # no more repealed than there were
            put(("proactive", row, "repealed"), repealed)
            put(("proactive", row, "in_force"), int(last) + issued - repealed)
    for row in ("licensing", "other_services", "penalties", "enforcement", "fees"):
        items, change = (
            number(("proactive", row, "prev_items")),
            number(("proactive", row, "change")),
        )
        last, moved = (
            was.get(("proactive", row, "prev_items")),
            was.get(("proactive", row, "change")),
        )
        if items is not None and last is not None and moved is not None:
            items = int(last + moved)
            put(("proactive", row, "prev_items"), items)
        if items is not None and change is not None and items + change < 0:
            put(("proactive", row, "change"), -items)  # next year's count is never below 0
    return cells


def _complete(cells: Sequence[CellRow]) -> bool:
    return all(c.status == "number" for c in cells if c.table != "proactive")


def checks_summary(cells: Sequence[CellRow], fmt: Format) -> dict[str, int]:
    """What `app.checks` finds in these cells: pass, fail and not_assessable counts."""
    return summarize(run_checks(cells, fmt))


# What the checks find in a report of each variant with no cell missing: every rule passes.
_COMPLETE_SUMMARIES: dict[tuple[Format, bool], dict[str, int]] = {}


def _checks_summary(cells: Sequence[CellRow], fmt: Format, single_other: bool) -> dict[str, int]:
    complete = _COMPLETE_SUMMARIES.get((fmt, single_other))
    if complete is not None and _complete(cells):
        # The values are built so that every rule holds; only missing cells change the result.
        return complete
    return checks_summary(cells, fmt)


def _prime_summaries() -> None:
    for fmt, single_other in _VARIANT_KEYS:
        if (fmt, single_other) in _COMPLETE_SUMMARIES:
            continue
        rng = random.Random(0)
        cells = report_cells(rng, fmt, single_other)
        while not _complete(cells):
            cells = report_cells(rng, fmt, single_other)
        summary = checks_summary(cells, fmt)
        assert summary["fail"] == 0 and summary["not_assessable"] == 0, summary
        _COMPLETE_SUMMARIES[(fmt, single_other)] = summary


# --- the plan: agencies, their years, and the rows of each batch


@dataclass(frozen=True, slots=True)
class _Start:
    agency_id: int
    report_id: int
    document_id: int


@dataclass(slots=True)
class _Batch:
    agencies: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    # The report_table columns, in order (app/cells.py), and how many cells they hold.
    tables: list[tuple[Any, ...]] = field(default_factory=list)
    cells: int = 0
    # The section table's: report_id, then the SectionRow layout.
    sections: list[tuple[int, int, str, str, str]] = field(default_factory=list)


def _regions_by_level(known: set[str]) -> dict[str, list[RegionRecord]]:
    by_level: dict[str, list[RegionRecord]] = {level: [] for level, _ in LEVEL_SHARES}
    for region in load_regions():
        if region.kind == "division" and region.code in known:
            by_level[region.level].append(region)
    return by_level


def _pick(rng: random.Random, shares: Sequence[tuple[str, float]]) -> str:
    roll = rng.random() * sum(share for _, share in shares)
    for value, share in shares:
        roll -= share
        if roll < 0:
            return value
    return shares[-1][0]


def _new_agency(
    rng: random.Random, agency_id: int, regions: dict[str, list[RegionRecord]]
) -> dict[str, Any]:
    level = _pick(rng, [(lv, s) for lv, s in LEVEL_SHARES if regions[lv]])
    choices = regions[level]
    region = choices[int(rng.random() * len(choices))]
    suffixes = [(s, w) for s, w in _SUFFIXES if level == "county" or s != "街道办事处"]
    name = f"{region.name}{SYNTHETIC_MARK}{agency_id}号{_pick(rng, suffixes)}"
    return {
        "id": agency_id,
        "name": name,
        "region_code": region.code,
        "kind": agency_kind(name),
        "region_candidates": [],
    }


def _agency_years(rng: random.Random) -> list[int]:
    """Consecutive years ending in the latest, starting mostly in the first."""
    first = FIRST_YEAR if rng.random() < 0.6 else FIRST_YEAR + int(rng.random() * 6)
    return list(range(first, LAST_YEAR + 1))


def _format_for(rng: random.Random, year: int) -> tuple[Format, bool]:
    if year < 2021 or rng.random() < LEGACY_FORMAT_SHARE:
        return "2019", False
    return "2021", rng.random() < SINGLE_OTHER_SHARE


def _plan(
    rng: random.Random,
    reports: int,
    start: _Start,
    regions: dict[str, list[RegionRecord]],
    prose: random.Random,
) -> Iterator[_Batch]:
    batch = _Batch()
    agency_id = start.agency_id
    made = 0
    while made < reports:
        agency = _new_agency(rng, agency_id, regions)
        agency_id += 1
        batch.agencies.append(agency)
        size = agency_size(rng)
        before: list[CellRow] = []
        for year in _agency_years(rng):
            if made == reports:
                break
            report_id = start.report_id + made
            document_id = start.document_id + made
            made += 1
            fmt, single_other = _format_for(rng, year)
            content = f"synthetic report {report_id}: {agency['name']} {year}\n".encode()
            document = DocumentRow(
                sha256=hashlib.sha256(content).hexdigest(),
                media_type=MEDIA_TYPE,
                filename=f"synthetic-{report_id}.txt",
                size=len(content),
                content=content,
            )
            batch.documents.append({"id": document_id, **document._asdict()})
            cells = report_cells(rng, fmt, single_other, size)
            broken = bool(before) and rng.random() < CARRY_BREAK_SHARE
            before = cells = carry_on(cells, [] if broken else before)
            summary = _checks_summary(cells, fmt, single_other)
            report = ReportRow(
                agency_id=agency["id"],
                document_id=document_id,
                year=year,
                format=fmt,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                title=f"{agency['name']}{year}年政府信息公开工作年度报告（合成数据）",
                publisher=agency["name"],
                contact_phone=None,
                source_url=None,
                revision=1,
                is_current=True,
                parser_version=PARSER_VERSION,
                warnings=[],
                region_hints={},
                checks_passed=summary["pass"],
                checks_failed=summary["fail"],
                checks_not_assessable=summary["not_assessable"],
                synthetic=True,
            )
            batch.reports.append({"id": report_id, **report._asdict()})
            batch.tables.extend([(report_id, *row) for row in encode_cells(cells)])
            batch.cells += len(cells)
            batch.sections.extend([(report_id, *part) for part in report_parts(prose, year)])
        if len(batch.reports) >= BATCH_REPORTS:
            yield batch
            batch = _Batch()
    if batch.reports or batch.agencies:
        yield batch


# --- writing


class _Writer(Protocol):
    def write(self, batch: _Batch) -> None: ...


class _CoreWriter:
    """SQLAlchemy Core executemany: SQLite, and any database without COPY."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        marks = ", ".join("?" for _ in _TABLE_COLUMNS)
        self.insert_tables = (
            f"INSERT INTO report_table ({', '.join(_TABLE_COLUMNS)}) VALUES ({marks})"
        )

    def write(self, batch: _Batch) -> None:
        if batch.agencies:
            self.conn.execute(insert(Agency), batch.agencies)
        self.conn.execute(insert(Document), batch.documents)
        self.conn.execute(insert(Report), batch.reports)
        # Plain tuples in column order, handed to the driver as they are.
        self.conn.exec_driver_sql(self.insert_tables, batch.tables)
        self.conn.exec_driver_sql(_INSERT_SECTIONS, batch.sections)
        insert_index_rows(self.conn, [(r, n, text) for r, n, _, _, text in batch.sections])


_AGENCY_COLUMNS = ("id", "name", "region_code", "kind", "region_candidates")
_DOCUMENT_COLUMNS = ("id", *DocumentRow._fields)
_REPORT_COLUMNS = ("id", *ReportRow._fields)
_TABLE_COLUMNS = column_names(ReportTable)
_INSERT_SECTIONS = (
    f"INSERT INTO section ({', '.join(column_names(Section))}) VALUES (?, ?, ?, ?, ?)"
)
_JSON_COLUMNS = frozenset({"region_candidates", "warnings", "region_hints"})


class _CopyWriter:
    """PostgreSQL COPY through psycopg, on the connection's own transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def _copy_rows(self, table: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(row[c]) if c in _JSON_COLUMNS else row[c] for c in columns]
                )

    def _copy_tables(self, rows: list[tuple[Any, ...]]) -> None:
        with self.cursor.copy(
            f"COPY report_table ({', '.join(_TABLE_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int4", "int2", "int2", "bytea", "bytea", "text"])
            for row in rows:
                copy.write_row(row)

    def write(self, batch: _Batch) -> None:
        if batch.agencies:
            self._copy_rows("agency", _AGENCY_COLUMNS, batch.agencies)
        self._copy_rows("document", _DOCUMENT_COLUMNS, batch.documents)
        self._copy_rows("report", _REPORT_COLUMNS, batch.reports)
        self._copy_tables(batch.tables)
        with self.cursor.copy(
            f"COPY section ({', '.join(column_names(Section))}) FROM STDIN"
        ) as copy:
            for row in batch.sections:
                copy.write_row(row)
        copy_index_rows(self.conn, [(r, n, text) for r, n, _, _, text in batch.sections])


def _start(conn: Connection) -> _Start:
    def next_id(column: Any) -> int:
        return int(conn.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1

    return _Start(next_id(Agency.id), next_id(Report.id), next_id(Document.id))


def _set_sequences(conn: Connection) -> None:
    # COPY took the identifiers itself; the next ordinary insert must not reuse them.
    for table in ("agency", "document", "report"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                " HAVING count(*) > 0"
            )
        )


def _analyze(conn: Connection) -> None:
    # Statistics for the planner before the rollup queries read the new rows; sampled on
    # SQLite, as PostgreSQL always samples.
    if conn.dialect.name == "sqlite":
        conn.execute(text("PRAGMA analysis_limit=1000"))
    conn.execute(text("ANALYZE"))


def _settle(engine: Engine) -> None:
    """After the commit: leave the database as a steady state would, for honest measurements."""
    if engine.dialect.name == "postgresql":
        # The visibility map lets index-only scans skip the heap; fresh statistics everywhere.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) agency, document, report, report_table, section"))
            conn.execute(text("VACUUM (ANALYZE) section_search"))
            conn.execute(text("ANALYZE"))
        return
    # The whole load went through the write-ahead log; fold it in and give the space back.
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        raw.driver_connection.execute("PRAGMA analysis_limit=1000")  # type: ignore[union-attr]
        raw.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
    finally:
        raw.close()


def synthetic_reports(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).where(Report.synthetic.is_(True))) or 0


def synthesize(engine: Engine, *, reports: int, seed: int = 2019) -> SynthSummary:
    """Add `reports` synthetic reports and rebuild the rollups, in one transaction."""
    if reports < 1:
        raise ValueError("reports must be at least 1")
    _prime_summaries()
    began = time.perf_counter()
    postgres = engine.dialect.name == "postgresql"
    agencies = cells = 0
    with engine.begin() as conn:
        if postgres:
            # Identifiers are assigned here; keep other writers out until they are taken.
            conn.execute(text("LOCK TABLE agency, document, report IN SHARE ROW EXCLUSIVE MODE"))
        start = _start(conn)
        regions = _regions_by_level(set(conn.scalars(select(Region.code))))
        rng = random.Random(f"gkstats-synth:{seed}:{start.agency_id}:{start.report_id}")
        # Prose has a stream of its own: the figures stay those the seed always gave.
        prose = random.Random(f"gkstats-synth-prose:{seed}:{start.agency_id}:{start.report_id}")
        writer: _Writer = _CopyWriter(conn) if postgres else _CoreWriter(conn)
        for batch in _plan(rng, reports, start, regions, prose):
            writer.write(batch)
            agencies += len(batch.agencies)
            cells += batch.cells
        if postgres:
            _set_sequences(conn)
        _analyze(conn)
        loaded = time.perf_counter()
        with Session(bind=conn) as session:
            bump_data_version(session)
            rebuild_rollups(session)
            rebuild_flags(session, range(start.agency_id, start.agency_id + agencies))
            session.flush()
    rolled_up = time.perf_counter()
    _settle(engine)
    ended = time.perf_counter()
    return SynthSummary(
        reports=reports,
        agencies=agencies,
        cells=cells,
        seconds=ended - began,
        load_seconds=loaded - began,
        rollup_seconds=rolled_up - loaded,
    )
