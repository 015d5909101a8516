"""Agency-grain rollup: each metric's per-report values, packed in arrays, block by block.

A block is the current reports of one year, city and synthetic flag (province and city codes as
the rollups place agencies; "" where none). `agency_rollup_block` lists its reports with their
agency and label (county, agency kind, format, failing checks); each metric's row in
`agency_rollup` holds the reports' values in the same order. Rankings of agencies and groupings
by agency or county read a few hundred such rows per metric and year however many reports
there are, and group them here with numpy.

Blocks are a city wide, not a county: a county's block would hold a few reports, and the
row's own cost (key and index entry) would outweigh its values. A write rewrites the arrays of
the blocks it touches (`update_agency_rollup`), under a row lock of the block on PostgreSQL;
bulk loads build it once (`rebuild_agency_rollup`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    false,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.cells import load_cells
from app.metrics import RATIOS, Measure, report_measures
from app.models import AgencyRollup, AgencyRollupBlock, RollupReport

BlockKey = tuple[int, str, str, bool]  # year, province_code, city_code, synthetic
Label = tuple[str, str, str, bool]  # county_code, agency_kind, format, has_failures
# A counted report's dimensions, by rollup_report column name.
Dims = Mapping[Any, Any]

_IDS = np.dtype("<i4")
_LABELS = np.dtype("<u2")
_FLOATS = np.dtype("<f8")
_BLOCKS = cast(Table, AgencyRollupBlock.__table__)
_METRICS = cast(Table, AgencyRollup.__table__)
_COUNTED = cast(Table, RollupReport.__table__)
_KEY_COLUMNS = ("year", "province_code", "city_code", "synthetic")
_BLOCK_ARRAYS = ("report_ids", "agency_ids", "entry_labels", "labels")
_BATCH = 500  # blocks per statement, to bound its parameters
_REBUILD_REPORTS = 2000  # reports whose cells are read at once when rebuilding


def block_key(dims: Dims) -> BlockKey:
    return (
        int(dims["year"]),
        dims["province_code"],
        dims["city_code"],
        bool(dims["synthetic"]),
    )


def _label(dims: Dims) -> Label:
    return (
        dims["county_code"],
        dims["agency_kind"],
        dims["format"],
        bool(dims["has_failures"]),
    )


@dataclass(slots=True)
class _Block:
    """A block being rewritten: per report, in order, its id, agency and label; per metric the
    values (NaN for none) and, for rates, denominators."""

    report_ids: list[int] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)
    denominators: dict[str, list[float]] = field(default_factory=dict)

    def remove(self, gone: set[int]) -> None:
        keep = [i for i, report in enumerate(self.report_ids) if report not in gone]
        if len(keep) == len(self.report_ids):
            return
        self.report_ids = [self.report_ids[i] for i in keep]
        self.agency_ids = [self.agency_ids[i] for i in keep]
        self.labels = [self.labels[i] for i in keep]
        for arrays in (self.values, self.denominators):
            for metric, array in arrays.items():
                arrays[metric] = [array[i] for i in keep]

    def append(self, report_id: int, dims: Dims, measured: Sequence[Measure]) -> None:
        size = len(self.report_ids)
        self.report_ids.append(report_id)
        self.agency_ids.append(int(dims["agency_id"]))
        self.labels.append(_label(dims))
        given = {metric: (value, denominator) for metric, value, denominator in measured}
        for metric in given.keys() - self.values.keys():
            self.values[metric] = [math.nan] * size
            if metric in RATIOS:
                self.denominators[metric] = [math.nan] * size
        for metric, array in self.values.items():
            value, denominator = given.get(metric, (math.nan, math.nan))
            array.append(value)
            if metric in RATIOS:
                self.denominators[metric].append(math.nan if denominator is None else denominator)

    def rows(self, key: BlockKey) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The block's row and its metrics' rows; metrics no report gave a value for have none."""
        labels = list(dict.fromkeys(self.labels))
        index = {label: i for i, label in enumerate(labels)}
        keyed = dict(zip(_KEY_COLUMNS, key, strict=True))
        block = keyed | {
            "report_ids": np.asarray(self.report_ids, _IDS).tobytes(),
            "agency_ids": np.asarray(self.agency_ids, _IDS).tobytes(),
            "entry_labels": np.asarray([index[x] for x in self.labels], _LABELS).tobytes(),
            "labels": _joined(labels),
        }
        metrics = []
        for metric, values in sorted(self.values.items()):
            packed = np.asarray(values, _FLOATS)
            if np.isnan(packed).all():
                continue
            denominators = self.denominators.get(metric)
            metrics.append(
                keyed
                | {
                    "metric": metric,
                    "entry_values": packed.tobytes(),
                    "entry_denominators": None
                    if denominators is None
                    else np.asarray(denominators, _FLOATS).tobytes(),
                }
            )
        return block, metrics


def _decoded(row: Any, metric_rows: Iterable[Any]) -> _Block:
    labels = _split(row.labels)
    block = _Block(
        report_ids=np.frombuffer(row.report_ids, _IDS).tolist(),
        agency_ids=np.frombuffer(row.agency_ids, _IDS).tolist(),
        labels=[labels[i] for i in np.frombuffer(row.entry_labels, _LABELS).tolist()],
    )
    for metric_row in metric_rows:
        block.values[metric_row.metric] = np.frombuffer(metric_row.entry_values, _FLOATS).tolist()
        if metric_row.entry_denominators is not None:
            block.denominators[metric_row.metric] = np.frombuffer(
                metric_row.entry_denominators, _FLOATS
            ).tolist()
    return block


def _joined(labels: Iterable[Label]) -> str:
    return "\t".join(f"{c}\t{k}\t{f}\t{int(x)}" for c, k, f, x in labels)


def _split(text: str) -> list[Label]:
    fields = text.split("\t") if text else []
    return [
        (fields[i], fields[i + 1], fields[i + 2], fields[i + 3] == "1")
        for i in range(0, len(fields), 4)
    ]


def _where_blocks(table: Any, keys: Sequence[BlockKey]) -> Any:
    return tuple_(*(table.c[c] for c in _KEY_COLUMNS)).in_(keys)


def update_agency_rollup(
    session: Session,
    removed: Mapping[int, Dims],
    added: Mapping[int, Dims],
    measures_of: Mapping[int, Sequence[Measure]] | None = None,
) -> None:
    """Stop counting the `removed` reports as they were counted, and count the `added` ones
    under their dimensions; `measures_of` gives some reports' measures, the others' are read
    from their cells."""
    if not removed and not added:
        return
    connection = session.connection()
    measured = {i: measures_of[i] for i in added if measures_of and i in measures_of}
    unknown = [i for i in added if i not in measured]
    if unknown:
        cells = load_cells(connection, unknown)
        measured |= {i: report_measures(cells.get(i, ())) for i in unknown}
    keys = sorted({block_key(d) for d in removed.values()} | {block_key(d) for d in added.values()})
    for start in range(0, len(keys), _BATCH):
        chunk = keys[start : start + _BATCH]
        blocks, stored = _locked_blocks(connection, chunk)
        gone: dict[BlockKey, set[int]] = {}
        for report_id, dims in removed.items():
            gone.setdefault(block_key(dims), set()).add(report_id)
        for key, ids in gone.items():
            if key in blocks:
                blocks[key].remove(ids)
        for report_id in sorted(added):
            dims = added[report_id]
            key = block_key(dims)
            if key in blocks:
                blocks[key].append(report_id, dims, measured[report_id])
        _replace(connection, blocks, stored)


def _locked_blocks(
    connection: Connection, keys: Sequence[BlockKey]
) -> tuple[dict[BlockKey, _Block], set[BlockKey]]:
    """These blocks as stored (empty when new), locked against other writers until commit,
    and which of them have a row."""
    table = _BLOCKS
    if connection.dialect.name == "postgresql":
        # A block another writer is creating is waited for, then locked like any other.
        empty = {"report_ids": b"", "agency_ids": b"", "entry_labels": b"", "labels": ""}
        connection.execute(
            postgresql.insert(table).on_conflict_do_nothing(),
            [dict(zip(_KEY_COLUMNS, key, strict=True)) | empty for key in keys],
        )
    query = select(table).where(_where_blocks(table, keys))
    order = [table.c[c] for c in _KEY_COLUMNS]
    stored = connection.execute(query.order_by(*order).with_for_update()).all()
    metrics = _METRICS
    by_block: dict[BlockKey, list[Any]] = {}
    for row in connection.execute(select(metrics).where(_where_blocks(metrics, keys))):
        by_block.setdefault(_key_of(row), []).append(row)
    blocks = {key: _Block() for key in keys}
    for row in stored:
        blocks[_key_of(row)] = _decoded(row, by_block.get(_key_of(row), ()))
    return blocks, {_key_of(row) for row in stored}


def _key_of(row: Any) -> BlockKey:
    return (int(row.year), row.province_code, row.city_code, bool(row.synthetic))


def _replace(
    connection: Connection, blocks: Mapping[BlockKey, _Block], existing: set[BlockKey]
) -> None:
    """Store these blocks in place of what was there; a block left empty is deleted."""
    keys = list(blocks)
    blocks_table = _BLOCKS
    metrics_table = _METRICS
    connection.execute(delete(metrics_table).where(_where_blocks(metrics_table, keys)))
    kept = {key: block.rows(key) for key, block in blocks.items() if block.report_ids}
    emptied = [key for key in keys if key not in kept and key in existing]
    if emptied:
        connection.execute(delete(blocks_table).where(_where_blocks(blocks_table, emptied)))
    if not kept:
        return
    new_rows = [row for key, (row, _) in kept.items() if key not in existing]
    if new_rows:
        connection.execute(insert(blocks_table), new_rows)
    changed = [
        {f"b_{c}": row[c] for c in _KEY_COLUMNS} | row
        for key, (row, _) in kept.items()
        if key in existing
    ]
    if changed:
        statement = (
            update(blocks_table)
            .where(*(blocks_table.c[c] == bindparam(f"b_{c}") for c in _KEY_COLUMNS))
            .values({c: bindparam(c) for c in _BLOCK_ARRAYS})
        )
        connection.execute(statement, changed)
    metric_rows = [row for _, rows in kept.values() for row in rows]
    if metric_rows:
        connection.execute(insert(metrics_table), metric_rows)


def rebuild_agency_rollup(connection: Connection) -> None:
    """Build the agency rollup from `rollup_report` and the reports' cells."""
    connection.execute(delete(AgencyRollup))
    connection.execute(delete(AgencyRollupBlock))
    counted = _COUNTED
    order = [counted.c[c] for c in _KEY_COLUMNS]
    rows = connection.execute(select(counted).order_by(*order, counted.c.report_id)).all()
    start = 0
    while start < len(rows):
        # Whole blocks at a time, about _REBUILD_REPORTS reports.
        end = min(start + _REBUILD_REPORTS, len(rows))
        while end < len(rows) and block_key(rows[end]._mapping) == block_key(
            rows[end - 1]._mapping
        ):
            end += 1
        part = rows[start:end]
        cells = load_cells(connection, [row.report_id for row in part])
        blocks: dict[BlockKey, _Block] = {}
        for row in part:
            dims = row._mapping
            block = blocks.setdefault(block_key(dims), _Block())
            block.append(row.report_id, dims, report_measures(cells.get(row.report_id, ())))
        stored = [block.rows(key) for key, block in blocks.items()]
        connection.execute(insert(AgencyRollupBlock), [block for block, _ in stored])
        metric_rows = [row for _, rows_of in stored for row in rows_of]
        if metric_rows:
            connection.execute(insert(AgencyRollup), metric_rows)
        start = end


# --- reading


@dataclass(frozen=True, slots=True)
class RegionFilter:
    """Which reports a region filter keeps: its code at its level."""

    level: str  # province, city or county
    code: str


@dataclass(frozen=True, slots=True)
class Scope:
    year_from: int | None = None
    year_to: int | None = None
    region: RegionFilter | None = None
    agency_id: int | None = None
    agency_kind: str | None = None
    format: str | None = None
    include_synthetic: bool = False


IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Entries:
    """The counted reports a question covers, one position per report: each dimension as codes
    (years and agency ids as they are, strings as indexes into `names`)."""

    names: dict[str, list[str]]  # per string dimension
    dims: dict[str, IntArray]  # year, province, city, county, agency, agency_kind, format
    failing: IntArray
    values: dict[str, FloatArray]
    denominators: dict[str, FloatArray]

    def __len__(self) -> int:
        return len(self.failing)


def read_entries(session: Session, metrics: Sequence[str], scope: Scope) -> Entries:
    """The counted reports matching `scope`, with their values of `metrics`, read in one
    statement (one snapshot: a block and its metrics' rows always agree)."""
    blocks = _BLOCKS
    where = []
    if scope.year_from is not None:
        where.append(blocks.c.year >= scope.year_from)
    if scope.year_to is not None:
        where.append(blocks.c.year <= scope.year_to)
    if not scope.include_synthetic:
        where.append(blocks.c.synthetic.is_(False))
    if scope.region is not None and scope.region.level in ("province", "city"):
        where.append(blocks.c[f"{scope.region.level}_code"] == scope.region.code)
    if scope.agency_id is not None:
        # Only the blocks holding the agency's reports.
        counted = _COUNTED
        holding = select(*(counted.c[c] for c in _KEY_COLUMNS)).where(
            counted.c.agency_id == scope.agency_id
        )
        where.append(tuple_(*(blocks.c[c] for c in _KEY_COLUMNS)).in_(holding))
    rollup = _METRICS
    joined = and_(
        *(rollup.c[c] == blocks.c[c] for c in _KEY_COLUMNS),
        rollup.c.metric.in_(metrics) if metrics else false(),
    )
    query = (
        select(blocks, rollup.c.metric, rollup.c.entry_values, rollup.c.entry_denominators)
        .select_from(blocks.outerjoin(rollup, joined))
        .where(*where)
        .order_by(*(blocks.c[c] for c in _KEY_COLUMNS))
    )
    block_starts: dict[BlockKey, tuple[int, int]] = {}
    counts: list[int] = []
    agency_parts: list[Any] = []
    label_parts: list[Any] = []
    labels: list[str] = []  # every block's labels, one after the other
    metric_rows: list[tuple[BlockKey, str, bytes, bytes | None]] = []
    size = label_count = 0
    for row in session.execute(query):
        key = _key_of(row)
        if key not in block_starts:
            agencies = np.frombuffer(row.agency_ids, _IDS)
            block_starts[key] = (size, len(agencies))
            size += len(agencies)
            counts.append(len(agencies))
            agency_parts.append(agencies)
            entry_labels = np.frombuffer(row.entry_labels, _LABELS).astype(np.int64)
            label_parts.append(entry_labels + label_count)
            labels.append(row.labels)
            label_count += row.labels.count("\t") // 4 + 1
        if row.metric is not None:
            metric_rows.append((key, row.metric, row.entry_values, row.entry_denominators))
    block_of = np.repeat(np.arange(len(counts)), counts)
    label_of = _concat(label_parts, np.int64)
    keys = list(block_starts)
    names: dict[str, list[str]] = {}
    dims = {
        "year": np.asarray([k[0] for k in keys], np.int64)[block_of],
        "agency": _concat(agency_parts, np.int64),
    }
    every_label = "\t".join(labels)
    fields = every_label.split("\t") if every_label else []
    # Strings become codes (indexes into `names`), block by block and label by label.
    for dim, strings, of in (
        ("province", [k[1] for k in keys], block_of),
        ("city", [k[2] for k in keys], block_of),
        ("county", fields[0::4], label_of),
        ("agency_kind", fields[1::4], label_of),
        ("format", fields[2::4], label_of),
    ):
        names[dim] = list(dict.fromkeys(strings))
        code = {name: i for i, name in enumerate(names[dim])}
        dims[dim] = np.fromiter(map(code.__getitem__, strings), np.int64, len(strings))[of]
    failing = np.asarray([x == "1" for x in fields[3::4]], np.int64)[label_of]
    values = {m: np.full(size, np.nan) for m in metrics}
    denominators = {m: np.full(size, np.nan) for m in metrics if m in RATIOS}
    for key, metric, packed, packed_denominators in metric_rows:
        at, count = block_starts[key]
        values[metric][at : at + count] = np.frombuffer(packed, _FLOATS)
        if packed_denominators is not None:
            denominators[metric][at : at + count] = np.frombuffer(packed_denominators, _FLOATS)
    keep = np.ones(size, bool)

    def code_of(dim: str, name: str) -> int:
        return names[dim].index(name) if name in names[dim] else -1

    if scope.region is not None and scope.region.level == "county":
        keep &= dims["county"] == code_of("county", scope.region.code)
    if scope.agency_kind is not None:
        keep &= dims["agency_kind"] == code_of("agency_kind", scope.agency_kind)
    if scope.format is not None:
        keep &= dims["format"] == code_of("format", scope.format)
    if scope.agency_id is not None:
        keep &= dims["agency"] == scope.agency_id
    if not keep.all():
        dims = {d: v[keep] for d, v in dims.items()}
        failing = failing[keep]
        values = {m: v[keep] for m, v in values.items()}
        denominators = {m: v[keep] for m, v in denominators.items()}
    return Entries(names, dims, failing, values, denominators)


def _concat(arrays: list[Any], dtype: Any) -> Any:
    if not arrays:
        return np.zeros(0, dtype)
    return np.concatenate(arrays).astype(dtype, copy=False)


@dataclass(frozen=True, slots=True)
class Grouped:
    """Entries added up by group: group g's codes are `codes[d][g]` for each dimension grouped
    on, its report counts per format `reports[format][g]`, and per metric the sum of values,
    of denominators (rates) and the number of reports with a value."""

    group_by: tuple[str, ...]
    codes: list[IntArray]
    names: dict[str, list[str]]
    reports: dict[str, IntArray]
    failing: IntArray
    value_sums: dict[str, FloatArray]
    denominator_sums: dict[str, FloatArray]
    with_value: dict[str, IntArray]

    def __len__(self) -> int:
        return len(self.failing)

    def keys(self) -> list[tuple[Any, ...]]:
        """Each group's key in `group_by` order: codes, agency ids and years; "" as None."""
        decoded = []
        for dim, codes in zip(self.group_by, self.codes, strict=True):
            listed = codes.tolist()
            if dim in self.names:
                listed = [self.names[dim][c] or None for c in listed]
            decoded.append(listed)
        return list(zip(*decoded, strict=True)) if decoded else [() for _ in range(len(self))]


def grouped(entries: Entries, group_by: Sequence[str]) -> Grouped:
    """Add the entries up by the dimensions of `group_by`, in that order."""
    columns = [entries.dims[d] for d in group_by]
    inverse, firsts = _group_ids(columns, len(entries))
    groups = len(firsts)
    reports: dict[str, IntArray] = {}
    formats = entries.dims["format"]
    for code in np.unique(formats).tolist():
        counts = np.bincount(inverse[formats == code], minlength=groups)
        reports[entries.names["format"][code]] = counts.astype(np.int64)
    failing = np.bincount(inverse, weights=entries.failing, minlength=groups).astype(np.int64)
    value_sums: dict[str, FloatArray] = {}
    denominator_sums: dict[str, FloatArray] = {}
    with_value: dict[str, IntArray] = {}
    for metric, values in entries.values.items():
        has = ~np.isnan(values)
        at = inverse[has]
        sums = np.bincount(at, weights=values[has], minlength=groups)
        value_sums[metric] = sums.astype(np.float64)
        with_value[metric] = np.bincount(at, minlength=groups).astype(np.int64)
        if metric in entries.denominators:
            weights = entries.denominators[metric][has]
            denominator_sums[metric] = np.bincount(at, weights, groups).astype(np.float64)
    return Grouped(
        tuple(group_by),
        [column[firsts] for column in columns],
        entries.names,
        reports,
        failing,
        value_sums,
        denominator_sums,
        with_value,
    )


def _group_ids(columns: Sequence[IntArray], size: int) -> tuple[IntArray, IntArray]:
    """Each entry's group (0…G-1, in no particular order) and one entry of each group."""
    if not columns:
        inverse = np.zeros(size, np.int64)
        return inverse, np.zeros(1 if size else 0, np.int64)
    combined = np.zeros(size, np.int64)
    span = 1
    for column in columns:
        width = int(column.max()) + 1 if size else 1
        if span * width >= 2**62:
            stacked = np.stack(columns, axis=1)
            _, firsts, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
            return inverse.reshape(-1).astype(np.int64), firsts.astype(np.int64)
        combined = combined * width + column
        span *= width
    if span <= 4 * size + 1_000_000:
        # Few possible keys (agency ids, say): count in place of sorting.
        present = np.zeros(span, bool)
        present[combined] = True
        group_of = np.cumsum(present) - 1
        inverse = group_of[combined]
        firsts = np.zeros(int(present.sum()), np.int64)
        firsts[inverse[::-1]] = np.arange(size - 1, -1, -1)
        return inverse.astype(np.int64), firsts
    _, firsts, inverse = np.unique(combined, return_index=True, return_inverse=True)
    return inverse.astype(np.int64), firsts.astype(np.int64)
