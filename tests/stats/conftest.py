"""Stats fixtures: reports with chosen cells stored through ingest, and sums computed apart.

The expected answers are computed here in Python from the stored cells, reports, agencies and
regions, read row by row: no GROUP BY, no rollup, so the stats code is checked against
arithmetic it does not share.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import Format, column_of
from app.cells import load_cells
from app.ingest import store_parsed
from app.models import Agency, Region, Report
from app.parsing import ParsedCell, ParsedReport

Key = tuple[str, str, str]
DENIED = (
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_security_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_inquiry",
)
LITIGATION = ("litigation_direct", "litigation_after_reconsideration")
COUNT_KEYS: tuple[Key, ...] = (
    ("requests", "new", "total"),
    ("requests", "new", "natural_person"),
    ("requests", "granted", "total"),
    ("requests", "partially_granted", "total"),
    *(("requests", row, "total") for row in DENIED),
    ("requests", "processed_total", "total"),
    *(
        ("reviews", row, col)
        for row in ("reconsideration", *LITIGATION)
        for col in ("corrected", "total", "pending")
    ),
)
ONE_FORMAT_KEYS: dict[Format, tuple[Key, ...]] = {
    "2019": (("requests", "other", "total"), ("proactive", "procurement", "amount")),
    "2021": (("requests", "other_misc", "total"), ("proactive", "fees", "amount_wan_yuan")),
}
_counter = itertools.count(1)


def add_report(
    session: Session,
    agency: str,
    year: int,
    cells: Mapping[Key, int | Decimal | None],
    *,
    fmt: Format | None = None,
    region: str | None = None,
    synthetic: bool = False,
) -> Report:
    """Store a report through ingest; a None value is stored as a blank cell."""
    fmt = fmt or ("2019" if year < 2021 else "2021")
    parsed = ParsedReport(
        format=fmt,
        agency=agency,
        year=year,
        title=f"{agency} {year} 年 政府信息公开工作年度报告",
        period_start=None,
        period_end=None,
        publisher=None,
        contact_phone=None,
        sections=(),
        cells=tuple(
            ParsedCell(t, r, c, v, "" if v is None else str(v), "blank" if v is None else "number")
            for (t, r, c), v in cells.items()
        ),
    )
    data = f"{agency}|{year}|{next(_counter)}".encode()
    result = store_parsed(
        session, data, "text/plain", parsed, region_code=region, synthetic=synthetic
    )
    return result.report


def random_cells(rng: random.Random, fmt: Format, blanks: float = 0.15) -> dict[Key, Any]:
    cells: dict[Key, Any] = {}
    for key in (*COUNT_KEYS, *ONE_FORMAT_KEYS[fmt]):
        if rng.random() < blanks:
            cells[key] = None
        elif key[2].startswith("amount"):
            cells[key] = Decimal(rng.randint(0, 99999)) / 100
        else:
            cells[key] = rng.randint(0, 40)
    return cells


# Agencies by where they sit: districts of 佳木斯市, the city, the province, a Beijing district
# (directly under its province), a zone under a province, and nowhere.
AGENCIES: tuple[tuple[str, str | None], ...] = (
    ("佳木斯市向阳区人民政府", "230803"),
    ("佳木斯市向阳区教育局", "230803"),
    ("佳木斯市前进区人民政府", "230804"),
    ("佳木斯市东风区财政局", "230805"),
    ("佳木斯市人民政府办公室", "230800"),
    ("黑龙江省教育厅", "230000"),
    ("北京市东城区人民政府", "110101"),
    ("西咸新区管理委员会", "610001"),
    ("某某机关", None),
)


@pytest.fixture
def dataset(session: Session) -> list[Report]:
    """Two formats over four years, blanks, a revision, a synthetic report, an unplaced agency."""
    rng = random.Random(20261127)
    reports = []
    for name, region in AGENCIES:
        for year in (2019, 2020, 2021, 2022):
            if rng.random() < 0.15:
                continue
            fmt: Format = "2019" if year < 2021 else "2021"
            if year == 2021 and name.endswith("教育局"):
                fmt = "2019"  # some 2021 reports keep the old tables
            reports.append(
                add_report(session, name, year, random_cells(rng, fmt), fmt=fmt, region=region)
            )
    # A second revision replaces the first for 向阳区人民政府 2020.
    reports.append(add_report(session, "佳木斯市向阳区人民政府", 2020, random_cells(rng, "2019")))
    reports.append(
        add_report(
            session,
            "合成测试局",
            2020,
            random_cells(rng, "2019", blanks=0),
            region="230804",
            synthetic=True,
        )
    )
    session.commit()
    return reports


@dataclass
class Expected:
    reports: int
    values: dict[str, float | None]
    missing: dict[str, int]


def _cell_ratio(
    num: Iterable[Key], den_plus: Iterable[Key], den_minus: Iterable[Key] = ()
) -> Callable[[dict[Key, float | None]], tuple[float, float] | None]:
    num, den_plus, den_minus = tuple(num), tuple(den_plus), tuple(den_minus)

    def compute(cells: dict[Key, float | None]) -> tuple[float, float] | None:
        parts = [cells.get(k) for k in (*num, *den_plus, *den_minus)]
        if any(p is None for p in parts):
            return None
        n = sum(cells[k] or 0 for k in num)
        d = sum(cells[k] or 0 for k in den_plus) - sum(cells[k] or 0 for k in den_minus)
        return float(n), float(d)

    return compute


PROCESSED = ("requests", "processed_total", "total")
RATIO_FORMULAS = {
    "disclosure_rate": _cell_ratio(
        [("requests", "granted", "total"), ("requests", "partially_granted", "total")],
        [PROCESSED],
    ),
    "denial_rate": _cell_ratio([("requests", r, "total") for r in DENIED], [PROCESSED]),
    "reconsideration_correction_rate": _cell_ratio(
        [("reviews", "reconsideration", "corrected")],
        [("reviews", "reconsideration", "total")],
        [("reviews", "reconsideration", "pending")],
    ),
    "litigation_correction_rate": _cell_ratio(
        [("reviews", r, "corrected") for r in LITIGATION],
        [("reviews", r, "total") for r in LITIGATION],
        [("reviews", r, "pending") for r in LITIGATION],
    ),
}


def _ancestors(regions: dict[str, Region], code: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    while code is not None:
        region = regions[code]
        found[region.level] = region.code
        code = region.parent_code
    return found


def expected_groups(
    session: Session,
    metrics: list[str],
    group_by: list[str],
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    region: str | None = None,
    agency_id: int | None = None,
    agency_kind: str | None = None,
    fmt: str | None = None,
    include_synthetic: bool = False,
) -> dict[tuple[Any, ...], Expected]:
    session.expire_all()  # read what is stored, including writes made through the API
    regions = {r.code: r for r in session.scalars(select(Region))}
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    cells: dict[int, dict[Key, float | None]] = {}
    report_ids = session.scalars(select(Report.id)).all()
    for report_id, stored in load_cells(session.connection(), report_ids).items():
        cells[report_id] = {(c.table, c.row, c.col): c.value for c in stored}
    sums: dict[tuple[Any, ...], dict[str, list[float]]] = {}
    counts: dict[tuple[Any, ...], int] = {}
    missing: dict[tuple[Any, ...], dict[str, int]] = {}
    for report in session.scalars(select(Report)):
        agency = agencies[report.agency_id]
        where = _ancestors(regions, agency.region_code)
        if not report.is_current or (report.synthetic and not include_synthetic):
            continue
        if (year_from is not None and report.year < year_from) or (
            year_to is not None and report.year > year_to
        ):
            continue
        if region is not None and region not in where.values():
            continue
        if agency_id is not None and agency.id != agency_id:
            continue
        if agency_kind is not None and agency.kind != agency_kind:
            continue
        if fmt is not None and report.format != fmt:
            continue
        dims = {
            "year": report.year,
            "province": where.get("province"),
            "city": where.get("city"),
            "county": where.get("county"),
            "agency": agency.id,
            "agency_kind": agency.kind,
            "format": report.format,
        }
        key = tuple(dims[g] for g in group_by)
        counts[key] = counts.get(key, 0) + 1
        mine = cells.get(report.id, {})
        for metric in metrics:
            bucket = sums.setdefault(key, {}).setdefault(metric, [0.0, 0.0, 0])
            miss = missing.setdefault(key, {})
            miss.setdefault(metric, 0)
            if metric in RATIO_FORMULAS:
                parts = RATIO_FORMULAS[metric](mine)
                if parts is None:
                    miss[metric] += 1
                else:
                    bucket[0] += parts[0]
                    bucket[1] += parts[1]
                    bucket[2] += 1
                continue
            table, row, col = metric.split(".")
            value = mine.get((table, row, col))
            if value is not None:
                bucket[0] += value
                bucket[2] += 1
            elif column_of(table, row, col, report.format) is not None:  # type: ignore[arg-type]
                miss[metric] += 1
    out: dict[tuple[Any, ...], Expected] = {}
    for key, n in counts.items():
        values: dict[str, float | None] = {}
        for metric in metrics:
            total, denominator, with_value = sums[key][metric]
            if not with_value:
                values[metric] = None
            elif metric in RATIO_FORMULAS:
                values[metric] = total / denominator if denominator else None
            else:
                values[metric] = total
        out[key] = Expected(n, values, missing[key])
    return out
