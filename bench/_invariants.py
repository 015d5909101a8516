"""What a database of stored reports must hold, whatever happened to the process writing it.

`find_violations` reads a database and describes every broken invariant: a report stored in
part (fewer sections, cells or checks than parsing its own document gives, or another checks
summary), rows whose report or document is gone, the same bytes stored twice, an agency and
year without exactly one current revision or with a gap in the numbering, and rollups other than
a rebuild from the cells would make. No violations means the database is sound.

For checking a database after its writer was killed: `python -m bench crash` runs it after
every kill, tests/test_crash.py after its own and holds it to finding what a partial write
would leave.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, case, exists, false, func, select
from sqlalchemy.orm import InstrumentedAttribute

from app.cells import load_cells
from app.models import (
    Agency,
    CellRollup,
    DataVersion,
    Document,
    Report,
    ReportCheck,
    ReportRollup,
    ReportTable,
    RollupReport,
    Section,
)

EXAMPLES_PER_INVARIANT = 3  # violations described in full; the rest are counted


@dataclass(frozen=True, slots=True)
class ExpectedReport:
    """What storing a document writes, by parsing it again: its rows and checks summary."""

    sections: int
    cells: int
    checks: int
    summary: tuple[int, int, int]  # checks passed, failed, not assessable
    cell_total: float  # the sum of its cells' values


@dataclass(frozen=True, slots=True)
class Violation:
    invariant: str
    subject: str  # which rows: "report 12", "agency 3 year 2020", a rollup key
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.subject}: {self.detail}"


def expected_report(data: bytes, media_type: str) -> ExpectedReport:
    from app.ingest import parse_for_ingest, prepare

    prepared = prepare(parse_for_ingest(data, media_type))
    return ExpectedReport(
        sections=len(prepared.sections),
        cells=len(prepared.cells),
        checks=len(prepared.checks),
        summary=(
            prepared.summary.get("pass", 0),
            prepared.summary.get("fail", 0),
            prepared.summary.get("not_assessable", 0),
        ),
        cell_total=_total(cell[3] for cell in prepared.cells),
    )


def expect_files(paths: Sequence[Path], workers: int = 2) -> dict[str, ExpectedReport]:
    """Each file's expected report by its sha256, parsed in `workers` processes."""
    if not paths:
        return {}
    chunk = max(1, len(paths) // (workers * 8))
    with ProcessPoolExecutor(workers) as pool:
        return dict(pool.map(_expect_file, paths, chunksize=chunk))


def _expect_file(path: Path) -> tuple[str, ExpectedReport]:
    from app.ingest import sha256_hex
    from app.parsing.document import media_type_for

    data = path.read_bytes()
    media_type = media_type_for(path.name, None)
    assert media_type is not None, path
    return sha256_hex(data), expected_report(data, media_type)


def find_violations(engine: Engine, expected: Mapping[str, ExpectedReport]) -> list[Violation]:
    """Every broken invariant in the database `engine` reaches, which nothing may be writing.

    `expected` gives documents' expected reports by sha256; any other stored document is parsed
    again from its stored bytes. The rollups are rebuilt to compare, in a transaction that is
    rolled back.
    """
    with engine.connect() as conn:
        try:
            return [
                *_orphans(conn),
                *_duplicates(conn),
                *_revisions(conn),
                *_incomplete_reports(conn, expected),
                *_rollups_unlike_a_rebuild(conn),
                *_data_version(conn),
            ]
        finally:
            conn.rollback()


def summarize(violations: Sequence[Violation]) -> list[str]:
    """One line per invariant broken: how often, and the first few in full."""
    by_invariant: dict[str, list[Violation]] = {}
    for violation in violations:
        by_invariant.setdefault(violation.invariant, []).append(violation)
    lines = []
    for invariant, found in by_invariant.items():
        shown = "; ".join(f"{v.subject}: {v.detail}" for v in found[:EXAMPLES_PER_INVARIANT])
        more = (
            f" (and {len(found) - EXAMPLES_PER_INVARIANT} more)"
            if len(found) > EXAMPLES_PER_INVARIANT
            else ""
        )
        lines.append(f"{invariant} ×{len(found)}: {shown}{more}")
    return lines


# --- the invariants


def _orphans(conn: Connection) -> Iterable[Violation]:
    # Foreign keys forbid most of these; a crash is exactly when one would like to be sure.
    for report_id in conn.scalars(
        select(Report.id).where(~exists().where(Document.id == Report.document_id))
    ):
        yield Violation("report without its document", f"report {report_id}", "")
    for document_id in conn.scalars(
        select(Document.id).where(~exists().where(Report.document_id == Document.id))
    ):
        yield Violation("document without a report", f"document {document_id}", "")
    for agency_id in conn.scalars(
        select(Agency.id).where(~exists().where(Report.agency_id == Agency.id))
    ):
        yield Violation("agency without a report", f"agency {agency_id}", "")
    for report_id in conn.scalars(
        select(Report.id).where(~exists().where(Agency.id == Report.agency_id))
    ):
        yield Violation("report without its agency", f"report {report_id}", "")
    children: tuple[tuple[str, InstrumentedAttribute[int]], ...] = (
        ("section", Section.report_id),
        ("report_table", ReportTable.report_id),
        ("report_check", ReportCheck.report_id),
        ("rollup_report", RollupReport.report_id),
    )
    for table, column in children:
        query = (
            select(column, func.count())
            .where(~exists().where(Report.id == column))
            .group_by(column)
        )
        for missing, rows in conn.execute(query):
            yield Violation(f"{table} rows without their report", f"report {missing}", f"{rows}")


def _duplicates(conn: Connection) -> Iterable[Violation]:
    for column, what in (
        (Document.sha256, "document stored twice"),
        (Report.document_id, "document with two reports"),
        (Agency.name, "agency name twice"),
    ):
        query = select(column, func.count()).group_by(column).having(func.count() > 1)
        for value, count in conn.execute(query):
            yield Violation(what, str(value), f"{count} rows")


def _revisions(conn: Connection) -> Iterable[Violation]:
    current = func.sum(case((Report.is_current, 1), else_=0))
    query = select(
        Report.agency_id,
        Report.year,
        func.count(),
        func.count(Report.revision.distinct()),
        func.min(Report.revision),
        func.max(Report.revision),
        current,
        func.max(case((Report.is_current, Report.revision))),
    ).group_by(Report.agency_id, Report.year)
    for agency_id, year, count, distinct, first, last, currents, current_revision in conn.execute(
        query
    ):
        subject = f"agency {agency_id} year {year}"
        if (first, last, distinct) != (1, count, count):
            yield Violation(
                "revisions not numbered 1..n", subject, f"{count} reports, {first}..{last}"
            )
        if currents != 1:
            yield Violation("not exactly one current report", subject, f"{currents} current")
        elif current_revision != last:
            yield Violation(
                "current report not the newest revision", subject, f"{current_revision} of {last}"
            )


def _incomplete_reports(
    conn: Connection, expected: Mapping[str, ExpectedReport]
) -> Iterable[Violation]:
    sections = _per_report(Section.report_id, func.count().label("n"))
    results = {
        outcome: func.sum(case((ReportCheck.result == outcome, 1), else_=0)).label(outcome)
        for outcome in ("pass", "fail", "not_assessable")
    }
    checks = _per_report(ReportCheck.report_id, func.count().label("n"), *results.values())
    query = (
        select(
            Report.id,
            Document.sha256,
            Document.media_type,
            Report.checks_passed,
            Report.checks_failed,
            Report.checks_not_assessable,
            func.coalesce(sections.c.n, 0),
            func.coalesce(checks.c.n, 0),
            *(func.coalesce(checks.c[outcome], 0) for outcome in results),
        )
        .join(Document, Document.id == Report.document_id)
        .outerjoin(sections, sections.c.report_id == Report.id)
        .outerjoin(checks, checks.c.report_id == Report.id)
        # Synthetic reports are written as rows, not parsed from their documents, and store
        # their check counts without report_check rows.
        .where(Report.synthetic == false())
    )
    reparsed: dict[str, ExpectedReport] = {}
    rows = conn.execute(query).all()
    # Cells are stored packed (app/cells.py): counted and summed as read back.
    stored = load_cells(conn, [row[0] for row in rows])
    for row in rows:
        report_id, digest, media_type, *summary_columns = row[:6]
        n_sections, n_checks, *by_result = row[6:]
        cells = stored.get(report_id, [])
        n_cells = len(cells)
        cell_total = _total(c.value for c in cells)
        want = expected.get(digest) or reparsed.get(digest)
        if want is None:
            content = conn.scalar(select(Document.content).where(Document.sha256 == digest))
            want = reparsed[digest] = expected_report(bytes(content or b""), media_type)
        found = {
            "sections": n_sections,
            "cells": n_cells,
            "checks": n_checks,
            "checks summary": tuple(summary_columns),
            "check results": tuple(by_result),
        }
        wanted = {
            "sections": want.sections,
            "cells": want.cells,
            "checks": want.checks,
            "checks summary": want.summary,
            "check results": want.summary,
        }
        for what, count in found.items():
            if count != wanted[what]:
                yield Violation(
                    f"report with other {what}",
                    f"report {report_id}",
                    f"{count}, not {wanted[what]}",
                )
        if not math.isclose(float(cell_total or 0), want.cell_total, rel_tol=1e-9, abs_tol=1e-6):
            yield Violation(
                "report with other cell values",
                f"report {report_id}",
                f"sum {cell_total}, not {want.cell_total}",
            )


def _per_report(report_id: InstrumentedAttribute[int], *columns: Any) -> Any:
    return select(report_id.label("report_id"), *columns).group_by(report_id).subquery()


Snapshot = dict[tuple[Any, ...], tuple[Any, ...]]


def _rollups_unlike_a_rebuild(conn: Connection) -> Iterable[Violation]:
    from app.rollup import rebuild_rollups

    models = (CellRollup, ReportRollup, RollupReport)
    kept = [_snapshot(conn, model) for model in models]
    rebuild_rollups(conn)
    rebuilt = [_snapshot(conn, model) for model in models]
    for model, before, after in zip(models, kept, rebuilt, strict=True):
        table = model.__tablename__
        for key in before.keys() - after.keys():
            yield Violation(f"{table} row a rebuild does not make", str(key), str(before[key]))
        for key in after.keys() - before.keys():
            yield Violation(f"{table} row missing", str(key), f"a rebuild makes {after[key]}")
        for key in before.keys() & after.keys():
            if not _same(before[key], after[key]):
                yield Violation(
                    f"{table} row unlike a rebuild", str(key), f"{before[key]}, not {after[key]}"
                )


def _snapshot(conn: Connection, model: Any) -> Snapshot:
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    values = [c.name for c in table.columns if c.name not in keys]
    return {
        tuple(row[k] for k in keys): tuple(row[v] for v in values)
        for row in conn.execute(select(table)).mappings()
    }


def _same(left: tuple[Any, ...], right: tuple[Any, ...]) -> bool:
    # Kept sums are added up batch by batch, a rebuild's in one SUM: the last bits may differ.
    return all(
        a == b
        or (
            isinstance(a, float | int)
            and isinstance(b, float | int)
            and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
        )
        for a, b in zip(left, right, strict=True)
    )


def _data_version(conn: Connection) -> Iterable[Violation]:
    rows = conn.scalar(select(func.count()).select_from(DataVersion))
    if rows != 1:
        yield Violation("data_version not one row", "data_version", f"{rows} rows")


def _total(values: Iterable[object]) -> float:
    return math.fsum(float(v) for v in values if isinstance(v, int | float))
