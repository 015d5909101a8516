"""Agencies: list and search, one agency, and an agency's current report for a year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.api import examples
from app.api.deps import (
    REPORT_LOAD,
    Id,
    Limit,
    Offset,
    RegionCode,
    SessionDep,
    WriteAccess,
    Year,
)
from app.api.regions import region_and_descendants
from app.api.serialize import agency_out, report_out
from app.errors import NotFound, Unprocessable, error_responses
from app.models import Agency, Region, Report, bump_data_version
from app.rollup import refresh_rollups_for_agency
from app.schemas import AgencyOut, AgencyPatch, Page, ReportOut

router = APIRouter(prefix="/agencies", tags=["agencies"])

AgencyId = Annotated[Id, Path()]


def valid_agency(session: SessionDep, agency_id: AgencyId) -> Agency:
    agency = session.get(Agency, agency_id, options=[joinedload(Agency.region)])
    if agency is None:
        raise NotFound(f"agency {agency_id} does not exist")
    return agency


AgencyDep = Annotated[Agency, Depends(valid_agency)]


def _years_by_agency(session: SessionDep, ids: list[int]) -> dict[int, list[int]]:
    years: dict[int, list[int]] = {i: [] for i in ids}
    rows = session.execute(
        select(Report.agency_id, Report.year).where(
            Report.agency_id.in_(ids), Report.is_current.is_(True)
        )
    )
    for agency_id, year in rows:
        years[agency_id].append(year)
    return years


@router.get(
    "",
    summary="List agencies",
    description="Search by a fragment of the name (`q`) or by region (everything under it).",
    response_model=Page[AgencyOut],
    responses={**examples.ok(examples.AGENCY_PAGE), **error_responses(422)},
)
def list_agencies(
    session: SessionDep,
    q: Annotated[str | None, Query(min_length=1, max_length=100, examples=["数据资源"])] = None,
    region: RegionCode | None = None,
    unplaced: Annotated[
        bool | None, Query(description="true: only agencies not yet placed in a region.")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AgencyOut]:
    query = select(Agency)
    if q is not None:
        query = query.where(Agency.name.contains(q, autoescape=True))
    if region is not None:
        codes = region_and_descendants(region)
        query = query.where(Agency.region_code.in_(select(codes.c.code)))
    if unplaced is True:
        query = query.where(Agency.region_code.is_(None))
    elif unplaced is False:
        query = query.where(Agency.region_code.is_not(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    agencies = list(
        session.scalars(
            query.options(joinedload(Agency.region)).order_by(Agency.id).limit(limit).offset(offset)
        )
    )
    years = _years_by_agency(session, [a.id for a in agencies])
    return Page(
        items=[agency_out(a, years[a.id]) for a in agencies],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{agency_id}",
    summary="Get an agency",
    response_model=AgencyOut,
    responses=error_responses(404, 422),
)
def get_agency(agency: AgencyDep, session: SessionDep) -> AgencyOut:
    return agency_out(agency, _years_by_agency(session, [agency.id])[agency.id])


@router.get(
    "/{agency_id}/reports/{year}",
    summary="Get an agency's report for a year",
    description="The current (newest) revision; earlier ones are listed under "
    "`/reports/{id}/revisions`.",
    response_model=ReportOut,
    responses=error_responses(404, 422),
)
def get_agency_report(
    agency: AgencyDep,
    session: SessionDep,
    year: Annotated[Year, Path()],
) -> ReportOut:
    report = session.scalar(
        select(Report)
        .where(Report.agency_id == agency.id, Report.year == year, Report.is_current.is_(True))
        .options(*REPORT_LOAD)
    )
    if report is None:
        raise NotFound(f"agency {agency.id} has no report for {year}")
    return report_out(report)


@router.patch(
    "/{agency_id}",
    summary="Place an agency in a region or correct its kind",
    description="Sets `region_code` (a code from `/regions`; null removes the placement) "
    "and/or `kind`; fields left out stay as they are. The agency's reports follow at once: "
    "stats by region and kind count them under the new values. Needs an API key.",
    response_model=AgencyOut,
    dependencies=[WriteAccess],
    responses=error_responses(400, 401, 404, 422, 429),
)
def patch_agency(agency: AgencyDep, session: SessionDep, patch: AgencyPatch) -> AgencyOut:
    given = patch.model_fields_set
    if "region_code" in given:
        code = patch.region_code
        if code is not None and session.get(Region, code) is None:
            raise Unprocessable(f"region {code!r} is not a known GB/T 2260 code")
        agency.region_code = code
        agency.region_candidates = [] if code is not None else agency.region_candidates
    if "kind" in given:
        agency.kind = patch.kind
    refresh_rollups_for_agency(session, agency.id)
    bump_data_version(session)
    session.commit()
    session.expire(agency)  # reload the region relationship the new code points to
    refreshed = valid_agency(session, agency.id)
    return agency_out(refreshed, _years_by_agency(session, [agency.id])[agency.id])
