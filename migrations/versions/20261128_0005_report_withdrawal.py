"""Withdrawn revisions: when a report was withdrawn and why

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("report", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("withdrawal_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+) rather than batch mode's copy of the table: with
    # foreign keys on, dropping the old report table would cascade to every section and cell.
    with op.batch_alter_table("report", recreate="never") as batch:
        batch.drop_column("withdrawal_reason")
        batch.drop_column("withdrawn_at")
