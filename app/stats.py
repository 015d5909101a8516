"""Aggregation queries: sums and ratios of cells across years, regions, agencies, kinds and formats.

Geographic, year, kind and format groupings read the rollups (app/rollup.py) at the coarsest
grain that still holds what is grouped or filtered on; grouping by agency or county, or
filtering on either, reads the agency rollup (app/agency_rollup.py): each metric's per-report
values, grouped here. Both give the same typed rows, and from them the comparisons with the
year before and the rankings.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

import numpy as np
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app import agency_rollup
from app.metrics import METRIC_FORMATS, RATIOS
from app.models import (
    Agency,
    CellRollup,
    Region,
    Report,
    ReportFlag,
    ReportRollup,
    RollupReport,
)
from app.regions.data import RegionLevel
from app.rollup import CELL_GRAINS, placement

GroupKey = Literal["year", "province", "city", "county", "agency", "agency_kind", "format"]
# What a ranking ranks, and which end comes first.
RankBy = Literal["agency", RegionLevel]
RankOrder = Literal["desc", "asc"]
# A metric's value as answered: an integer count, an amount or a rate, or none.
StatsValue = int | float | None
GROUP_KEYS: tuple[GroupKey, ...] = (
    "year",
    "province",
    "city",
    "county",
    "agency",
    "agency_kind",
    "format",
)
GEOGRAPHIC: dict[str, str] = {
    "province": "province_code",
    "city": "city_code",
    "county": "county_code",
}
_COLUMN_OF: dict[str, str] = {
    "year": "year",
    **GEOGRAPHIC,
    "agency": "agency_id",
    "agency_kind": "agency_kind",
    "format": "format",
}


@dataclass(frozen=True, slots=True)
class RegionScope:
    code: str
    level: RegionLevel


@dataclass(frozen=True, slots=True)
class StatsFilter:
    year_from: int | None = None
    year_to: int | None = None
    region: RegionScope | None = None
    agency_id: int | None = None
    agency_kind: str | None = None
    format: str | None = None
    include_synthetic: bool = False


@dataclass(frozen=True, slots=True)
class MetricSum:
    value: float
    denominator: float | None
    reports_with_value: int


@dataclass(slots=True)
class GroupSums:
    """One group: its key (in group_by order; None for no region), report counts per format,
    and the raw sums per metric, from which values and missing counts follow."""

    key: tuple[Any, ...]
    reports_by_format: dict[str, int] = field(default_factory=dict)
    reports_failing: int = 0
    sums: dict[str, MetricSum] = field(default_factory=dict)

    @property
    def reports(self) -> int:
        return sum(self.reports_by_format.values())

    def value(self, metric: str) -> float | None:
        """None when no report gave a value, and for a ratio whose denominator sums to 0."""
        found = self.sums.get(metric)
        if found is None or found.reports_with_value == 0:
            return None
        if metric in RATIOS:
            return found.value / found.denominator if found.denominator else None
        return found.value

    def missing(self, metric: str) -> int:
        """Reports whose format has the metric but that gave no number for it."""
        expected = sum(self.reports_by_format.get(f, 0) for f in METRIC_FORMATS[metric])
        found = self.sums.get(metric)
        return max(expected - (found.reports_with_value if found else 0), 0)

    def add(self, other: GroupSums) -> None:
        for fmt, count in other.reports_by_format.items():
            self.reports_by_format[fmt] = self.reports_by_format.get(fmt, 0) + count
        self.reports_failing += other.reports_failing
        for metric, s in other.sums.items():
            mine = self.sums.get(metric)
            if mine is None:
                self.sums[metric] = s
                continue
            denominator = (
                None
                if mine.denominator is None and s.denominator is None
                else (mine.denominator or 0.0) + (s.denominator or 0.0)
            )
            self.sums[metric] = MetricSum(
                mine.value + s.value, denominator, mine.reports_with_value + s.reports_with_value
            )


def region_scope(session: Session, code: str) -> RegionScope | None:
    level = session.scalar(select(Region.level).where(Region.code == code))
    return None if level is None else RegionScope(code, cast(RegionLevel, level))


def grain_for(group_by: Collection[str], region: RegionScope | None) -> str:
    """The coarsest rollup grain holding every geographic level grouped or filtered on."""
    levels = {g for g in group_by if g in GEOGRAPHIC}
    if region is not None:
        levels.add(region.level)
    for grain in ("county", "city", "province"):
        if grain in levels:
            return grain
    return "country"


def _conditions(columns: Any, filters: StatsFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.year_from is not None:
        where.append(columns.year >= filters.year_from)
    if filters.year_to is not None:
        where.append(columns.year <= filters.year_to)
    if not filters.include_synthetic:
        where.append(columns.synthetic.is_(False))
    if filters.region is not None:
        where.append(columns[GEOGRAPHIC[filters.region.level]] == filters.region.code)
    if filters.agency_kind is not None:
        where.append(columns.agency_kind == filters.agency_kind)
    if filters.format is not None:
        where.append(columns.format == filters.format)
    if filters.agency_id is not None:
        where.append(columns.agency_id == filters.agency_id)
    return where


def _at_agency_grain(group_by: Collection[str], filters: StatsFilter) -> bool:
    return (
        "agency" in group_by
        or filters.agency_id is not None
        or grain_for(group_by, filters.region) not in CELL_GRAINS
    )


def _entries(
    session: Session, metrics: Sequence[str], filters: StatsFilter
) -> agency_rollup.Entries:
    region = filters.region
    scope = agency_rollup.Scope(
        year_from=filters.year_from,
        year_to=filters.year_to,
        region=None if region is None else agency_rollup.RegionFilter(region.level, region.code),
        agency_id=filters.agency_id,
        agency_kind=filters.agency_kind,
        format=filters.format,
        include_synthetic=filters.include_synthetic,
    )
    return agency_rollup.read_entries(session, metrics, scope)


def group_sums(
    session: Session,
    metrics: Sequence[str],
    group_by: Sequence[GroupKey],
    filters: StatsFilter,
) -> list[GroupSums]:
    """Every group with at least one current report matching the filters, in key order."""
    if _at_agency_grain(group_by, filters):
        found = agency_rollup.grouped(_entries(session, metrics, filters), group_by)
        by_key = _agency_groups(found)
        return sorted(by_key, key=lambda g: tuple((v is None, v) for v in g.key))
    grain = grain_for(group_by, filters.region)
    reports = ReportRollup.__table__.c
    count_rows = select(
        reports.format, func.sum(reports.reports), func.sum(reports.reports_failing)
    )
    count_dims = [reports[_COLUMN_OF[g]] for g in group_by]
    count_where = [reports.grain == grain, *_conditions(reports, filters)]
    cells = CellRollup.__table__.c
    sum_dims = [cells[_COLUMN_OF[g]] for g in group_by]
    sums = select(
        cells.metric,
        func.sum(cells.value_sum),
        func.sum(cells.denominator_sum),
        func.sum(cells.reports_with_value),
    ).where(cells.grain == grain, cells.metric.in_(metrics), *_conditions(cells, filters))
    groups: dict[tuple[Any, ...], GroupSums] = {}
    for row in session.execute(
        count_rows.add_columns(*count_dims)
        .where(*count_where)
        .group_by(*count_dims, count_rows.selected_columns[0])
    ):
        fmt, reports_count, failing, *dims = row
        key = _key(dims)
        group = groups.setdefault(key, GroupSums(key))
        group.reports_by_format[fmt] = group.reports_by_format.get(fmt, 0) + int(reports_count)
        group.reports_failing += int(failing or 0)
    for row in session.execute(
        sums.add_columns(*sum_dims).group_by(*sum_dims, sums.selected_columns[0])
    ):
        metric, value, denominator, with_value, *dims = row
        sum_group = groups.get(_key(dims))
        if sum_group is not None:
            sum_group.sums[metric] = MetricSum(
                float(value or 0.0),
                None if denominator is None else float(denominator),
                int(with_value),
            )
    kept = [g for g in groups.values() if g.reports > 0]
    return sorted(kept, key=lambda g: tuple((v is None, v) for v in g.key))


def _agency_groups(found: agency_rollup.Grouped) -> list[GroupSums]:
    # Python lists first: indexing numpy arrays one element at a time is slow.
    reports = [(fmt, counts.tolist()) for fmt, counts in found.reports.items()]
    failing = found.failing.tolist()
    sums = [
        (
            metric,
            found.value_sums[metric].tolist(),
            None
            if metric not in found.denominator_sums
            else found.denominator_sums[metric].tolist(),
            with_value.tolist(),
        )
        for metric, with_value in found.with_value.items()
    ]
    groups = []
    for at, key in enumerate(found.keys()):
        group = GroupSums(key, {fmt: c[at] for fmt, c in reports if c[at]}, failing[at])
        for metric, values, denominators, with_values in sums:
            if with_values[at]:
                denominator = None if denominators is None else denominators[at]
                group.sums[metric] = MetricSum(values[at], denominator, with_values[at])
        groups.append(group)
    return groups


def _key(dims: Iterable[Any]) -> tuple[Any, ...]:
    # The rollups store "" for a level that does not apply; the API says null.
    return tuple(None if v == "" else v for v in dims)


def totals(groups: Iterable[GroupSums]) -> GroupSums:
    total = GroupSums(())
    for group in groups:
        total.add(group)
    return total


def metric_value(metric: str, value: float | None) -> StatsValue:
    """Counts as integers, amounts rounded to 6 decimals: this hides the float residue of sums
    kept current by adding and subtracting. Rates as computed."""
    if value is None or metric in RATIOS:
        return value
    if abs(value - round(value)) < 1e-6:
        return round(value)
    return round(value, 6)


def group_values(group: GroupSums, metrics: Iterable[str]) -> dict[str, StatsValue]:
    return {m: metric_value(m, group.value(m)) for m in metrics}


@dataclass(frozen=True, slots=True)
class ComparedGroup:
    group: GroupSums
    previous: GroupSums | None  # the same group a year earlier (empty when it had no reports)


def compared_groups(
    session: Session,
    metrics: Sequence[str],
    group_by: Sequence[GroupKey],
    filters: StatsFilter,
    *,
    previous_year: bool,
) -> list[ComparedGroup]:
    """Every group, as `group_sums` gives them; with `previous_year` (which needs `year` in
    `group_by`), each with the same group a year earlier, read even before `year_from`."""
    if not previous_year:
        return [ComparedGroup(g, None) for g in group_sums(session, metrics, group_by, filters)]
    year_at = list(group_by).index("year")
    widened = filters
    if filters.year_from is not None:
        widened = replace(filters, year_from=filters.year_from - 1)
    groups = group_sums(session, metrics, group_by, widened)
    by_key = {g.key: g for g in groups}
    compared = []
    for group in groups:
        if filters.year_from is not None and group.key[year_at] < filters.year_from:
            continue
        earlier = list(group.key)
        earlier[year_at] -= 1
        previous = by_key.get(tuple(earlier)) or GroupSums(tuple(earlier))
        compared.append(ComparedGroup(group, previous))
    return compared


@dataclass(frozen=True, slots=True)
class Change:
    """Per metric: the value a year earlier, value − previous, and 100 × change / previous
    (None where either is None, or previous is 0)."""

    previous: dict[str, StatsValue]
    change: dict[str, StatsValue]
    change_pct: dict[str, StatsValue]


def change_since(values: dict[str, StatsValue], previous: GroupSums) -> Change:
    before = group_values(previous, values)
    changes = {m: _change(values[m], before[m]) for m in values}
    return Change(
        previous=before,
        change={m: c[0] for m, c in changes.items()},
        change_pct={m: c[1] for m, c in changes.items()},
    )


def _change(current: StatsValue, previous: StatsValue) -> tuple[StatsValue, StatsValue]:
    if current is None or previous is None:
        return None, None
    change: int | float = current - previous
    if isinstance(change, float):
        change = round(change, 9)
    pct = 100 * change / previous if previous else None
    return change, pct


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    key: Any  # the agency's id or the region's code
    value: int | float
    reports: int
    missing: int


def ranking(
    session: Session,
    metric: str,
    by: RankBy,
    year: int,
    order: RankOrder,
    filters: StatsFilter,
    limit: int,
) -> tuple[list[Ranked], int]:
    """The first `limit` agencies or regions with a value for `metric` in `year`, and how many
    have one. Ties share no rank: they are ordered by code or id."""
    filters = replace(filters, year_from=year, year_to=year)
    if by == "agency":
        return _rank_agencies(session, metric, order, filters, limit)
    groups = group_sums(session, [metric], [by], filters)
    scored = [(g, v) for g in groups if g.key[0] is not None and (v := g.value(metric)) is not None]
    scored.sort(key=lambda gv: (-gv[1] if order == "desc" else gv[1], gv[0].key[0]))
    ranked = []
    for position, (group, value) in enumerate(scored[:limit], start=1):
        shown = metric_value(metric, value)
        assert shown is not None
        ranked.append(Ranked(position, group.key[0], shown, group.reports, group.missing(metric)))
    return ranked, len(scored)


def _rank_agencies(
    session: Session, metric: str, order: RankOrder, filters: StatsFilter, limit: int
) -> tuple[list[Ranked], int]:
    """`ranking` by agency, kept in arrays: there may be one group per report of the year."""
    found = agency_rollup.grouped(_entries(session, [metric], filters), ["agency"])
    agencies = found.codes[0]
    with_value = found.with_value[metric]
    value = found.value_sums[metric]
    scored = with_value > 0
    if metric in RATIOS:
        denominator = found.denominator_sums[metric]
        scored &= denominator != 0
        value = np.divide(value, denominator, out=np.zeros_like(value), where=scored)
    at = np.flatnonzero(scored)
    first = np.lexsort((agencies[at], -value[at] if order == "desc" else value[at]))[:limit]
    reports = sum(found.reports.values(), np.zeros(len(agencies), np.int64))
    expected = sum(
        (counts for fmt, counts in found.reports.items() if fmt in METRIC_FORMATS[metric]),
        np.zeros(len(agencies), np.int64),
    )
    ranked = []
    for position, g in enumerate(at[first].tolist(), start=1):
        shown = metric_value(metric, float(value[g]))
        assert shown is not None
        missing = max(int(expected[g]) - int(with_value[g]), 0)
        ranked.append(Ranked(position, int(agencies[g]), shown, int(reports[g]), missing))
    return ranked, len(at)


def region_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
    return {code: name for code, name in rows}


def agency_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted)))
    return {agency_id: name for agency_id, name in rows}


@dataclass(frozen=True, slots=True)
class CoverageRow:
    region_code: str | None
    year: int
    agencies: int
    reports: int
    reports_failing: int
    reports_flagged: int = 0
    flags: int = 0


def coverage(
    session: Session, level: RegionLevel, filters: StatsFilter, years: Sequence[int] | None
) -> list[CoverageRow]:
    """Per region at `level` (under the region filter) and year: agencies placed there,
    current reports and reports with failing checks. Regions without reports are listed;
    agencies and reports placed above `level` or not at all fall under region None."""
    where = placement()
    column = where.c[GEOGRAPHIC[level]]
    regions_query = select(Region.code).join(where, where.c.code == Region.code)
    regions_query = regions_query.where(Region.level == level)
    agencies_query = (
        select(column, func.count())
        .select_from(Agency)
        .outerjoin(where, where.c.code == Agency.region_code)
    )
    if filters.region is not None:
        scope = where.c[GEOGRAPHIC[filters.region.level]] == filters.region.code
        regions_query = regions_query.where(scope)
        agencies_query = agencies_query.where(scope)
    if not filters.include_synthetic:
        agencies_query = agencies_query.where(
            ~select(Report.id)
            .where(Report.agency_id == Agency.id, Report.synthetic.is_(True))
            .exists()
        )
    agencies: dict[str | None, int] = {}
    for code, n in session.execute(agencies_query.group_by(column)):
        # Unplaced agencies (NULL) and those placed above `level` ("") are counted together.
        region_code = code or None
        agencies[region_code] = agencies.get(region_code, 0) + int(n)
    groups = group_sums(session, [], ["year", level], filters)
    found = {(g.key[1], g.key[0]): g for g in groups}
    flagged = flag_counts(session, level, filters)
    if years is None:
        years = sorted({g.key[0] for g in groups})
    codes: list[str | None] = list(session.scalars(regions_query.order_by(Region.code)))
    if agencies.get(None) or any(code is None for code, _ in found):
        codes.append(None)
    rows = []
    for code in codes:
        for year in years:
            group = found.get((code, year))
            rows.append(
                CoverageRow(
                    code,
                    year,
                    agencies.get(code, 0),
                    group.reports if group else 0,
                    group.reports_failing if group else 0,
                    *flagged.get((code, year), (0, 0)),
                )
            )
    return rows


def flag_counts(
    session: Session, level: RegionLevel, filters: StatsFilter
) -> dict[tuple[str | None, int], tuple[int, int]]:
    """Per region at `level` and year: current reports with a plausibility flag, and their
    flags; counted under the placement the rollups count each report under."""
    counted = RollupReport.__table__.c
    column = counted[GEOGRAPHIC[level]]
    query = select(
        column, counted.year, func.count(func.distinct(ReportFlag.report_id)), func.count()
    ).join(ReportFlag, ReportFlag.report_id == counted.report_id)
    if filters.region is not None:
        query = query.where(counted[GEOGRAPHIC[filters.region.level]] == filters.region.code)
    if filters.year_from is not None:
        query = query.where(counted.year >= filters.year_from)
    if filters.year_to is not None:
        query = query.where(counted.year <= filters.year_to)
    if not filters.include_synthetic:
        query = query.where(counted.synthetic.is_(False))
    found: dict[tuple[str | None, int], tuple[int, int]] = {}
    for code, year, reports, flags in session.execute(query.group_by(column, counted.year)):
        key = (code or None, int(year))  # "" (not placed at this level) is region None
        before = found.get(key, (0, 0))
        found[key] = (before[0] + int(reports), before[1] + int(flags))
    return found


@dataclass(frozen=True, slots=True)
class KeyYears:
    metric: str
    years: dict[str, list[int]]
    reports: int


def key_years(session: Session, include_synthetic: bool) -> dict[str, KeyYears]:
    """For each metric with data: the years with at least one value, per format."""
    cells = CellRollup.__table__.c
    query = select(cells.metric, cells.format, cells.year, func.sum(cells.reports_with_value))
    query = query.where(cells.grain == "country")
    if not include_synthetic:
        query = query.where(cells.synthetic.is_(False))
    found: dict[str, KeyYears] = {}
    rows = session.execute(
        query.group_by(cells.metric, cells.format, cells.year).order_by(cells.year)
    )
    for metric, fmt, year, count in rows:
        if not count:
            continue
        entry = found.setdefault(metric, KeyYears(metric, {}, 0))
        entry.years.setdefault(fmt, []).append(int(year))
        found[metric] = KeyYears(metric, entry.years, entry.reports + int(count))
    return found
