"""Aggregation across regions and years: sums and rates, rankings, coverage, keys with data."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api import examples
from app.api.deps import Id, Limit, Offset, RegionCode, SessionDep, Year
from app.api.tabular import (
    COVERAGE_COLUMNS,
    KEY_COLUMNS,
    OUTPUT_NOTE,
    SHEET_NOTE,
    Answer,
    Output,
    Sheet,
    add_sheet_routes,
    aggregate_columns,
    negotiated,
    rank_columns,
)
from app.catalog import Format
from app.errors import Unprocessable, error_responses
from app.metrics import METRIC_FORMATS, RATIOS
from app.regions.data import LEVELS, RegionLevel
from app.regions.placing import AgencyKind
from app.schemas import (
    AgencyName,
    CoverageItem,
    RankItem,
    RegionName,
    StatsAggregate,
    StatsCoverage,
    StatsGroup,
    StatsKey,
    StatsKeyList,
    StatsRank,
    StatsTotals,
)
from app.stats import (
    GEOGRAPHIC,
    GROUP_KEYS,
    ComparedGroup,
    GroupKey,
    RankBy,
    RankOrder,
    StatsFilter,
    agency_names,
    change_since,
    compared_groups,
    coverage,
    group_values,
    key_years,
    ranking,
    region_names,
    region_scope,
    totals,
)

router = APIRouter(prefix="/stats", tags=["stats"])

MAX_METRICS = 20
_GROUP_PATTERN = "^({0})(,({0}))*$".format("|".join(GROUP_KEYS))
_RATIO_NOTES = "\n".join(f"* `{r.name}`: {r.description}" for r in RATIOS.values())

OneYear = Annotated[Year | None, Query(description="One year.")]
YearFrom = Annotated[Year | None, Query(description="First year (inclusive).")]
YearTo = Annotated[Year | None, Query(description="Last year (inclusive).")]
Region = Annotated[
    RegionCode | None,
    Query(description="A region code; everything under it is included.", examples=["230800"]),
]
IncludeSynthetic = Annotated[
    bool,
    Query(description="Also count synthetic reports (`gkstats synth`); never mixed in otherwise."),
]
AgencyKindParam = Annotated[AgencyKind | None, Query(description="Only agencies of this kind.")]
FormatParam = Annotated[Format | None, Query(description="Only reports printed in this format.")]
GroupLimit = Annotated[Limit, Query(description="Groups per page (at most 1000).")]
GroupOffset = Annotated[Offset, Query(description="Groups to skip.")]


def scope_filter(
    session: SessionDep,
    region: Region = None,
    agency_id: Annotated[Id | None, Query(description="Only this agency's reports.")] = None,
    agency_kind: AgencyKindParam = None,
    format: FormatParam = None,
    include_synthetic: IncludeSynthetic = False,
) -> StatsFilter:
    scope = None
    if region is not None:
        scope = region_scope(session, region)
        if scope is None:
            raise Unprocessable(f"region {region!r} is not a known code; see /api/v1/regions")
    return StatsFilter(
        region=scope,
        agency_id=agency_id,
        agency_kind=agency_kind,
        format=format,
        include_synthetic=include_synthetic,
    )


ScopeDep = Annotated[StatsFilter, Depends(scope_filter)]


def with_years(
    scope: StatsFilter, year: int | None, year_from: int | None, year_to: int | None
) -> StatsFilter:
    if year is not None and (year_from is not None or year_to is not None):
        raise Unprocessable("give either `year` or `year_from`/`year_to`, not both")
    if year is not None:
        year_from = year_to = year
    return replace(scope, year_from=year_from, year_to=year_to)


def stats_filter(
    scope: ScopeDep, year: OneYear = None, year_from: YearFrom = None, year_to: YearTo = None
) -> StatsFilter:
    return with_years(scope, year, year_from, year_to)


FilterDep = Annotated[StatsFilter, Depends(stats_filter)]


def _metrics(raw: list[str]) -> list[str]:
    names = list(dict.fromkeys(m.strip() for part in raw for m in part.split(",") if m.strip()))
    if not names:
        raise Unprocessable("name at least one metric")
    if len(names) > MAX_METRICS:
        raise Unprocessable(f"at most {MAX_METRICS} metrics per call; {len(names)} were given")
    unknown = [m for m in names if m not in METRIC_FORMATS]
    if unknown:
        raise Unprocessable(
            f"unknown metric {unknown[0]!r}: use a table.row.col key from /api/v1/stats/keys "
            f"or one of {', '.join(RATIOS)}"
        )
    return names


AGGREGATE_DESCRIPTION = f"""
Sums of cells, and rates, over the current reports of agencies, grouped by any of `year`,
`province`, `city`, `county`, `agency`, `agency_kind` and `format`, for example new requests and
the disclosure rate per district of 佳木斯市 per year:
`?metric=requests.new.total&metric=disclosure_rate&group_by=year,county&region=230800`.

**Values.** A metric is a `table.row.col` key (see `/api/v1/stats/keys`) or a rate:

{_RATIO_NOTES}

A blank, not applicable or unreadable cell never counts as 0: the sum is over the reports that
gave a number, and `missing` says how many reports of a format that has the key did not. A rate
is a ratio of sums (never an average of rates) over the reports where **every** component cell
is readable; the others count as missing. A rate is null when its denominator sums to 0.
Keys printed in both formats (2019 and 2021) sum across the change of format; keys of one format
are served under their own names.

**Groups.** A group is listed when at least one current report falls in it (use
`/api/v1/stats/coverage` to see regions without reports). With a geographic `group_by`, agencies
not placed in a region, or placed above the level grouped on (a 市 agency grouped by county, a
district of a municipality grouped by city), fall in a group whose region is null. Only the
newest revision of a report counts; synthetic reports only with `include_synthetic=true`.

`compare=previous_year` (needs `year` in `group_by`) adds each group's value a year earlier, the
change and the percentage change. At most {MAX_METRICS} metrics per call and 1000 groups per
page; more is a 422.

{SHEET_NOTE.format(path="/api/v1/stats/aggregate")} Columns: the group keys (code and name for
regions, id and name for agencies), `reports`, then per metric its value and `<metric>.missing`.
{OUTPUT_NOTE}
"""


def aggregate_answer(
    session: SessionDep,
    filters: FilterDep,
    metric: Annotated[
        list[str],
        Query(
            description="Repeatable: `table.row.col` keys or rates, e.g. `requests.new.total`, "
            "`disclosure_rate`.",
            examples=[["requests.new.total", "disclosure_rate"]],
        ),
    ],
    group_by: Annotated[
        str | None,
        Query(
            pattern=_GROUP_PATTERN,
            description="Comma-separated: " + ", ".join(GROUP_KEYS) + ". None: one group.",
            examples=["year,county"],
        ),
    ] = None,
    compare: Annotated[
        Literal["previous_year"] | None,
        Query(description="`previous_year` adds the prior year's value and the change."),
    ] = None,
    limit: GroupLimit = 100,
    offset: GroupOffset = 0,
) -> Answer[StatsAggregate, StatsGroup]:
    metrics = _metrics(metric)
    keys = cast(list[GroupKey], list(dict.fromkeys(group_by.split(",")))) if group_by else []
    if compare is not None and "year" not in keys:
        raise Unprocessable("compare=previous_year needs `year` in group_by")
    groups = compared_groups(session, metrics, keys, filters, previous_year=compare is not None)
    page = groups[offset : offset + limit]
    all_groups = totals(g.group for g in groups)
    items = _groups_out(session, page, keys, metrics)
    answer = StatsAggregate(
        items=items,
        total=len(groups),
        limit=limit,
        offset=offset,
        metrics=metrics,
        group_by=list(keys),
        totals=StatsTotals(
            values=group_values(all_groups, metrics),
            reports=all_groups.reports,
            missing={m: all_groups.missing(m) for m in metrics},
        ),
    )
    columns = aggregate_columns(keys, metrics, compared=compare is not None)
    return Answer(answer, Sheet("gkstats-aggregate", "aggregate", columns, items))


AggregateDep = Annotated[Answer[StatsAggregate, StatsGroup], Depends(aggregate_answer)]
_AGGREGATE_SUMMARY = "Sum cells and rates by year, region, agency, kind or format"


@router.get(
    "/aggregate",
    summary=_AGGREGATE_SUMMARY,
    description=AGGREGATE_DESCRIPTION,
    response_model=StatsAggregate,
    response_model_exclude_unset=True,
    responses=error_responses(422),
)
def aggregate(
    request: Request, answer: AggregateDep, output: Output = None
) -> StatsAggregate | Response:
    return negotiated(request, output, answer)


add_sheet_routes(
    router,
    "/aggregate",
    aggregate_answer,
    name="aggregate",
    summary=_AGGREGATE_SUMMARY,
    description=AGGREGATE_DESCRIPTION,
    csv_example=examples.AGGREGATE_CSV,
    errors=(422,),
)


def _groups_out(
    session: SessionDep, page: list[ComparedGroup], keys: list[GroupKey], metrics: list[str]
) -> list[StatsGroup]:
    def page_keys(kinds: Collection[str]) -> Iterator[Any]:
        return (v for c in page for k, v in zip(keys, c.group.key, strict=True) if k in kinds)

    names = region_names(session, page_keys(GEOGRAPHIC))
    agencies = agency_names(session, page_keys(("agency",)))
    return [_group_out(c, keys, metrics, names, agencies) for c in page]


def _group_out(
    compared: ComparedGroup,
    keys: list[GroupKey],
    metrics: list[str],
    names: dict[str, str],
    agencies: dict[int, str],
) -> StatsGroup:
    fields: dict[str, Any] = {}
    for key, value in zip(keys, compared.group.key, strict=True):
        if key in GEOGRAPHIC:
            fields[key] = None if value is None else RegionName(code=value, name=names[value])
        elif key == "agency":
            fields[key] = AgencyName(id=value, name=agencies[value])
        else:
            fields[key] = value
    values = group_values(compared.group, metrics)
    if compared.previous is not None:
        change = change_since(values, compared.previous)
        fields |= {
            "previous": change.previous,
            "change": change.change,
            "change_pct": change.change_pct,
        }
    return StatsGroup(
        **fields,
        values=values,
        reports=compared.group.reports,
        missing={m: compared.group.missing(m) for m in metrics},
    )


RANK_DESCRIPTION = (
    "The top (`order=desc`) or bottom (`order=asc`) `limit` agencies, provinces, cities or "
    "counties by one metric in one year, with the same filters and rules as `/stats/aggregate`. "
    "Only those with a value are ranked; agencies or regions that gave none, and agencies not "
    "placed at the level ranked, are left out. Ties share no rank: they are ordered by code or "
    "id. " + SHEET_NOTE.format(path="/api/v1/stats/rank") + " " + OUTPUT_NOTE
)
_RANK_SUMMARY = "Rank agencies or regions by a metric in a year"


def rank_answer(
    session: SessionDep,
    filters: ScopeDep,
    metric: Annotated[
        str, Query(description="One metric key or rate.", examples=["disclosure_rate"])
    ],
    year: Annotated[Year, Query(description="The year ranked.")],
    by: Annotated[RankBy, Query(description="What is ranked.")] = "agency",
    order: Annotated[RankOrder, Query(description="desc: the top first.")] = "desc",
    limit: Annotated[Limit, Query(description="How many (at most 1000).")] = 10,
) -> Answer[StatsRank, RankItem]:
    names_given = _metrics([metric])
    if len(names_given) != 1:
        raise Unprocessable("rank takes exactly one metric")
    name = names_given[0]
    ranked, total = ranking(session, name, by, year, order, filters, limit)
    who: list[dict[str, Any]]
    if by == "agency":
        agencies = agency_names(session, (r.key for r in ranked))
        who = [{"agency": AgencyName(id=r.key, name=agencies[r.key])} for r in ranked]
    else:
        names = region_names(session, (r.key for r in ranked))
        who = [{"region": RegionName(code=r.key, name=names[r.key])} for r in ranked]
    items = [
        RankItem(rank=r.rank, **w, value=r.value, reports=r.reports, missing=r.missing)
        for r, w in zip(ranked, who, strict=True)
    ]
    answer = StatsRank(items=items, total=total, metric=name, year=year, by=by, order=order)
    return Answer(answer, Sheet("gkstats-rank", "rank", rank_columns(name, by), items))


@router.get(
    "/rank",
    summary=_RANK_SUMMARY,
    description=RANK_DESCRIPTION,
    response_model=StatsRank,
    response_model_exclude_unset=True,
    responses=error_responses(422),
)
def rank(
    request: Request,
    answer: Annotated[Answer[StatsRank, RankItem], Depends(rank_answer)],
    output: Output = None,
) -> StatsRank | Response:
    return negotiated(request, output, answer)


add_sheet_routes(
    router,
    "/rank",
    rank_answer,
    name="rank",
    summary=_RANK_SUMMARY,
    description=RANK_DESCRIPTION,
    csv_example=examples.RANK_CSV,
    errors=(422,),
)

COVERAGE_DESCRIPTION = (
    "For every region at `level` (under `region` when given) and every year (the years asked "
    "for, else the years with reports): how many agencies are placed there, how many current "
    "reports there are, and how many of those fail an arithmetic check. Regions without reports "
    "are listed with zeros; agencies not placed at `level` (unplaced, or placed above it) are "
    "counted under a null region. "
    + SHEET_NOTE.format(path="/api/v1/stats/coverage")
    + " "
    + OUTPUT_NOTE
)
_COVERAGE_SUMMARY = "Agencies known and reports present, per region and year"


def coverage_answer(
    session: SessionDep,
    level: Annotated[
        RegionLevel, Query(description="The level of the regions listed.")
    ] = "province",
    year: OneYear = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    region: Region = None,
    include_synthetic: IncludeSynthetic = False,
    limit: GroupLimit = 100,
    offset: GroupOffset = 0,
) -> Answer[StatsCoverage, CoverageItem]:
    filters = with_years(
        scope_filter(session, region=region, include_synthetic=include_synthetic),
        year,
        year_from,
        year_to,
    )
    if filters.region is not None and LEVELS.index(filters.region.level) > LEVELS.index(level):
        raise Unprocessable(f"level {level!r} is above region {filters.region.code}'s level")
    years = None
    if filters.year_from is not None and filters.year_to is not None:
        if filters.year_to - filters.year_from > 50:
            raise Unprocessable("at most 50 years at a time")
        years = list(range(filters.year_from, filters.year_to + 1))
    rows = coverage(session, level, filters, years)
    page = rows[offset : offset + limit]
    names = region_names(session, (r.region_code for r in page))
    items = [
        CoverageItem(
            region=None
            if r.region_code is None
            else RegionName(code=r.region_code, name=names[r.region_code]),
            year=r.year,
            agencies=r.agencies,
            reports=r.reports,
            reports_failing=r.reports_failing,
            reports_flagged=r.reports_flagged,
            flags=r.flags,
        )
        for r in page
    ]
    answer = StatsCoverage(items=items, total=len(rows), limit=limit, offset=offset, level=level)
    return Answer(answer, Sheet("gkstats-coverage", "coverage", COVERAGE_COLUMNS, items))


@router.get(
    "/coverage",
    summary=_COVERAGE_SUMMARY,
    description=COVERAGE_DESCRIPTION,
    response_model=StatsCoverage,
    responses=error_responses(422),
)
def get_coverage(
    request: Request,
    answer: Annotated[Answer[StatsCoverage, CoverageItem], Depends(coverage_answer)],
    output: Output = None,
) -> StatsCoverage | Response:
    return negotiated(request, output, answer)


add_sheet_routes(
    router,
    "/coverage",
    coverage_answer,
    name="coverage",
    summary=_COVERAGE_SUMMARY,
    description=COVERAGE_DESCRIPTION,
    csv_example=examples.COVERAGE_CSV,
    errors=(422,),
)

KEYS_DESCRIPTION = (
    "Each `table.row.col` key of the catalog and each rate, the report formats that print it, "
    "and per format the years in which at least one current report gives a value. Keys printed "
    "in both formats sum across the 2021 change of format. "
    + SHEET_NOTE.format(path="/api/v1/stats/keys")
    + " "
    + OUTPUT_NOTE
)
_KEYS_SUMMARY = "Every metric, with the formats and years that have data"


def keys_answer(
    session: SessionDep, include_synthetic: IncludeSynthetic = False
) -> Answer[StatsKeyList, StatsKey]:
    found = key_years(session, include_synthetic)
    items = []
    for key, formats in METRIC_FORMATS.items():
        data = found.get(key)
        ratio = RATIOS.get(key)
        items.append(
            StatsKey(
                key=key,
                kind="ratio" if ratio else "cell",
                formats=sorted(formats),
                years=data.years if data else {},
                reports=data.reports if data else 0,
                description=ratio.description if ratio else None,
            )
        )
    answer = StatsKeyList(items=items, total=len(items))
    return Answer(answer, Sheet("gkstats-keys", "keys", KEY_COLUMNS, items))


@router.get(
    "/keys",
    summary=_KEYS_SUMMARY,
    description=KEYS_DESCRIPTION,
    response_model=StatsKeyList,
    responses={**examples.ok(examples.KEYS), **error_responses(422)},
)
def list_keys(
    request: Request,
    answer: Annotated[Answer[StatsKeyList, StatsKey], Depends(keys_answer)],
    output: Output = None,
) -> StatsKeyList | Response:
    return negotiated(request, output, answer)


add_sheet_routes(
    router,
    "/keys",
    keys_answer,
    name="keys",
    summary=_KEYS_SUMMARY,
    description=KEYS_DESCRIPTION,
    csv_example=examples.KEYS_CSV,
    errors=(422,),
)
