"""Region kind, and the region tree as app/regions/regions.csv held it at this revision

The tree is read from migrations/data/regions_0002.csv, a copy of regions.csv frozen with this
revision, so upgrading an old database loads what this revision loaded whatever the package's
regions.csv says today. A later change to regions.csv needs its own data migration (a test
compares the migrated tree with app.regions' loader).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:20:00
"""

import csv
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

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
REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "regions_0002.csv"


def _regions() -> list[dict[str, object]]:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    # Parents before children, so the foreign key holds at every insert.
    rows.sort(key=lambda row: (LEVEL_ORDER[row["level"]], row["code"]))
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "level": row["level"],
            "kind": row["kind"],
            "parent_code": row["parent_code"] or None,
            "former_names": [name for name in row["former_names"].split("|") if name],
        }
        for row in rows
    ]


def upgrade() -> None:
    with op.batch_alter_table("region") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="division")
        )
    op.bulk_insert(region, _regions())


def downgrade() -> None:
    op.execute(sa.text("UPDATE agency SET region_code = NULL"))
    for level in ("county", "city", "province"):
        op.execute(region.delete().where(region.c.level == level))
    with op.batch_alter_table("region") as batch:
        batch.drop_column("kind")
