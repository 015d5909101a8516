"""ORM rows to API shapes; the only place that knows both."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple, cast

from app.catalog import FORMATS, TABLES, Format
from app.checks import CheckOutcome
from app.models import Agency, CellRow, Region, Report, ReportCheck
from app.parsing.model import CellStatus
from app.regions.data import RegionLevel
from app.schemas import (
    AgencyOut,
    AgencyRef,
    CellOut,
    CheckOut,
    ChecksSummary,
    ProvenanceOut,
    RegionOut,
    RegionRef,
    ReportOut,
    SourceOut,
)


def region_ref(region: Region | None) -> RegionRef | None:
    if region is None:
        return None
    return RegionRef(code=region.code, name=region.name, level=cast(RegionLevel, region.level))


def region_out(region: Region) -> RegionOut:
    return RegionOut(
        code=region.code,
        name=region.name,
        level=cast(RegionLevel, region.level),
        parent_code=region.parent_code,
        former_names=list(region.former_names or []),
    )


def agency_ref(agency: Agency) -> AgencyRef:
    return AgencyRef(id=agency.id, name=agency.name, region=region_ref(agency.region))


def agency_out(agency: Agency, years: Iterable[int] = ()) -> AgencyOut:
    return AgencyOut(
        id=agency.id,
        name=agency.name,
        region=region_ref(agency.region),
        kind=agency.kind,
        region_candidates=list(agency.region_candidates or []),
        years=sorted(years),
    )


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def report_out(report: Report) -> ReportOut:
    document = report.document
    return ReportOut(
        id=report.id,
        agency=agency_ref(report.agency),
        year=report.year,
        format=cast(Format, report.format),
        period_start=report.period_start,
        period_end=report.period_end,
        title=report.title,
        publisher=report.publisher,
        contact_phone=report.contact_phone,
        source_url=report.source_url,
        revision=report.revision,
        is_current=report.is_current,
        ingested_at=as_utc(report.ingested_at),
        parser_version=report.parser_version,
        source=SourceOut(
            filename=document.filename,
            media_type=document.media_type,
            sha256=document.sha256,
            size=document.size,
        ),
        warnings=list(report.warnings or []),
        provenance=ProvenanceOut.model_validate(report.provenance) if report.provenance else None,
        checks=checks_summary(report),
        synthetic=report.synthetic,
        withdrawn_at=as_utc(report.withdrawn_at) if report.withdrawn_at is not None else None,
        withdrawal_reason=report.withdrawal_reason,
        document_url=report.document_url,
        fetched_at=as_utc(report.fetched_at) if report.fetched_at is not None else None,
    )


def checks_summary(report: Report) -> ChecksSummary:
    return ChecksSummary(
        passed=report.checks_passed,
        failed=report.checks_failed,
        not_assessable=report.checks_not_assessable,
    )


class CellPlace(NamedTuple):
    """Where a key is printed among a format's cells, and whether it holds an amount."""

    position: int
    is_amount: bool


def _cell_places(fmt: Format) -> dict[tuple[str, str, str], CellPlace]:
    places: dict[tuple[str, str, str], CellPlace] = {}
    for table in TABLES.values():
        for row in table.rows:
            if fmt in row.formats:
                for col in table.columns_for(row, fmt):
                    places[(table.key, row.key, col.key)] = CellPlace(
                        len(places), col.kind == "amount"
                    )
    return places


CELL_PLACES = {fmt: _cell_places(fmt) for fmt in FORMATS}
UNKNOWN_PLACE = CellPlace(1 << 30, False)  # sorts last, read as a count


def json_number(value: float | None, is_amount: bool) -> int | float | None:
    """Counts as integers, amounts as decimals, as keys.md promises."""
    if value is None or is_amount or not value.is_integer():
        return value
    return int(value)


def cell_value(table: str, row: str, col: str, fmt: str, value: float | None) -> int | float | None:
    place = CELL_PLACES[cast(Format, fmt)].get((table, row, col), UNKNOWN_PLACE)
    return json_number(value, place.is_amount)


def cell_out(cell: CellRow, fmt: str) -> CellOut:
    return CellOut(
        table=cell.table,
        row=cell.row,
        col=cell.col,
        value=cell_value(cell.table, cell.row, cell.col, fmt, cell.value),
        raw=cell.raw,
        status=cast(CellStatus, cell.status),
        unit=cell.unit,
    )


def check_out(check: ReportCheck) -> CheckOut:
    return CheckOut(
        rule=check.rule,
        table=check.table_key,
        scope=check.scope,
        result=cast(CheckOutcome, check.result),
        left=check.left,
        right=check.right,
        difference=check.difference,
        cells=list(check.cells or []),
        message=check.message,
    )
