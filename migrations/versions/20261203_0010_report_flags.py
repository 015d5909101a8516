"""Plausibility flags stored: each current report against its agency's current report of the
year before (report_flag)

Reports stored before this revision are flagged here by the rules as they stand at this
revision, written out in this file over the tables as they stand (not by the app's code, which
will move on): what app.flags.rebuild_flags gives on them. Agencies are read a few hundred at a
time, so a large database is flagged in bounded memory. When app/flags.py changes its rules, a
new migration flags again; tests/test_migrations_upgrade.py fails until one does.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    *("natural_person", "commercial", "research", "social_org", "legal_service", "other_org"),
    "total",
)
_IN_FORCE_ROWS = ("rules", "normative_docs")
_PREV_ITEMS_ROWS = ("licensing", "other_services", "penalties", "enforcement", "fees")
_JUMP_KEYS = (
    "requests.new.total",
    "requests.processed_total.total",
    "reviews.reconsideration.total",
    "reviews.litigation_direct.total",
    "reviews.litigation_after_reconsideration.total",
)
_JUMP_FACTOR, _JUMP_FLOOR = 10.0, 100.0
_KEYS = (
    *(f"requests.{row}.{c}" for row in ("carried_over", "carried_forward") for c in _COLUMNS),
    *(f"proactive.{r}.{c}" for r in _IN_FORCE_ROWS for c in ("in_force", "issued", "repealed")),
    *(f"proactive.{r}.{c}" for r in _PREV_ITEMS_ROWS for c in ("prev_items", "change")),
    *_JUMP_KEYS,
)
_AGENCIES_PER_BATCH = 300

report = sa.table(
    "report",
    sa.column("id", sa.Integer),
    sa.column("agency_id", sa.Integer),
    sa.column("year", sa.SmallInteger),
    sa.column("is_current", sa.Boolean),
)
cell = sa.table(
    "cell",
    sa.column("report_id", sa.Integer),
    sa.column("table_key", sa.String),
    sa.column("row_key", sa.String),
    sa.column("col_key", sa.String),
    sa.column("value", sa.Double),
    sa.column("status", sa.String),
)
report_flag = sa.table(
    "report_flag",
    sa.column("report_id", sa.Integer),
    sa.column("rule", sa.String),
    sa.column("cell_key", sa.String),
    sa.column("previous_report_id", sa.Integer),
    sa.column("expected", sa.Double),
    sa.column("found", sa.Double),
    sa.column("sources", sa.JSON),
    sa.column("message", sa.Text),
)


def upgrade() -> None:
    op.create_table(
        "report_flag",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("cell_key", sa.String(length=96), nullable=False),
        sa.Column("previous_report_id", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Double(), nullable=False),
        sa.Column("found", sa.Double(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_flag_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_report_id"],
            ["report.id"],
            name=op.f("fk_report_flag_previous_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "rule", "cell_key", name=op.f("pk_report_flag")),
    )
    op.create_index(op.f("ix_report_flag_rule"), "report_flag", ["rule"])
    op.create_index(
        op.f("ix_report_flag_previous_report_id"), "report_flag", ["previous_report_id"]
    )
    _flag_stored_reports(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_report_flag_previous_report_id"), table_name="report_flag")
    op.drop_index(op.f("ix_report_flag_rule"), table_name="report_flag")
    op.drop_table("report_flag")


def _flag_stored_reports(conn: sa.Connection) -> None:
    agencies = list(conn.scalars(sa.select(report.c.agency_id).distinct().order_by("agency_id")))
    for start in range(0, len(agencies), _AGENCIES_PER_BATCH):
        chunk = agencies[start : start + _AGENCIES_PER_BATCH]
        current = {
            (a, y): i
            for i, a, y in conn.execute(
                sa.select(report.c.id, report.c.agency_id, report.c.year).where(
                    report.c.is_current.is_(True), report.c.agency_id.in_(chunk)
                )
            )
        }
        pairs = [
            (current[a, y - 1], i) for (a, y), i in sorted(current.items()) if (a, y - 1) in current
        ]
        if not pairs:
            continue
        keys = [tuple(k.split(".")) for k in _KEYS]
        numbers: dict[int, dict[str, float]] = {}
        ids = sorted({i for pair in pairs for i in pair})
        for s in range(0, len(ids), 500):
            rows = conn.execute(
                sa.select(
                    cell.c.report_id, cell.c.table_key, cell.c.row_key, cell.c.col_key, cell.c.value
                ).where(
                    cell.c.report_id.in_(ids[s : s + 500]),
                    sa.tuple_(cell.c.table_key, cell.c.row_key, cell.c.col_key).in_(keys),
                    cell.c.status.in_(("number", "inferred")),
                    cell.c.value.is_not(None),
                )
            )
            for i, t, r, c, v in rows:
                numbers.setdefault(i, {})[f"{t}.{r}.{c}"] = v
        flags = [
            {"report_id": i, "previous_report_id": p, **flag}
            for p, i in pairs
            for flag in _flags(numbers.get(p, {}), numbers.get(i, {}))
        ]
        if flags:
            conn.execute(sa.insert(report_flag), flags)


def _show(value: float, *, signed: bool = False) -> str:
    text = f"{value:g}"
    return f"+{text}" if signed and value > 0 else text


def _flag(
    rule: str, key: str, expected: float, found: float, sources: list[str], message: str
) -> dict[str, Any]:
    return {
        "rule": rule,
        "cell_key": key,
        "expected": expected,
        "found": found,
        "sources": sources,
        "message": message,
    }


def _flags(before: dict[str, float], now: dict[str, float]) -> Iterator[dict[str, Any]]:
    for column in _COLUMNS:
        key, before_key = f"requests.carried_over.{column}", f"requests.carried_forward.{column}"
        found, expected = now.get(key), before.get(before_key)
        if found is not None and expected is not None and found != expected:
            yield _flag(
                "requests.carried_over",
                key,
                expected,
                found,
                [f"previous:{before_key}"],
                f"carried over {_show(found)} but the year before carried forward "
                f"{_show(expected)}",
            )
    for row in _IN_FORCE_ROWS:
        key, issued, repealed = (f"proactive.{row}.{c}" for c in ("in_force", "issued", "repealed"))
        found, last, made, dropped = (
            now.get(key),
            before.get(key),
            now.get(issued),
            now.get(repealed),
        )
        if found is None or last is None or made is None or dropped is None:
            continue
        expected = last + made - dropped
        if found != expected:
            yield _flag(
                "proactive.in_force",
                key,
                expected,
                found,
                [f"previous:{key}", issued, repealed],
                f"in force {_show(found)}, but the year before's {_show(last)} + {_show(made)} "
                f"issued − {_show(dropped)} repealed = {_show(expected)}",
            )
    for row in _PREV_ITEMS_ROWS:
        key, change = f"proactive.{row}.prev_items", f"proactive.{row}.change"
        found, last, moved = now.get(key), before.get(key), before.get(change)
        if found is None or last is None or moved is None:
            continue
        expected = last + moved
        if found != expected:
            yield _flag(
                "proactive.prev_items",
                key,
                expected,
                found,
                [f"previous:{key}", f"previous:{change}"],
                f"items last year {_show(found)}, but the year before's {_show(last)} with its "
                f"change {_show(moved, signed=True)} = {_show(expected)}",
            )
    for key in _JUMP_KEYS:
        found, last = now.get(key), before.get(key)
        if found is None or last is None or max(found, last) < _JUMP_FLOOR:
            continue
        low, high = sorted((found, last))
        if low > 0 and high / low < _JUMP_FACTOR:
            continue
        yield _flag(
            "jump",
            key,
            last,
            found,
            [f"previous:{key}"],
            f"{_show(found)} against {_show(last)} the year before: a change of "
            f"{_JUMP_FACTOR:g} times or more",
        )
