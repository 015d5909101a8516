"""Plausibility flags of a report against the agency's report of the year before."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from app.api import examples
from app.api.deps import ReportDep, SessionDep
from app.compare import report_cells
from app.errors import error_responses
from app.flags import JUMP_FACTOR, JUMP_FLOOR, plausibility_flags
from app.models import Report
from app.schemas import FlagOut, ReportFlags

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/{report_id}/flags",
    summary="Flag what does not add up against the year before",
    description="Compares the report with its agency's current report of the year before: "
    "上年结转 against last year's 结转下年度继续办理 (each applicant column); 现行有效件数 against "
    "last year's plus 本年制发件数 − 本年废止件数 (2021 format); 上一年项目数量 against last "
    "year's plus its 本年增/减 (2019 format); and a headline count that moved "
    f"{JUMP_FACTOR:g} times or more (when the larger is at least {JUMP_FLOOR:g}). A rule is "
    "skipped where a value it needs is not a number. Flags are for a person to look at: no "
    "stored value is ever changed by one.",
    response_model=ReportFlags,
    responses={**examples.ok(examples.FLAGS), **error_responses(404, 422)},
)
def report_flags(report: ReportDep, session: SessionDep) -> ReportFlags:
    previous = session.scalar(
        select(Report).where(
            Report.agency_id == report.agency_id,
            Report.year == report.year - 1,
            Report.is_current.is_(True),
        )
    )
    found = (
        []
        if previous is None
        else plausibility_flags(
            report_cells(session, previous.id), report_cells(session, report.id)
        )
    )
    return ReportFlags(
        report_id=report.id,
        year=report.year,
        previous_report_id=previous.id if previous is not None else None,
        items=[
            FlagOut(
                rule=f.rule,
                key=f.key,
                expected=f.expected,
                found=f.found,
                sources=list(f.sources),
                message=f.message,
            )
            for f in found
        ],
    )
