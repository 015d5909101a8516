"""The agency rollup answers as reading the cells did, through random writes: new reports and
revisions, withdrawals, agencies moved to another region or kind; and what is kept equals a
rebuild from scratch."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from typing import Any, cast

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.agency_rollup import rebuild_agency_rollup
from app.catalog import Format
from app.cells import load_values
from app.db import make_engine
from app.metrics import RATIOS, value_measures
from app.models import AgencyRollup, AgencyRollupBlock, Report, RollupReport
from app.stats import (
    GroupKey,
    GroupSums,
    MetricSum,
    RankBy,
    Ranked,
    RankOrder,
    StatsFilter,
    group_sums,
    metric_value,
    ranking,
    region_scope,
)
from tests.stats.conftest import add_report, random_cells
from tests.stats.test_aggregate import METRICS

_COLUMN_OF = {
    "year": "year",
    "province": "province_code",
    "city": "city_code",
    "county": "county_code",
    "agency": "agency_id",
    "agency_kind": "agency_kind",
    "format": "format",
}


def cell_group_sums(
    session: Session, metrics: list[str], group_by: list[str], filters: StatsFilter
) -> list[GroupSums]:
    """`group_sums` as it was answered before the agency rollup: counts from `rollup_report`,
    sums of the matching reports' cells."""
    counted = RollupReport.__table__.c
    where: list[ColumnElement[bool]] = []
    if filters.year_from is not None:
        where.append(counted.year >= filters.year_from)
    if filters.year_to is not None:
        where.append(counted.year <= filters.year_to)
    if not filters.include_synthetic:
        where.append(counted.synthetic.is_(False))
    if filters.region is not None:
        where.append(counted[_COLUMN_OF[filters.region.level]] == filters.region.code)
    if filters.agency_kind is not None:
        where.append(counted.agency_kind == filters.agency_kind)
    if filters.format is not None:
        where.append(counted.format == filters.format)
    if filters.agency_id is not None:
        where.append(counted.agency_id == filters.agency_id)
    dims = [counted[_COLUMN_OF[g]] for g in group_by]
    failing = func.sum(case((counted.has_failures, 1), else_=0))
    groups: dict[tuple[Any, ...], GroupSums] = {}
    counts = select(counted.format, func.count(), failing, *dims).where(*where)
    for fmt, n, failed, *key_values in session.execute(counts.group_by(*dims, counted.format)):
        key = tuple(None if v == "" else v for v in key_values)
        group = groups.setdefault(key, GroupSums(key))
        group.reports_by_format[fmt] = group.reports_by_format.get(fmt, 0) + int(n)
        group.reports_failing += int(failed or 0)
    reports = session.execute(select(counted.report_id, *dims).where(*where)).all()
    values = load_values(session.connection(), [row[0] for row in reports])
    wanted = set(metrics)
    for report_id, *key_values in reports:
        found = groups[tuple(None if v == "" else v for v in key_values)]
        for metric, value, denominator in value_measures(values.get(report_id, {})):
            if metric not in wanted:
                continue
            known = found.sums.get(metric)
            if known is None:
                found.sums[metric] = MetricSum(value, denominator, 1)
                continue
            both = None
            if denominator is not None or known.denominator is not None:
                both = (known.denominator or 0.0) + (denominator or 0.0)
            found.sums[metric] = MetricSum(known.value + value, both, known.reports_with_value + 1)
    return sorted(groups.values(), key=lambda g: tuple((v is None, v) for v in g.key))


def cell_ranking(
    session: Session,
    metric: str,
    by: str,
    year: int,
    order: str,
    filters: StatsFilter,
    limit: int,
) -> tuple[list[Ranked], int]:
    filters = replace(filters, year_from=year, year_to=year)
    groups = cell_group_sums(session, [metric], [by], filters)
    scored = [(g, v) for g in groups if g.key[0] is not None and (v := g.value(metric)) is not None]
    scored.sort(key=lambda gv: (-gv[1] if order == "desc" else gv[1], gv[0].key[0]))
    ranked = []
    for position, (group, value) in enumerate(scored[:limit], start=1):
        shown = metric_value(metric, value)
        assert shown is not None
        ranked.append(Ranked(position, group.key[0], shown, group.reports, group.missing(metric)))
    return ranked, len(scored)


def answered(groups: list[GroupSums], metrics: list[str]) -> list[tuple[Any, ...]]:
    """What the API shows of each group: values as served, missing counts, report counts."""
    return [
        (
            g.key,
            sorted(g.reports_by_format.items()),
            g.reports_failing,
            [(metric_value(m, g.value(m)), g.missing(m)) for m in metrics],
        )
        for g in groups
    ]


def kept_rows(session: Session) -> tuple[list[Any], list[Any]]:
    """The agency rollup decoded: blocks with their reports and metrics' values, each block's
    reports in id order (a block kept by writes holds them in the order they came)."""
    blocks = []
    orders = {}
    for row in session.execute(select(AgencyRollupBlock)).scalars():
        key = (row.year, row.province_code, row.city_code, row.synthetic)
        fields = row.labels.split("\t")
        labels = [tuple(fields[i : i + 4]) for i in range(0, len(fields), 4)]
        report_ids = np.frombuffer(row.report_ids, "<i4")
        orders[key] = np.argsort(report_ids)
        entries = zip(
            report_ids[orders[key]].tolist(),
            np.frombuffer(row.agency_ids, "<i4")[orders[key]].tolist(),
            [labels[i] for i in np.frombuffer(row.entry_labels, "<u2")[orders[key]].tolist()],
            strict=True,
        )
        blocks.append((*key, list(entries)))
    metrics = []
    for m in session.execute(select(AgencyRollup)).scalars():
        order = orders[(m.year, m.province_code, m.city_code, m.synthetic)]
        denominators = m.entry_denominators
        metrics.append(
            (
                m.year,
                m.province_code,
                m.city_code,
                m.synthetic,
                m.metric,
                _listed(m.entry_values, order),
                None if denominators is None else _listed(denominators, order),
            )
        )
    return sorted(blocks), sorted(metrics, key=repr)


def _listed(packed: bytes, order: Any) -> list[float | None]:
    # NaN (no value) as None: NaN equals nothing, not even itself.
    values = np.frombuffer(packed, "<f8")[order].round(6).tolist()
    return [None if v != v else v for v in values]


PLACES: tuple[tuple[str, str | None], ...] = (
    ("佳木斯市向阳区人民政府", "230803"),
    ("佳木斯市向阳区教育局", "230803"),
    ("佳木斯市前进区人民政府", "230804"),
    ("佳木斯市前进区财政局", "230804"),
    ("佳木斯市东风区财政局", "230805"),
    ("佳木斯市人民政府办公室", "230800"),
    ("黑龙江省教育厅", "230000"),
    ("北京市东城区人民政府", "110101"),
    ("北京市西城区人民政府", "110102"),
    ("西咸新区管理委员会", "610001"),
    ("某某机关", None),
    ("另一某某机关", None),
)
MOVES = ("230803", "230804", "230811", "230800", "110101", "610001", None)
KINDS = ("people_government", "government_office", "department", "township_street", "other")
YEARS = (2019, 2020, 2021, 2022)
GROUPINGS: tuple[tuple[GroupKey, ...], ...] = (
    ("agency",),
    ("year", "agency"),
    ("county",),
    ("year", "county"),
    ("county", "agency"),
    ("agency_kind", "county"),
    ("year", "agency", "format"),
    ("province", "city", "county"),
)

RANKS = (("desc", 3), ("asc", 1000))


def questions(session: Session, agency_ids: list[int]) -> list[tuple[StatsFilter, str]]:
    heilongjiang = region_scope(session, "230000")
    jiamusi = region_scope(session, "230800")
    xiangyang = region_scope(session, "230803")
    return [
        (StatsFilter(), "everything current"),
        (StatsFilter(include_synthetic=True), "with synthetic reports"),
        (StatsFilter(region=heilongjiang, year_from=2020), "a province from 2020"),
        (StatsFilter(region=jiamusi, include_synthetic=True), "a city"),
        (StatsFilter(region=xiangyang), "a county"),
        (StatsFilter(agency_kind="people_government"), "one kind"),
        (StatsFilter(format="2019", year_to=2021), "one format"),
        (StatsFilter(agency_id=agency_ids[0]), "one agency"),
        (StatsFilter(agency_id=agency_ids[-1], include_synthetic=True), "another agency"),
    ]


def assert_same_answers(session: Session, step: str) -> None:
    session.flush()
    session.expire_all()
    agency_ids = sorted(set(session.scalars(select(RollupReport.agency_id)))) or [0]
    for filters, what in questions(session, agency_ids):
        for group_by in GROUPINGS:
            new = answered(group_sums(session, METRICS, group_by, filters), METRICS)
            old = answered(cell_group_sums(session, METRICS, list(group_by), filters), METRICS)
            assert new == old, (step, what, group_by)
        for metric in ("requests.new.total", "disclosure_rate", "proactive.procurement.amount"):
            for by in cast(tuple[RankBy, ...], ("agency", "county")):
                for order, limit in cast(tuple[tuple[RankOrder, int], ...], RANKS):
                    new_rank = ranking(session, metric, by, 2020, order, filters, limit)
                    old_rank = cell_ranking(session, metric, by, 2020, order, filters, limit)
                    assert new_rank == old_rank, (step, what, metric, by, order, limit)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_answers_equal_the_cells_through_random_writes(
    seed: int, client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    rng = random.Random(f"agency-rollup:{seed}")
    some_answered = False
    placed: set[str] = set()  # an agency is placed once; moves are PATCHes
    for step in range(36):
        action = rng.choices(("report", "withdraw", "move", "kind"), (6, 1, 1, 1))[0]
        current = session.scalars(select(Report).where(Report.is_current)).all()
        if action == "report" or not current:
            name, region = rng.choice(PLACES)
            year = rng.choice(YEARS)
            fmt: Format = "2019" if year < 2021 or rng.random() < 0.2 else "2021"
            add_report(
                session,
                name,
                year,
                random_cells(rng, fmt, blanks=rng.choice((0.0, 0.3))),
                fmt=fmt,
                region=None if name in placed else region,
                synthetic=rng.random() < 0.15,
            )
            session.commit()
            placed.add(name)
        elif action == "withdraw":
            report = rng.choice(current)
            response = client.delete(f"/api/v1/reports/{report.id}", headers=auth)
            assert response.status_code == 200, response.text
        else:
            agency_id = rng.choice(current).agency_id
            body = (
                {"region_code": rng.choice(MOVES)}
                if action == "move"
                else {"kind": rng.choice(KINDS)}
            )
            response = client.patch(f"/api/v1/agencies/{agency_id}", json=body, headers=auth)
            assert response.status_code == 200, response.text
        if step % 9 == 8:
            assert_same_answers(session, f"step {step}: {action}")
            some_answered = True
    assert some_answered
    session.expire_all()
    kept = kept_rows(session)
    assert kept[0] and kept[1]
    rebuild_agency_rollup(session.connection())
    assert kept_rows(session) == kept


def test_a_ratio_with_nothing_to_divide_is_not_ranked(session: Session) -> None:
    """A rate whose denominator sums to 0 has no value: that agency is not ranked."""
    zero = {("requests", "granted", "total"): 0, ("requests", "partially_granted", "total"): 0}
    zero[("requests", "processed_total", "total")] = 0
    add_report(session, "佳木斯市向阳区人民政府", 2020, zero, region="230803")
    some = {
        **zero,
        ("requests", "granted", "total"): 3,
        ("requests", "processed_total", "total"): 4,
    }
    add_report(session, "佳木斯市前进区人民政府", 2020, some, region="230804")
    session.commit()
    ranked, total = ranking(session, "disclosure_rate", "agency", 2020, "desc", StatsFilter(), 10)
    assert total == 1
    assert [r.value for r in ranked] == [0.75]
    assert "disclosure_rate" in RATIOS


def test_concurrent_writers_to_one_block_lose_nothing(own_database_url: str) -> None:
    """Writers adding reports of agencies in one city at once, each in its own transaction:
    every report is counted once, under a row lock on the block."""
    if make_url(own_database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is nothing to race")
    engine = make_engine(own_database_url)
    writers = 4
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        rng = random.Random(number)
        try:
            start.wait()
            for report in range(3):
                with Session(engine) as session:
                    name = f"佳木斯市前进区合成测试{number}号局"
                    region = None if report else "230804"
                    cells = random_cells(rng, "2021", blanks=0)
                    add_report(session, name, 2021 + report, cells, region=region)
                    session.commit()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert not failures, failures
        with Session(engine) as session:
            kept = kept_rows(session)
            assert sum(len(block[-1]) for block in kept[0]) == writers * 3
            assert {block[:3] for block in kept[0]} == {
                (y, "230000", "230800") for y in (2021, 2022, 2023)
            }
            ranked, total = ranking(
                session, "requests.new.total", "agency", 2021, "desc", StatsFilter(), 10
            )
            assert total == len(ranked) == writers
            rebuild_agency_rollup(session.connection())
            assert kept_rows(session) == kept
            session.rollback()
    finally:
        engine.dispose()
