"""Agencies: list and search, one agency, and an agency's current report for a year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.api import examples
from app.api.compare_out import comparison_out, one_format_row
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
from app.api.tabular import SHEET_NOTE, Answer, Sheet, add_sheet_routes, comparison_columns
from app.caching import WRITE_ETAG_HEADER
from app.compare import compare, load_side
from app.errors import NotFound, Unprocessable, error_responses
from app.models import Agency, Region, Report, bump_data_version
from app.rollup import refresh_rollups_for_agency
from app.schemas import (
    AgencyComparison,
    AgencyOut,
    AgencyPatch,
    CellComparison,
    Page,
    ReportOut,
)

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


COMPARE_SUMMARY = "Compare an agency's reports of two years"
COMPARE_DESCRIPTION = """
Two current reports of one agency side by side (default: its two latest years):

* **cells**: every key both reports' formats print and either report has, with each side's value
  and status, the change and the % change. A blank, not-applicable, unreadable or unprinted cell
  has no value, so its change is null: a blank is never 0.
* **one_format_only**: across the 2020 → 2021 change of format, the cells whose key only one of
  the two formats prints, with their value.
* **rates**: each year's own disclosure, denial and correction rates.
* **sections**: each part's text side by side, with a word-by-word diff (segmented with jieba).
* **checks**: the arithmetic checks that passed in one year and failed in the other.
"""


def compare_answer(
    agency: AgencyDep,
    session: SessionDep,
    years: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4},\d{4}$",
            description="Two years, e.g. `2022,2023`; default: the agency's two latest.",
            examples=["2022,2023"],
        ),
    ] = None,
) -> Answer[AgencyComparison, CellComparison]:
    current = {
        r.year: r
        for r in session.scalars(
            select(Report)
            .where(Report.agency_id == agency.id, Report.is_current.is_(True))
            .options(*REPORT_LOAD)
        )
    }
    if years is None:
        if len(current) < 2:
            have = ", ".join(map(str, sorted(current))) or "none"
            raise Unprocessable(
                f"agency {agency.id} has current reports for {have}: a comparison needs two years"
            )
        chosen = sorted(current)[-2:]
    else:
        chosen = sorted({int(y) for y in years.split(",")})
        if len(chosen) != 2:
            raise Unprocessable("give two different years, e.g. years=2022,2023")
        for year in chosen:
            if year not in current:
                raise NotFound(f"agency {agency.id} has no report for {year}")
    before, after = (load_side(session, current[year]) for year in chosen)
    found = compare(before, after)
    model = comparison_out(agency, found)
    rows = model.cells + [one_format_row(c, chosen[0]) for c in model.one_format_only]
    sheet = Sheet(
        name=f"agency-{agency.id}-{chosen[0]}-{chosen[1]}",
        title="compare",
        columns=comparison_columns(*chosen),
        rows=rows,
    )
    return Answer(model, sheet)


add_sheet_routes(
    router,
    "/{agency_id}/compare",
    compare_answer,
    name="compare_agency",
    summary=COMPARE_SUMMARY,
    description=COMPARE_DESCRIPTION,
    csv_example=examples.COMPARISON_CSV,
    errors=(404, 422),
)


@router.get(
    "/{agency_id}/compare",
    summary=COMPARE_SUMMARY,
    description=COMPARE_DESCRIPTION + "\n" + SHEET_NOTE.format(path="/agencies/{id}/compare"),
    response_model=AgencyComparison,
    responses={**examples.ok(examples.COMPARISON), **error_responses(404, 422)},
)
def compare_agency(
    answer: Annotated[Answer[AgencyComparison, CellComparison], Depends(compare_answer)],
) -> AgencyComparison:
    return answer.model


@router.patch(
    "/{agency_id}",
    summary="Place an agency in a region or correct its kind",
    description="Sets `region_code` (a code from `/regions`; null removes the placement) "
    "and/or `kind`; fields left out stay as they are. The agency's reports follow at once: "
    "stats by region and kind count them under the new values. Needs an API key.",
    response_model=AgencyOut,
    dependencies=[WriteAccess],
    responses={200: {"headers": WRITE_ETAG_HEADER}, **error_responses(400, 401, 404, 422, 429)},
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
