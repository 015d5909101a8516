"""An agency's comparison (app/compare.py) as the API's answer."""

from __future__ import annotations

from typing import cast

from app.api.serialize import agency_ref, cell_value
from app.checks import CheckOutcome
from app.compare import CheckSide, Comparison, ReportSide
from app.models import Agency, CellRow
from app.parsing.model import CellStatus
from app.schemas import (
    AgencyComparison,
    CellComparison,
    CellSide,
    CheckComparison,
    CheckSideOut,
    ComparedReport,
    DiffPieceOut,
    OneFormatCell,
    RateComparison,
    SectionComparison,
)

NOT_PRINTED = CellSide(value=None, raw=None, status=None)


def comparison_out(agency: Agency, found: Comparison) -> AgencyComparison:
    before, after = found.before, found.after
    return AgencyComparison(
        agency=agency_ref(agency),
        reports=[_report(before), _report(after)],
        cells=[
            CellComparison(
                key=c.key,
                before=_side(c.before, before),
                after=_side(c.after, after),
                change=_change(c.key, after, c.change),
                change_pct=c.change_pct,
            )
            for c in found.cells
        ],
        one_format_only=[
            OneFormatCell(
                key=f"{cell.table}.{cell.row}.{cell.col}",
                year=side.report.year,
                format=side.format,
                value=cell_value(cell.table, cell.row, cell.col, side.format, cell.value),
                raw=cell.raw,
                status=cast(CellStatus, cell.status),
            )
            for side, cell in found.one_format_only
        ],
        rates=[
            RateComparison(name=r.name, before=r.before, after=r.after, change=r.change)
            for r in found.rates
        ],
        sections=[
            SectionComparison(
                number=s.number,
                title_before=s.before[0] if s.before else None,
                title_after=s.after[0] if s.after else None,
                before=s.before[1] if s.before else None,
                after=s.after[1] if s.after else None,
                diff=[DiffPieceOut(op=p.op, text=p.text) for p in s.diff],
            )
            for s in found.sections
        ],
        checks=[
            CheckComparison(
                rule=c.rule,
                scope=c.scope,
                table=c.table,
                before=_check(c.before),
                after=_check(c.after),
            )
            for c in found.checks
        ],
    )


def one_format_row(cell: OneFormatCell, before_year: int) -> CellComparison:
    """A one-format cell as a spreadsheet row: its value on its own year's side."""
    side = CellSide(value=cell.value, raw=cell.raw, status=cell.status)
    earlier = cell.year == before_year
    return CellComparison(
        key=cell.key,
        before=side if earlier else NOT_PRINTED,
        after=NOT_PRINTED if earlier else side,
        change=None,
        change_pct=None,
    )


def _report(side: ReportSide) -> ComparedReport:
    return ComparedReport(id=side.report.id, year=side.report.year, format=side.format)


def _side(cell: CellRow | None, side: ReportSide) -> CellSide:
    if cell is None:
        return NOT_PRINTED
    value = cell_value(cell.table, cell.row, cell.col, side.format, cell.value)
    return CellSide(value=value, raw=cell.raw, status=cast(CellStatus, cell.status))


def _change(key: str, side: ReportSide, change: float | None) -> int | float | None:
    """A count's change as an integer, an amount's as a decimal, as the cells themselves."""
    table, row, col = key.split(".")
    return cell_value(table, row, col, side.format, change)


def _check(side: CheckSide) -> CheckSideOut:
    return CheckSideOut(result=cast(CheckOutcome, side.result), left=side.left, right=side.right)
