"""Document → parse → checks → rows, inside a transaction the caller owns and commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.checks import CheckResult, run_checks, summarize
from app.errors import NotAReport, Unprocessable, UnsupportedMediaType
from app.models import (
    Agency,
    Cell,
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


def parse_for_ingest(data: bytes, media_type: str) -> ParsedReport:
    """Parse and insist on what storing a report needs: an agency and a year."""
    try:
        parsed = parse_document(data, media_type)
    except UnsupportedContent as exc:
        raise UnsupportedMediaType(str(exc)) from exc
    except ParseError as exc:
        raise NotAReport(str(exc)) from exc
    if not parsed.agency:
        raise NotAReport(
            "could not find the agency name: expected a title like "
            "'XX局 2020 年 政府信息公开工作年度报告' at the top of the document"
        )
    if parsed.year is None:
        raise NotAReport(
            "could not find the report year: expected it in the title (e.g. '2020 年') "
            "or in the statistics period"
        )
    return parsed


def ingest_document(
    session: Session,
    data: bytes,
    media_type: str,
    *,
    filename: str | None = None,
    region_code: str | None = None,
) -> IngestResult:
    """Store one document and its parsed report; the same bytes again return the stored report."""
    digest = sha256_hex(data)
    existing = find_by_content(session, digest)
    if existing is not None:
        return IngestResult(existing, created=False)
    parsed = parse_for_ingest(data, media_type)
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
) -> IngestResult:
    """Store a document already parsed (possibly in another process) as a new report."""
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
    results = run_checks(parsed.cells, parsed.format)
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
    bump_data_version(session)
    return IngestResult(report, created=True)


def _agency_for(session: Session, parsed: ParsedReport, region_code: str | None) -> Agency:
    assert parsed.agency is not None
    agency = session.scalar(select(Agency).where(Agency.name == parsed.agency))
    if agency is None:
        agency = Agency(name=parsed.agency, kind=agency_kind(parsed.agency), region_candidates=[])
        session.add(agency)
        if region_code is None:
            _place(session, agency, parsed)
    if region_code is not None:
        agency.region_code = region_code
        agency.region_candidates = []
    session.flush()
    return agency


def _place(session: Session, agency: Agency, parsed: ParsedReport) -> None:
    hints = parsed.region_hints
    placement = place_agency(
        agency.name, phone_area_code=hints.phone_area_code, source_domain=hints.source_domain
    )
    known = set(
        session.scalars(
            select(Region.code).where(
                Region.code.in_([c for c in (placement.code, *placement.candidates) if c])
            )
        )
    )
    if placement.code in known:
        agency.region_code = placement.code
        agency.region_candidates = []
    else:
        agency.region_candidates = [c for c in placement.candidates if c in known]


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
        session.execute(
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
        session.execute(
            insert(Cell),
            [
                {
                    "report_id": report_id,
                    "table_key": c.table,
                    "row_key": c.row,
                    "col_key": c.col,
                    "value": _as_float(c.value),
                    "raw": c.raw,
                    "status": c.status,
                    "unit": c.unit,
                }
                for c in parsed.cells
            ],
        )
    if results:
        session.execute(
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
