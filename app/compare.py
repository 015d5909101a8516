"""An agency against itself: two of its current reports side by side.

Cells are compared key by key where both reports' formats print the key; a key one format has
and the other lacks (2020 → 2021 changed table 二 and the (六) rows) is listed apart, with its
value. A side that did not print a cell, or printed it blank, not applicable or unreadable, has
no value: a change is computed only between two numbers, so a blank is never a 0. Rates are
each report's own ratio; sections are diffed word by word; checks are listed where one year
passed and the other failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import Format
from app.cells import load_cells
from app.metrics import METRIC_FORMATS, RATIOS, report_measures
from app.models import CellRow, Report, ReportCheck, Section
from app.words import DiffPiece, word_diff


@dataclass(frozen=True, slots=True)
class CheckSide:
    result: str
    left: float | None
    right: float | None


@dataclass(frozen=True, slots=True)
class ReportSide:
    report: Report
    cells: dict[str, CellRow]  # by table.row.col
    sections: dict[int, tuple[str, str]]  # number: (title, text)
    checks: dict[tuple[str, str, str], CheckSide]  # (rule, scope, table)

    @property
    def format(self) -> Format:
        fmt: Format = self.report.format  # type: ignore[assignment]
        return fmt


@dataclass(frozen=True, slots=True)
class CellChange:
    key: str
    before: CellRow | None
    after: CellRow | None
    change: float | None
    change_pct: float | None


@dataclass(frozen=True, slots=True)
class RateChange:
    name: str
    before: float | None
    after: float | None
    change: float | None


@dataclass(frozen=True, slots=True)
class SectionChange:
    number: int
    before: tuple[str, str] | None
    after: tuple[str, str] | None
    diff: list[DiffPiece]


@dataclass(frozen=True, slots=True)
class CheckChange:
    rule: str
    scope: str
    table: str
    before: CheckSide
    after: CheckSide


@dataclass(frozen=True, slots=True)
class Comparison:
    before: ReportSide
    after: ReportSide
    cells: list[CellChange]
    one_format_only: list[tuple[ReportSide, CellRow]]
    rates: list[RateChange]
    sections: list[SectionChange]
    checks: list[CheckChange]


def report_cells(session: Session, report_id: int) -> dict[str, CellRow]:
    """A report's cells by table.row.col."""
    cells = load_cells(session.connection(), [report_id]).get(report_id, [])
    return {f"{c.table}.{c.row}.{c.col}": c for c in cells}


def load_side(session: Session, report: Report) -> ReportSide:
    sections = session.scalars(select(Section).where(Section.report_id == report.id))
    checks = session.scalars(select(ReportCheck).where(ReportCheck.report_id == report.id))
    return ReportSide(
        report=report,
        cells=report_cells(session, report.id),
        sections={s.number: (s.title, s.text) for s in sections},
        checks={
            (c.rule, c.scope, c.table_key): CheckSide(c.result, c.left, c.right) for c in checks
        },
    )


def compare(before: ReportSide, after: ReportSide) -> Comparison:
    both, apart = _keys(before, after)
    return Comparison(
        before=before,
        after=after,
        cells=[_cell_change(key, before.cells.get(key), after.cells.get(key)) for key in both],
        one_format_only=[(side, side.cells[key]) for side, key in apart if key in side.cells],
        rates=_rates(before.cells.values(), after.cells.values()),
        sections=_sections(before, after),
        checks=_checks(before, after),
    )


def _keys(before: ReportSide, after: ReportSide) -> tuple[list[str], list[tuple[ReportSide, str]]]:
    """Keys both formats print, in catalog order; and each side's keys the other format lacks."""
    both: list[str] = []
    apart: list[tuple[ReportSide, str]] = []
    for key, formats in METRIC_FORMATS.items():
        if key in RATIOS:
            continue
        printed_before, printed_after = before.format in formats, after.format in formats
        if printed_before and printed_after:
            if key in before.cells or key in after.cells:
                both.append(key)
        elif printed_before:
            apart.append((before, key))
        elif printed_after:
            apart.append((after, key))
    return both, apart


def _cell_change(key: str, before: CellRow | None, after: CellRow | None) -> CellChange:
    old = before.value if before is not None else None
    new = after.value if after is not None else None
    if old is None or new is None:
        return CellChange(key, before, after, None, None)
    change = new - old
    pct = None if old == 0 else round(change / abs(old) * 100, 6)
    return CellChange(key, before, after, change, pct)


def _rate_values(cells: Iterable[CellRow]) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for name, numerator, denominator in report_measures(cells):
        if name in RATIOS:
            found[name] = None if not denominator else numerator / denominator
    return found


def _rates(before: Iterable[CellRow], after: Iterable[CellRow]) -> list[RateChange]:
    old, new = _rate_values(before), _rate_values(after)
    changes = []
    for name in RATIOS:
        a, b = old.get(name), new.get(name)
        changes.append(RateChange(name, a, b, None if a is None or b is None else b - a))
    return changes


def _sections(before: ReportSide, after: ReportSide) -> list[SectionChange]:
    numbers = sorted(set(before.sections) | set(after.sections))
    changes = []
    for number in numbers:
        old, new = before.sections.get(number), after.sections.get(number)
        diff = word_diff(old[1] if old else "", new[1] if new else "")
        changes.append(SectionChange(number, old, new, diff))
    return changes


def _checks(before: ReportSide, after: ReportSide) -> list[CheckChange]:
    changed = []
    for key, old in before.checks.items():
        new = after.checks.get(key)
        if new is not None and {old.result, new.result} == {"pass", "fail"}:
            changed.append(CheckChange(*key, before=old, after=new))
    return changed
