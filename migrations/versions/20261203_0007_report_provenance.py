"""Provenance: where each report's agency and year were read

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null for the reports stored before: where their agency and year came from was not kept.
    op.add_column("report", sa.Column("provenance", sa.JSON(), nullable=True))


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35+): recreating the table would cascade to its children.
    with op.batch_alter_table("report", recreate="never") as batch:
        batch.drop_column("provenance")
