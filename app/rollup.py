"""Rollups: per-metric sums over current reports, kept current on every write.

`rollup_report` records each current report with the placement it is counted under;
`report_rollup` holds report counts at four geographic grains (county, city, province,
country) and `cell_rollup` the metric sums at three (city, province, country). Sums are
additive, so a write adds or subtracts one report's contribution with an upsert instead of
recomputing a group, and concurrent writes stay correct.
`refresh_rollups_for_reports` compares what is counted with what should be and applies the
difference; `rebuild_rollups` recomputes everything: report counts with one INSERT … SELECT per
grain, metric sums by reading the reports' values in batches (`app.cells.load_values`), since
cells are stored packed, then adding those up to the coarser grains in SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from app.agency_rollup import rebuild_agency_rollup, update_agency_rollup
from app.cells import load_values
from app.metrics import Measure, value_measures
from app.models import (
    Agency,
    CellRollup,
    Region,
    Report,
    ReportRollup,
    RollupReport,
    column_names,
)

GEOGRAPHY = ("province_code", "city_code", "county_code")
# What each grain keeps of the placement; the rest is stored as "".
GRAIN_KEEPS: dict[str, tuple[str, ...]] = {
    "county": GEOGRAPHY,
    "city": GEOGRAPHY[:2],
    "province": GEOGRAPHY[:1],
    "country": (),
}
# Report counts are small at every grain. Metric sums at county grain would hold nearly one row
# per cell, so county questions read the cells of the few reports involved instead.
REPORT_GRAINS = tuple(GRAIN_KEEPS)
CELL_GRAINS = ("city", "province", "country")
_COARSER = (("county", "city"), ("city", "province"), ("province", "country"))
# What a counted report is recorded with: the rollup_report columns after report_id.
_REPORT_DIMS = column_names(RollupReport)[1:]
# What a group is made of: the rollup key (app/models.py: RollupKey) after its grain.
_GROUP_DIMS = tuple(c.name for c in ReportRollup.__table__.primary_key)[1:]


def placement() -> Any:
    """Each region's province, city and county codes ("" where none): a county may hang off a
    city or directly off a province, a city off a province."""
    parent = aliased(Region)
    province = case(
        (Region.level == "province", Region.code),
        (Region.level == "city", Region.parent_code),
        (parent.level == "province", parent.code),
        else_=parent.parent_code,
    )
    city = case(
        (Region.level == "city", Region.code),
        (and_(Region.level == "county", parent.level == "city"), parent.code),
        else_="",
    )
    county = case((Region.level == "county", Region.code), else_="")
    return (
        select(
            Region.code,
            func.coalesce(province, "").label("province_code"),
            city.label("city_code"),
            county.label("county_code"),
        )
        .outerjoin(parent, parent.code == Region.parent_code)
        .subquery("placement")
    )


def live_report_dims() -> Select[Any]:
    """Reports with the placement and kind their agency has now (unplaced: "")."""
    where = placement()
    return (
        select(
            Report.id.label("report_id"),
            Report.agency_id,
            Report.year,
            Report.synthetic,
            Report.format,
            func.coalesce(Agency.kind, "").label("agency_kind"),
            func.coalesce(where.c.province_code, "").label("province_code"),
            func.coalesce(where.c.city_code, "").label("city_code"),
            func.coalesce(where.c.county_code, "").label("county_code"),
            (Report.checks_failed > 0).label("has_failures"),
        )
        .join(Agency, Agency.id == Report.agency_id)
        .outerjoin(where, where.c.code == Agency.region_code)
    )


def _projected(columns: Any, grain: str) -> list[ColumnElement[Any]]:
    keeps = GRAIN_KEEPS[grain]
    out: list[ColumnElement[Any]] = []
    for name in _GROUP_DIMS:
        if name in GEOGRAPHY and name not in keeps:
            out.append(literal("", String).label(name))
        else:
            out.append(columns[name])
    return out


def _grouping(columns: Any, grain: str) -> list[ColumnElement[Any]]:
    # Constants cannot appear in PostgreSQL's GROUP BY, so only kept columns are grouped on.
    keeps = GRAIN_KEEPS[grain]
    return [columns[n] for n in _GROUP_DIMS if n not in GEOGRAPHY or n in keeps]


_CELL_COLUMNS = [
    "grain",
    "metric",
    *_GROUP_DIMS,
    "value_sum",
    "denominator_sum",
    "reports_with_value",
]
_REPORT_COLUMNS = ["grain", *_GROUP_DIMS, "reports", "reports_failing"]


def _report_counts(grain: str, reports: ColumnElement[bool] | None, sign: int) -> Select[Any]:
    counted = RollupReport.__table__.c
    query = select(
        literal(grain, String).label("grain"),
        *_projected(counted, grain),
        (func.count() * sign).label("reports"),
        (func.sum(case((RollupReport.has_failures, 1), else_=0)) * sign).label("reports_failing"),
    ).group_by(*_grouping(counted, grain))
    return query if reports is None else query.where(reports)


def _coarsen_cells(finer: str, coarser: str) -> Select[Any]:
    table = CellRollup.__table__.c
    return (
        select(
            literal(coarser, String).label("grain"),
            table.metric,
            *_projected(table, coarser),
            func.sum(table.value_sum),
            func.sum(table.denominator_sum),
            func.sum(table.reports_with_value),
        )
        .where(table.grain == finer)
        .group_by(table.metric, *_grouping(table, coarser))
    )


def _coarsen_reports(finer: str, coarser: str) -> Select[Any]:
    table = ReportRollup.__table__.c
    return (
        select(
            literal(coarser, String).label("grain"),
            *_projected(table, coarser),
            func.sum(table.reports),
            func.sum(table.reports_failing),
        )
        .where(table.grain == finer)
        .group_by(*_grouping(table, coarser))
    )


def rebuild_rollups(db: Session | Connection) -> None:
    """Recompute every rollup from the current reports; for bulk loads and migrations."""
    for table in (CellRollup, ReportRollup, RollupReport):
        db.execute(delete(table))
    db.execute(
        insert(RollupReport).from_select(
            ["report_id", *_REPORT_DIMS], live_report_dims().where(Report.is_current)
        )
    )
    connection = db.connection() if isinstance(db, Session) else db
    write = _row_writer(connection, "cell_rollup", _CELL_COLUMNS)
    pending: list[tuple[Any, ...]] = []
    for rows in _finest_cell_sums(connection):
        pending.extend(rows)
        if len(pending) >= 20_000:
            write(pending)
            pending = []
    if pending:
        write(pending)
    db.execute(
        insert(ReportRollup).from_select(_REPORT_COLUMNS, _report_counts(REPORT_GRAINS[0], None, 1))
    )
    for finer, coarser in _COARSER:
        if finer in CELL_GRAINS:
            db.execute(
                insert(CellRollup).from_select(_CELL_COLUMNS, _coarsen_cells(finer, coarser))
            )
        db.execute(
            insert(ReportRollup).from_select(_REPORT_COLUMNS, _coarsen_reports(finer, coarser))
        )
    rebuild_agency_rollup(db.connection() if isinstance(db, Session) else db)


_READ_BATCH = 1000  # reports whose cells are read at once


def _row_writer(
    connection: Connection, table: str, columns: Sequence[str]
) -> Callable[[list[tuple[Any, ...]]], None]:
    """Writes plain tuples to `table`: COPY on PostgreSQL, the driver's executemany elsewhere.

    A rebuild writes about as many groups as there are cells, where SQLAlchemy's per-row
    parameter processing, or PostgreSQL's per-statement round trips, would cost most of it."""
    names = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

        def copy(rows: list[tuple[Any, ...]]) -> None:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as out:
                for row in rows:
                    out.write_row(row)

        return copy
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * len(columns))})"

    def execute_many(rows: list[tuple[Any, ...]]) -> None:
        connection.exec_driver_sql(statement, rows)

    return execute_many


def _finest_cell_sums(connection: Connection) -> Iterator[list[tuple[Any, ...]]]:
    """Every counted report's measures summed per group at the finest cell grain, in batches.

    Reports are read in group order, so a group's sums are complete, and given out, as soon
    as the next group begins: memory holds one batch of reports, not every group."""
    counted = RollupReport.__table__.c
    keeps = GRAIN_KEEPS[CELL_GRAINS[0]]
    grouped_names = [n for n in _GROUP_DIMS if n not in GEOGRAPHY or n in keeps]
    grouped = [counted[n] for n in grouped_names]
    kept = [_REPORT_DIMS.index(n) for n in grouped_names]
    query = select(counted.report_id, *(counted[n] for n in _REPORT_DIMS)).order_by(
        *grouped, counted.report_id
    )
    reports = iter(connection.execute(query.execution_options(yield_per=_READ_BATCH)))
    pending: dict[int, tuple[tuple[Any, ...], list[Measure]]] = {}
    group: tuple[Any, ...] | None = None
    while batch := list(islice(reports, _READ_BATCH)):
        values = load_values(connection, [row[0] for row in batch])
        for report_id, *dims in batch:
            key = tuple(dims[at] for at in kept)
            if key != group and pending:
                yield _known_sums(pending, 1)
                pending = {}
            group = key
            pending[report_id] = (tuple(dims), value_measures(values.get(report_id, {})))
    if pending:
        yield _known_sums(pending, 1)


def refresh_rollups_for_agency(session: Session, agency_id: int) -> None:
    """After any change to an agency or its reports: new revisions, a new region or kind."""
    ids = session.scalars(select(Report.id).where(Report.agency_id == agency_id)).all()
    refresh_rollups_for_reports(session, ids)


def refresh_rollups_for_reports(
    session: Session,
    report_ids: Collection[int],
    measures_of: Mapping[int, Sequence[Measure]] | None = None,
) -> None:
    """Count the current ones of these reports under their agency's present placement and
    stop counting the others; reports already counted as they should be are left alone.

    `measures_of` gives reports' measures already known (`value_measures`), which spares
    reading their cells back.
    """
    ids = sorted(set(report_ids))
    if not ids:
        return
    session.flush()
    live = {
        row.report_id: tuple(row)[1:]
        for row in session.execute(live_report_dims().where(Report.id.in_(ids), Report.is_current))
    }
    counted_columns = [RollupReport.__table__.c[n] for n in _REPORT_DIMS]
    counted = {
        row[0]: tuple(row)[1:]
        for row in session.execute(
            select(RollupReport.report_id, *counted_columns).where(RollupReport.report_id.in_(ids))
        )
    }
    stale = [i for i, dims in counted.items() if live.get(i) != dims]
    fresh = [i for i, dims in live.items() if counted.get(i) != dims]
    if stale:
        _apply(session, stale, -1)
        session.execute(delete(RollupReport).where(RollupReport.report_id.in_(stale)))
    if fresh:
        session.execute(
            insert(RollupReport),
            [{"report_id": i, **dict(zip(_REPORT_DIMS, live[i], strict=True))} for i in fresh],
        )
        known = {i: (live[i], measures_of[i]) for i in fresh if measures_of and i in measures_of}
        _apply(session, fresh, 1, known)
    update_agency_rollup(
        session,
        {i: dict(zip(_REPORT_DIMS, counted[i], strict=True)) for i in stale},
        {i: dict(zip(_REPORT_DIMS, live[i], strict=True)) for i in fresh},
        measures_of,
    )


def _apply(
    session: Session,
    report_ids: list[int],
    sign: int,
    known: Mapping[int, tuple[tuple[Any, ...], Sequence[Measure]]] | None = None,
) -> None:
    """Add (sign 1) or subtract (sign -1) these counted reports' contributions; `known`
    gives some reports' dimensions and measures, so their cells need not be read."""
    counted = RollupReport.report_id.in_(report_ids)
    # The reports' measures are summed once, at the finest grain; the coarser grains add
    # those sums up, which costs far less than reading the cells again for each.
    finest = _known_sums(known, sign) if known else []
    unknown = [i for i in report_ids if not known or i not in known]
    if unknown:
        counted_columns = [RollupReport.__table__.c[n] for n in _REPORT_DIMS]
        dims_of = session.execute(
            select(RollupReport.report_id, *counted_columns).where(
                RollupReport.report_id.in_(unknown)
            )
        )
        values = load_values(session.connection(), unknown)
        read = {row[0]: (tuple(row)[1:], value_measures(values.get(row[0], {}))) for row in dims_of}
        finest = _coarsened([*finest, *_known_sums(read, sign)], CELL_GRAINS[0])
    for grain in CELL_GRAINS:
        rows = finest if grain == CELL_GRAINS[0] else _coarsened(finest, grain)
        _upsert(session, CellRollup, _CELL_COLUMNS, rows)
        if sign < 0:
            _drop_empty(session, CellRollup, CellRollup.reports_with_value, _CELL_COLUMNS, rows)
    for grain in REPORT_GRAINS:
        counts = _report_counts(grain, counted, sign)
        _upsert(session, ReportRollup, _REPORT_COLUMNS, counts)
        if sign < 0:
            _drop_empty(session, ReportRollup, ReportRollup.reports, _REPORT_COLUMNS, counts)


_SUMMED = 3  # value_sum, denominator_sum, reports_with_value end every cell-sum row


def _known_sums(
    known: Mapping[int, tuple[tuple[Any, ...], Sequence[Measure]]], sign: int
) -> list[tuple[Any, ...]]:
    """What `_cell_sums` at the finest grain gives for these reports, from their measures."""
    dims_at = [_REPORT_DIMS.index(n) for n in _GROUP_DIMS]
    keeps = GRAIN_KEEPS[CELL_GRAINS[0]]
    # Reports of one group are added up first: a batch has few groups and many reports.
    by_group: dict[tuple[Any, ...], dict[str, list[Any]]] = {}
    for dims, measured in known.values():
        group = tuple(
            "" if name in GEOGRAPHY and name not in keeps else dims[at]
            for name, at in zip(_GROUP_DIMS, dims_at, strict=True)
        )
        sums_of = by_group.setdefault(group, {})
        for metric, value, denominator in measured:
            sums = sums_of.get(metric)
            if sums is None:
                sums_of[metric] = [value, denominator, 1]
                continue
            sums[0] += value
            if denominator is not None:
                sums[1] = denominator if sums[1] is None else sums[1] + denominator
            sums[2] += 1
    return [
        (
            CELL_GRAINS[0],
            metric,
            *group,
            value * sign,
            None if denominator is None else denominator * sign,
            count * sign,
        )
        for group, sums_of in by_group.items()
        for metric, (value, denominator, count) in sums_of.items()
    ]


def _coarsened(rows: list[tuple[Any, ...]], grain: str) -> list[tuple[Any, ...]]:
    """Cell sums at a finer grain added up to `grain`, as SQL's SUM would (NULL + x = x)."""
    keeps = GRAIN_KEEPS[grain]
    dropped = [_CELL_COLUMNS.index(n) for n in GEOGRAPHY if n not in keeps]
    totals: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        key = list(row[:-_SUMMED])
        key[0] = grain
        for position in dropped:
            key[position] = ""
        sums = totals.setdefault(tuple(key), [None] * _SUMMED)
        for i, value in enumerate(row[-_SUMMED:]):
            if value is not None:
                sums[i] = value if sums[i] is None else sums[i] + value
    return [(*key, *sums) for key, sums in totals.items()]


# Sums to add to a rollup table: a query giving them, or rows already computed.
Sums = Select[Any] | list[tuple[Any, ...]]


def _upsert(session: Session, model: Any, columns: list[str], sums: Sums) -> None:
    """Add these sums to their groups: a new group is inserted, an existing one added to."""
    table = model.__table__
    keys = [c.name for c in table.primary_key]
    dialect = session.get_bind().dialect.name
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    rows = None
    if isinstance(sums, Select):
        statement = statement.from_select(columns, sums)
    elif sums:
        rows = [dict(zip(columns, row, strict=True)) for row in sums]
    else:
        return
    added = {c: table.c[c] + statement.excluded[c] for c in columns if c not in keys}
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=added), rows)


def _drop_empty(
    session: Session, model: Any, count: Any, columns: list[str], touched: Sums
) -> None:
    """Delete the groups these sums touched that no longer count any report.

    Only the groups a write touched can have become empty; the key lookup keeps it cheap.
    """
    table = model.__table__
    keys = [c.name for c in table.primary_key]
    key = tuple_(*(table.c[k] for k in keys))
    if isinstance(touched, Select):
        touched_keys = touched.subquery()
        wanted = select(*(touched_keys.c[k] for k in keys))
        session.execute(delete(table).where(count <= 0, key.in_(wanted)))
        return
    positions = [columns.index(k) for k in keys]
    groups = [tuple(row[p] for p in positions) for row in touched]
    for start in range(0, len(groups), 500):  # bound the statement's parameters
        session.execute(delete(table).where(count <= 0, key.in_(groups[start : start + 500])))
