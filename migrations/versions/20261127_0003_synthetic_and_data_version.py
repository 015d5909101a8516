"""Mark synthetic reports; count writes for conditional reads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ALTER TABLE … ADD COLUMN: batch mode would copy the report table on SQLite (its default is
    # an expression), and with foreign keys on, dropping the old table cascades to every
    # section, cell and check.
    op.add_column(
        "report", sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    data_version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(data_version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("data_version")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+) rather than batch mode's copy of the table: with
    # foreign keys on, dropping the old report table would cascade to every section and cell.
    with op.batch_alter_table("report", recreate="never") as batch:
        batch.drop_column("synthetic")
