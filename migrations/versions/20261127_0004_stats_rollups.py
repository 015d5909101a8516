"""Stats rollups (rollup_report, cell_rollup, report_rollup) and an index on cell keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.rollup import rebuild_rollups

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _group_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("province_code", sa.String(length=12), nullable=False),
        sa.Column("city_code", sa.String(length=12), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("agency_kind", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
    ]


_GROUP_KEY = ["synthetic", "province_code", "city_code", "county_code", "year", "agency_kind"]


def upgrade() -> None:
    with op.batch_alter_table("cell") as batch:
        batch.create_index(
            "ix_cell_key", ["table_key", "row_key", "col_key", "report_id", "value"], unique=False
        )
    op.create_table(
        "rollup_report",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("agency_kind", sa.String(length=32), nullable=False),
        sa.Column("province_code", sa.String(length=12), nullable=False),
        sa.Column("city_code", sa.String(length=12), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("has_failures", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_rollup_report_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_rollup_report")),
    )
    op.create_index(
        "ix_rollup_report_agency_id_year", "rollup_report", ["agency_id", "year"], unique=False
    )
    op.create_table(
        "cell_rollup",
        sa.Column("metric", sa.String(length=96), nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        *_group_columns(),
        sa.Column("value_sum", sa.Double(), nullable=False),
        sa.Column("denominator_sum", sa.Double(), nullable=True),
        sa.Column("reports_with_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "metric", "grain", *_GROUP_KEY, "format", name=op.f("pk_cell_rollup")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_rollup",
        sa.Column("grain", sa.String(length=8), nullable=False),
        *_group_columns(),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("reports_failing", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grain", *_GROUP_KEY, "format", name=op.f("pk_report_rollup")),
        sqlite_with_rowid=False,
    )
    # Reports stored before this revision are counted now, with the code that keeps them current.
    rebuild_rollups(op.get_bind())


def downgrade() -> None:
    op.drop_table("report_rollup")
    op.drop_table("cell_rollup")
    op.drop_index("ix_rollup_report_agency_id_year", table_name="rollup_report")
    op.drop_table("rollup_report")
    with op.batch_alter_table("cell") as batch:
        batch.drop_index("ix_cell_key")
