"""Agency rollup (agency_rollup_block, agency_rollup): each metric's per-report values packed
in arrays, a block per year, city and synthetic flag, for questions by agency or county

The rows are packed arrays, which SQL cannot write: they are filled here in Python, over
`rollup_report` and the `cell` table as they stand at this revision, as
app.agency_rollup.rebuild_agency_rollup fills them (tests/test_migrations_upgrade.py holds the
two to the same answers). The four rates are written out as app/metrics.py defines them now.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _block_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("province_code", sa.String(length=12), nullable=False),
        sa.Column("city_code", sa.String(length=12), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
    ]


_BLOCK_KEY = ["year", "province_code", "city_code", "synthetic"]


def upgrade() -> None:
    op.create_table(
        "agency_rollup_block",
        *_block_columns(),
        sa.Column("report_ids", sa.LargeBinary(), nullable=False),
        sa.Column("agency_ids", sa.LargeBinary(), nullable=False),
        sa.Column("entry_labels", sa.LargeBinary(), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(*_BLOCK_KEY, name=op.f("pk_agency_rollup_block")),
    )
    op.create_table(
        "agency_rollup",
        *_block_columns(),
        sa.Column("metric", sa.String(length=96), nullable=False),
        sa.Column("entry_values", sa.LargeBinary(), nullable=False),
        sa.Column("entry_denominators", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint(*_BLOCK_KEY, "metric", name=op.f("pk_agency_rollup")),
        sqlite_with_rowid=False,
    )
    _fill(op.get_bind())


def downgrade() -> None:
    op.drop_table("agency_rollup")
    op.drop_table("agency_rollup_block")


_DENIED = (
    "state_secret",
    "law_prohibited",
    "security_stability",
    "third_party",
    "internal_affairs",
    "process_info",
    "enforcement_file",
    "inquiry",
)
_LITIGATION = ("litigation_direct", "litigation_after_reconsideration")
_PROCESSED = (("requests.processed_total.total", 1),)
# name: (numerator terms, denominator terms), each a cell metric with a sign.
_RATIOS: dict[str, tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]] = {
    "disclosure_rate": (
        (("requests.granted.total", 1), ("requests.partially_granted.total", 1)),
        _PROCESSED,
    ),
    "denial_rate": (tuple((f"requests.denied_{d}.total", 1) for d in _DENIED), _PROCESSED),
    "reconsideration_correction_rate": (
        (("reviews.reconsideration.corrected", 1),),
        (("reviews.reconsideration.total", 1), ("reviews.reconsideration.pending", -1)),
    ),
    "litigation_correction_rate": (
        tuple((f"reviews.{r}.corrected", 1) for r in _LITIGATION),
        tuple(
            t
            for r in _LITIGATION
            for t in ((f"reviews.{r}.total", 1), (f"reviews.{r}.pending", -1))
        ),
    ),
}
_CHUNK = 500
_REPORTS_AT_ONCE = 2000


def _measures(values: dict[str, float]) -> dict[str, tuple[float, float | None]]:
    found: dict[str, tuple[float, float | None]] = {m: (v, None) for m, v in values.items()}
    for name, (numerator, denominator) in _RATIOS.items():
        terms = numerator + denominator
        if all(metric in values for metric, _ in terms):
            found[name] = (
                float(sum(values[m] * sign for m, sign in numerator)),
                float(sum(values[m] * sign for m, sign in denominator)),
            )
    return found


def _fill(connection: Any) -> None:
    counted = connection.execute(
        sa.text(
            "SELECT report_id, agency_id, year, synthetic, format, agency_kind, province_code,"
            " city_code, county_code, has_failures FROM rollup_report"
            " ORDER BY year, province_code, city_code, synthetic, report_id"
        )
    ).all()
    blocks: dict[tuple[Any, ...], list[Any]] = {}
    for row in counted:
        key = (int(row.year), row.province_code, row.city_code, bool(row.synthetic))
        blocks.setdefault(key, []).append(row)
    part: dict[tuple[Any, ...], list[Any]] = {}
    for key, rows in blocks.items():
        # A few thousand reports' cells at a time.
        part[key] = rows
        if sum(len(r) for r in part.values()) >= _REPORTS_AT_ONCE:
            _fill_blocks(connection, part)
            part = {}
    if part:
        _fill_blocks(connection, part)


def _cell_values(connection: Any, ids: list[int]) -> dict[int, dict[str, float]]:
    values: dict[int, dict[str, float]] = {}
    for start in range(0, len(ids), _CHUNK):
        cells = connection.execute(
            sa.text(
                "SELECT report_id, table_key, row_key, col_key, value FROM cell"
                " WHERE value IS NOT NULL AND report_id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": ids[start : start + _CHUNK]},
        )
        for report_id, table, row_key, col, value in cells:
            values.setdefault(report_id, {})[f"{table}.{row_key}.{col}"] = value
    return values


def _fill_blocks(connection: Any, blocks: dict[tuple[Any, ...], list[Any]]) -> None:
    values = _cell_values(connection, [r.report_id for rows in blocks.values() for r in rows])
    block_rows = []
    metric_rows = []
    for (year, province, city, synthetic), rows in blocks.items():
        key = {"year": year, "province_code": province, "city_code": city, "synthetic": synthetic}
        labels: dict[tuple[Any, ...], int] = {}
        for row in rows:
            label = (row.county_code, row.agency_kind, row.format, bool(row.has_failures))
            labels.setdefault(label, len(labels))
        block_rows.append(
            key
            | {
                "report_ids": np.asarray([r.report_id for r in rows], "<i4").tobytes(),
                "agency_ids": np.asarray([r.agency_id for r in rows], "<i4").tobytes(),
                "entry_labels": np.asarray(
                    [
                        labels[(r.county_code, r.agency_kind, r.format, bool(r.has_failures))]
                        for r in rows
                    ],
                    "<u2",
                ).tobytes(),
                "labels": "\t".join(f"{c}\t{k}\t{f}\t{int(x)}" for c, k, f, x in labels),
            }
        )
        measured = [_measures(values.get(r.report_id, {})) for r in rows]
        for metric in sorted({m for found in measured for m in found}):
            pairs = [found.get(metric, (math.nan, math.nan)) for found in measured]
            metric_rows.append(
                key
                | {
                    "metric": metric,
                    "entry_values": np.asarray([p[0] for p in pairs], "<f8").tobytes(),
                    "entry_denominators": np.asarray(
                        [math.nan if p[1] is None else p[1] for p in pairs], "<f8"
                    ).tobytes()
                    if metric in _RATIOS
                    else None,
                }
            )
    block_table = sa.table(
        "agency_rollup_block",
        *(sa.column(c) for c in _BLOCK_KEY),
        sa.column("report_ids", sa.LargeBinary()),
        sa.column("agency_ids", sa.LargeBinary()),
        sa.column("entry_labels", sa.LargeBinary()),
        sa.column("labels", sa.Text()),
    )
    metric_table = sa.table(
        "agency_rollup",
        *(sa.column(c) for c in _BLOCK_KEY),
        sa.column("metric"),
        sa.column("entry_values", sa.LargeBinary()),
        sa.column("entry_denominators", sa.LargeBinary()),
    )
    if block_rows:
        connection.execute(sa.insert(block_table), block_rows)
    if metric_rows:
        connection.execute(sa.insert(metric_table), metric_rows)
