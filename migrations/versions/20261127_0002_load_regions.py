"""Region kind, and the region tree loaded from app/regions/regions.csv

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.regions.data import load_regions

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

region = sa.table(
    "region",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("level", sa.String),
    sa.column("kind", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("former_names", sa.JSON),
)
LEVEL_ORDER = {"province": 0, "city": 1, "county": 2}


def upgrade() -> None:
    with op.batch_alter_table("region") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="division")
        )
    # Parents before children, so the foreign key holds at every insert.
    records = sorted(load_regions(), key=lambda r: (LEVEL_ORDER[r.level], r.code))
    op.bulk_insert(
        region,
        [
            {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "kind": r.kind,
                "parent_code": r.parent_code,
                "former_names": list(r.former_names),
            }
            for r in records
        ],
    )


def downgrade() -> None:
    op.execute(sa.text("UPDATE agency SET region_code = NULL"))
    for level in ("county", "city", "province"):
        op.execute(region.delete().where(region.c.level == level))
    with op.batch_alter_table("region") as batch:
        batch.drop_column("kind")
