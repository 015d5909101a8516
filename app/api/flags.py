"""Plausibility flags: a report's against its agency's report of the year before, and every
stored flag, listed with filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.api import examples
from app.api.deps import Id, Limit, Offset, ReportDep, SessionDep
from app.api.regions import region_and_descendants
from app.api.serialize import json_number
from app.api.stats import AgencyKindParam, IncludeSynthetic, OneYear, Region, YearFrom, YearTo
from app.api.tabular import (
    FLAG_COLUMNS,
    OUTPUT_NOTE,
    SHEET_NOTE,
    Answer,
    Output,
    Sheet,
    add_sheet_routes,
    negotiated,
)
from app.compare import report_cells
from app.errors import Unprocessable, error_responses
from app.flags import FLAG_KEYS, JUMP_FACTOR, JUMP_FLOOR, RULES, Flag, FlagRule, plausibility_flags
from app.models import Agency, Report, ReportFlag
from app.schemas import AgencyName, FlagItem, FlagOut, Page, ReportFlags
from app.stats import region_scope

router = APIRouter(tags=["flags"])

RULES_EXPLAINED = f"""
The rules, each between an agency's current reports of two consecutive years:

* `requests.carried_over`: 上年结转 (carried over) of each applicant column of table 三
  equals the year before's 结转下年度继续办理 (carried forward).
* `proactive.in_force` (2021 format, both years): 现行有效件数 of 规章 and 规范性文件 equals the
  year before's, plus this year's 本年制发件数, minus 本年废止件数.
* `proactive.prev_items` (2019 format, both years): 上一年项目数量 of each row of table 二 that
  prints it equals the year before's plus the year before's 本年增/减.
* `jump`: a headline count (new requests, requests processed, reconsiderations, lawsuits)
  {JUMP_FACTOR:g} times or more larger or smaller than the year before, when the larger of the
  two is at least {JUMP_FLOOR:g} (small counts swing by nature); a count from or to 0 counts.

A rule is skipped where a value it needs is not a number (blank, not applicable, unreadable or
not printed): a blank is never read as 0. Flags are for a person to look at, never corrections:
no stored value is ever changed by one.
"""


@router.get(
    "/reports/{report_id}/flags",
    summary="Flag what does not add up against the year before",
    description="The report's plausibility flags against its agency's current report of the "
    "year before: each with its rule, the cell it is about, what the year before leads one to "
    "expect and what the report says. Flags of current reports are stored and kept up to date "
    "by every write; a superseded or withdrawn revision is compared on the fly.\n"
    + RULES_EXPLAINED,
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
    found: list[Flag] = []
    if previous is not None and report.is_current:
        found = sorted(
            (
                Flag(f.rule, f.cell_key, f.expected, f.found, tuple(f.sources), f.message)
                for f in session.scalars(
                    select(ReportFlag).where(ReportFlag.report_id == report.id)
                )
            ),
            key=_printed_order,
        )
    elif previous is not None:
        found = plausibility_flags(
            report_cells(session, previous.id), report_cells(session, report.id)
        )
    return ReportFlags(
        report_id=report.id,
        year=report.year,
        previous_report_id=previous.id if previous is not None else None,
        items=[_flag_out(f) for f in found],
    )


_KEY_ORDER = {key: place for place, key in enumerate(FLAG_KEYS)}


def _printed_order(flag: Flag) -> tuple[int, int]:
    """The order the rules give their flags in: by rule, then by the place of the key."""
    return RULES.index(flag.rule), _KEY_ORDER.get(flag.key, len(_KEY_ORDER))


def _flag_out(flag: Flag) -> FlagOut:
    return FlagOut(
        rule=flag.rule,
        key=flag.key,
        expected=_count(flag.expected),
        found=_count(flag.found),
        sources=list(flag.sources),
        message=flag.message,
    )


def _count(value: float) -> int | float:
    number = json_number(value, False)  # every key a rule reads is a count
    assert number is not None
    return number


FLAGS_SUMMARY = "List plausibility flags across years"
FLAGS_DESCRIPTION = (
    "Every stored flag of a current report against its agency's current report of the year "
    "before, newest year first (then by report, rule and key: a stable order for paging). "
    "Filter by rule, region (a code: everything under it), year or years, agency, agency kind; "
    "synthetic reports (`gkstats synth`) are left out unless `include_synthetic=true`. "
    "`/api/v1/stats/coverage` counts them per region and year.\n"
    + RULES_EXPLAINED
    + "\n"
    + SHEET_NOTE.format(path="/api/v1/flags")
    + " "
    + OUTPUT_NOTE
)


def flags_answer(
    session: SessionDep,
    rule: Annotated[FlagRule | None, Query(description="Only this rule.")] = None,
    region: Region = None,
    year: OneYear = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    agency_id: Annotated[Id | None, Query(description="Only this agency's reports.")] = None,
    agency_kind: AgencyKindParam = None,
    include_synthetic: IncludeSynthetic = False,
    limit: Annotated[Limit, Query(description="Page size (at most 1000).")] = 100,
    offset: Annotated[Offset, Query(description="Items to skip.")] = 0,
) -> Answer[Page[FlagItem], FlagItem]:
    if year is not None and (year_from is not None or year_to is not None):
        raise Unprocessable("give either `year` or `year_from`/`year_to`, not both")
    if year is not None:
        year_from = year_to = year
    previous = aliased(Report)
    query = (
        select(ReportFlag, Report, Agency, previous.year)
        .join(Report, Report.id == ReportFlag.report_id)
        .join(Agency, Agency.id == Report.agency_id)
        .join(previous, previous.id == ReportFlag.previous_report_id)
    )
    if rule is not None:
        query = query.where(ReportFlag.rule == rule)
    if region is not None:
        if region_scope(session, region) is None:
            raise Unprocessable(f"region {region!r} is not a known code; see /api/v1/regions")
        codes = region_and_descendants(region)
        query = query.where(Agency.region_code.in_(select(codes.c.code)))
    if year_from is not None:
        query = query.where(Report.year >= year_from)
    if year_to is not None:
        query = query.where(Report.year <= year_to)
    if agency_id is not None:
        query = query.where(Report.agency_id == agency_id)
    if agency_kind is not None:
        query = query.where(Agency.kind == agency_kind)
    if not include_synthetic:
        query = query.where(Report.synthetic.is_(False))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(
            Report.year.desc(), ReportFlag.report_id.desc(), ReportFlag.rule, ReportFlag.cell_key
        )
        .limit(limit)
        .offset(offset)
    )
    items = [
        FlagItem(
            report_id=report.id,
            agency=AgencyName(id=agency.id, name=agency.name),
            year=report.year,
            previous_report_id=flag.previous_report_id,
            previous_year=previous_year,
            **_flag_out(
                Flag(
                    flag.rule,
                    flag.cell_key,
                    flag.expected,
                    flag.found,
                    tuple(flag.sources),
                    flag.message,
                )
            ).model_dump(),
        )
        for flag, report, agency, previous_year in rows
    ]
    page = Page[FlagItem](items=items, total=total, limit=limit, offset=offset)
    return Answer(page, Sheet("gkstats-flags", "flags", FLAG_COLUMNS, items))


add_sheet_routes(
    router,
    "/flags",
    flags_answer,
    name="flags",
    summary=FLAGS_SUMMARY,
    description=FLAGS_DESCRIPTION,
    csv_example=examples.FLAGS_CSV,
    errors=(422,),
)


@router.get(
    "/flags",
    summary=FLAGS_SUMMARY,
    description=FLAGS_DESCRIPTION,
    response_model=Page[FlagItem],
    responses={**examples.ok(examples.FLAG_PAGE), **error_responses(422)},
)
def list_flags(
    request: Request,
    answer: Annotated[Answer[Page[FlagItem], FlagItem], Depends(flags_answer)],
    output: Output = None,
) -> Page[FlagItem] | Response:
    return negotiated(request, output, answer)
