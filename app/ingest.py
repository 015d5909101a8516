"""Document → parse → checks → rows, inside a transaction the caller owns and commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.orm import Session

from app.checks import CheckResult, run_checks, summarize
from app.errors import NotAReport, Unprocessable, UnsupportedMediaType
from app.models import (
    Agency,
    Document,
    Region,
    Report,
    ReportCheck,
    Section,
    bump_data_version,
)
from app.parsing import ParsedReport, ParseError
from app.parsing.document import UnsupportedMediaType as UnsupportedContent
from app.parsing.document import parse_document
from app.regions.placing import agency_kind, place_agency
from app.rollup import refresh_rollups_for_agency

# Bump when parsing changes what is stored, so old reports can be found and parsed again.
PARSER_VERSION = "1"


@dataclass(frozen=True, slots=True)
class IngestResult:
    report: Report
    created: bool


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_by_content(session: Session, digest: str) -> Report | None:
    return session.scalar(select(Report).join(Document).where(Document.sha256 == digest))


def parse_for_ingest(
    data: bytes, media_type: str, *, agency: str | None = None, year: int | None = None
) -> ParsedReport:
    """Parse and insist on what storing a report needs: an agency and a year.

    `agency` and `year` given by the caller stand in for what the document does not print
    (a page cut before its title, say); where it prints something else, a warning says so.
    """
    try:
        parsed = parse_document(data, media_type)
    except UnsupportedContent as exc:
        raise UnsupportedMediaType(str(exc)) from exc
    except ParseError as exc:
        raise NotAReport(str(exc)) from exc
    parsed = _with_overrides(parsed, agency, year)
    if not parsed.agency:
        raise NotAReport(
            "could not find the agency name: expected a title like "
            "'XX局 2020 年 政府信息公开工作年度报告' at the top of the document; "
            "name the agency explicitly (agency=…) if the document does not print it"
        )
    if parsed.year is None:
        raise NotAReport(
            "could not find the report year: expected it in the title (e.g. '2020 年') "
            "or in the statistics period; give it explicitly (year=…) if the document "
            "does not print it"
        )
    return parsed


def _with_overrides(parsed: ParsedReport, agency: str | None, year: int | None) -> ParsedReport:
    warnings = list(parsed.warnings)
    changes: dict[str, object] = {}
    if agency and agency != parsed.agency:
        if parsed.agency:
            warnings.append(f"agency given as {agency!r}; the document prints {parsed.agency!r}")
        changes["agency"] = agency
    if year is not None and year != parsed.year:
        if parsed.year is not None:
            warnings.append(f"year given as {year}; the document prints {parsed.year}")
        changes["year"] = year
    if not changes:
        return parsed
    return replace(parsed, warnings=tuple(warnings), **changes)  # type: ignore[arg-type]


def ingest_document(
    session: Session,
    data: bytes,
    media_type: str,
    *,
    filename: str | None = None,
    region_code: str | None = None,
    agency: str | None = None,
    year: int | None = None,
) -> IngestResult:
    """Store one document and its parsed report; the same bytes again return the stored report."""
    digest = sha256_hex(data)
    existing = find_by_content(session, digest)
    if existing is not None:
        return IngestResult(existing, created=False)
    parsed = parse_for_ingest(data, media_type, agency=agency, year=year)
    return store_parsed(
        session, data, media_type, parsed, filename=filename, region_code=region_code
    )


def store_parsed(
    session: Session,
    data: bytes,
    media_type: str,
    parsed: ParsedReport,
    *,
    filename: str | None = None,
    region_code: str | None = None,
    synthetic: bool = False,
    checks: list[CheckResult] | None = None,
    refresh_rollups: bool = True,
) -> IngestResult:
    """Store a document already parsed (possibly in another process) as a new report.

    `checks` are the report's check results when they were run beside the parse. A caller
    storing many documents in one transaction may pass `refresh_rollups=False` and refresh
    the rollups of every agency it touched once, before it commits.
    """
    digest = sha256_hex(data)
    assert parsed.agency is not None and parsed.year is not None
    if region_code is not None and session.get(Region, region_code) is None:
        raise Unprocessable(f"region {region_code!r} is not a known GB/T 2260 code")
    agency = _agency_for(session, parsed, region_code)
    document = Document(
        sha256=digest,
        media_type=media_type,
        filename=filename,
        size=len(data),
        content=data,
    )
    session.add(document)
    revision = _next_revision(session, agency.id, parsed.year)
    results = run_checks(parsed.cells, parsed.format) if checks is None else checks
    summary = summarize(results)
    report = Report(
        agency=agency,
        document=document,
        year=parsed.year,
        format=parsed.format,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        title=parsed.title,
        publisher=parsed.publisher,
        contact_phone=parsed.contact_phone,
        source_url=parsed.source_url,
        revision=revision,
        is_current=True,
        parser_version=PARSER_VERSION,
        warnings=list(parsed.warnings),
        region_hints={
            "place_names": list(parsed.region_hints.place_names),
            "phone_area_code": parsed.region_hints.phone_area_code,
            "source_domain": parsed.region_hints.source_domain,
        },
        checks_passed=summary.get("pass", 0),
        checks_failed=summary.get("fail", 0),
        checks_not_assessable=summary.get("not_assessable", 0),
        synthetic=synthetic,
    )
    session.add(report)
    session.flush()
    _store_children(session, report.id, parsed, results)
    # Counts the new report, stops counting the revision it supersedes, and follows the agency
    # if an explicit region just moved it.
    if refresh_rollups:
        refresh_rollups_for_agency(session, agency.id)
    bump_data_version(session)
    return IngestResult(report, created=True)


def _agency_for(session: Session, parsed: ParsedReport, region_code: str | None) -> Agency:
    assert parsed.agency is not None
    name = parsed.agency
    agency = session.scalar(select(Agency).where(Agency.name == name))
    if agency is not None:
        if region_code is not None and agency.region_code != region_code:
            if agency.region_code is not None:
                raise Unprocessable(
                    f"agency {agency.id} ({agency.name}) is already placed in region "
                    f"{agency.region_code}; correct it with PATCH /api/v1/agencies/{agency.id}"
                )
            agency.region_code = region_code
            agency.region_candidates = []
        return agency
    code, candidates = (region_code, []) if region_code else _placement(session, parsed)
    if code is not None:
        same = _same_agency_in_region(session, name, code)
        if same is not None:
            return same
    agency = Agency(
        name=name, kind=agency_kind(name), region_code=code, region_candidates=candidates
    )
    session.add(agency)
    session.flush()
    return agency


def _placement(session: Session, parsed: ParsedReport) -> tuple[str | None, list[str]]:
    """The region the agency's name, phone and domain settle on, or the candidates left."""
    assert parsed.agency is not None
    hints = parsed.region_hints
    placement = place_agency(
        parsed.agency, phone_area_code=hints.phone_area_code, source_domain=hints.source_domain
    )
    wanted = [c for c in (placement.code, *placement.candidates) if c]
    known = set(session.scalars(select(Region.code).where(Region.code.in_(wanted))))
    if placement.code in known:
        return placement.code, []
    return None, [c for c in placement.candidates if c in known]


def _same_agency_in_region(session: Session, name: str, code: str) -> Agency | None:
    """An agency already placed here under a fuller or shorter form of the name.

    Reports name the same agency with and without the places above it (淮安市洪泽区人民政府,
    洪泽区人民政府), so names are compared with those leading place names removed.
    """
    ancestors: list[str] = []
    region = session.get(Region, code)
    while region is not None and region.parent_code is not None:
        region = session.get(Region, region.parent_code)
        if region is not None:
            ancestors.append(region.name)
    core = _without_leading(name, ancestors)
    for other in session.scalars(select(Agency).where(Agency.region_code == code)):
        if _without_leading(other.name, ancestors) == core:
            return other
    return None


def _without_leading(name: str, places: list[str]) -> str:
    stripped = True
    while stripped:
        stripped = False
        for place in places:
            if name.startswith(place) and len(name) > len(place):
                name = name[len(place) :]
                stripped = True
    return name


def _next_revision(session: Session, agency_id: int, year: int) -> int:
    latest = session.scalar(
        select(func.max(Report.revision)).where(Report.agency_id == agency_id, Report.year == year)
    )
    if latest is None:
        return 1
    session.execute(
        update(Report)
        .where(Report.agency_id == agency_id, Report.year == year)
        .values(is_current=False)
    )
    return latest + 1


def _as_float(value: int | Decimal | None) -> float | None:
    return None if value is None else float(value)


def _store_children(
    session: Session, report_id: int, parsed: ParsedReport, results: list[CheckResult]
) -> None:
    if parsed.sections:
        session.connection().execute(
            insert(Section),
            [
                {
                    "report_id": report_id,
                    "number": s.number,
                    "key": s.key,
                    "title": s.title,
                    "text": s.text,
                }
                for s in parsed.sections
            ],
        )
    if parsed.cells:
        _insert_cells(
            session.connection(),
            [
                (report_id, c.table, c.row, c.col, _as_float(c.value), c.raw, c.status, c.unit)
                for c in parsed.cells
            ],
        )
    if results:
        session.connection().execute(
            insert(ReportCheck),
            [
                {
                    "report_id": report_id,
                    "rule": r.rule,
                    "scope": r.scope,
                    "table_key": r.table,
                    "result": r.result,
                    "left": _as_float(r.left),
                    "right": _as_float(r.right),
                    "difference": _as_float(r.difference),
                    "cells": list(r.cells),
                    "message": r.message,
                }
                for r in results
            ],
        )


_CELL_COLUMNS = ("report_id", "table_key", "row_key", "col_key", "value", "raw", "status", "unit")


def _insert_cells(connection: Connection, rows: list[tuple[object, ...]]) -> None:
    # Every ingested report writes ~200 cells: plain tuples handed to the driver's executemany
    # cost a fraction of SQLAlchemy's per-row parameter processing on this hot path.
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    placeholders = ", ".join([mark] * len(_CELL_COLUMNS))
    statement = f"INSERT INTO cell ({', '.join(_CELL_COLUMNS)}) VALUES ({placeholders})"
    connection.exec_driver_sql(statement, rows)
